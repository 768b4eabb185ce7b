"""Rprop (torch.optim.Rprop): resilient backpropagation."""

from __future__ import annotations

from . import _functional as F
from .optimizer import (
    Optimizer,
    _arrays,
    _bump,
    _check_differentiable,
    _check_lr,
    _eval_closure,
    _fill_like,
    _grads,
    _new_step,
    _no_grad_step,
    _scalar,
    _states,
    _zeros_like,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop (torch.optim.Rprop): per-element step sizes multiplied by etas and
    clamped to step_sizes; only the gradient's sign is used."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, state: dict, p, group: dict) -> None:
        state["step"] = _new_step()
        state["prev"] = _zeros_like(p)
        state["step_size"] = _fill_like(p, _scalar(group["lr"]))

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step; returns the closure's loss (if given)."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params, states = self._group_states(group)
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            F.rprop(_arrays(params), _grads(params), _states(states, "prev"),
                    _states(states, "step_size"), _states(states, "step"),
                    step_size_min=step_size_min, step_size_max=step_size_max,
                    etaminus=etaminus, etaplus=etaplus, maximize=group["maximize"])
            _bump(params)
        return loss
