"""NAdam (torch.optim.NAdam): Adam with Nesterov momentum."""

from __future__ import annotations

from . import _functional as F
from .optimizer import (
    Optimizer,
    _arrays,
    _bump,
    _check_betas,
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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (torch.optim.NAdam), with momentum_decay and optional decoupled weight
    decay (NAdamW)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg("epsilon value", eps)
        _check_betas(betas)
        _check_nonneg("weight_decay value", weight_decay)
        _check_nonneg("momentum_decay value", momentum_decay)
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state: dict, p, group: dict) -> None:
        state["step"] = _new_step()
        state["mu_product"] = _new_step()
        state["mu_product"]._data[...] = 1.0
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step; returns the closure's loss (if given)."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params, states = self._group_states(group)
            beta1, beta2 = group["betas"]
            F.nadam(_arrays(params), _grads(params), _states(states, "exp_avg"),
                    _states(states, "exp_avg_sq"),
                    _states(states, "mu_product"), _states(states, "step"),
                    beta1=beta1, beta2=beta2, lr=_lr(group),
                    weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"],
                    eps=group["eps"], decoupled_weight_decay=group["decoupled_weight_decay"],
                    maximize=group["maximize"])
            _bump(params)
        return loss
