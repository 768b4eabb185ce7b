"""Custom autograd Functions: a stable LogSumExp (twice differentiable) and a
straight-through rounding (a surrogate gradient), checked and then trained with.

* ``LogSumExp`` subclasses ``torch.autograd.Function`` with static ``forward``/``backward``.
  The forward subtracts the maximum before exponentiating, so ``[1000, 1000]`` gives
  ``1000 + log 2`` instead of ``inf``. It saves its input and output with
  ``ctx.save_for_backward``, skips the gradient work when ``ctx.needs_input_grad`` says
  nobody wants it, and writes the backward with differentiable tensor operations (no
  ``@once_differentiable``), so double backward works: ``gradcheck`` and ``gradgradcheck``
  in float64 both pass.
* ``RoundSTE`` rounds in the forward and pretends to be the identity in the backward
  (the "straight-through estimator" of quantization-aware training). It is a deliberate
  surrogate, so ``gradcheck`` (which compares with finite differences) rejects it.
* A softmax classifier on the Digits pixels whose weights are fake-quantized with
  ``RoundSTE`` and whose cross-entropy is written with ``LogSumExp`` is trained for a few
  steps: the loss falls, although the rounding has no useful true gradient.

    python examples/custom_function.py [--steps 60] [--lr 0.5] [--seed 0]

The same file runs on PyTorch after replacing the ember imports with ``import torch`` and
``from torchvision import datasets``.
"""

from __future__ import annotations

import argparse
from typing import Any

import ember as torch
from ember.autograd import Function, gradcheck, gradgradcheck
from ember.vision import datasets


class LogSumExp(Function):
    """``log(sum(exp(x), dim))`` computed as ``m + log(sum(exp(x - m)))``, ``m = max(x)``."""

    @staticmethod
    def forward(ctx, x, dim: int):
        m = x.amax(dim=dim, keepdim=True)
        # exp(x - m) <= 1, so nothing overflows; an all -inf row keeps m = -inf, handled
        # by replacing m with 0 there (log(0) = -inf is then the right answer).
        m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
        out = ((x - m).exp().sum(dim=dim, keepdim=True).log() + m).squeeze(dim)
        ctx.dim = dim
        # Save the *returned* tensor, not an intermediate: a saved output is connected to
        # the graph, so double backward also differentiates through it.
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        if not ctx.needs_input_grad[0]:
            return None, None
        x, out = ctx.saved_tensors
        # d lse / dx = softmax(x) = exp(x - lse). Tensor ops only, so this backward is
        # itself recorded under create_graph=True (double backward).
        softmax = (x - out.unsqueeze(ctx.dim)).exp()
        return grad_out.unsqueeze(ctx.dim) * softmax, None  # no gradient for `dim`


class RoundSTE(Function):
    """Round to the nearest multiple of ``step`` forward; identity gradient backward."""

    @staticmethod
    def forward(ctx, x, step: float):
        return torch.round(x / step) * step

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out, None  # straight through: pretend d round(x)/dx = 1


def logsumexp(x, dim: int = -1):
    """Functional wrapper, as custom Functions are usually exposed."""
    return LogSumExp.apply(x, dim)


def cross_entropy(logits, target):
    """Mean cross-entropy from raw logits via the custom ``LogSumExp``."""
    picked = logits.gather(1, target.unsqueeze(1)).squeeze(1)
    return (logsumexp(logits, 1) - picked).mean()


def check_gradients(seed: int = 0) -> dict[str, bool]:
    """Run float64 ``gradcheck``/``gradgradcheck`` on the custom Functions."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(4, 5, dtype=torch.float64, generator=gen, requires_grad=True)
    big = (torch.randn(3, 4, dtype=torch.float64, generator=gen) * 300).requires_grad_()
    # Keep the inputs of the rounding away from the rounding thresholds (x.5 * step) so the
    # finite differences see the flat steps, not a jump.
    r = (torch.randint(-5, 5, (6,), generator=gen).double() * 0.25 + 0.01).requires_grad_()
    return {
        "logsumexp_gradcheck": gradcheck(lambda t: logsumexp(t, 1), (x,)),
        "logsumexp_gradgradcheck": gradgradcheck(lambda t: logsumexp(t, 1), (x,)),
        "logsumexp_dim0_gradgradcheck": gradgradcheck(lambda t: logsumexp(t, 0), (big,)),
        # The straight-through gradient is a surrogate, not the true (zero) derivative:
        # gradcheck must reject it.
        "round_ste_gradcheck": gradcheck(lambda t: RoundSTE.apply(t, 0.25), (r,),
                                         raise_exception=False),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Check the Functions, then train with them. Returns the checks and the losses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--quant-step", type=float, default=1 / 16,
                        help="weights are rounded to multiples of this in the forward")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    checks = check_gradients(args.seed)
    for name, ok in checks.items():
        print(f"{name:30s} {ok}")
    huge = torch.tensor([[1000.0, 1000.0], [-1000.0, -1000.0]])
    stable = logsumexp(huge, 1)
    print(f"logsumexp of [1000, 1000] and [-1000, -1000]: {stable.tolist()} "
          f"(naive: {huge.exp().sum(1).log().tolist()})")

    digits = datasets.Digits(train=True)
    x = digits.data.flatten(1).float() / 255.0  # no PIL needed: the raw uint8 tensor
    y = digits.targets
    weight = torch.zeros(x.shape[1], 10, requires_grad=True)
    bias = torch.zeros(10, requires_grad=True)
    optimizer = torch.optim.SGD([weight, bias], lr=args.lr, momentum=0.9)
    losses: list[float] = []
    for step in range(args.steps):
        optimizer.zero_grad()
        logits = x @ RoundSTE.apply(weight, args.quant_step) + bias
        loss = cross_entropy(logits, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step % max(1, args.steps // 6) == 0 or step == args.steps - 1:
            acc = (logits.argmax(1) == y).float().mean().item()
            print(f"step {step:4d}  loss {loss.item():.4f}  train acc {acc:.3f}")
    return {"checks": checks, "stable": stable.tolist(), "losses": losses}


if __name__ == "__main__":
    main()
