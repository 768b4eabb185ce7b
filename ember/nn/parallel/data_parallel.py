"""DataParallel: torch's single-process multi-GPU wrapper. ember runs a module on one
device, so the wrapper forwards to the module unchanged; what user code relies on
(``.module``, state_dict keys prefixed ``module.``) behaves as in torch."""

from __future__ import annotations

from typing import Any

from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


def _device_index(d) -> int:
    return d if isinstance(d, int) else (d.index or 0)


class DataParallel(Module):
    """Wrap ``module``; ``forward`` calls it directly (one device, no scatter/gather).

    More than one device in ``device_ids`` raises NotImplementedError: ember has no
    multi-device replication."""

    def __init__(self, module: Module, device_ids=None, output_device=None,
                 dim: int = 0) -> None:
        from ... import cuda
        super().__init__()
        self.module = module
        self.dim = dim
        if not cuda.is_available():
            # as torch does on a CPU-only build: no devices, plain forwarding
            self.device_ids = []
            return
        ids = list(range(cuda.device_count())) if device_ids is None else \
            [_device_index(d) for d in device_ids]
        if len(set(ids)) > 1:
            raise NotImplementedError(f"DataParallel: ember runs a module on one device; "
                                      f"replication over device_ids={ids} is not supported. "
                                      "Pass a single device id (or none).")
        self.device_ids = ids
        self.output_device = _device_index(output_device) if output_device is not None \
            else (ids[0] if ids else None)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None) -> Any:
    """Functional DataParallel: ``module(*inputs, **module_kwargs)`` on one device."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return DataParallel(module, device_ids, output_device, dim)(*inputs, **(module_kwargs or {}))
