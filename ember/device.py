"""ember.device and the backend seam: every op asks a device (or an array) for its
array module ``xp`` -- NumPy on ``cpu``, CuPy on ``cuda`` -- so one implementation
serves both."""

from __future__ import annotations

import numpy as np


class device:
    """A device: ``device('cpu')``, ``device('cuda')``, ``device('cuda', 1)``, ``device('cuda:1')``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):  # noqa: A002 - torch's name
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            if cupy_module() is None:  # a bare index names the current accelerator
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        if ":" in type:
            type, _, idx = type.partition(":")
            if index is not None or not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, mps, meta device type at start of device string: " + type)
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type, self.index = type, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        # like torch, a device never equals a string: compare ``d.type == "cpu"`` instead
        if not isinstance(other, device):
            return NotImplemented if not isinstance(other, str) else False
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))

    def __enter__(self):
        """``with ember.device('cuda'):`` makes factories allocate there (torch 2.x)."""
        _device_stack.append(_default_device[0])
        _default_device[0] = self
        return self

    def __exit__(self, *exc):
        _default_device[0] = _device_stack.pop() if _device_stack else None
        return False


CPU = device("cpu")


def cupy_module():
    """The CuPy module, or None when it is not installed or no GPU is visible."""
    global _cupy
    if _cupy is _UNSET:
        try:
            import cupy

            cupy.cuda.runtime.getDeviceCount()
            _cupy = cupy
        except Exception:
            _cupy = None
    return _cupy


_UNSET = object()
_cupy = _UNSET


def as_device(d) -> device:
    """Normalize a device-like (str, int, device, None -> cpu)."""
    if d is None:
        return CPU
    if isinstance(d, device):
        return d
    if type(d).__name__ == "device" and hasattr(d, "type"):  # a torch.device
        return device(str(d))
    return device(d)


def xp_for(dev: device):
    """The array module that stores tensors of ``dev``; a clear error if it is unavailable."""
    if dev.type == "cpu":
        return np
    if dev.type == "cuda":
        cp = cupy_module()
        if cp is None:
            raise AssertionError("Torch not compiled with CUDA enabled "
                                 "(ember: CuPy with a visible GPU is needed for 'cuda' tensors; "
                                 "install ember[cuda])")
        return cp
    raise RuntimeError(f"ember has no backend for device type '{dev.type}'")


def device_of_array(a) -> device:
    if type(a) is np.ndarray:
        return CPU
    dev = getattr(a, "device", None)
    if dev is not None and hasattr(dev, "id"):
        return device("cuda", dev.id)
    return CPU


def xp_of(a):
    """The array module of array ``a`` (the one seam op code uses)."""
    if type(a) is np.ndarray:
        return np
    return cupy_module() or np


_default_device = [None]
_device_stack: list = []


def get_default_device() -> device:
    """The device new tensors go to when a factory gets no ``device`` (cpu by default)."""
    return _default_device[0] or CPU


def set_default_device(d) -> None:
    """Make factories allocate on ``d`` by default (None restores cpu)."""
    _default_device[0] = None if d is None else as_device(d)


def factory_device(d) -> device:
    """``d`` normalized, or the default device when it is None."""
    if d is None:
        return _default_device[0] or CPU
    return as_device(d)
