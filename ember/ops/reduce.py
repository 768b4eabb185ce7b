"""Reductions: sum, mean, prod, var/std, max/min, logsumexp, norms, cumulative ops,
sorting and selection, counting."""

from __future__ import annotations

import builtins
import functools
import inspect
import math
import warnings

import numpy as np

from .. import dtypes as _dt
from .. import return_types as _rt
from .._tensor import Tensor, _wrap, wrap_dim
from ..amp.autocast_mode import autocast_args
from ._common import (
    NULL_CTX,
    STATE,
    Op,
    apply_inplace,
    norm_dims,
    register_methods,
    shape_str,
    xp_of,
)

_NARROW = frozenset((np.dtype(np.float16), _dt.bfloat16.np))


def _wide(x):
    """float16/bfloat16 arrays as float32, so reductions accumulate in float32 like torch."""
    return x.astype(np.float32) if x.dtype in _NARROW else x


def _unsqueeze_to(g: Tensor, in_shape, dims, keepdim: bool) -> Tensor:
    """Reinsert reduced ``dims`` into ``g`` and expand it to ``in_shape``."""
    if not keepdim and len(in_shape):
        shape = list(in_shape)
        for d in dims:
            shape[d] = 1
        g = g.reshape(shape)
    return g.expand(in_shape)


class Sum(Op):
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim, npdt):
        ctx.in_shape, ctx.keepdim = x.shape, keepdim
        ctx.dims = dims if dims is not None else tuple(range(x.ndim))
        if npdt in _NARROW:
            return x.sum(axis=dims, keepdims=keepdim, dtype=np.float32).astype(npdt)
        return x.sum(axis=dims, keepdims=keepdim, dtype=npdt)

    @staticmethod
    def backward(ctx, g):
        return _unsqueeze_to(g, ctx.in_shape, ctx.dims, ctx.keepdim), None, None, None


class SumAll(Sum):
    node_name = "SumBackward0"


def _sum_dtype(x: Tensor, dtype):
    if dtype is not None:
        return _dt.to_dtype(dtype)
    d = x.dtype
    return _dt.int64 if d.category <= 1 else d


def sum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Sum of elements, over all or the given dims."""
    dims = norm_dims(dim, input._data.ndim) if input._data.ndim else ()
    dt = _sum_dtype(input, dtype)
    if dtype is not None and input.dtype is not dt:
        input = input.to(dt)
    if dim is None and not keepdim:
        return SumAll.apply(input, None, False, dt.np)
    return Sum.apply(input, dims, keepdim, dt.np)


class Mean(Op):
    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.in_shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        n = 1
        for d in (dims if dims is not None else range(x.ndim)):
            n *= x.shape[d]
        ctx.n = n
        if x.dtype in _NARROW:
            return x.mean(axis=dims, keepdims=keepdim, dtype=np.float32).astype(x.dtype)
        return x.mean(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        dims = ctx.dims if ctx.dims is not None else tuple(range(len(ctx.in_shape)))
        return _unsqueeze_to(g / ctx.n, ctx.in_shape, dims, ctx.keepdim), None, None


class MeanAll(Mean):
    node_name = "MeanBackward0"


def mean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Mean of elements (floating or complex input; or give ``dtype``)."""
    if dtype is not None:
        input = input.to(dtype)
    d = input.dtype
    if d.category < 2:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_name(d)}")
    if dim is None and not keepdim:
        return MeanAll.apply(input, None, False)
    dims = norm_dims(dim, input._data.ndim) if input._data.ndim else ()
    return Mean.apply(input, dims, keepdim)


def _name(d) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(d.name, d.name)


class SumToSize(Op):
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
        y = x.sum(axis=axes, keepdims=True) if axes else x
        return y.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.expand(ctx.in_shape), None


def sum_to_size(self, *size) -> Tensor:
    """Sum this tensor down to ``size`` (which it must be expandable from)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    size = tuple(size)
    shape = self._data.shape
    ok = len(size) <= len(shape) and builtins.all(
        s == t or s == 1 for s, t in zip(size, shape[len(shape) - len(size):]))
    if not ok:
        raise RuntimeError(f"size {shape_str(size)} is not expandable to size "
                           f"{shape_str(shape)}.")
    if size == shape:
        return self
    return SumToSize.apply(self, size)


# =====================================================================================
# helpers shared by the ops below
# =====================================================================================

_bmax, _bmin, _bsum, _babs = builtins.max, builtins.min, builtins.sum, builtins.abs


def _const(arr) -> Tensor:
    """A Tensor over a backend array that takes no part in the graph (masks, weights)."""
    return _wrap(arr)


def _keep_shape(in_shape, dims) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(in_shape))


def _keep(g: Tensor, in_shape, dims, keepdim: bool) -> Tensor:
    """``g`` with the reduced ``dims`` present as size-1 axes (so it broadcasts to input)."""
    if keepdim or not len(in_shape):
        return g
    return g.reshape(_keep_shape(in_shape, dims))


def _is_float(t: Tensor) -> bool:
    return t._data.dtype.kind in "fc" or t.dtype is _dt.bfloat16


def _int_dim(op: str, dim):
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}() received an invalid combination of arguments - got "
                        f"(Tensor, dim={type(dim).__name__}), but expected (Tensor input, "
                        "int dim, bool keepdim)")
    return int(dim)


def _check_nonempty_dim(op: str, x: Tensor, d: int) -> None:
    if x._data.ndim and x._data.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def _add_at(xp, out, index, vals) -> None:
    if xp is np:
        np.add.at(out, index, vals)
    else:  # cupy
        import cupyx
        cupyx.scatter_add(out, index, vals)


def _along_index(xp, idx, dim: int) -> tuple:
    """The full advanced index addressing ``take_along_axis(_, idx, dim)`` positions."""
    nd = idx.ndim
    grids = [xp.arange(n).reshape((1,) * i + (n,) + (1,) * (nd - i - 1))
             for i, n in enumerate(idx.shape)]
    grids[dim] = idx
    return tuple(grids)


class _Gather(Op):
    """``take_along_axis(x, idx, dim)`` (dim squeezed unless keepdim): the selection
    primitive behind max/min/median/kthvalue/mode/sort/topk/cummax. ``idx`` is a constant
    integer array; the gradient scatters back to the selected positions."""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, idx, dim, keepdim):
        ctx.in_shape, ctx.idx, ctx.dim, ctx.keepdim = x.shape, idx, dim, keepdim
        if x.ndim == 0:
            return x.copy()
        y = xp_of(x).take_along_axis(x, idx, axis=dim)
        return y if keepdim else y.squeeze(dim)

    @staticmethod
    def backward(ctx, g):
        return _ScatterAdd.apply(g, ctx.idx, ctx.dim, ctx.keepdim, ctx.in_shape), None, None, \
            None


class _ScatterAdd(Op):
    """Zeros of ``shape`` with ``g`` added at ``idx`` along ``dim`` (adjoint of _Gather)."""

    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, g, idx, dim, keepdim, shape):
        ctx.idx, ctx.dim, ctx.keepdim = idx, dim, keepdim
        if len(shape) == 0:
            return g.copy()
        xp = xp_of(g)
        if not keepdim:
            g = xp.expand_dims(g, dim)
        out = xp.zeros(shape, dtype=g.dtype)
        _add_at(xp, out, _along_index(xp, idx, dim), g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return _Gather.apply(gg, ctx.idx, ctx.dim, ctx.keepdim), None, None, None, None


def _gather_class(name: str):
    return type(name.replace("Backward", "") + "Select", (_Gather,), {"node_name": name})


class _Weighted(Op):
    """A reduction whose gradient is ``g * w`` for a constant weight array ``w`` computed
    in forward (ties share evenly, NaN positions masked, ...). ``fn(xp, x)`` returns the
    result and a callable computing ``w``."""

    node_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, fn, dims, keepdim):
        y, weights = fn(xp_of(x), x)
        if ctx is not NULL_CTX:  # the weights are needed only when recording
            ctx.w, ctx.in_shape, ctx.dims, ctx.keepdim = weights(), x.shape, dims, keepdim
        return y

    @staticmethod
    def backward(ctx, g):
        return _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim) * _const(ctx.w), None, None, None


def _weighted(name: str):
    return type(name.replace("Backward", "") + "Op", (_Weighted,), {"node_name": name})


def _even_weights(xp, x, y_keep, dims):
    """1/count at the positions equal to the result (NaN matching NaN), 0 elsewhere."""
    with np.errstate(invalid="ignore"):
        mask = (x == y_keep) | (xp.isnan(x) & xp.isnan(y_keep))
    cnt = mask.sum(axis=dims, keepdims=True) if x.ndim else mask
    with np.errstate(invalid="ignore", divide="ignore"):
        return (mask / xp.maximum(cnt, 1)).astype(x.dtype)


# =====================================================================================
# sum family: nansum, nanmean, prod
# =====================================================================================

def _dims_of(input: Tensor, dim) -> tuple:
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    return norm_dims(dim, input._data.ndim) if input._data.ndim else ()


def _np_axis(input: Tensor, dims):
    return dims if input._data.ndim else None


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Sum treating NaN as zero."""
    dims = _dims_of(input, dim)
    dt = _sum_dtype(input, dtype)
    if input.dtype is not dt:
        input = input.to(dt)
    if not _is_float(input):
        return sum(input, dim, keepdim)
    ax = _np_axis(input, dims)

    def fn(xp, x):
        return (xp.nansum(_wide(x), axis=ax, keepdims=keepdim).astype(x.dtype),
                lambda: (~xp.isnan(x)).astype(x.dtype))
    return _Nansum.apply(input, fn, dims, keepdim)


_Nansum = _weighted("NansumBackward0")


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Mean of the non-NaN elements."""
    if dtype is not None:
        input = input.to(dtype)
    if not _is_float(input):
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_name(input.dtype)}")
    dims = _dims_of(input, dim)
    xp = xp_of(input._data)
    cnt = (~xp.isnan(input._data)).sum(axis=_np_axis(input, dims), keepdims=keepdim)
    return nansum(input, dim, keepdim) / _const(cnt.astype(input._data.dtype))


class Prod(Op):
    node_name = "ProdBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.in_shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        y = _wide(x).prod(axis=dims if x.ndim else None, keepdims=keepdim).astype(x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        dims, keepdim, shape = ctx.dims, ctx.keepdim, ctx.in_shape
        gk, yk = _keep(g, shape, dims, keepdim), _keep(y, shape, dims, keepdim)
        xd = x._data
        zero = xd == 0
        if not zero.any():
            return gk * yk / x, None, None
        # d prod / dx_i = product of the others. Where x_i != 0 that is prod / x_i (exact as
        # a function, also where another entry is zero); at a slice's only zero it is the
        # product of the non-zeros; with several zeros it is 0.
        ax = dims if xd.ndim else None
        nz = _const((~zero).astype(xd.dtype))
        zf = _const(zero.astype(xd.dtype))
        single = zero & (zero.sum(axis=ax, keepdims=True) == 1)
        xsafe = x * nz + zf
        others = Prod.apply(xsafe, dims, True)
        return gk * (nz * yk / xsafe + _const(single.astype(xd.dtype)) * others), None, None


class ProdAll(Prod):
    node_name = "ProdBackward0"


def prod(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Product of elements, over all elements or along one dim."""
    input, = autocast_args("prod", input)
    if dim is None and keepdim:
        raise TypeError("prod() received an invalid combination of arguments - got "
                        "keepdim=True without dim, but expected (Tensor input, int dim, bool "
                        "keepdim, *, dtype)")
    if dim is not None:
        dim = _int_dim("prod", dim)
    dt = _sum_dtype(input, dtype)
    if input.dtype is not dt:
        input = input.to(dt)
    if dim is None:
        return ProdAll.apply(input, tuple(range(input._data.ndim)), False)
    dims = (wrap_dim(dim, input._data.ndim),)
    return Prod.apply(input, dims, keepdim)


# =====================================================================================
# var / std
# =====================================================================================

def _var_args(op, input, dim, unbiased, correction):
    if isinstance(dim, bool):  # var(x, True): the legacy ``unbiased`` positional
        unbiased, dim = dim, None
    if not _is_float(input):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise TypeError(f"{op}() received an invalid combination of arguments - got both "
                        "correction= and unbiased=")
    dims = _dims_of(input, dim)
    n = 1
    for d in dims:
        n *= input._data.shape[d]
    if not input._data.ndim:
        n = 1
    return dims, float(correction), n


def _inv_dof(n: int, correction: float) -> float:
    """1 / max(n - correction, 0), inf when there are no degrees of freedom (as torch)."""
    dof = n - correction
    return 1.0 / dof if dof > 0 else math.inf


class Var(Op):
    node_name = "VarBackward0"

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, n):
        ctx.dims, ctx.corr, ctx.keepdim, ctx.n, ctx.in_shape = dims, correction, keepdim, n, \
            x.shape
        ctx.save_for_backward(x)
        return Var._wide_var(x, dims, correction, keepdim, n).astype(x.dtype)

    @staticmethod
    def _wide_var(x, dims, correction, keepdim, n):
        xp = xp_of(x)
        x = _wide(x)
        ax = dims if x.ndim else None
        with np.errstate(invalid="ignore", divide="ignore"):
            m = x.mean(axis=ax, keepdims=True) if n else xp.full(x.shape, xp.nan, x.dtype)
            ss = (xp.abs(x - m) ** 2).sum(axis=ax, keepdims=keepdim)
            return ss / _bmax(n - correction, 0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        gk = _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim)
        c = x - x.mean(ctx.dims, keepdim=True) if x.ndim else x - x
        return gk * c * (2.0 * _inv_dof(ctx.n, ctx.corr)), None, None, None, None


class Std(Op):
    node_name = "StdBackward0"

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, n):
        ctx.dims, ctx.corr, ctx.keepdim, ctx.n, ctx.in_shape = dims, correction, keepdim, n, \
            x.shape
        y = xp_of(x).sqrt(Var._wide_var(x, dims, correction, keepdim, n)).astype(x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gk = _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim)
        yk = _keep(y, ctx.in_shape, ctx.dims, ctx.keepdim)
        zero = yk._data == 0
        ysafe = yk + _const(zero.astype(yk._data.dtype))
        c = x - x.mean(ctx.dims, keepdim=True) if x.ndim else x - x
        scale = _inv_dof(ctx.n, ctx.corr)
        return gk * c * scale / ysafe * _const((~zero).astype(yk._data.dtype)), None, None, \
            None, None


def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None,
        out=None) -> Tensor:
    """Variance over all or the given dims (``correction`` = Bessel's correction)."""
    dims, corr, n = _var_args("var", input, dim, unbiased, correction)
    return Var.apply(input, dims, corr, keepdim, n)


def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None,
        out=None) -> Tensor:
    """Standard deviation over all or the given dims."""
    dims, corr, n = _var_args("std", input, dim, unbiased, correction)
    return Std.apply(input, dims, corr, keepdim, n)


def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None,
             out=None) -> tuple:
    """(var, mean) over the same dims."""
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    v = var(input, dim, unbiased, keepdim, correction=correction)
    return v, mean(input, _dims_of(input, dim) or None, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None,
             out=None) -> tuple:
    """(std, mean) over the same dims."""
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    s = std(input, dim, unbiased, keepdim, correction=correction)
    return s, mean(input, _dims_of(input, dim) or None, keepdim)


# =====================================================================================
# max / min family
# =====================================================================================

_MaxAll = _weighted("MaxBackward1")
_MinAll = _weighted("MinBackward1")
_Amax = _weighted("AmaxBackward0")
_Amin = _weighted("AminBackward0")
_MaxDim = _gather_class("MaxBackward0")
_MinDim = _gather_class("MinBackward0")


def _extreme_all(op: str, input: Tensor, big: bool) -> Tensor:
    if input._data.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    if not _is_float(input):
        d = input._data
        return _wrap(d.max() if big else d.min())
    nd = input._data.ndim
    dims = tuple(range(nd))

    def fn(xp, x):
        y = x.max() if big else x.min()
        y = xp.asarray(y, dtype=x.dtype)
        return y, lambda: _even_weights(xp, x, y, dims)
    return (_MaxAll if big else _MinAll).apply(input, fn, dims, False)


def _extreme_dim(op: str, input: Tensor, dim, keepdim: bool, big: bool):
    d = wrap_dim(_int_dim(op, dim), input._data.ndim)
    _check_nonempty_dim(op, input, d)
    xd = input._data
    xp = xp_of(xd)
    if xd.ndim == 0:
        idx = xp.zeros((), dtype=np.int64)
    else:
        idx = (xp.argmax if big else xp.argmin)(xd, axis=d, keepdims=True)
    rt = _rt.max if big else _rt.min
    values = (_MaxDim if big else _MinDim).apply(input, idx, d, keepdim)
    indices = idx if keepdim or xd.ndim == 0 else idx.squeeze(d)
    return rt(values, _wrap(indices.astype(np.int64)))


def max(input, dim=None, keepdim: bool = False, *, other=None, out=None):
    """Largest element; with ``dim`` a (values, indices) tuple; with a tensor, maximum."""
    if other is not None:
        dim = other
    if isinstance(dim, Tensor):
        import ember
        return ember.maximum(input, dim)
    if dim is None:
        return _extreme_all("max", input, True)
    return _extreme_dim("max", input, dim, keepdim, True)


def min(input, dim=None, keepdim: bool = False, *, other=None, out=None):
    """Smallest element; with ``dim`` a (values, indices) tuple; with a tensor, minimum."""
    if other is not None:
        dim = other
    if isinstance(dim, Tensor):
        import ember
        return ember.minimum(input, dim)
    if dim is None:
        return _extreme_all("min", input, False)
    return _extreme_dim("min", input, dim, keepdim, False)


def _amaxmin(op: str, input: Tensor, dim, keepdim: bool, big: bool) -> Tensor:
    dims = _dims_of(input, dim)
    xd = input._data
    if xd.size == 0:
        if isinstance(dim, (tuple, list)) and len(dim) == 0 or dim is None:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        empty = [d for d in dims if xd.shape[d] == 0] if xd.ndim else []
        if empty:
            raise IndexError(f"{op}(): Expected reduction dim {empty[0]} to have non-zero "
                             "size.")
    ax = _np_axis(input, dims)
    if not _is_float(input):
        return _wrap((xd.max if big else xd.min)(axis=ax, keepdims=keepdim))

    def fn(xp, x):
        yk = (x.max if big else x.min)(axis=ax, keepdims=True)
        y = yk if keepdim or not x.ndim else yk.reshape(
            tuple(s for i, s in enumerate(x.shape) if i not in dims))
        return y, lambda: _even_weights(xp, x, yk, ax)
    return (_Amax if big else _Amin).apply(input, fn, dims, keepdim)


def amax(input, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """Maximum over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _amaxmin("amax", input, dim, keepdim, True)


def amin(input, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """Minimum over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _amaxmin("amin", input, dim, keepdim, False)


def aminmax(input, *, dim=None, keepdim: bool = False, out=None):
    """(min, max) over one dim or all elements."""
    if input._data.size == 0 and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    d = () if dim is None else wrap_dim(_int_dim("aminmax", dim), input._data.ndim)
    if dim is not None and input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    if dim is None and keepdim:
        d = tuple(range(input._data.ndim))
    if not _is_float(input):
        return _rt.aminmax(_amaxmin("amin", input, d, keepdim, False),
                           _amaxmin("amax", input, d, keepdim, True))
    dims = _dims_of(input, d)
    return _rt.aminmax(*_Aminmax.apply(input, dims, keepdim))


class _Aminmax(Op):
    """min and max in one node; each gradient is shared evenly among its ties."""

    node_name = "AminmaxBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        xp = xp_of(x)
        ax = dims if x.ndim else None
        out, ws = [], []
        for big in (False, True):
            yk = (x.max if big else x.min)(axis=ax, keepdims=True)
            if ctx is not NULL_CTX:
                ws.append(_even_weights(xp, x, yk, ax))
            out.append(yk if keepdim or not x.ndim else yk.reshape(
                tuple(s for i, s in enumerate(x.shape) if i not in dims)))
        ctx.ws, ctx.in_shape, ctx.dims, ctx.keepdim = ws, x.shape, dims, keepdim
        return tuple(out)

    @staticmethod
    def backward(ctx, gmin, gmax):
        shape, dims, keep = ctx.in_shape, ctx.dims, ctx.keepdim
        return (_keep(gmin, shape, dims, keep) * _const(ctx.ws[0])
                + _keep(gmax, shape, dims, keep) * _const(ctx.ws[1])), None, None


def _argext(op: str, input: Tensor, dim, keepdim: bool, big: bool) -> Tensor:
    xd = input._data
    xp = xp_of(xd)
    fn = xp.argmax if big else xp.argmin
    if dim is None:
        if xd.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        r = fn(xd.reshape(-1))
        if keepdim:
            r = xp.asarray(r).reshape((1,) * xd.ndim)
        return _wrap(xp.asarray(r, dtype=np.int64))
    d = wrap_dim(_int_dim(op, dim), xd.ndim)
    _check_nonempty_dim(op, input, d)
    if xd.ndim == 0:
        return _wrap(xp.zeros((), dtype=np.int64))
    return _wrap(fn(xd, axis=d, keepdims=keepdim).astype(np.int64))


def argmax(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (flattened when ``dim`` is None)."""
    return _argext("argmax", input, dim, keepdim, True)


def argmin(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (flattened when ``dim`` is None)."""
    return _argext("argmin", input, dim, keepdim, False)


# =====================================================================================
# logsumexp, norm
# =====================================================================================

class Logsumexp(Op):
    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.in_shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        xp = xp_of(x)
        ax = dims if x.ndim else None
        x_in, x = x, _wide(x)
        if x.size == 0:
            y = xp.full(_keep_shape(x.shape, dims), -xp.inf, dtype=x.dtype)
        else:
            m = x.max(axis=ax, keepdims=True)
            m = xp.where(xp.isinf(m), 0, m).astype(x.dtype)
            with np.errstate(divide="ignore"):
                y = xp.log(xp.exp(x - m).sum(axis=ax, keepdims=True)) + m
        if not keepdim and x.ndim:
            y = y.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))
        y = y.astype(x_in.dtype)
        ctx.save_for_backward(x_in, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gk = _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim)
        yk = _keep(y, ctx.in_shape, ctx.dims, ctx.keepdim)
        return gk * (x - yk).exp(), None, None


def logsumexp(input, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """log(sum(exp(input))) over ``dim``, computed stably."""
    if not _is_float(input):
        input = input.to(_dt.get_default_dtype())
    return Logsumexp.apply(input, _dims_of(input, dim), keepdim)


def _pow_tensor(t: Tensor, e: float) -> Tensor:
    """t ** e for t >= 0 written with exp/log (0 stays 0 for e > 0)."""
    zero = t._data == 0
    safe = t + _const(zero.astype(t._data.dtype))
    return (safe.log() * e).exp() * _const((~zero).astype(t._data.dtype))


class VectorNorm(Op):
    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        ctx.in_shape, ctx.dims, ctx.keepdim, ctx.p = x.shape, dims, keepdim, p
        xp = xp_of(x)
        ax = dims if x.ndim else None
        a = xp.abs(_wide(x))
        if p == 2:
            y = xp.sqrt((a * a).sum(axis=ax, keepdims=True))
        elif p == 1:
            y = a.sum(axis=ax, keepdims=True)
        elif p == math.inf:
            y = a.max(axis=ax, keepdims=True)
        elif p == -math.inf:
            y = a.min(axis=ax, keepdims=True)
        elif p == 0:
            y = (a != 0).sum(axis=ax, keepdims=True).astype(a.dtype)
        else:
            with np.errstate(divide="ignore"):
                y = (a ** p).sum(axis=ax, keepdims=True) ** (1.0 / p)
        if abs(p) == math.inf and ctx is not NULL_CTX:
            ctx.w = (_even_weights(xp, a, y, ax) * xp.sign(_wide(x))).astype(x.dtype)
        y = y.astype(x.dtype)
        if not keepdim and x.ndim:
            y = y.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        p = ctx.p
        gk = _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim)
        xd = x._data
        sgn = _const(xp_of(xd).sign(xd))
        if p == 0:
            return gk * x * 0, None, None, None
        if p == 1:
            return gk * sgn, None, None, None
        if abs(p) == math.inf:
            return gk * _const(ctx.w), None, None, None
        yk = _keep(y, ctx.in_shape, ctx.dims, ctx.keepdim)
        zero = yk._data == 0
        ysafe = yk + _const(zero.astype(xd.dtype))
        nz = _const((~zero).astype(xd.dtype))
        if p == 2:
            return gk * x / ysafe * nz, None, None, None
        ax = x * sgn
        return gk * sgn * _pow_tensor(ax, p - 1) / _pow_tensor(ysafe, p - 1) * nz, None, None, \
            None


def _vector_norm(input, p, dim, keepdim, dtype):
    if dtype is not None:
        input = input.to(dtype)
    if not _is_float(input):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_name(input.dtype)}")
    p = float(p)
    dims = _dims_of(input, dim)
    if input._data.size == 0 and p < 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty tensor "
                           "because the operation does not have an identity")
    return VectorNorm.apply(input, p, dims, keepdim)


def norm(input, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None) -> Tensor:
    """Vector norm (p = 2, 1, inf, -inf, 0, any float; 'fro' = 2-norm; 'nuc' = matrix)."""
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if p == "nuc":
        import ember
        if not hasattr(ember.linalg, "matrix_norm"):
            raise NotImplementedError("norm(p='nuc') needs ember.linalg.matrix_norm, which "
                                      "is not available yet")
        return ember.linalg.matrix_norm(input, "nuc", dim=dim if dim is not None else (-2, -1),
                                        keepdim=keepdim)
    if p == "fro" or p is None:
        p = 2
    if isinstance(p, str):
        raise RuntimeError(f"norm(): unsupported p={p!r}")
    return _vector_norm(input, p, dim, keepdim, dtype)


# =====================================================================================
# cumulative ops
# =====================================================================================

def _cum_dim(input: Tensor, dim) -> int:
    return wrap_dim(int(dim), input._data.ndim)


def _flip_if(xp, a, dim, rev):
    return xp.flip(a, axis=dim) if rev else a


class Cumsum(Op):
    node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, dim, reverse):
        ctx.dim, ctx.reverse = dim, reverse
        if x.ndim == 0:
            return x.copy()
        xp = xp_of(x)
        y = xp.cumsum(_flip_if(xp, _wide(x), dim, reverse), axis=dim)
        return _flip_if(xp, y, dim, reverse).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return Cumsum.apply(g, ctx.dim, not ctx.reverse), None, None


def _cum_dtype(input, dtype):
    dt = _sum_dtype(input, dtype)
    return input.to(dt) if input.dtype is not dt else input


def cumsum(input, dim, *, dtype=None, out=None) -> Tensor:
    """Cumulative sum along ``dim``."""
    input = _cum_dtype(input, dtype)
    return Cumsum.apply(input, _cum_dim(input, dim), False)


class Cumprod(Op):
    node_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        y = x.copy() if x.ndim == 0 else xp_of(x).cumprod(_wide(x), axis=dim).astype(x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        dim = ctx.dim
        xd = x._data
        zero = xd == 0
        if not zero.any():
            return Cumsum.apply(g * y, dim, True) / x, None
        # where x_i != 0: sum_{k>=i} g_k y_k / x_i (exact, zeros elsewhere included); at a
        # slice's first zero z: sum_{k>=z} g_k * cumprod(x with x_z := 1)_k; later zeros: 0.
        xp = xp_of(xd)
        dt = xd.dtype
        first = zero & (xp.cumsum(zero, axis=dim) == 1) if xd.ndim else zero
        nz = _const((~zero).astype(dt))
        xsafe = x * nz + _const(zero.astype(dt))
        fz = _const(first.astype(dt))
        xprime = x * _const((~first).astype(dt)) + fz
        at_zero = Cumsum.apply(g * Cumprod.apply(xprime, dim), dim, True)
        return nz * Cumsum.apply(g * y, dim, True) / xsafe + fz * at_zero, None


def cumprod(input, dim, *, dtype=None, out=None) -> Tensor:
    """Cumulative product along ``dim`` (gradient correct where the input has zeros)."""
    input = _cum_dtype(input, dtype)
    return Cumprod.apply(input, _cum_dim(input, dim))


class Logcumsumexp(Op):
    node_name = "LogcumsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = xp_of(x)
        if x.ndim == 0:
            y = x.copy()
        elif xp is np:
            y = np.logaddexp.accumulate(_wide(x), axis=dim).astype(x.dtype)
        else:  # backends without ufunc.accumulate: shift by the slice maximum
            w = _wide(x)
            m = w.max(axis=dim, keepdims=True) if w.size else w
            m = xp.where(xp.isfinite(m), m, 0)
            y = (xp.log(xp.cumsum(xp.exp(w - m), axis=dim)) + m).astype(x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        dim = ctx.dim
        yd = y._data
        # shift by a per-slice constant (it cancels) so neither exp overflows
        c = yd.max(axis=dim, keepdims=True) if yd.ndim and yd.size else yd
        c = _const(xp_of(yd).where(xp_of(yd).isfinite(c), 0, c).astype(yd.dtype))
        return (x - c).exp() * Cumsum.apply(g * (c - y).exp(), dim, True), None


def logcumsumexp(input, dim, *, out=None) -> Tensor:
    """log(cumsum(exp(input))) along ``dim``, computed stably."""
    if not _is_float(input):
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{_name(input.dtype)}'")
    return Logcumsumexp.apply(input, _cum_dim(input, dim))


_CummaxSel = _gather_class("CummaxBackward0")
_CumminSel = _gather_class("CumminBackward0")


def _cum_ext(op, input, dim, big):
    d = _cum_dim(input, dim)
    xd = input._data
    xp = xp_of(xd)
    if xd.ndim == 0 or xd.size == 0:
        idx = xp.zeros(xd.shape, dtype=np.int64)
    else:
        # the index at k is the last j <= k where x_j equals the running extreme (ties move
        # it forward, as in torch); after a NaN it is the last NaN so far
        run = (xp.maximum if big else xp.minimum).accumulate(xd, axis=d)
        mark = xd == run
        if xd.dtype.kind == "f":
            mark |= xp.isnan(xd)
        shape = [1] * xd.ndim
        shape[d] = xd.shape[d]
        pos = xp.arange(xd.shape[d]).reshape(shape)
        idx = xp.maximum.accumulate(xp.where(mark, pos, 0), axis=d).astype(np.int64)
    values = (_CummaxSel if big else _CumminSel).apply(input, idx, d, True)
    return (_rt.cummax if big else _rt.cummin)(values, _wrap(idx))


def cummax(input, dim):
    """Running maximum along ``dim`` and the index where it was attained."""
    return _cum_ext("cummax", input, dim, True)


def cummin(input, dim):
    """Running minimum along ``dim`` and the index where it was attained."""
    return _cum_ext("cummin", input, dim, False)


# =====================================================================================
# sorting and selection
# =====================================================================================

_SortSel = _gather_class("SortBackward0")
_TopkSel = _gather_class("TopkBackward0")
_KthSel = _gather_class("KthvalueBackward0")
_MedianSel = _gather_class("MedianBackward1")
_NanmedianSel = _gather_class("NanmedianBackward1")
_ModeSel = _gather_class("ModeBackward0")
_MedianAll = _weighted("MedianBackward0")
_NanmedianAll = _weighted("NanmedianBackward0")


def _argsort_arr(xd, dim: int, descending: bool):
    """Stable argsort along ``dim`` (NaN largest, like torch)."""
    xp = xp_of(xd)
    if xd.ndim == 0:
        return xp.zeros((), dtype=np.int64)
    if xd.dtype == np.bool_:
        xd = xd.astype(np.int8)
    if not descending:
        return xp.argsort(xd, axis=dim, kind="stable").astype(np.int64)
    n = xd.shape[dim]
    r = xp.argsort(xp.flip(xd, axis=dim), axis=dim, kind="stable")
    return (n - 1 - xp.flip(r, axis=dim)).astype(np.int64)


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False, *, out=None):
    """Sorted values along ``dim`` and their original indices (a stable sort)."""
    if isinstance(dim, bool):  # sort(x, True) is not dim=1
        raise TypeError("sort(): argument 'dim' must be int, not bool")
    d = wrap_dim(int(dim), input._data.ndim)
    idx = _argsort_arr(input._data, d, descending)
    return _rt.sort(_SortSel.apply(input, idx, d, True), _wrap(idx))


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices that sort ``input`` along ``dim``."""
    d = wrap_dim(int(dim), input._data.ndim)
    return _wrap(_argsort_arr(input._data, d, descending))


def msort(input, *, out=None) -> Tensor:
    """Sort along dim 0."""
    return sort(input, 0).values


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, out=None):
    """The k largest (or smallest) elements along ``dim`` and their indices."""
    xd = input._data
    d = wrap_dim(int(dim), xd.ndim)
    n = xd.shape[d] if xd.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    xp = xp_of(xd)
    if xd.ndim and 0 < k < n:
        # partition for the k best, then sort only those (NaN counts as largest)
        key = xd.astype(np.int64) if xd.dtype.kind in "biu" else xd
        if largest:
            key = xp.where(xp.isnan(key), -xp.inf, -key) if key.dtype.kind == "f" else -key
        part = xp.take(xp.argpartition(key, k - 1, axis=d), xp.arange(k), axis=d)
        order = xp.argsort(xp.take_along_axis(key, part, axis=d), axis=d, kind="stable")
        idx = xp.take_along_axis(part, order, axis=d).astype(np.int64)
    else:
        idx = _argsort_arr(xd, d, largest)
        if xd.ndim:
            idx = xp.take(idx, xp.arange(k), axis=d)
    return _rt.topk(_TopkSel.apply(input, idx, d, True), _wrap(idx))


def _select_pos(input: Tensor, d: int, pos, sel_cls, rt, keepdim: bool, order=None):
    """values/indices at sorted position ``pos`` (array broadcastable to the kept shape)."""
    xd = input._data
    xp = xp_of(xd)
    if xd.ndim == 0:
        idx = xp.zeros((), dtype=np.int64)
    else:
        if order is None and isinstance(pos, int):  # one position for every slice
            key = xd.astype(np.int8) if xd.dtype == np.bool_ else xd
            order = xp.argpartition(key, pos, axis=d)
        elif order is None:
            order = _argsort_arr(xd, d, False)
        pos = xp.broadcast_to(xp.asarray(pos, dtype=np.int64),
                              _keep_shape(xd.shape, (d,)))
        idx = xp.take_along_axis(order, pos, axis=d)
    values = sel_cls.apply(input, idx, d, keepdim)
    ind = idx if keepdim or xd.ndim == 0 else idx.squeeze(d)
    return rt(values, _wrap(ind))


def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The k-th smallest element along ``dim`` and its index."""
    xd = input._data
    d = wrap_dim(int(dim), xd.ndim)
    n = xd.shape[d] if xd.ndim else 1
    _check_nonempty_dim("kthvalue", input, d)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _select_pos(input, d, k - 1, _KthSel, _rt.kthvalue, keepdim)


def _median_pos(xp, xd, d, ignore_nan: bool):
    n = xd.shape[d]
    nan = xp.isnan(xd).sum(axis=d, keepdims=True) if xd.dtype.kind == "f" else \
        xp.zeros(_keep_shape(xd.shape, (d,)), dtype=np.int64)
    if ignore_nan:
        valid = n - nan
        return xp.where(valid > 0, (valid - 1) // 2, 0)
    return xp.where(nan > 0, n - nan, (n - 1) // 2)


def _median_all(op, input, ignore_nan):
    xd = input._data
    if xd.size == 0:
        return _wrap(xp_of(xd).asarray(np.nan, dtype=xd.dtype)) if _is_float(input) else \
            _wrap(xd.reshape(-1)[:0].sum())
    flat = xd.reshape(-1)
    xp = xp_of(flat)
    pos = int(_median_pos(xp, flat, 0, ignore_nan).reshape(()))
    y = xp.sort(flat)[pos]
    if not _is_float(input):
        return _wrap(xp.asarray(y))
    dims = tuple(range(xd.ndim))

    def fn(xp, x):
        yy = xp.asarray(y, dtype=x.dtype)
        return yy, lambda: _even_weights(xp, x, yy, dims if x.ndim else None)
    return (_NanmedianAll if ignore_nan else _MedianAll).apply(input, fn, dims, False)


def _median(op, input, dim, keepdim, ignore_nan):
    if input.dtype is _dt.bool:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for 'Bool'")
    if dim is None:
        return _median_all(op, input, ignore_nan)
    xd = input._data
    d = wrap_dim(_int_dim(op, dim), xd.ndim)
    _check_nonempty_dim(op, input, d)
    xp = xp_of(xd)
    if not xd.ndim:
        pos = 0
    elif xd.dtype.kind != "f" or not xp.isnan(xd).any():
        pos = (xd.shape[d] - 1) // 2
    else:
        pos = _median_pos(xp, xd, d, ignore_nan)
    return _select_pos(input, d, pos, _NanmedianSel if ignore_nan else _MedianSel,
                       _rt.nanmedian if ignore_nan else _rt.median, keepdim)


def median(input, dim=None, keepdim: bool = False, *, out=None):
    """Lower median of all elements, or (values, indices) along ``dim``; NaN propagates."""
    return _median("median", input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim: bool = False, *, out=None):
    """Like median, ignoring NaN."""
    return _median("nanmedian", input, dim, keepdim, True)


def mode(input, dim: int = -1, keepdim: bool = False, *, out=None):
    """Most frequent value along ``dim`` (smallest among ties) and its last index."""
    xd = input._data
    xp = xp_of(xd)
    d = wrap_dim(int(dim), xd.ndim)
    _check_nonempty_dim("mode", input, d)
    if xd.ndim == 0:
        idx = xp.zeros((), dtype=np.int64)
    else:
        xm = xp.moveaxis(xd, d, -1)
        n = xm.shape[-1]
        flat = xm.reshape(-1, n)
        srt = xp.sort(flat, axis=1)
        start = xp.ones(srt.shape, dtype=bool)
        start[:, 1:] = srt[:, 1:] != srt[:, :-1]
        pos = xp.arange(n)
        run_start = xp.maximum.accumulate(xp.where(start, pos, 0), axis=1)
        # count so far within each run; a run of the largest length reaches it first when
        # its value is the smallest such value (the rows are sorted)
        best = xp.argmax(pos - run_start + 1, axis=1)
        value = xp.take_along_axis(srt, best[:, None], axis=1)
        last = n - 1 - xp.argmax((flat == value)[:, ::-1], axis=1)
        idx = xp.expand_dims(last.astype(np.int64).reshape(xm.shape[:-1]), d)
    values = _ModeSel.apply(input, idx, d, keepdim)
    ind = idx if keepdim or xd.ndim == 0 else idx.squeeze(d)
    return _rt.mode(values, _wrap(ind))


def _quantile(op, input, q, dim, keepdim, interpolation, ignore_nan):
    if input._data.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype")
    if input._data.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(f"{op}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    xp = xp_of(input._data)
    scalar_q = not isinstance(q, Tensor) or q._data.ndim == 0
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor")
        qa = xp.asarray(q._data, dtype=np.float64).reshape(-1)
    else:
        qa = xp.asarray([float(q)], dtype=np.float64)
    if qa.size and (qa.min() < 0 or qa.max() > 1):
        raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {float(qa.min()) if qa.min() < 0 else float(qa.max())}")  # noqa: E501
    nd = input._data.ndim
    if dim is None:
        x = input.reshape(-1)
        d = 0
    else:
        d = wrap_dim(int(dim), nd)
        x = input if nd else input.reshape(1)
    xd = x._data
    n = xd.shape[d]
    order = _argsort_arr(xd, d, False)
    srt = _SortSel.apply(x, order, d, True)
    nan = xp.isnan(xd).sum(axis=d, keepdims=True)
    m = qa.size
    qshape = [1] * xd.ndim
    qshape[d] = m
    qb = qa.reshape(qshape)
    if ignore_nan:
        valid = n - nan
        rank = qb * xp.maximum(valid - 1, 0)
        allnan = valid == 0
    else:
        rank = qb * (n - 1) + 0 * nan
        allnan = nan > 0
    lo = xp.floor(rank)
    hi = xp.ceil(rank)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = xp.round(rank)
    w = rank - lo if interpolation == "linear" else xp.full(rank.shape, 0.5 if
                                                           interpolation == "midpoint" else 0.0)
    lo = xp.where(allnan, n - 1, lo).astype(np.int64)
    hi = xp.where(allnan, n - 1, hi).astype(np.int64)
    full = list(xd.shape)
    full[d] = m
    lo, hi = xp.broadcast_to(lo, full), xp.broadcast_to(hi, full)
    vlo = _Gather.apply(srt, xp.ascontiguousarray(lo), d, True)
    vhi = _Gather.apply(srt, xp.ascontiguousarray(hi), d, True)
    if interpolation == "linear" and isinstance(q, Tensor):
        # the weight is differentiable in q (torch gives q a gradient)
        scale = xp.maximum(valid - 1, 0) if ignore_nan else xp.full(nan.shape, n - 1)
        wt = q.reshape(qshape) * _const(scale.astype(xd.dtype)) - _const(
            xp.where(allnan, 0, lo).astype(xd.dtype))
    else:
        wt = _const(xp.broadcast_to(w, full).astype(xd.dtype))
    res = vlo + (vhi - vlo) * wt
    perm = [d] + [i for i in range(xd.ndim) if i != d]
    res = res.permute(perm)  # (m, other dims...)
    rest = [s for i, s in enumerate(input.shape) if dim is not None and i != d]
    if keepdim:
        if dim is None:
            rest = [1] * nd
        elif nd:
            rest.insert(d, 1)
    res = res.reshape([m] + rest)
    return res.reshape(rest) if scalar_q else res


def quantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
             out=None) -> Tensor:
    """The q-th quantiles along ``dim`` (or of all elements); NaN propagates."""
    input, q = autocast_args("quantile", input, q)
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
                out=None) -> Tensor:
    """Like quantile, ignoring NaN."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


# =====================================================================================
# logical reductions and counting (not differentiable)
# =====================================================================================

def _logical(op, input, dim, keepdim):
    xd = input._data
    xp = xp_of(xd)
    if dim is None:
        ax = None
    else:
        dims = norm_dims(dim, xd.ndim) if not (isinstance(dim, (tuple, list))
                                               and len(dim) == 0) else tuple(range(xd.ndim))
        ax = dims if xd.ndim else None
    r = (xp.all if op == "all" else xp.any)(xd != 0, axis=ax, keepdims=keepdim)
    r = xp.asarray(r)
    return _wrap(r.astype(np.uint8) if xd.dtype == np.uint8 else r)


def all(input, dim=None, keepdim: bool = False, *, out=None) -> Tensor:  # noqa: A001
    """Whether every element (along ``dim``) is non-zero."""
    return _logical("all", input, dim, keepdim)


def any(input, dim=None, keepdim: bool = False, *, out=None) -> Tensor:  # noqa: A001
    """Whether some element (along ``dim``) is non-zero."""
    return _logical("any", input, dim, keepdim)


def count_nonzero(input, dim=None) -> Tensor:
    """Number of non-zero elements (along ``dim``), int64."""
    xd = input._data
    ax = None if dim is None else (_dims_of(input, dim) if xd.ndim else None)
    return _wrap(xp_of(xd).asarray((xd != 0).sum(axis=ax), dtype=np.int64))


def _unique_core(xd, dim, consecutive):
    """(values, inverse, counts) as NumPy arrays."""
    if dim is None:
        flat = xd.reshape(-1)
        if consecutive:
            if flat.size == 0:
                return flat, np.zeros(xd.shape, np.int64), np.zeros(0, np.int64)
            start = np.concatenate([[True], flat[1:] != flat[:-1]])
            vals = flat[start]
            inv = (np.cumsum(start) - 1).reshape(xd.shape)
            counts = np.diff(np.append(np.nonzero(start)[0], flat.size))
            return vals, inv, counts
        # torch keeps every NaN as its own value
        vals, inv, counts = np.unique(flat, return_inverse=True, return_counts=True,
                                      equal_nan=False)
        return vals, inv.reshape(xd.shape), counts
    xm = np.moveaxis(xd, dim, 0)
    rows = xm.reshape(xm.shape[0], -1)
    if consecutive:
        if rows.shape[0] == 0:
            return xd, np.zeros(0, np.int64), np.zeros(0, np.int64)
        start = np.concatenate([[True], (rows[1:] != rows[:-1]).any(axis=1)])
        sel = np.nonzero(start)[0]
        inv = np.cumsum(start) - 1
        counts = np.diff(np.append(sel, rows.shape[0]))
        return np.take(xd, sel, axis=dim), inv, counts
    _, first, inv, counts = np.unique(rows, axis=0, return_index=True, return_inverse=True,
                                      return_counts=True)
    return np.take(xd, first, axis=dim), inv.reshape(-1), counts


def _unique_result(input, dim, consecutive, return_inverse, return_counts):
    xd = input._data
    xp = xp_of(xd)
    host = np.asarray(xd.get() if xp is not np else xd)
    if dim is not None:
        dim = wrap_dim(int(dim), host.ndim)
    vals, inv, counts = _unique_core(host, dim, consecutive)
    out = [_wrap(xp.asarray(vals))]
    if return_inverse:
        out.append(_wrap(xp.asarray(inv, dtype=np.int64)))
    if return_counts:
        out.append(_wrap(xp.asarray(counts, dtype=np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim=None):
    """Unique elements (sorted), optionally with inverse indices and counts."""
    return _unique_result(input, dim, False, return_inverse, return_counts)


def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False,
                       dim=None):
    """Collapse runs of equal consecutive elements (or slices along ``dim``)."""
    return _unique_result(input, dim, True, return_inverse, return_counts)


def bincount(input, weights=None, minlength: int = 0) -> Tensor:
    """Count of each non-negative integer value (or sum of ``weights`` per value)."""
    xd = input._data
    xp = xp_of(xd)
    if xd.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_name(input.dtype)}'")
    if xd.ndim != 1 or (xd.size and xd.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None:
        wd = weights._data
        if wd.ndim != 1 or wd.shape[0] != xd.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        odt = wd.dtype if wd.dtype in (np.float32, np.float64) else np.float64
        return _wrap(xp.bincount(xd, weights=wd.astype(np.float64),
                                 minlength=minlength).astype(odt))
    return _wrap(xp.bincount(xd, minlength=minlength).astype(np.int64))


def histc(input, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:  # noqa: A002
    """Histogram with ``bins`` equal bins over [min, max] (data range when both are 0)."""
    xd = input._data
    xp = xp_of(xd)
    if xd.dtype.kind not in "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_name(input.dtype)}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0")
    lo, hi = float(min), float(max)
    if lo == hi and xd.size:
        lo, hi = float(xd.min()), float(xd.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    v = xd.reshape(-1).astype(np.float64)
    v = v[(v >= lo) & (v <= hi)]
    b = xp.floor((v - lo) * bins / (hi - lo)).astype(np.int64)
    b = xp.minimum(b, bins - 1)
    return _wrap(xp.bincount(b, minlength=bins).astype(xd.dtype))


def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """n-th forward difference along ``dim`` (optionally after prepend/append)."""
    import ember
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(int(dim), input._data.ndim)
    if prepend is not None or append is not None:
        parts = [p for p in (prepend, input, append) if p is not None]
        input = ember.cat(parts, d)
    x = input
    for _ in range(n):
        L = x.shape[d]
        if L == 0:
            break
        a = tuple(slice(1, None) if i == d else slice(None) for i in range(x.ndim))
        b = tuple(slice(None, L - 1) if i == d else slice(None) for i in range(x.ndim))
        if x.dtype is _dt.bool:  # torch: logical xor of neighbours
            x = _wrap(x._data[a] != x._data[b])
        else:
            x = x[a] - x[b]
    return x


def _write_out(res, out):
    """Copy ``res`` into the caller's ``out=`` tensor(s), resizing them as torch does."""
    if isinstance(res, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(res):
            raise TypeError(f"out= expected a tuple of {len(res)} tensors")
        return type(res)(*[_write_out(r, o) for r, o in zip(res, out)])
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out._requires_grad and (STATE.enabled or out.grad_fn is None):
        raise RuntimeError("out=... arguments don't support automatic differentiation, but "
                           "one of the arguments requires grad.")
    d = res._data
    if out._data.shape != d.shape:
        out._data = xp_of(d).empty(d.shape, dtype=out._data.dtype)
    out._data[...] = d
    out._vc[0] += 1
    return out


def _supporting_out(fn):
    """``fn`` (whose body ignores ``out``) with torch's ``out=`` behaviour added."""
    @functools.wraps(fn)
    def wrapper(*args, out=None, **kwargs):
        res = fn(*args, **kwargs)
        return res if out is None else _write_out(res, out)
    return wrapper


for _fname, _f in list(globals().items()):
    if callable(_f) and not isinstance(_f, type) and not _fname.startswith("_") and \
            getattr(_f, "__module__", None) == __name__ and \
            "out" in inspect.signature(_f).parameters:
        globals()[_fname] = _supporting_out(_f)

_METHODS = ["sum", "mean", "sum_to_size", "nansum", "nanmean", "prod", "var", "std", "max",
            "min", "amax", "amin", "aminmax", "argmax", "argmin", "logsumexp", "norm",
            "cumsum", "cumprod", "logcumsumexp", "cummax", "cummin", "sort", "argsort",
            "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "quantile",
            "nanquantile", "all", "any", "count_nonzero", "unique", "unique_consecutive",
            "bincount", "histc", "diff"]


def dist(input, other, p=2) -> Tensor:
    """The ``p``-norm of ``input - other`` (broadcast), as a 0-d tensor."""
    return norm(input - other, p)


def cumsum_(self, dim, *, dtype=None) -> Tensor:
    """In-place ``cumsum`` along ``dim``."""
    if dtype is not None and dtype is not self.dtype:
        return self.copy_(cumsum(self, dim, dtype=dtype))
    return apply_inplace(Cumsum, self, _cum_dim(self, dim), False)


def cumprod_(self, dim, *, dtype=None) -> Tensor:
    """In-place ``cumprod`` along ``dim``."""
    if dtype is not None and dtype is not self.dtype:
        return self.copy_(cumprod(self, dim, dtype=dtype))
    return apply_inplace(Cumprod, self, _cum_dim(self, dim))


def cov(input, *, correction=1, fweights=None, aweights=None) -> Tensor:
    """Covariance of the variables in the rows of ``input`` (observations in columns), with
    optional integer frequency and float observation weights, as in torch."""
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    if not x.is_floating_point() and not x.is_complex():
        x = x.to(_dt.get_default_dtype())
    w = None
    for given in (fweights, aweights):
        if given is not None:
            w = given if w is None else w * given
    if w is None:
        avg = x.mean(1, keepdim=True)
        factor = x.shape[1] - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / w_sum
        factor = w_sum - (correction if aweights is None else
                          correction * (w * aweights).sum() / w_sum)
    if float(factor) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        factor = 0 * factor if isinstance(factor, Tensor) else 0.0
    xm = x - avg
    c = (xm if w is None else xm * w) @ xm.mH / factor
    return c.reshape(()) if x.shape[0] == 1 else c  # one variable: a 0-d result


def corrcoef(input) -> Tensor:
    """Pearson correlation coefficients of the rows of ``input`` (clipped to [-1, 1])."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal().sqrt()
    c = c / d.unsqueeze(1) / d.unsqueeze(0)
    return c if c.is_complex() else c.clamp(-1, 1)


_Histogram = _rt._structseq("histogram", ("hist", "bin_edges"))


def histogram(input, bins=100, *, range=None, weight=None, density=False):  # noqa: A002
    """Counts (or weight sums, or a density) of ``input`` in ``bins`` equal bins over
    ``range`` (the data's range by default), or in the bins whose edges ``bins`` lists."""
    xd = input._data
    if xd.dtype.kind != "f":
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{_name(input.dtype)}'")
    xp = xp_of(xd)
    edges = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else weight._data.reshape(-1)
    hist, edges = xp.histogram(xd.reshape(-1), bins=edges, range=range, weights=w,
                               density=density)
    return _Histogram(_wrap(hist.astype(xd.dtype)), _wrap(edges.astype(xd.dtype)))


_METHODS += ["dist", "cumsum_", "cumprod_", "cov", "corrcoef", "histogram"]
register_methods(globals(), _METHODS)

__all__ = [n for n in _METHODS if n not in ("sum_to_size", "cumsum_", "cumprod_")] + \
    ["var_mean", "std_mean"]
