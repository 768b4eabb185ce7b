"""ember.accelerator: the current accelerator (CUDA when CuPy sees a GPU)."""

from __future__ import annotations

from . import cuda
from .device import device


def is_available() -> bool:
    """Whether an accelerator (CUDA via CuPy) is usable."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False):
    """The accelerator's device, or None when there is none."""
    if cuda.is_available():
        return device("cuda")
    return None


def device_count() -> int:
    """The number of accelerator devices."""
    return cuda.device_count()


def _require():
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")


def current_device_index() -> int:
    """The index of the current accelerator device."""
    _require()
    return cuda.current_device()


current_device_idx = current_device_index


def set_device_index(device) -> None:
    """Select the current accelerator device."""
    _require()
    cuda.set_device(device)


set_device_idx = set_device_index


def synchronize(device=None) -> None:
    """Wait for the accelerator to finish its work."""
    _require()
    cuda.synchronize(device)
