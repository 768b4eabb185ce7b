"""Autocast state and the one helper ops call to cast their inputs under autocast."""

from __future__ import annotations

import functools
import threading
import warnings

from .. import dtypes
from .policy import POLICY

# Default lower-precision dtype per device type (as torch: cpu -> bfloat16, cuda -> float16).
_DEFAULT_DTYPE = {"cpu": dtypes.bfloat16, "cuda": dtypes.float16}
_CPU_SUPPORTED = (dtypes.bfloat16, dtypes.float16)


class _State(threading.local):
    """Per-thread autocast state; `active` is the single flag ops test when autocast is off."""

    def __init__(self) -> None:
        self.enabled = {"cpu": False, "cuda": False}
        self.dtype = dict(_DEFAULT_DTYPE)
        self.cache_enabled = True
        self.active = False  # any device enabled: the fast-path flag

    def refresh(self) -> None:
        self.active = any(self.enabled.values())


STATE = _State()


def _check_device(device_type: str) -> str:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type not in _DEFAULT_DTYPE:
        raise RuntimeError(f"Invalid device string: '{device_type}'")
    return device_type


def is_autocast_available(device_type: str) -> bool:
    """True when autocast supports `device_type` ("cpu" and "cuda")."""
    return device_type in _DEFAULT_DTYPE


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for `device_type` (default "cuda", as torch)."""
    return STATE.enabled[_check_device(device_type or "cuda")]


def set_autocast_enabled(device_type, enabled: bool | None = None) -> None:
    """Turn autocast on/off for a device type (`set_autocast_enabled(flag)` means cuda)."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    STATE.enabled[_check_device(device_type)] = bool(enabled)
    STATE.refresh()


def get_autocast_dtype(device_type: str) -> dtypes.dtype:
    """The lower-precision dtype autocast uses on `device_type`."""
    return STATE.dtype[_check_device(device_type)]


def set_autocast_dtype(device_type: str, dtype: dtypes.dtype) -> None:
    """Set the lower-precision dtype autocast uses on `device_type`."""
    STATE.dtype[_check_device(device_type)] = dtype


def is_autocast_cpu_enabled() -> bool:
    """Deprecated torch spelling of `is_autocast_enabled("cpu")`."""
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled: bool) -> None:
    """Deprecated torch spelling of `set_autocast_enabled("cpu", enabled)`."""
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype() -> dtypes.dtype:
    """Deprecated torch spelling of `get_autocast_dtype("cpu")`."""
    return get_autocast_dtype("cpu")


def get_autocast_gpu_dtype() -> dtypes.dtype:
    """Deprecated torch spelling of `get_autocast_dtype("cuda")`."""
    return get_autocast_dtype("cuda")


def set_autocast_cpu_dtype(dtype: dtypes.dtype) -> None:
    """Deprecated torch spelling of `set_autocast_dtype("cpu", dtype)`."""
    set_autocast_dtype("cpu", dtype)


def set_autocast_gpu_dtype(dtype: dtypes.dtype) -> None:
    """Deprecated torch spelling of `set_autocast_dtype("cuda", dtype)`."""
    set_autocast_dtype("cuda", dtype)


def is_autocast_cache_enabled() -> bool:
    """Whether the weight-cast cache is enabled (ember casts eagerly; kept for the API)."""
    return STATE.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Enable/disable the weight-cast cache flag."""
    STATE.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Clear the cast cache (ember keeps none, so nothing to drop)."""


class autocast:  # noqa: N801 - torch's name
    """Context manager / decorator running listed ops in a lower precision on `device_type`."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        self.device = _check_device(device_type)
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._enabled = bool(enabled)
        self._cache_enabled = STATE.cache_enabled if cache_enabled is None else cache_enabled
        if self.device == "cuda" and self._enabled:
            from .. import cuda
            if not cuda.is_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", UserWarning, stacklevel=2)
                self._enabled = False
        if self.device == "cpu" and self._enabled and self.fast_dtype not in _CPU_SUPPORTED:
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", UserWarning, stacklevel=2)
            self._enabled = False

    def __enter__(self) -> autocast:
        self._prev = (STATE.enabled[self.device], STATE.dtype[self.device], STATE.cache_enabled)
        STATE.enabled[self.device] = self._enabled
        STATE.dtype[self.device] = self.fast_dtype
        STATE.cache_enabled = self._cache_enabled
        STATE.refresh()
        return self

    def __exit__(self, *exc) -> bool:
        STATE.enabled[self.device], STATE.dtype[self.device], STATE.cache_enabled = self._prev
        STATE.refresh()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return func(*args, **kwargs)
        return wrapper


def _deprecated_alias(device_type: str):
    class _Alias(autocast):
        __doc__ = f"Deprecated: use `ember.amp.autocast('{device_type}', ...)`."

        def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True):
            warnings.warn(f"`torch.{device_type}.amp.autocast(args...)` is deprecated. Please "
                          f"use `torch.amp.autocast('{device_type}', args...)` instead.",
                          FutureWarning, stacklevel=2)
            dtype = _DEFAULT_DTYPE[device_type] if dtype is None else dtype
            super().__init__(device_type, dtype=dtype, enabled=enabled,
                             cache_enabled=cache_enabled)

        def __call__(self, func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                    return func(*args, **kwargs)
            return wrapper
    _Alias.__name__ = _Alias.__qualname__ = "autocast"
    return _Alias


def _cast(x, device: str, target):
    """Cast one argument if it is an eligible floating tensor on `device` (float64 is kept)."""
    from .._tensor import Tensor
    if (isinstance(x, Tensor) and x.is_floating_point() and x.dtype is not target
            and x.dtype is not dtypes.float64 and x.device.type == device):
        return x.to(target)
    if isinstance(x, (list, tuple)):
        return type(x)(_cast(v, device, target) for v in x)
    return x


def autocast_args(op: str, *args):
    """Cast op `op`'s tensor arguments per its entry in the policy table if autocast is on.

    Returns `args` unchanged (one flag test) when autocast is off everywhere.
    """
    if not STATE.active:
        return args
    policy = POLICY[op]
    for device, on in STATE.enabled.items():
        if on:
            target = STATE.dtype[device] if policy == "lower" else dtypes.float32
            args = tuple(_cast(a, device, target) for a in args)
    return args
