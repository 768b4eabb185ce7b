"""Padding layers (Zero/Constant/Reflection/Replication/CircularPad1d/2d/3d): thin modules
over ``F.pad``, which already implements every mode with its gradient."""

from __future__ import annotations

from ...ops.conv import pad as _pad
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _expand(padding, nd: int) -> tuple:
    """An int pads every side of the last ``nd`` dims; a sequence is used as given."""
    if isinstance(padding, int):
        return (padding,) * (2 * nd)
    return tuple(padding)


class _PadNd(Module):
    """Pads the last ``_nd`` dims with ``F.pad(input, padding, _mode)``."""

    _nd = 1
    _mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _expand(padding, self._nd)

    def _check_input_dim(self, input) -> None:
        if input.dim() not in (self._nd + 1, self._nd + 2):
            raise ValueError(f"expected {self._nd + 1}D or {self._nd + 2}D input "
                             f"(got {input.dim()}D input)")

    def forward(self, input):
        return _pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return _pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input):
        # torch checks the rank here (F.pad would accept other ranks for constant mode)
        self._check_input_dim(input)
        return _pad(input, self.padding, "circular")




class ConstantPad1d(_ConstantPadNd):
    """Pad the last 1 dim(s) with a constant value; padding: int or 2-tuple."""

    _nd = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dim(s) with a constant value; padding: int or 4-tuple."""

    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dim(s) with a constant value; padding: int or 6-tuple."""

    _nd = 3


class ZeroPad1d(_ZeroPadNd):
    """Pad the last 1 dim(s) with zeros; padding: int or 2-tuple."""

    _nd = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last 2 dim(s) with zeros; padding: int or 4-tuple."""

    _nd = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last 3 dim(s) with zeros; padding: int or 6-tuple."""

    _nd = 3


class ReflectionPad1d(_PadNd):
    """Pad the last 1 dim(s) by reflection about the edge; padding: int or 2-tuple."""

    _nd = 1
    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last 2 dim(s) by reflection about the edge; padding: int or 4-tuple."""

    _nd = 2
    _mode = "reflect"


class ReflectionPad3d(_PadNd):
    """Pad the last 3 dim(s) by reflection about the edge; padding: int or 6-tuple."""

    _nd = 3
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last 1 dim(s) by repeating the edge value; padding: int or 2-tuple."""

    _nd = 1
    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last 2 dim(s) by repeating the edge value; padding: int or 4-tuple."""

    _nd = 2
    _mode = "replicate"


class ReplicationPad3d(_PadNd):
    """Pad the last 3 dim(s) by repeating the edge value; padding: int or 6-tuple."""

    _nd = 3
    _mode = "replicate"


class CircularPad1d(_CircularPadNd):
    """Pad the last 1 dim(s) by wrapping around; padding: int or 2-tuple."""

    _nd = 1


class CircularPad2d(_CircularPadNd):
    """Pad the last 2 dim(s) by wrapping around; padding: int or 4-tuple."""

    _nd = 2


class CircularPad3d(_CircularPadNd):
    """Pad the last 3 dim(s) by wrapping around; padding: int or 6-tuple."""

    _nd = 3
