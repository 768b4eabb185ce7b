"""Process-wide switches and small predicates of the torch namespace."""

from __future__ import annotations

import os

from . import dtypes as _dt
from ._tensor import Tensor


class _Deterministic:
    enabled = False
    warn_only = False


DETERMINISTIC = _Deterministic()


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms. ember's CPU kernels are deterministic already;
    the flag is recorded so GPU paths with nondeterministic kernels can refuse or warn."""
    DETERMINISTIC.enabled = bool(mode)
    DETERMINISTIC.warn_only = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in effect."""
    return DETERMINISTIC.enabled


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether nondeterministic ops only warn (``use_deterministic_algorithms(True,
    warn_only=True)``)."""
    return DETERMINISTIC.warn_only


_threads = [os.cpu_count() or 1]


def get_num_threads() -> int:
    """Threads used by the BLAS library (via threadpoolctl when installed)."""
    try:
        from threadpoolctl import threadpool_info
        info = threadpool_info()
        if info:
            return max(i.get("num_threads", 1) for i in info)
    except ImportError:
        pass
    return _threads[0]


def set_num_threads(n: int) -> None:
    """Limit BLAS threads (needs threadpoolctl; otherwise recorded only)."""
    if n <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    _threads[0] = n
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        pass


def get_num_interop_threads() -> int:
    """Inter-op threads: ember runs ops one at a time (1)."""
    return 1


def set_num_interop_threads(n: int) -> None:
    """Accepted for compatibility; ember has no inter-op pool."""
    pass


def is_tensor(obj) -> bool:
    """Whether ``obj`` is an ember Tensor."""
    return isinstance(obj, Tensor)


def is_storage(obj) -> bool:
    """Always False: ember has no separate storage objects."""
    return False


def is_floating_point(input: Tensor) -> bool:
    """Whether ``input`` has a floating dtype."""
    return input.dtype.is_floating_point


def is_complex(input: Tensor) -> bool:
    """Whether ``input`` has a complex dtype."""
    return input.dtype.is_complex


def is_nonzero(input: Tensor) -> bool:
    """The truth value of a one-element tensor."""
    if input.numel() != 1:
        raise RuntimeError(f"Boolean value of Tensor with {'no values' if input.numel() == 0 else 'more than one value'} is ambiguous")
    return bool(input.item())


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return input.numel()


def result_type(tensor1, tensor2) -> _dt.dtype:
    """The dtype an op on ``tensor1`` and ``tensor2`` would produce."""
    from .ops._common import result_type as rt
    return rt(tensor1, tensor2)


def can_cast(from_, to) -> bool:
    """Whether torch's casting rules allow ``from_`` -> ``to`` (no kind downgrade)."""
    return from_.category <= to.category


def typename(obj) -> str:
    """torch.typename: the legacy type string of a tensor, else the object's type name."""
    if isinstance(obj, Tensor):
        return obj.type()
    t = type(obj)
    module = t.__module__
    return t.__qualname__ if module in ("builtins", None) else f"{module}.{t.__qualname__}"


def set_default_tensor_type(t) -> None:
    """Deprecated torch API: set the default dtype from a legacy type (``torch.DoubleTensor``
    or ``'torch.DoubleTensor'``)."""
    from ._tensor import _LEGACY_NAMES
    legacy = getattr(t, "_dtype", None)
    if isinstance(legacy, _dt.dtype):
        _dt.set_default_dtype(legacy)
        return
    if isinstance(t, str):
        name = t.split(".")[-1]
        for k, v in _LEGACY_NAMES.items():
            if v == name:
                _dt.set_default_dtype(_dt._BY_NAME[k])
                return
    raise TypeError(f"invalid type: {t!r}")


_matmul_precision = ["highest"]


def get_float32_matmul_precision() -> str:
    """The recorded float32 matmul precision ('highest' by default)."""
    return _matmul_precision[0]


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded for compatibility; ember's float32 matmuls are always full precision."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision: {precision}")
    _matmul_precision[0] = precision
