"""Helpers every op family uses: operand conversion, type promotion, dim handling, and
attaching functions to Tensor as methods."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap, wrap_dim
from ..autograd.function import NULL_CTX, Op, apply_inplace  # noqa: F401 - re-exported
from ..autograd.grad_mode import STATE  # noqa: F401 - re-exported
from ..device import xp_of  # noqa: F401 - re-exported

_FROM_NP = _dt._FROM_NP

# NumPy warns about overflow, division by zero and invalid values; torch silently returns
# inf/nan. Op forwards run under NumPy's 'ignore' error state (autograd/function.py); this
# filter is the backstop for NumPy code outside an op (and for NumPy < 2).
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ember(\.|$)")


def is_scalar(x) -> bool:
    """A Python (or NumPy) number, as opposed to a tensor."""
    return isinstance(x, (numbers.Number, np.bool_)) and not isinstance(x, Tensor)


def dtype_of(x) -> _dt.dtype:
    return _FROM_NP[x._data.dtype]


def result_type(*operands) -> _dt.dtype:
    """torch.result_type over Tensors and Python scalars (weak scalars, 0-d tiers)."""
    dims, zero, scalars = [], [], []
    for x in operands:
        if isinstance(x, Tensor):
            (dims if x._data.ndim else zero).append(_FROM_NP[x._data.dtype])
        elif x is not None:
            scalars.append(x)
    return _dt.result_type_of(dims, zero, scalars)


def to_tensor(x, like: Tensor | None = None, dtype: _dt.dtype | None = None) -> Tensor:
    """A Tensor from a Tensor, scalar, list or array (on ``like``'s device)."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype is dtype else x.to(dtype)
    xp = xp_of(like._data) if like is not None else np
    if dtype is None:
        if is_scalar(x):
            dtype = _dt.scalar_dtype(x)
        else:
            arr = np.asarray(x)
            dtype = _infer_dtype(arr)
    return _wrap(xp.asarray(x, dtype=dtype.np))


def _infer_dtype(arr: np.ndarray) -> _dt.dtype:
    k = arr.dtype.kind
    if k == "b":
        return _dt.bool
    if k in "iu":
        return _dt.int64 if arr.dtype not in _FROM_NP else _FROM_NP[arr.dtype]
    if k == "f":
        return _dt.get_default_dtype() if arr.dtype == np.float64 else _FROM_NP[arr.dtype]
    if k == "c":
        return _dt.default_complex()
    if arr.dtype == object and arr.size == 0:
        return _dt.get_default_dtype()
    return _dt.from_numpy_dtype(arr.dtype)


def cast_operands(dtype: _dt.dtype, *operands):
    """Bring Tensor operands to ``dtype`` (a differentiable cast); scalars stay scalars."""
    out = []
    npdt = dtype.np
    for x in operands:
        if isinstance(x, Tensor) and x._data.dtype != npdt:
            x = x.to(dtype)
        out.append(x)
    return out


def check_same_device(op_name: str, *tensors) -> None:
    devs = {type(t._data) for t in tensors if isinstance(t, Tensor)}
    if len(devs) > 1:
        names = ", ".join(str(t.device) for t in tensors if isinstance(t, Tensor))
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                           f"two devices ({names})! (in {op_name})")


def norm_dim(dim, ndim: int) -> int:
    return wrap_dim(dim, ndim)


def norm_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, int, or sequence) as a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(int(dim), ndim),)
    dims = tuple(wrap_dim(int(d), ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    if not dims:
        return tuple(range(ndim))
    return tuple(sorted(dims))


def shape_str(shape) -> str:
    return f"[{', '.join(map(str, shape))}]"


def broadcast_shapes(*shapes) -> tuple:
    """The broadcast of ``shapes``; RuntimeError naming the mismatching dimension."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, n in enumerate(s):
            j = ndim - len(s) + i
            if out[j] == 1:
                out[j] = n
            elif n != 1 and n != out[j]:
                raise RuntimeError(
                    f"The size of tensor a ({out[j]}) must match the size of tensor b ({n}) at "
                    f"non-singleton dimension {i}")
    return tuple(out)


def register_methods(namespace: dict, names) -> None:
    """Attach functions from ``namespace`` to Tensor under the same names."""
    for name in names:
        setattr(Tensor, name, namespace[name])


def float_dtype_for(d: _dt.dtype) -> _dt.dtype:
    """The dtype a float-valued op (exp, sqrt, div...) computes in for input dtype ``d``."""
    return d if d.category >= 2 else _dt.get_default_dtype()
