"""ASGD (torch.optim.ASGD): averaged stochastic gradient descent."""

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
    _new_step,
    _no_grad_step,
    _scalar,
    _states,
    _zeros_like,
)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD (torch.optim.ASGD): decay lambd, eta power alpha, averaging
    start t0; the running average is state["ax"]."""

    def __init__(self, params, lr=1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg("weight_decay value", weight_decay)
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, state: dict, p, group: dict) -> None:
        state["step"] = _new_step()
        state["eta"] = _new_step()
        state["eta"]._data[...] = _scalar(group["lr"])
        state["mu"] = _new_step()
        state["mu"]._data[...] = 1.0
        state["ax"] = _zeros_like(p)

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step; returns the closure's loss (if given)."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params, states = self._group_states(group)
            lr = _scalar(group["lr"])
            F.asgd(_arrays(params), _grads(params), _states(states, "ax"),
                   _states(states, "mu"), _states(states, "eta"),
                   _states(states, "step"), lambd=group["lambd"], lr=lr,
                   t0=group["t0"], alpha=group["alpha"], weight_decay=group["weight_decay"],
                   maximize=group["maximize"])
            _bump(params)
        return loss
