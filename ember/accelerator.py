"""ember.accelerator: the current accelerator (CUDA when CuPy sees a GPU)."""

from __future__ import annotations

from . import cuda
from .device import device


def is_available() -> bool:
    return cuda.is_available()


def current_accelerator(check_available: bool = False):
    if cuda.is_available():
        return device("cuda")
    return None


def device_count() -> int:
    return cuda.device_count()
