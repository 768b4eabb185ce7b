"""Adadelta (torch.optim.Adadelta)."""

from __future__ import annotations

from . import _functional as F
from .optimizer import (
    Optimizer,
    _arrays,
    _bump,
    _check_differentiable,
    _check_lr,
    _check_nonneg,
    _eval_closure,
    _grads,
    _lr,
    _new_step,
    _no_grad_step,
    _states,
    _zeros_like,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (torch.optim.Adadelta) with decay rho."""

    def __init__(self, params, lr=1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg("epsilon value", eps)
        _check_nonneg("weight_decay value", weight_decay)
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state: dict, p, group: dict) -> None:
        state["step"] = _new_step()
        state["square_avg"] = _zeros_like(p)
        state["acc_delta"] = _zeros_like(p)

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step; returns the closure's loss (if given)."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params, states = self._group_states(group)
            F.adadelta(_arrays(params), _grads(params), _states(states, "square_avg"),
                       _states(states, "acc_delta"),
                       _states(states, "step"), lr=_lr(group),
                       rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                       maximize=group["maximize"])
            _bump(params)
        return loss
