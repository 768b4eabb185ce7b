"""SGD (torch.optim.SGD): stochastic gradient descent with momentum and Nesterov."""

from __future__ import annotations

from .._tensor import _wrap
from . import _functional as F
from .optimizer import (
    Optimizer,
    _arrays,
    _bump,
    _check_differentiable,
    _check_fused,
    _check_tensor_lr,
    _eval_closure,
    _grads,
    _lr,
    _no_grad_step,
    _real,
    _scalar,
    _unreal,
)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, dampening and Nesterov
    momentum (torch.optim.SGD; ``foreach``/``fused`` are accepted and ignored)."""

    def __init__(self, params, lr=1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay=0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        _check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_differentiable(differentiable)
        super().__init__(params, defaults)
        _check_fused(foreach, fused, differentiable)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step; returns the closure's loss (if given)."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p._grad is not None]
            momentum = group["momentum"]
            bufs = []
            if momentum != 0:
                for p in params:
                    buf = self.state[p].get("momentum_buffer")
                    bufs.append(None if buf is None else _real(buf._data))
            bufs = F.sgd(_arrays(params), _grads(params), bufs,
                         lr=_lr(group), weight_decay=_scalar(group["weight_decay"]),
                         momentum=momentum, dampening=group["dampening"],
                         nesterov=group["nesterov"], maximize=group["maximize"])
            if momentum != 0:
                for p, buf in zip(params, bufs):
                    old = self.state[p].get("momentum_buffer")
                    if old is None:  # created by this step (a copy of the gradient)
                        self.state[p]["momentum_buffer"] = _wrap(_unreal(buf, p))
            _bump(params)
        return loss
