"""FractionalMaxPool2d/3d: max pooling over pseudo-randomly placed windows (Graham, 2014)."""

from __future__ import annotations

from ...ops import pool as F
from .module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


def _tup(v, n: int):
    return None if v is None else (tuple(v) if isinstance(v, (list, tuple)) else (v,) * n)


class _FractionalMaxPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _tup(kernel_size, self._nd)
        self.return_indices = return_indices
        # fixed samples make the windows deterministic (torch keeps them as a buffer)
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _tup(output_size, self._nd)
        self.output_ratio = _tup(output_ratio, self._nd)
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a "
                             "pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        fn = F.fractional_max_pool2d if self._nd == 2 else F.fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio,
                  self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-D fractional max pooling to ``output_size`` or ``output_ratio`` of the input."""

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-D fractional max pooling to ``output_size`` or ``output_ratio`` of the input."""

    _nd = 3
