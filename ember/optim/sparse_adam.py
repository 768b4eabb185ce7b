"""SparseAdam (torch.optim.SparseAdam).

ember has no sparse tensors, so there is never a sparse gradient to apply: like torch's
SparseAdam given dense gradients, ``step`` raises and points to Adam.
"""

from __future__ import annotations

from .optimizer import Optimizer, _check_betas, _check_tensor_lr, _eval_closure, _no_grad_step

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """torch.optim.SparseAdam's constructor and checks; its step needs sparse gradients,
    which ember does not produce (use Adam)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 maximize: bool = False) -> None:
        _check_tensor_lr(lr)
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)
        complex_params = [[i, j] for i, g in enumerate(self.param_groups)
                          for j, p in enumerate(g["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not "
                             "support complex parameters")

    @_no_grad_step
    def step(self, closure=None):
        """Raise for any dense gradient, like torch (ember has no sparse gradients)."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            if any(p._grad is not None for p in group["params"]):
                raise RuntimeError("SparseAdam does not support dense gradients, please "
                                   "consider Adam instead")
        return loss
