"""Fit a small two-layer network to a noisy sine wave with ember's autograd alone.

It builds the model from raw tensors, computes gradients with `loss.backward()`,
updates the weights by hand with plain SGD and prints the loss falling: autograd with
nothing else. (`ember train` is the full training job.)

    python examples/fit.py [--steps 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import time

import ember as torch


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    x = torch.linspace(-math.pi, math.pi, 256).unsqueeze(1)          # (256, 1)
    y = torch.sin(x) + 0.05 * torch.randn(256, 1)                     # noisy target

    # parameters: leaves that require grad
    w1 = (torch.randn(1, args.hidden) * 1.0).requires_grad_()
    b1 = torch.zeros(args.hidden, requires_grad=True)
    w2 = (torch.randn(args.hidden, 1) / math.sqrt(args.hidden)).requires_grad_()
    b2 = torch.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]

    start = time.perf_counter()
    for step in range(args.steps + 1):
        hidden = torch.tanh(x @ w1 + b1)
        pred = hidden @ w2 + b2
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= args.lr * p.grad
                p.grad = None
        if step % (args.steps // 10) == 0:
            print(f"step {step:5d}  loss {loss.item():.5f}")
    print(f"done in {time.perf_counter() - start:.2f}s; final loss {loss.item():.5f}")
    return loss.item()


if __name__ == "__main__":
    main()
