"""dtype objects, type promotion (torch's rules, weak Python scalars) and the default dtype.

The repr of a dtype is ``torch.float32`` (not ``ember.float32``) on purpose: programs
written for PyTorch print dtypes, and their output should not change under ember.
"""

from __future__ import annotations

import builtins

import ml_dtypes
import numpy as np

# Category ranks used by promotion: bool < integer < floating < complex.
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type; wraps the NumPy dtype that stores it."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed",
                 "category", "_rank")

    def __init__(self, name: str, np_dtype, category: int, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = name not in ("bool", "uint8")
        self._rank = rank

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_dtype_from_name, (self.name,))

    def to_real(self) -> dtype:
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self) -> dtype:
        return {"float64": complex128, "complex128": complex128}.get(self.name, complex64)


bool = dtype("bool", np.bool_, _BOOL, 0)  # noqa: A001 - torch's public name
uint8 = dtype("uint8", np.uint8, _INT, 1)
int8 = dtype("int8", np.int8, _INT, 1)
int16 = dtype("int16", np.int16, _INT, 2)
int32 = dtype("int32", np.int32, _INT, 3)
int64 = dtype("int64", np.int64, _INT, 4)
float16 = dtype("float16", np.float16, _FLOAT, 1)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, _FLOAT, 1)
float32 = dtype("float32", np.float32, _FLOAT, 2)
float64 = dtype("float64", np.float64, _FLOAT, 3)
complex64 = dtype("complex64", np.complex64, _COMPLEX, 2)
complex128 = dtype("complex128", np.complex128, _COMPLEX, 3)

ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
       complex64, complex128)

# torch's aliases
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128
complex32 = None  # not supported

_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(half=float16, float=float32, double=float64, short=int16, int=int32,
                long=int64, cfloat=complex64, cdouble=complex128)
_FROM_NP = {d.np: d for d in ALL}


def _dtype_from_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(npdt) -> dtype:
    """The ember dtype storing NumPy dtype ``npdt``; TypeError for unsupported ones."""
    try:
        return _FROM_NP[npdt]
    except KeyError:
        pass
    npdt = np.dtype(npdt)
    if npdt in _FROM_NP:
        return _FROM_NP[npdt]
    if npdt == np.uint16 or npdt == np.uint32 or npdt == np.uint64:
        # torch has limited unsigned support; widen to the next signed type.
        return {2: int32, 4: int64, 8: int64}[npdt.itemsize]
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{npdt}. The only supported types are: "
        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
        "uint8, and bool.")


def _promote_pair(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == _COMPLEX and lo.category == _FLOAT and lo is float64:
            return complex128
        return hi
    cat = a.category
    if cat == _INT:
        if uint8 in (a, b):
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a._rank > b._rank else b
    if cat == _FLOAT:
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a._rank > b._rank else b
    return a if a._rank > b._rank else b


_PROMOTE = {(a, b): _promote_pair(a, b) for a in ALL for b in ALL}


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype to which both ``type1`` and ``type2`` can be converted."""
    return _PROMOTE[(type1, type2)]


# ----- default dtype -------------------------------------------------------------------

_default = [float32]


def get_default_dtype() -> dtype:
    """The floating dtype used for Python floats and new floating tensors."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (float16/bfloat16/float32/float64)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def default_complex() -> dtype:
    return complex128 if _default[0] is float64 else complex64


def scalar_dtype(value) -> dtype:
    """The dtype a Python scalar gets when it becomes a tensor on its own."""
    t = type(value)
    if t is builtins.bool or t is np.bool_:
        return bool
    if t is builtins.int or isinstance(value, np.integer):
        return int64
    if t is builtins.float or isinstance(value, np.floating):
        return _default[0]
    if t is builtins.complex or isinstance(value, np.complexfloating):
        return default_complex()
    raise TypeError(f"expected a number, got {t.__name__}")


def _combine_categories(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Combine the dtype of a higher-priority operand tier with a lower one (torch's rule:
    a lower tier only matters when it is of a higher category)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:
        return higher.to_complex() if higher.category == _FLOAT else lower
    if higher.category == _FLOAT:
        return higher
    if higher is bool or lower.category == _FLOAT:
        return _PROMOTE[(higher, lower)]
    return higher


def result_type_of(dims_dtypes, zero_dim_dtypes, scalar_values) -> dtype:
    """torch's three-tier promotion: tensors with dims > 0-dim tensors > Python scalars."""
    tiers = []
    for group in (dims_dtypes, zero_dim_dtypes):
        r = None
        for d in group:
            r = d if r is None else _PROMOTE[(r, d)]
        tiers.append(r)
    r = None
    for v in scalar_values:
        d = scalar_dtype(v)
        r = d if r is None else _PROMOTE[(r, d)]
    tiers.append(r)
    return _combine_categories(tiers[0], _combine_categories(tiers[1], tiers[2]))


def is_floating(d: dtype) -> builtins.bool:
    return d.category >= _FLOAT


def to_dtype(d) -> dtype:
    """Accept an ember dtype, a NumPy dtype, a torch dtype or a Python type."""
    if isinstance(d, dtype):
        return d
    if d is builtins.float:
        return float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if d is builtins.complex:
        return complex128
    name = getattr(d, "__module__", None)
    if name == "torch" or type(d).__module__ == "torch":  # a torch.dtype
        return _BY_NAME[str(d).split(".")[-1]]
    if isinstance(d, str):
        key = d.split(".")[-1]
        if key in _BY_NAME:
            return _BY_NAME[key]
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"invalid dtype: {d!r}") from None


# ----- finfo / iinfo ------------------------------------------------------------------

def _short(x: builtins.float) -> str:
    return f"{x:.6g}"


class finfo:
    """Machine limits of a floating dtype (torch.finfo): bits, eps, max, min, tiny,
    smallest_normal, resolution, dtype."""

    def __init__(self, type: dtype | None = None):  # noqa: A002 - torch's name
        d = to_dtype(type) if type is not None else get_default_dtype()
        if not (d.is_floating_point or d.is_complex):
            raise TypeError(f"torch.finfo() requires a floating point input type. Use "
                            f"torch.iinfo to handle '{d}'")
        d = d.to_real()
        info = ml_dtypes.finfo(d.np)
        self.bits = builtins.int(info.bits)
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = 10.0 ** -builtins.int(info.precision)
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={_short(self.resolution)}, min={_short(self.min)}, "
                f"max={_short(self.max)}, eps={_short(self.eps)}, "
                f"smallest_normal={_short(self.smallest_normal)}, tiny={_short(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (torch.iinfo): bits, max, min, dtype."""

    def __init__(self, type: dtype):  # noqa: A002 - torch's name
        d = to_dtype(type)
        if d is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.category != _INT:
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo "
                            f"to handle '{d}'")
        info = np.iinfo(d.np)
        self.bits = builtins.int(info.bits)
        self.max = builtins.int(info.max)
        self.min = builtins.int(info.min)
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"iinfo(min={_short(builtins.float(self.min))}, "
                f"max={_short(builtins.float(self.max))}, dtype={self.dtype})")


# ----- layouts and memory formats (tags; ember tensors are always strided) -------------

class layout:
    """A tensor layout tag (``torch.strided``); ember stores every tensor strided."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_layout_from_name, (self.name,))


class memory_format:
    """A memory-format tag (``torch.channels_last``...). ember accepts them; its arrays
    stay C-contiguous (row-major)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_memory_format_from_name, (self.name,))


strided = layout("strided")
sparse_coo = layout("sparse_coo")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")


def _layout_from_name(name: str) -> layout:
    return {"strided": strided, "sparse_coo": sparse_coo}[name]


def _memory_format_from_name(name: str) -> memory_format:
    return {m.name: m for m in (contiguous_format, channels_last, channels_last_3d,
                                preserve_format)}[name]
