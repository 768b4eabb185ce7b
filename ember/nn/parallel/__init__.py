"""ember.nn.parallel (torch.nn.parallel): DataParallel as a single-device wrapper."""

from .data_parallel import DataParallel, data_parallel  # noqa: F401

__all__ = ["DataParallel", "data_parallel"]
