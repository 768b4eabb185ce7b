"""torch's legacy typed tensor constructors (``FloatTensor([1, 2])``, ``LongTensor(3)``)."""

from __future__ import annotations

from . import dtypes as _dt
from ._tensor import Tensor


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return (isinstance(obj, Tensor) and obj.dtype is cls._dtype
                and obj.device.type == cls._device)

    def __repr__(cls) -> str:
        return f"<class '{'torch.cuda' if cls._device == 'cuda' else 'torch'}.{cls.__name__}'>"


def _legacy(name: str, dtype, device_type: str = "cpu"):
    def __new__(cls, *args, device=None):
        if device_type == "cuda":
            from .device import cupy_module
            if cupy_module() is None:
                raise TypeError(f"type torch.cuda.{name} not available. Torch not compiled "
                                "with CUDA enabled.")
        return Tensor(*args, dtype=dtype, device=device if device is not None else device_type)
    return _LegacyMeta(name, (), {"__new__": __new__, "_dtype": dtype, "_device": device_type,
                                  "__doc__": f"Legacy constructor of {dtype} tensors."})


FloatTensor = _legacy("FloatTensor", _dt.float32)
DoubleTensor = _legacy("DoubleTensor", _dt.float64)
HalfTensor = _legacy("HalfTensor", _dt.float16)
BFloat16Tensor = _legacy("BFloat16Tensor", _dt.bfloat16)
LongTensor = _legacy("LongTensor", _dt.int64)
IntTensor = _legacy("IntTensor", _dt.int32)
ShortTensor = _legacy("ShortTensor", _dt.int16)
CharTensor = _legacy("CharTensor", _dt.int8)
ByteTensor = _legacy("ByteTensor", _dt.uint8)
BoolTensor = _legacy("BoolTensor", _dt.bool)
