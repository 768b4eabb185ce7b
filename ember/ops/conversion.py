"""Dtype/device conversion and copies: to, type casts, clone, contiguous, copy_."""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ..device import as_device, device_of_array, xp_for
from ._common import STATE, Op, register_methods, xp_of


def _move(array, dev):
    """``array`` on device ``dev`` (a copy when the device changes)."""
    if dev.type == "cpu":
        return array if type(array) is np.ndarray else array.get()
    xp = xp_for(dev)
    with xp.cuda.Device(dev.index or 0):
        return xp.asarray(array)


class ToCopy(Op):
    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, npdt, dev):
        ctx.src = (x.dtype, device_of_array(x))
        y = x
        if dev is not None and device_of_array(x) != dev:
            y = _move(x, dev)
        if npdt is not None and y.dtype != npdt:
            if y.dtype.kind == "c" and npdt.kind != "c":
                y = y.real
            y = y.astype(npdt)
        elif y is x:
            y = x.copy()
        return y

    @staticmethod
    def backward(ctx, g):
        npdt, dev = ctx.src
        return ToCopy.apply(g, npdt, dev), None, None


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    flags = []
    for a in args:
        if isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, bool):
            flags.append(a)  # positional non_blocking, copy
        elif isinstance(a, _dt.dtype) or (a is not None and type(a).__name__ == "dtype") \
                or a in (float, int, bool, complex):
            dtype = a
        elif a is not None:
            dev = a
    if len(flags) > 2:
        raise TypeError("to() received an invalid combination of arguments")
    if len(flags) == 2:
        copy = flags[1]
    return (_dt.to_dtype(dtype) if dtype is not None else None,
            as_device(dev) if dev is not None else None, copy)


def to(self, *args, **kwargs) -> Tensor:
    """Cast to a dtype and/or move to a device; returns ``self`` when nothing changes
    (unless ``copy=True``)."""
    dtype, dev, copy = _parse_to(list(args), dict(kwargs))
    same_dtype = dtype is None or dtype.np == self._data.dtype
    same_dev = dev is None or _same_device(dev, self)
    if same_dtype and same_dev and not copy:
        return self
    if dev is not None and dev.type == "cuda":
        xp_for(dev)  # clear error when CUDA is absent
    return ToCopy.apply(self, None if dtype is None else dtype.np,
                        None if dev is None else dev)


def _same_device(dev, t: Tensor) -> bool:
    d = t.device
    return d.type == dev.type and (dev.index is None or d.index in (None, dev.index)
                                   or (d.index or 0) == dev.index)


def _caster(dt):
    npdt = dt.np

    def cast(self, memory_format=None):
        if self._data.dtype == npdt:
            return self
        return ToCopy.apply(self, npdt, None)
    cast.__doc__ = f"``self.to({dt})``"
    return cast


Tensor.to = to
Tensor.float = _caster(_dt.float32)
Tensor.double = _caster(_dt.float64)
Tensor.half = _caster(_dt.float16)
Tensor.bfloat16 = _caster(_dt.bfloat16)
Tensor.long = _caster(_dt.int64)
Tensor.int = _caster(_dt.int32)
Tensor.short = _caster(_dt.int16)
Tensor.char = _caster(_dt.int8)
Tensor.byte = _caster(_dt.uint8)
Tensor.bool = _caster(_dt.bool)
Tensor.cfloat = _caster(_dt.complex64)
Tensor.cdouble = _caster(_dt.complex128)


def cpu(self) -> Tensor:
    """This tensor on the CPU (``self`` if it is already there)."""
    return to(self, "cpu")


def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
    """This tensor on a CUDA device; AssertionError when CUDA is not available."""
    dev = as_device(device if device is not None else "cuda")
    if dev.type != "cuda":
        dev = as_device(f"cuda:{dev.index or 0}")
    return to(self, dev)


class Clone(Op):
    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy of ``input`` that stays connected to the graph."""
    return Clone.apply(input)


def contiguous(self, memory_format=None) -> Tensor:
    """``self`` if it is C-contiguous, else a contiguous copy."""
    if self._data.flags.c_contiguous:
        return self
    return Clone.apply(self)


class CopyFrom(Op):
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, dst, src):
        xp = xp_of(dst)
        if device_of_array(src) != device_of_array(dst):
            src = _move(src, device_of_array(dst))
        ctx.src_dtype = src.dtype
        out = xp.empty_like(dst)
        out[...] = xp.broadcast_to(src, dst.shape) if src.shape != dst.shape else src
        return out

    @staticmethod
    def backward(ctx, g):
        return g * 0, g


def copy_(self, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, cast, moved across devices) into ``self``."""
    from ._common import apply_inplace, to_tensor
    if not isinstance(src, Tensor):
        src = to_tensor(src, like=self)
    try:
        np.broadcast_shapes(src._data.shape, self._data.shape)
        ok = np.broadcast_shapes(src._data.shape, self._data.shape) == self._data.shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(
            f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) must match "
            f"the size of tensor b ({src._data.shape[-1] if src._data.ndim else 1}) at "
            f"non-singleton dimension {self._data.ndim - 1}")
    if not STATE.enabled or not (src._requires_grad or self._requires_grad):
        data = src._data
        if type(data) is not type(self._data):
            data = _move(data, self.device)
        self._data[...] = data
        self._version[0] += 1
        return self
    if src.dtype is not self.dtype:
        src = to(src, self.dtype)
    return apply_inplace(CopyFrom, self, src)


register_methods(globals(), ["cpu", "cuda", "clone", "contiguous", "copy_"])


def _wrap_like(data, like: Tensor) -> Tensor:
    return _wrap(data)


__all__ = ["clone"]
