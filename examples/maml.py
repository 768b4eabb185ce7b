"""MAML (model-agnostic meta-learning) on sine-wave regression, with second-order gradients.

Each task is a sine wave ``a * sin(x + phase)`` (amplitude in [0.1, 5], phase in [0, pi]);
from ``--shots`` points of a new wave the model must fit the whole wave after a few
gradient steps. MAML learns an initialisation from which that works:

* inner loop: ``--inner-steps`` SGD steps on the task's support points, computed with
  ``torch.autograd.grad(loss, params, create_graph=True)`` and applied *functionally*
  (``fast = {name: w - inner_lr * g}``; the model is run with those weights through
  ``functional_call``), so the adapted weights stay a differentiable function of the
  initial ones;
* outer loop: the loss of the adapted weights on the task's query points, averaged over a
  meta-batch of tasks, is back-propagated through the inner steps -- gradients of
  gradients, the "second-order" part -- and an Adam step updates the initialisation.
  ``--first-order`` drops the second-order terms (FOMAML) for comparison.

Prints the pre- and post-adaptation query losses as meta-training goes.

    python examples/maml.py [--iterations 500] [--meta-batch 8] [--first-order]

The same file runs on PyTorch after replacing the ember imports with ``import torch``.
"""

from __future__ import annotations

import argparse
import math
import warnings
from typing import Any

import ember as torch
import ember.nn as nn

try:  # torch >= 2.0 spells it torch.func.functional_call
    from ember.func import functional_call
except ImportError:  # the older, same-behaving spelling (deprecated in torch)
    from ember.nn.utils.stateless import functional_call
    warnings.filterwarnings("ignore", message=r".*stateless\.functional_call.*",
                            category=FutureWarning)


def sample_task(generator) -> tuple[float, float]:
    """A random sine task: (amplitude, phase)."""
    amplitude = 0.1 + 4.9 * torch.rand(1, generator=generator).item()
    phase = math.pi * torch.rand(1, generator=generator).item()
    return amplitude, phase


def sample_points(task: tuple[float, float], n: int, generator):
    """``n`` points (x, y) of the task's wave, x uniform in [-5, 5], shapes (n, 1)."""
    amplitude, phase = task
    x = torch.rand(n, 1, generator=generator) * 10 - 5
    return x, amplitude * torch.sin(x + phase)


def make_model(hidden: int = 40) -> nn.Module:
    """The regression network of the MAML paper: 1 -> 40 -> 40 -> 1 with ReLUs."""
    return nn.Sequential(nn.Linear(1, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.ReLU(), nn.Linear(hidden, 1))


def adapt(model: nn.Module, params: dict, x, y, inner_lr: float, steps: int,
          first_order: bool = False) -> dict:
    """Inner loop: ``steps`` SGD steps from ``params`` on (x, y), as new tensors.

    With ``first_order=False`` the steps are recorded (``create_graph=True``), so the
    result can be differentiated with respect to ``params`` through the gradients.
    """
    loss_fn = nn.MSELoss()
    for _ in range(steps):
        loss = loss_fn(functional_call(model, params, (x,)), y)
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=not first_order)
        params = {name: w - inner_lr * g for (name, w), g in zip(params.items(), grads)}
    return params


def meta_loss(model: nn.Module, tasks: list, args: argparse.Namespace, generator,
              first_order: bool) -> tuple[Any, float]:
    """Mean post-adaptation query loss over ``tasks`` (differentiable) and the mean
    pre-adaptation query loss (a float, for monitoring)."""
    loss_fn = nn.MSELoss()
    params = dict(model.named_parameters())
    post, pre = [], 0.0
    for task in tasks:
        x_support, y_support = sample_points(task, args.shots, generator)
        x_query, y_query = sample_points(task, args.shots, generator)
        fast = adapt(model, params, x_support, y_support, args.inner_lr, args.inner_steps,
                     first_order)
        post.append(loss_fn(functional_call(model, fast, (x_query,)), y_query))
        with torch.no_grad():
            pre += loss_fn(model(x_query), y_query).item()
    return torch.stack(post).mean(), pre / len(tasks)


def evaluate(model: nn.Module, args: argparse.Namespace, n_tasks: int = 20,
             seed: int = 12345) -> tuple[float, float]:
    """Mean query loss on ``n_tasks`` fixed held-out tasks (the same ones every call),
    before and after the inner-loop adaptation: (pre, post)."""
    generator = torch.Generator().manual_seed(seed)
    tasks = [sample_task(generator) for _ in range(n_tasks)]
    loss, pre = meta_loss(model, tasks, args, generator, first_order=True)
    return pre, loss.item()


def meta_gradient(model: nn.Module, args: argparse.Namespace, seed: int,
                  first_order: bool) -> list:
    """The meta-gradient for one fixed meta-batch (same tasks and points for both orders)."""
    generator = torch.Generator().manual_seed(seed)
    tasks = [sample_task(generator) for _ in range(args.meta_batch)]
    loss, _ = meta_loss(model, tasks, args, generator, first_order)
    return list(torch.autograd.grad(loss, list(model.parameters())))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options (shared by ``main`` and the tests)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--meta-batch", type=int, default=8, help="tasks per outer step")
    parser.add_argument("--shots", type=int, default=10, help="support (= query) points")
    parser.add_argument("--inner-steps", type=int, default=1)
    parser.add_argument("--inner-lr", type=float, default=0.01)
    parser.add_argument("--meta-lr", type=float, default=3e-3)
    parser.add_argument("--hidden", type=int, default=40)
    parser.add_argument("--first-order", action="store_true",
                        help="drop the second-order terms (FOMAML)")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Meta-train. Returns the per-iteration post- and pre-adaptation query losses, the
    held-out (pre, post) adaptation losses before and after meta-training, and the model."""
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    model = make_model(args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.meta_lr)

    eval_before = evaluate(model, args)
    print(f"held-out tasks before meta-training: query loss before adaptation "
          f"{eval_before[0]:.3f}, after {eval_before[1]:.3f}")
    post_losses: list[float] = []
    pre_losses: list[float] = []
    report_every = max(1, args.iterations // 10)
    for it in range(args.iterations):
        tasks = [sample_task(generator) for _ in range(args.meta_batch)]
        loss, pre = meta_loss(model, tasks, args, generator, args.first_order)
        optimizer.zero_grad()
        loss.backward()  # through the inner SGD steps: gradients of gradients
        optimizer.step()
        post_losses.append(loss.item())
        pre_losses.append(pre)
        if it % report_every == 0 or it == args.iterations - 1:
            window = slice(max(0, it + 1 - report_every), it + 1)
            mean_post = sum(post_losses[window]) / len(post_losses[window])
            mean_pre = sum(pre_losses[window]) / len(pre_losses[window])
            print(f"iter {it:4d}  query loss before adaptation {mean_pre:.3f}  "
                  f"after {mean_post:.3f}")
    eval_after = evaluate(model, args)
    print(f"held-out tasks after meta-training: query loss before adaptation "
          f"{eval_after[0]:.3f}, after {eval_after[1]:.3f}")
    return {"meta_losses": post_losses, "pre_adaptation_losses": pre_losses,
            "eval_before": eval_before, "eval_after": eval_after, "model": model,
            "args": args}


if __name__ == "__main__":
    main()
