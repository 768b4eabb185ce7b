"""Adagrad (torch.optim.Adagrad)."""

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
    _fill_like,
    _grads,
    _lr,
    _new_step,
    _no_grad_step,
    _states,
    _with_grad,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad) with lr_decay and initial_accumulator_value.
    Like torch, its state (step and sum) is created at construction."""

    def __init__(self, params, lr=1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        _check_nonneg("lr_decay value", lr_decay)
        _check_nonneg("weight_decay value", weight_decay)
        _check_nonneg("initial_accumulator_value value", initial_accumulator_value)
        _check_nonneg("epsilon value", eps)
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _new_step()
                state["sum"] = _fill_like(p, initial_accumulator_value)

    def share_memory(self) -> None:
        """Move the accumulators to shared memory (torch's Adagrad.share_memory)."""
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["sum"].share_memory_()

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step; returns the closure's loss (if given)."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params = _with_grad(group)
            states = [self.state[p] for p in params]
            F.adagrad(_arrays(params), _grads(params), _states(states, "sum"),
                      _states(states, "step"), lr=_lr(group),
                      weight_decay=group["weight_decay"], lr_decay=group["lr_decay"],
                      eps=group["eps"], maximize=group["maximize"])
            _bump(params)
        return loss
