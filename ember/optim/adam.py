"""Adam (torch.optim.Adam), with AMSGrad and optional decoupled weight decay."""

from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import (
    Optimizer,
    _arrays,
    _bump,
    _check_betas,
    _check_differentiable,
    _check_fused,
    _check_lr,
    _check_nonneg,
    _eval_closure,
    _grads,
    _lr,
    _new_step,
    _no_grad_step,
    _scalar,
    _states,
    _zeros_like,
)

__all__ = ["Adam"]


def _check_common(lr, eps, betas, weight_decay) -> None:
    """torch's validation of lr, eps, betas and weight_decay, in torch's order."""
    _check_lr(lr)
    _check_nonneg("epsilon value", eps)
    _check_betas(betas)
    _check_nonneg("weight_decay value", weight_decay)


class Adam(Optimizer):
    """Adam (torch.optim.Adam): ``amsgrad``, ``maximize`` and ``decoupled_weight_decay``
    (AdamW's rule); ``foreach``/``fused``/``capturable`` are accepted and change nothing
    numerically (ember has one implementation)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
        _check_common(lr, eps, betas, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for "
                                     "capturable=False and foreach=True")
                if b.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() else b for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        _check_differentiable(differentiable)
        super().__init__(params, defaults)
        _check_fused(foreach, fused, differentiable)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)

    def _init_state(self, state: dict, p: Tensor, group: dict) -> None:
        state["step"] = _new_step()
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_like(p)

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step; returns the closure's loss (if given)."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params, states = self._group_states(group)
            amsgrad = group["amsgrad"]
            beta1, beta2 = group["betas"]
            F.adam(_arrays(params), _grads(params),
                   _states(states, "exp_avg"), _states(states, "exp_avg_sq"),
                   _states(states, "max_exp_avg_sq") if amsgrad else [],
                   _states(states, "step"), amsgrad=amsgrad,
                   beta1=_scalar(beta1), beta2=_scalar(beta2), lr=_lr(group),
                   weight_decay=group["weight_decay"], eps=group["eps"],
                   maximize=group["maximize"],
                   decoupled_weight_decay=group["decoupled_weight_decay"])
            _bump(params)
        return loss
