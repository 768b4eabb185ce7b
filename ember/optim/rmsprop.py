"""RMSprop (torch.optim.RMSprop)."""

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

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (torch.optim.RMSprop): smoothing alpha, optionally centered and
    with momentum."""

    def __init__(self, params, lr=1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg("epsilon value", eps)
        _check_nonneg("momentum value", momentum)
        _check_nonneg("weight_decay value", weight_decay)
        _check_nonneg("alpha value", alpha)
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state: dict, p, group: dict) -> None:
        state["step"] = _new_step()
        state["square_avg"] = _zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p)

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step; returns the closure's loss (if given)."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params, states = self._group_states(group)
            F.rmsprop(_arrays(params), _grads(params), _states(states, "square_avg"),
                      _states(states, "grad_avg") if group["centered"] else [],
                      _states(states, "momentum_buffer")
                      if group["momentum"] > 0 else [],
                      _states(states, "step"), lr=_lr(group),
                      alpha=group["alpha"], eps=group["eps"],
                      weight_decay=group["weight_decay"], momentum=group["momentum"],
                      centered=group["centered"], maximize=group["maximize"])
            _bump(params)
        return loss
