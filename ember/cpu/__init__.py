"""ember.cpu: the CPU device namespace (holds the deprecated `ember.cpu.amp` aliases)."""

from . import amp

__all__ = ["amp", "is_available", "device_count"]


def is_available() -> bool:
    """The CPU is always available."""
    return True


def device_count() -> int:
    """Always 1, as torch.cpu.device_count()."""
    return 1
