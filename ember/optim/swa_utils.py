"""Stochastic Weight Averaging and EMA: AveragedModel, SWALR, update_bn (torch.optim.swa_utils).
"""

from __future__ import annotations

import itertools
import math
from copy import deepcopy
from typing import Any, Callable, Iterable, Sequence

from .. import dtypes as _dt
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..nn.modules.module import Module
from ..nn.modules.normalization import _BatchNorm
from ..ops.creation import tensor
from .lr_scheduler import LRScheduler, _per_group
from .optimizer import Optimizer

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]

AvgFn = Callable[[Tensor, Tensor, Any], Tensor]
MultiAvgFn = Callable[[Sequence[Tensor], Sequence[Tensor], Any], None]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def _interpolates(t: Tensor) -> bool:
    """Floating and complex tensors are averaged with lerp; integers need explicit math."""
    return t.dtype.is_floating_point or t.dtype.is_complex


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """In-place exponential moving average over lists of tensors:
    ``ema = decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    def ema_update(ema_params: Sequence[Tensor], current_params: Sequence[Tensor],
                   _num_averaged: Any) -> None:
        with no_grad():
            if _interpolates(ema_params[0]):
                for ema, current in zip(ema_params, current_params, strict=True):
                    ema.lerp_(current, 1 - decay)
            else:
                for ema, current in zip(ema_params, current_params, strict=True):
                    ema.copy_(ema * decay + current * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """In-place running mean over lists of tensors:
    ``avg += (current - avg) / (num_averaged + 1)``."""

    def swa_update(averaged_params: Sequence[Tensor], current_params: Sequence[Tensor],
                   num_averaged: Tensor | int) -> None:
        if not _interpolates(averaged_params[0]):
            # torch's foreach update of integer tensors fails too (integer addcdiv with a
            # tensor count, a float alpha with an int count).
            raise RuntimeError(
                f"the SWA multi_avg_fn cannot average {averaged_params[0].dtype} tensors in "
                "place (integer division with addcdiv / a floating point alpha are not "
                "supported for integral tensors); use use_buffers=False or an avg_fn")
        weight = 1 / (num_averaged + 1)
        if isinstance(weight, Tensor):
            weight = weight.item()
        with no_grad():
            for avg, current in zip(averaged_params, current_params, strict=True):
                avg.lerp_(current, weight)

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """Exponential moving average of one tensor (returns the new average)."""
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, _num_averaged: Any) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """Running mean of one tensor (returns the new average)."""

    def swa_update(averaged_param: Tensor, current_param: Tensor,
                   num_averaged: Tensor | int) -> Tensor:
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters (and with ``use_buffers`` its buffers) hold an
    average of the weights passed to :meth:`update_parameters`.

    The average is SWA's running mean unless ``avg_fn`` (per tensor, returns the new
    value) or ``multi_avg_fn`` (in place, on lists of tensors of one device and dtype) is
    given. ``n_averaged`` counts the updates; the first update copies the weights.
    """

    n_averaged: Tensor

    def __init__(self, model: Module, device: Any = None, avg_fn: AvgFn | None = None,
                 multi_avg_fn: MultiAvgFn | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=_dt.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the averaged copy of the model."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold the current weights of ``model`` into the average."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        pairs = [(avg.detach(), current.detach().to(avg.device))
                 for avg, current in zip(mine, theirs)]
        with no_grad():
            if int(self.n_averaged.item()) == 0:
                for avg, current in pairs:
                    avg.copy_(current)
            else:
                self._average(pairs)
            if not self.use_buffers:
                # Buffers (e.g. BatchNorm statistics) follow the model; see update_bn.
                for mine_b, theirs_b in zip(self.module.buffers(), model.buffers(),
                                            strict=True):
                    mine_b.detach().copy_(theirs_b.detach().to(mine_b.device))
            self.n_averaged += 1

    def _average(self, pairs: list[tuple[Tensor, Tensor]]) -> None:
        if self.avg_fn is not None:
            for avg, current in pairs:
                avg.copy_(self.avg_fn(avg, current, self.n_averaged.to(avg.device)))
            return
        # multi_avg_fn works on lists of one device and dtype, as torch's foreach kernels.
        groups: dict[tuple, tuple[list, list]] = {}
        for avg, current in pairs:
            averaged, currents = groups.setdefault((str(avg.device), avg.dtype), ([], []))
            averaged.append(avg)
            currents.append(current)
        swa_fn = get_swa_avg_fn()
        for averaged, currents in groups.values():
            n_averaged = self.n_averaged.to(averaged[0].device)
            if self.multi_avg_fn is not None:
                self.multi_avg_fn(averaged, currents, n_averaged)
            else:
                for avg, current in zip(averaged, currents, strict=True):
                    avg.copy_(swa_fn(avg, current, n_averaged))


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``.

    Statistics are reset and accumulated as a cumulative average (momentum ``None``);
    the modules' momenta and the model's training mode are restored afterwards. An item
    of ``loader`` that is a list or tuple contributes its first element.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to ``swa_lr`` over ``anneal_epochs`` epochs (cos or linear),
    then hold it; used during the SWA phase of training."""

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float],
                 anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1) -> None:
        for value, group in zip(_per_group("swa_lr", optimizer, swa_lr),
                                optimizer.param_groups, strict=True):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._anneal_strategy = anneal_strategy
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t: float) -> float:
        """Fraction of the way from the starting lr to swa_lr at progress ``t`` in [0, 1]."""
        if self._anneal_strategy == "cos":
            return (1 - math.cos(math.pi * t)) / 2
        return t

    def _progress(self, step: int) -> float:
        return max(0, min(1, step / max(1, self.anneal_epochs)))

    def get_lr(self) -> list:
        """Next annealed lr of every group."""
        self._warn_if_get_lr_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        # Recover the lr the annealing started from (the current lr is a mix of it and
        # swa_lr), so that other changes to group["lr"] are respected.
        prev_alpha = self.anneal_func(self._progress(step - 1))
        alpha = self.anneal_func(self._progress(step))
        lrs = []
        for group in self.optimizer.param_groups:
            swa_lr = group["swa_lr"]
            start = swa_lr if prev_alpha == 1 else (
                (group["lr"] - prev_alpha * swa_lr) / (1 - prev_alpha))
            lrs.append(swa_lr * alpha + start * (1 - alpha))
        return lrs
