"""Indexing: __getitem__/__setitem__, gather/scatter(_add/_reduce), index_* ops, masked ops,
take/put, nonzero, fill_/zero_ and the *_scatter embeddings.

Basic indexing returns views (sharing memory and version counter); advanced indexing
copies. Gradients of selections are scatters and vice versa, written with ember ops, so
double backward works."""

from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.function import _cast_name
from ._common import (
    STATE,
    Op,
    apply_inplace,
    broadcast_shapes,
    is_scalar,
    norm_dim,
    register_methods,
    shape_str,
    to_tensor,
    xp_of,
)
from .shape import with_out


def _convert_index(idx, shape):
    """A Python/Tensor index as a NumPy index; torch's errors for bad indices."""
    if isinstance(idx, list) and any(isinstance(e, (list, tuple, slice, Tensor, np.ndarray))
                                     or e is None or e is Ellipsis for e in idx):
        idx = tuple(idx)  # torch's (deprecated) reading of a list holding sequences
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    basic = True
    for k in idx:
        if isinstance(k, Tensor):
            a = k._data
            if a.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
            if a.dtype == np.uint8:  # torch's (deprecated) reading of a byte tensor: a mask
                warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                              "dtype torch.bool instead.", UserWarning, stacklevel=3)
                a = a.astype(bool)
            elif a.ndim == 0 and a.dtype.kind in "iu":
                out.append(int(a))
                continue
            out.append(a)
            basic = False
        elif isinstance(k, (list, np.ndarray)):
            a = np.asarray(k)
            if a.dtype.kind not in "biu":
                if a.size == 0:
                    a = a.astype(np.int64)
                else:
                    raise IndexError("tensors used as indices must be long, int, byte or bool "
                                     "tensors")
            out.append(a)
            basic = False
        elif isinstance(k, bool) or isinstance(k, np.bool_):
            out.append(np.asarray(bool(k)))
            basic = False
        elif k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice)):
            if isinstance(k, slice) and k.step is not None and k.step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(k)
        elif isinstance(k, str):
            raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             "byte Variables are valid indices (got " + type(k).__name__ + ")")
    return tuple(out), basic


def _check_bounds(idx, shape):
    dim = 0
    n_specified = sum(1 for k in idx if k is not None and k is not Ellipsis and
                      not (isinstance(k, np.ndarray) and k.dtype == bool and k.ndim == 0))
    n_specified += sum(k.ndim - 1 for k in idx if isinstance(k, np.ndarray) and k.dtype == bool
                       and k.ndim > 0)
    if n_specified > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    for k in idx:
        if k is Ellipsis:
            dim = len(shape) - (n_specified - dim)
            continue
        if k is None:
            continue
        if isinstance(k, (int, np.integer)):
            size = shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size "
                                 f"{size}")
        elif isinstance(k, np.ndarray) and k.dtype != bool and k.size:
            size = shape[dim]
            if k.max() >= size or k.min() < -size:
                bad = k.max() if k.max() >= size else k.min()
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size "
                                 f"{size}")
        elif isinstance(k, np.ndarray) and k.dtype == bool and k.ndim:
            for j, s in enumerate(k.shape):
                if shape[dim + j] != s:
                    raise IndexError(
                        f"The shape of the mask [{', '.join(map(str, k.shape))}] at index {j} "
                        f"does not match the shape of the indexed tensor "
                        f"[{', '.join(map(str, shape))}] at index {dim + j}")
            dim += k.ndim
            continue
        dim += 1


def _to_device_index(idx, like):
    xp = xp_of(like)
    if xp is np:
        return idx
    return tuple(xp.asarray(k) if isinstance(k, np.ndarray) else k for k in idx)


class BasicIndex(Op):
    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, idx):
        ctx.in_shape, ctx.idx = x.shape, idx
        y = x[idx]
        if isinstance(y, np.generic):  # NumPy gives a scalar copy; `...` keeps a 0-d view
            y = x[idx + (Ellipsis,)]
        return y

    @staticmethod
    def backward(ctx, g):
        return IndexPutAdd.apply(g, ctx.in_shape, ctx.idx), None


class _Select(BasicIndex):
    node_name = "SelectBackward0"


class _UnsqueezeIndex(BasicIndex):
    node_name = "UnsqueezeBackward0"


class _AliasIndex(BasicIndex):
    node_name = "AliasBackward0"


def _basic_index_op(index) -> type:
    """The node torch records for a basic index: it applies the index's entries left to
    right, so its grad_fn is that of the last one that does something (int: select,
    None: unsqueeze, slice: slice); ``x[...]`` and ``x[:, :]`` are aliases."""
    entries = index if isinstance(index, tuple) else (index,)
    if len(entries) == 1 and isinstance(entries[0], slice):
        return BasicIndex
    for k in reversed(entries):
        if k is Ellipsis or (isinstance(k, slice) and k == slice(None)):
            continue
        if k is None:
            return _UnsqueezeIndex
        return BasicIndex if isinstance(k, slice) else _Select
    return _AliasIndex


class AdvancedIndex(Op):
    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, idx):
        ctx.in_shape, ctx.idx = x.shape, idx
        return x[idx]

    @staticmethod
    def backward(ctx, g):
        return IndexPutAdd.apply(g, ctx.in_shape, ctx.idx), None


class IndexPutAdd(Op):
    """zeros(shape) with ``g`` added at ``idx`` (the gradient of indexing)."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, g, shape, idx):
        ctx.idx = idx
        xp = xp_of(g)
        z = xp.zeros(shape, g.dtype)
        if any(isinstance(k, (np.ndarray,)) or hasattr(k, "__cuda_array_interface__")
               for k in idx):
            xp.add.at(z, idx, g)
        else:
            z[idx] = g
        return z

    @staticmethod
    def backward(ctx, gg):
        return index_with(gg, ctx.idx), None, None


def index_with(x: Tensor, idx) -> Tensor:
    """``x[idx]`` for an already converted index."""
    basic = all(not isinstance(k, np.ndarray) and not hasattr(k, "__cuda_array_interface__")
                for k in idx)
    return (BasicIndex if basic else AdvancedIndex).apply(x, idx)


def getitem(self, index) -> Tensor:
    """``tensor[index]``: ints, slices (with steps), None, Ellipsis, bool masks, integer
    tensors/lists. Basic indexing returns a view."""
    if isinstance(index, int) and not isinstance(index, bool) and self._data.ndim:
        size = self._data.shape[0]
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {size}")
        return _Select.apply(self, (index,))
    if self._data.ndim == 0 and isinstance(index, (int, np.integer)) and \
            not isinstance(index, bool):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    idx, basic = _convert_index(index, self._data.shape)
    _check_bounds(idx, self._data.shape)
    idx = _to_device_index(idx, self._data)
    return (_basic_index_op(index) if basic else AdvancedIndex).apply(self, idx)


class IndexPut(Op):
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, idx, value, accumulate=False):
        ctx.idx, ctx.accumulate = idx, accumulate
        out = x.copy()
        if accumulate:
            xp_of(x).add.at(out, idx, value)
        else:
            out[idx] = value
        return out

    @staticmethod
    def backward(ctx, g):
        gx = None
        if ctx.needs_input_grad[0]:
            if ctx.accumulate:
                gx = g
            else:
                mask = xp_of(g._data).zeros(g.shape, dtype=bool)
                mask[ctx.idx] = True
                gx = MaskedFill.apply(g, _wrap(mask), 0)
        gv = index_with(g, ctx.idx) if ctx.needs_input_grad[2] else None
        return gx, None, gv, None


def _plain(self, *rest) -> bool:
    """True when an in-place op records nothing: it may then write only the touched
    elements (faster, and right for expanded views, whose elements share memory)."""
    return not STATE.enabled or not (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in rest))


def writable(a):
    """``a``, or for a read-only expanded view a writable alias of the same memory (torch
    lets fill-like ops write through expanded views; arithmetic in place is refused)."""
    flags = getattr(a, "flags", None)
    if flags is None or flags.writeable:
        return a
    v = a.view()
    try:
        v.flags.writeable = True
    except ValueError:  # memory that is read-only itself: let the write raise
        return a
    return v


def _bump(self: Tensor) -> Tensor:
    self._vc[0] += 1
    return self


def setitem(self, index, value) -> None:
    """``tensor[index] = value``; differentiable w.r.t. both (an in-place op)."""
    if isinstance(index, Tensor) and index._data.dtype == np.uint8 and (
            not isinstance(value, Tensor) or value._data.ndim == 0):
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           "unsigned char")
    idx, basic = _convert_index(index, self._data.shape)
    _check_bounds(idx, self._data.shape)
    idx = _to_device_index(idx, self._data)
    if isinstance(value, Tensor):
        if value.dtype is not self.dtype:
            if not basic and value._data.ndim:
                raise RuntimeError(f"Index put requires the source and destination dtypes "
                                   f"match, got {_cast_name(self.dtype)} for the destination "
                                   f"and {_cast_name(value.dtype)} for the source.")
            value = value.to(self.dtype)
    else:
        value = to_tensor(value, like=self, dtype=self.dtype)
    value = _check_value_shape(self, idx, value)
    if _plain(self, value):
        writable(self._data)[idx] = value._data
        _bump(self)
        return
    apply_inplace(IndexPut, self, idx, value, False)


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


# ----- helpers ------------------------------------------------------------------------------

def _long_index(index: Tensor, op: str, allow_int32: bool = True, msg: str | None = None,
                exc=RuntimeError) -> Tensor:
    """torch's index dtype rule for ``op``: int64 (and int32 where torch takes it)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    k = index._data.dtype
    if k != np.int64 and not (allow_int32 and k == np.int32):
        if msg is None:
            msg = (f"{op}(): Expected dtype int32/int64 for index" if allow_int32 else
                   f"{op}(): Expected a long tensor for index, but got "
                   f"{_cast_name(index.dtype)}")
        raise exc(msg)
    return index


class _IndexOutOfRange(IndexError, RuntimeError):
    """torch raises either type for out-of-range indices depending on the kernel taken."""


def _check_range(idx, size: int, dim: int, wrap: bool = False, exc=RuntimeError) -> None:
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        low = -size if wrap else 0
        if hi >= size or lo < low:
            bad = hi if hi >= size else lo
            raise exc(f"index {bad} is out of bounds for dimension {dim} with size "
                               f"{size}")


def _full_index(index, dim: int):
    """The tuple that addresses, for each element of ``index``, its target along ``dim``."""
    xp = xp_of(index)
    nd = index.ndim
    grids = []
    for d in range(nd):
        if d == dim:
            grids.append(index)
        else:
            shape = [1] * nd
            shape[d] = index.shape[d]
            grids.append(xp.arange(index.shape[d]).reshape(shape))
    return tuple(grids)


def _clip_to(a, shape):
    if a.shape == tuple(shape):
        return a
    return a[tuple(slice(0, s) for s in shape)]


def _scatter_checks(op: str, x: Tensor, dim: int, index: Tensor, src=None) -> int:
    nd = x._data.ndim
    dim = norm_dim(dim, max(nd, 1))
    _long_index(index, op)
    ind = index._data
    if ind.ndim != nd and not (ind.ndim <= 1 and nd <= 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as "
                           f"{'input' if op == 'gather' else 'self'} tensor")
    if isinstance(src, Tensor) and src._data.ndim != ind.ndim and \
            not (ind.ndim <= 1 and src._data.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    xs = x._data.shape if nd else (1,)
    ishape = ind.shape if ind.ndim else (1,)
    for d in range(len(ishape)):
        if d != dim and ishape[d] > xs[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{shape_str(ind.shape)} to be no larger than self "
                               f"{shape_str(x._data.shape)} apart from dimension {dim}")
        if isinstance(src, Tensor) and src._data.ndim and ishape[d] > src._data.shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{shape_str(ind.shape)} to be no larger than src "
                               f"{shape_str(src._data.shape)}")
    if ind.size:
        _check_range(ind, xs[dim], dim)
    return dim


def _as1d(a):
    return a.reshape(1) if a.ndim == 0 else a


# ----- gather / scatter -------------------------------------------------------------------

class Gather(Op):
    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.in_shape = x.shape
        ctx.dim = dim
        ctx.index = index
        if x.ndim == 0:
            return xp_of(x).broadcast_to(x, index.shape).copy()
        xs = _clip_to(x, tuple(index.shape[d] if d != dim else x.shape[d]
                               for d in range(x.ndim)))
        return xp_of(x).take_along_axis(xs, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        z = _wrap(xp_of(g._data).zeros(ctx.in_shape, g._data.dtype))
        return None if not ctx.needs_input_grad[0] else \
            ScatterAdd.apply(z, ctx.dim, _wrap(ctx.index), g), None, None


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of ``input`` along ``dim`` at ``index`` (same rank as input)."""
    dim = _scatter_checks("gather", input, dim, index)
    return Gather.apply(input, dim, index)


class ScatterAdd(Op):
    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = x.copy()
        if index.size:
            if x.ndim == 0:
                out[()] += src.reshape(-1)[:index.size].sum()
                return out
            xp = xp_of(x)
            xp.add.at(out, _full_index(index, dim), _clip_to(src, index.shape))
        return out

    @staticmethod
    def backward(ctx, g):
        gs = None
        if ctx.needs_input_grad[3]:
            gs = _pad_to(Gather.apply(g, ctx.dim, ctx.index), ctx.src_shape)
        return g, None, None, gs


def _pad_to(t: Tensor, shape) -> Tensor:
    """``t`` placed at the origin of zeros of ``shape`` (for ops reading a corner of src)."""
    if tuple(t.shape) == tuple(shape):
        return t
    if len(shape) == 0:
        return t.reshape(())
    return IndexPutAdd.apply(t, tuple(shape), tuple(slice(0, s) for s in t.shape))


def scatter_add(input, dim, index, src):
    """``input`` with ``src`` added at ``index`` along ``dim``."""
    dim = _scatter_checks("scatter_add", input, dim, index, src)
    src = src.to(input.dtype) if src.dtype is not input.dtype else src
    return ScatterAdd.apply(input, dim, index, src)


def scatter_add_(self, dim, index, src):
    dim = _scatter_checks("scatter_add_", self, dim, index, src)
    src = src.to(self.dtype) if src.dtype is not self.dtype else src
    return apply_inplace(ScatterAdd, self, dim, index, src)


class Scatter(Op):
    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce):
        ctx.dim, ctx.index = dim, index
        ctx.src_shape = getattr(src, "shape", None)
        out = x.copy()
        if not index.size:
            return out
        xp = xp_of(x)
        if x.ndim == 0:
            tgt = ()
            val = src.reshape(-1)[index.size - 1] if hasattr(src, "shape") and src.ndim else src
        else:
            tgt = _full_index(index, dim)
            val = _clip_to(src, index.shape) if hasattr(src, "shape") and src.ndim else src
        if reduce is None:
            out[tgt] = val
        elif reduce == "add":
            xp.add.at(out, tgt, xp.broadcast_to(xp.asarray(val, dtype=x.dtype), index.shape))
        else:
            xp.multiply.at(out, tgt, xp.broadcast_to(xp.asarray(val, dtype=x.dtype),
                                                     index.shape))
        ctx.reduce = reduce
        return out

    @staticmethod
    def backward(ctx, g):
        if ctx.reduce is not None:
            raise RuntimeError("the derivative for 'scatter' with reduce is not implemented")
        idx = _wrap(ctx.index)
        gx = Scatter.apply(g, ctx.dim, idx, 0.0, None) if ctx.needs_input_grad[0] else None
        gs = None
        if len(ctx.needs_input_grad) > 3 and ctx.needs_input_grad[3] and \
                ctx.src_shape is not None:
            gs = _pad_to(Gather.apply(g, ctx.dim, idx), ctx.src_shape)
        return gx, None, None, gs, None


def _scatter_args(op, self, dim, index, src, value, reduce):
    if src is None:
        src = value
    if src is None:
        raise TypeError(f"{op}() missing 1 required positional argument: 'src' or 'value'")
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
    dim = _scatter_checks(op, self, dim, index, src if isinstance(src, Tensor) else None)
    if isinstance(src, Tensor):
        if src.dtype is not self.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    return dim, src


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """``input`` with ``src`` (a tensor or a scalar) written at ``index`` along ``dim``."""
    dim, src = _scatter_args("scatter", input, dim, index, src, value, reduce)
    return Scatter.apply(input, dim, index, src, reduce)


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    dim, src = _scatter_args("scatter_", self, dim, index, src, value, reduce)
    return apply_inplace(Scatter, self, dim, index, src, reduce)


class ScatterReduce(Op):
    node_name = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        xp = xp_of(x)
        ctx.dim, ctx.index, ctx.reduce, ctx.include_self = dim, index, reduce, include_self
        ctx.src_shape = src.shape
        if x.ndim == 0:
            x1, index1, src1 = x.reshape(1), _as1d(index), _as1d(src)
        else:
            x1, index1, src1 = x, index, src
        tgt = _full_index(index1, dim) if index1.size else None
        s = _clip_to(src1, index1.shape)
        hit = xp.zeros(x1.shape, bool)
        if tgt is not None:
            hit[tgt] = True
        count = xp.zeros(x1.shape, x.dtype)
        if tgt is not None:
            xp.add.at(count, tgt, 1)
        out = x1.copy()
        if not include_self:
            fill = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
            if fill is None:
                fill = _lowest(xp, x.dtype) if reduce == "amax" else _highest(xp, x.dtype)
            out[hit] = fill
        if tgt is not None:
            if reduce in ("sum", "mean"):
                xp.add.at(out, tgt, s)
            elif reduce == "prod":
                xp.multiply.at(out, tgt, s)
            elif reduce == "amax":
                xp.maximum.at(out, tgt, s)
            else:
                xp.minimum.at(out, tgt, s)
        if reduce == "mean":
            n = count + (1 if include_self else 0)
            n = xp.where(n == 0, 1, n)
            out = out / n if x.dtype.kind in "fc" else out // n
            out = out.astype(x.dtype)
            ctx.n = n
        ctx.hit = hit
        out = out.reshape(x.shape)
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, src, out = ctx.saved_tensors
        dim, idx, red = ctx.dim, _wrap(ctx.index), ctx.reduce
        shape0 = x.shape
        if x.dim() == 0:
            g, x, out, src = g.reshape(1), x.reshape(1), out.reshape(1), src.reshape(-1)
            idx = _wrap(_as1d(ctx.index))
        hit = _wrap(ctx.hit)
        gx = gs = None
        if red == "sum":
            gx = g if ctx.include_self else g.masked_fill(hit, 0)
            gs = Gather.apply(g, dim, idx)
        elif red == "mean":
            gn = g / _wrap(ctx.n)
            gx = gn if ctx.include_self else gn.masked_fill(hit, 0)
            gs = Gather.apply(gn, dim, idx)
        elif red == "prod":
            gx, gs = _prod_grads(g, x, src, idx, dim, ctx)
        else:
            eqx = _eq(x, out)
            if not ctx.include_self:
                eqx = eqx.masked_fill(hit, 0)
            s = _clip_src(src, idx)
            eqs = _eq(s, Gather.apply(out, dim, idx))
            cnt = ScatterAdd.apply(eqx, dim, idx, eqs)
            gd = g / cnt
            gx = gd * eqx
            gs = Gather.apply(gd, dim, idx) * eqs
        gx = gx.reshape(shape0)
        gs = _pad_to(gs, ctx.src_shape) if ctx.src_shape else gs.reshape(())
        return gx, None, None, gs, None, None


def _prod_grads(g, x, src, idx, dim, ctx):
    """Gradients of a scatter product, exact where factors are zero: each factor gets the
    product of the other factors (computed as the product of the nonzero ones)."""
    s = _clip_src(src, idx)
    xzero, szero = x._data == 0, s._data == 0
    zc = xp_of(x._data).zeros(x.shape, np.int64)
    if ctx.include_self:
        zc += xzero
    xp_of(x._data).add.at(zc, _full_index(idx._data, dim), szero)
    xz = MaskedFill.apply(x, _wrap(xzero), 1)
    sz = MaskedFill.apply(s, _wrap(szero), 1)
    prod_nz = ScatterReduce.apply(xz, dim, idx._data, sz, "prod", ctx.include_self)
    gp = g * prod_nz
    zs = Gather.apply(_wrap(zc), dim, idx)._data
    gs = MaskedFill.apply(Gather.apply(gp, dim, idx) / sz,
                          _wrap((zs >= 2) | ((zs == 1) & ~szero)), 0)
    if ctx.include_self:
        gx = MaskedFill.apply(gp / xz, _wrap((zc >= 2) | ((zc == 1) & ~xzero)), 0)
    else:
        gx = MaskedFill.apply(g, _wrap(ctx.hit), 0)
    return gx, gs


def _clip_src(src: Tensor, idx: Tensor) -> Tensor:
    if tuple(src.shape) == tuple(idx.shape):
        return src
    return src[tuple(slice(0, s) for s in idx.shape)]


def _eq(a: Tensor, b: Tensor) -> Tensor:
    return _wrap((a._data == b._data).astype(a._data.dtype))


def _lowest(xp, dt):
    return -xp.inf if dt.kind == "f" else (False if dt.kind == "b" else np.iinfo(dt).min)


def _highest(xp, dt):
    return xp.inf if dt.kind == "f" else (True if dt.kind == "b" else np.iinfo(dt).max)


def _scatter_reduce_args(op, self, dim, index, src, reduce):
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    dim = _scatter_checks(op, self, dim, index, src)
    if src.dtype is not self.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    return dim, reduce


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into ``input`` at ``index`` (sum, prod, mean, amax, amin)."""
    dim, reduce = _scatter_reduce_args("scatter_reduce", input, dim, index, src, reduce)
    return ScatterReduce.apply(input, dim, index, src, reduce, include_self)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    dim, reduce = _scatter_reduce_args("scatter_reduce_", self, dim, index, src, reduce)
    return apply_inplace(ScatterReduce, self, dim, index, src, reduce, include_self)


# ----- index_select / index_add / index_copy / index_fill -----------------------------------

def _index_checks(op: str, x: Tensor, dim: int, index: Tensor) -> int:
    nd = x._data.ndim
    dim = norm_dim(dim, max(nd, 1))
    if op.startswith("index_copy"):
        _long_index(index, "index_copy_", False)
    elif op.startswith("index_fill"):
        _long_index(index, op, False, "index_fill_(): Expected dtype int64 for index.", IndexError)
    else:
        _long_index(index, op)
    if index._data.ndim > 1:
        if op.startswith("index_fill"):
            raise RuntimeError("Index has to be a vector/scalar")
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    return dim


class IndexSelect(Op):
    node_name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = x.shape, dim, index
        if x.ndim == 0:
            return x.copy()
        return xp_of(x).take(x, _as1d(index), axis=dim)

    @staticmethod
    def backward(ctx, g):
        z = _wrap(xp_of(g._data).zeros(ctx.in_shape, g._data.dtype))
        return IndexAdd.apply(z, ctx.dim, _wrap(ctx.index), g, 1), None, None


def index_select(input, dim, index, *, out=None):
    """Slices of ``input`` along ``dim`` at the positions in 1-D ``index``."""
    dim = _index_checks("index_select", input, dim, index)
    size = input._data.shape[dim] if input._data.ndim else 1
    ind = index._data
    if input._data.ndim == 0 and ind.size > 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{ind.size} value(s)")
    if ind.size and (int(ind.min()) < 0 or int(ind.max()) >= size):
        bad = int(ind.max()) if int(ind.max()) >= size else int(ind.min())
        raise _IndexOutOfRange(f"index out of range in self: index {bad} is out of bounds for "
                         f"dimension {dim} with size {size}")
    return IndexSelect.apply(input, dim, index)


class IndexAdd(Op):
    node_name = "IndexAddBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = x.copy()
        xp = xp_of(x)
        s = src * alpha if alpha != 1 else src
        if x.ndim == 0:
            out[()] += s.sum() if index.size else 0
            return out
        s = xp.moveaxis(s.reshape(s.shape if s.ndim else (1,)), dim, 0)
        xp.add.at(xp.moveaxis(out, dim, 0), _as1d(index), s)
        return out

    @staticmethod
    def backward(ctx, g):
        gs = None
        if ctx.needs_input_grad[3]:
            gs = IndexSelect.apply(g, ctx.dim, _wrap(ctx.index))
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return g, None, None, gs, None


def _index_add_args(op, self, dim, index, source):
    dim = _index_checks(op, self, dim, index)
    nd = self._data.ndim
    size = self._data.shape[dim] if nd else 1
    _check_range(index._data, size, dim)
    n = index._data.size
    sshape = source._data.shape
    ns = (sshape[dim] if dim < len(sshape) else 1) if sshape else 1
    copy = op.startswith("index_copy")
    if n != ns:
        msg = (f"{op}(): Number of indices ({n}) should be equal to source.size(dim)"
               + (f" ({ns})" if copy else f": ({ns}), for dim: {dim}"))
        raise (IndexError if copy else RuntimeError)(msg)
    rest_s = tuple(s for i, s in enumerate(sshape) if i != dim)
    rest_x = tuple(s for i, s in enumerate(self._data.shape) if i != dim)
    if nd and len(sshape) and rest_s != rest_x:
        if copy:
            raise RuntimeError(f"{op}(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {' '.join(map(str, rest_x))} "
                               f"at dimension {dim} and source slice shape: "
                               f"{' '.join(map(str, rest_s))} at dimension 0.")
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = "
                           f"{shape_str(self._data.shape)} source.shape = {shape_str(sshape)}")
    if source.dtype is not self.dtype:
        raise RuntimeError(f"{op}(): self ({_cast_name(self.dtype)}) and source "
                           f"({_cast_name(source.dtype)}) must have the same scalar type")
    return dim


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source`` slices added at ``index`` along ``dim``."""
    dim = _index_add_args("index_add", input, dim, index, source)
    return IndexAdd.apply(input, dim, index, source, alpha)


def index_add_(self, dim, index, source, *, alpha=1):
    dim = _index_add_args("index_add_", self, dim, index, source)
    return apply_inplace(IndexAdd, self, dim, index, source, alpha)


def _index_reduce_args(op, self, dim, index, source, reduce):
    """Check index_reduce's arguments; the dim and the index spread to ``source``'s shape,
    which turns the call into the equivalent ``scatter_reduce``."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    dim = _index_add_args(op, self, dim, index, source)
    if not source._data.ndim:
        return dim, index.reshape(())
    shape = [1] * source._data.ndim
    shape[dim] = -1
    return dim, index.reshape(shape).expand(source.shape)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """``input`` with the ``source`` slices reduced (prod, mean, amax, amin) into the
    slices ``index`` names along ``dim``."""
    # torch names the in-place op in the messages of both
    dim, full = _index_reduce_args("index_reduce_", input, dim, index, source, reduce)
    return scatter_reduce(input, dim, full, source, reduce, include_self=include_self)


def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    dim, full = _index_reduce_args("index_reduce_", self, dim, index, source, reduce)
    return scatter_reduce_(self, dim, full, source, reduce, include_self=include_self)


class IndexCopy(Op):
    node_name = "IndexCopyBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        if x.ndim == 0:
            if index.size:
                out[()] = src.reshape(-1)[-1]
            return out
        xp = xp_of(x)
        xp.moveaxis(out, dim, 0)[_as1d(index)] = xp.moveaxis(src, dim, 0)
        return out

    @staticmethod
    def backward(ctx, g):
        idx = _wrap(ctx.index)
        gx = IndexFill.apply(g, ctx.dim, idx, 0) if ctx.needs_input_grad[0] else None
        gs = IndexSelect.apply(g, ctx.dim, idx) if ctx.needs_input_grad[3] else None
        return gx, None, None, gs


def index_copy(input, dim, index, source):
    """``input`` with slices along ``dim`` at ``index`` replaced by ``source``."""
    dim = _index_add_args("index_copy", input, dim, index, source)
    return IndexCopy.apply(input, dim, index, source)


def index_copy_(self, dim, index, source):
    dim = _index_add_args("index_copy_", self, dim, index, source)
    return apply_inplace(IndexCopy, self, dim, index, source)


class IndexFill(Op):
    node_name = "IndexFillBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, value):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        if x.ndim == 0:
            if index.size:
                out[()] = value
            return out
        xp_of(x).moveaxis(out, dim, 0)[_as1d(index)] = value
        return out

    @staticmethod
    def backward(ctx, g):
        idx = _wrap(ctx.index)
        gx = IndexFill.apply(g, ctx.dim, idx, 0) if ctx.needs_input_grad[0] else None
        gv = None
        if len(ctx.needs_input_grad) > 3 and ctx.needs_input_grad[3]:
            gv = IndexSelect.apply(g, ctx.dim, idx).sum()
        return gx, None, None, gv


def _index_fill_args(op, self, dim, index, value):
    dim = _index_checks(op, self, dim, index)
    size = self._data.shape[dim] if self._data.ndim else 1
    _check_range(index._data, size, dim, wrap=True, exc=IndexError)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"{op}(): only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        if value.dtype is not self.dtype:
            value = value.to(self.dtype)
    return dim, value


def index_fill(input, dim, index, value):
    """``input`` with slices along ``dim`` at ``index`` set to ``value``."""
    dim, value = _index_fill_args("index_fill", input, dim, index, value)
    return IndexFill.apply(input, dim, index, value)


def index_fill_(self, dim, index, value):
    dim, value = _index_fill_args("index_fill_", self, dim, index, value)
    if _plain(self, value) and self._data.ndim:
        v = value._data if isinstance(value, Tensor) else value
        xp_of(self._data).moveaxis(writable(self._data), dim, 0)[_as1d(index._data)] = v
        return _bump(self)
    return apply_inplace(IndexFill, self, dim, index, value)


# ----- masked ops -----------------------------------------------------------------------------

class MaskedFill(Op):
    node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        xp = xp_of(x)
        v = value.astype(x.dtype) if hasattr(value, "astype") else value
        return xp.where(mask, xp.asarray(v, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, g):
        mask = _wrap(ctx.mask)
        gx = MaskedFill.apply(g, mask, 0) if ctx.needs_input_grad[0] else None
        gv = None
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            gv = MaskedFill.apply(g, _wrap(~ctx.mask), 0).sum()
        return gx, None, gv


def _masked_fill_args(op, self, mask, value):
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        dt = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {dt}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"{op} only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        if value.dtype is not self.dtype:
            value = value.to(self.dtype)
    return value


def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True (mask broadcasts)."""
    value = _masked_fill_args("masked_fill_", input, mask, value)
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    if tuple(shape) != input._data.shape:
        input = input.expand(shape)
    return MaskedFill.apply(input, mask, value)


def masked_fill_(self, mask, value):
    value = _masked_fill_args("masked_fill_", self, mask, value)
    shape = broadcast_shapes(self._data.shape, mask._data.shape)
    if tuple(shape) != self._data.shape:
        raise RuntimeError(f"output with shape {shape_str(self._data.shape)} doesn't match the "
                           f"broadcast shape {shape_str(shape)}")
    if _plain(self, value):
        v = value._data if isinstance(value, Tensor) else value
        xp_of(self._data).copyto(writable(self._data),
                                 xp_of(self._data).asarray(v, self._data.dtype), where=mask._data)
        return _bump(self)
    return apply_inplace(MaskedFill, self, mask, value)


def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal in place: all sizes equal beyond 2-D; for a tall matrix
    ``wrap=True`` restarts the diagonal every ``columns + 1`` rows, as in torch."""
    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError(f"all dimensions of input must be of equal length, got "
                           f"{shape_str(shape)}")
    xp = xp_of(self._data)
    mask = xp.zeros(shape, dtype=bool)
    if len(shape) == 2:
        rows, cols = shape
        end = rows * cols if wrap else min(rows, cols) * cols
        mask.reshape(-1)[:end:cols + 1] = True
    else:
        mask[(xp.arange(shape[0]),) * len(shape)] = True
    return masked_fill_(self, _wrap(mask), fill_value)


def _bool_mask(op, mask):
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        dt = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"{op}: expected BoolTensor for mask, got {dt}")


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor."""
    _bool_mask("masked_select", mask)
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    x = input.expand(shape) if tuple(shape) != input._data.shape else input
    m = xp_of(mask._data).broadcast_to(mask._data, shape)
    if not shape:
        return _MaskedSelect.apply(x.reshape(1), (m.reshape(1),))
    return _MaskedSelect.apply(x, (m,))


class _MaskedSelect(AdvancedIndex):
    node_name = "MaskedSelectBackward0"


class _Take(AdvancedIndex):
    node_name = "TakeBackward0"


class MaskedScatter(Op):
    node_name = "MaskedScatterBackward0"

    @staticmethod
    def forward(ctx, x, mask, src):
        ctx.mask, ctx.src_shape = mask, src.shape
        out = x.copy()
        n = int(mask.sum())
        out[mask] = src.reshape(-1)[:n]
        return out

    @staticmethod
    def backward(ctx, g):
        mask = _wrap(ctx.mask)
        gx = MaskedFill.apply(g, mask, 0) if ctx.needs_input_grad[0] else None
        gs = None
        if ctx.needs_input_grad[2]:
            sel = index_with(g, (ctx.mask,))
            size = 1
            for s in ctx.src_shape:
                size *= s
            gs = _pad_to(sel, (size,)).reshape(ctx.src_shape)
        return gx, None, gs


def _masked_scatter_args(op, self, mask, source):
    _bool_mask(op, mask)
    if source.dtype is not self.dtype:
        raise RuntimeError(f"{op}: expected self and source to have same dtypes but got "
                           f"{self.dtype} and {source.dtype}")
    m = xp_of(mask._data).broadcast_to(mask._data, self._data.shape)
    if int(m.sum()) > source._data.size:
        raise RuntimeError("masked_scatter: expected source to have at least as many elements "
                           "as ones in mask")
    return _wrap(m)


def masked_scatter(input, mask, source):
    """``input`` with consecutive ``source`` elements written where ``mask`` is True."""
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    if tuple(shape) != input._data.shape:
        input = input.expand(shape)
    m = _masked_scatter_args("masked_scatter_", input, mask, source)
    return MaskedScatter.apply(input, m, source)


def masked_scatter_(self, mask, source):
    m = _masked_scatter_args("masked_scatter_", self, mask, source)
    return apply_inplace(MaskedScatter, self, m, source)


# ----- take / put / nonzero --------------------------------------------------------------------

def take(input, index):
    """Elements of ``input`` (seen as 1-D) at ``index``; negative indices wrap."""
    _long_index(index, "take", False)
    n = input._data.size
    ind = index._data
    if ind.size and (int(ind.max()) >= n or int(ind.min()) < -n):
        bad = int(ind.max()) if int(ind.max()) >= n else int(ind.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    return _Take.apply(input.reshape(-1), (ind,))


def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with broadcasting of ``input`` and ``indices``; no dim: flattened."""
    _long_index(indices, "take_along_dim", False,
                "torch.take_along_dim(): dtype of indices should be Long but got "
                f"{_cast_name(indices.dtype)}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    nd = input._data.ndim
    if indices._data.ndim != nd:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {nd} dimensions for input, and "
                           f"{indices._data.ndim} dimensions for indices")
    d = norm_dim(dim, max(nd, 1))
    ishape, xshape = list(indices._data.shape), list(input._data.shape)
    if nd:
        ishape[d] = xshape[d] = 1
    b = broadcast_shapes(tuple(xshape), tuple(ishape))
    xs, is_ = list(b), list(b)
    if nd:
        xs[d], is_[d] = input._data.shape[d], indices._data.shape[d]
    x = input.expand(xs) if tuple(xs) != input._data.shape else input
    ind = indices.expand(is_) if tuple(is_) != indices._data.shape else indices
    return gather(x, d, ind)


def put_(self, index, source, accumulate=False):
    """Write ``source`` into ``self`` (seen as 1-D) at ``index``."""
    _long_index(index, "put_", False)
    n = self._data.size
    ind = index._data
    if ind.size and (int(ind.max()) >= n or int(ind.min()) < -n):
        bad = int(ind.max()) if int(ind.max()) >= n else int(ind.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    if source._data.size != ind.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, "
                         f"index.numel() = {ind.size}")
    flat = xp_of(ind).where(ind < 0, ind + n, ind).reshape(-1)
    target = self if self._data.ndim else self.view(1)
    unr = xp_of(ind).unravel_index(flat, target._data.shape)
    index_put_(target, tuple(_wrap(i) for i in unr), source.reshape(-1), accumulate)
    return self


def put(input, index, source, accumulate=False):
    return put_(input.clone(), index, source, accumulate)


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or a tuple of 1-D ones."""
    a = input._data
    xp = xp_of(a)
    if as_tuple:
        if a.ndim == 0:
            return (_wrap(xp.nonzero(a.reshape(1))[0].astype(np.int64)),)
        return tuple(_wrap(i.astype(np.int64)) for i in xp.nonzero(a))
    if a.ndim == 0:
        return _wrap(xp.zeros((1 if bool(a) else 0, 0), np.int64))
    return _wrap(xp.stack(xp.nonzero(a), axis=1).astype(np.int64).reshape(-1, a.ndim))


def argwhere(input):
    """``nonzero(input)``: the (n, ndim) indices of the nonzero elements."""
    return nonzero(input)


# ----- index_put / fill ------------------------------------------------------------------------

def _index_put_args(self, indices, values):
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): argument 'indices' must be tuple of Tensors")
    idx, _ = _convert_index(tuple(indices), self._data.shape)
    _check_bounds(idx, self._data.shape)
    idx = _to_device_index(idx, self._data)
    if not isinstance(values, Tensor):
        values = to_tensor(values, like=self, dtype=self.dtype)
    if values.dtype is not self.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{self.dtype} for the destination and {values.dtype} for the "
                           "source.")
    values = _check_value_shape(self, idx, values)
    return idx, values


def _check_value_shape(self, idx, values):
    if values._data.ndim == 0:  # a scalar broadcasts to any indexing result
        return values
    probe = np.empty(self._data.shape, dtype=np.bool_)[_np_index(idx)]
    vs = values._data.shape
    if len(vs) > probe.ndim and all(s == 1 for s in vs[:len(vs) - probe.ndim]):
        return values.reshape(vs[len(vs) - probe.ndim:])
    try:
        np.broadcast_to(np.empty(values._data.shape, np.bool_), probe.shape)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape "
                           f"{shape_str(values._data.shape)} cannot be broadcast to indexing "
                           f"result of shape {shape_str(probe.shape)}") from None
    return values


def _np_index(idx):
    return tuple(k.get() if hasattr(k, "get") and not isinstance(k, np.ndarray) else k
                 for k in idx)


def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` written (or added) at the advanced index ``indices``."""
    idx, values = _index_put_args(input, indices, values)
    return IndexPut.apply(input, idx, values, accumulate)


def index_put_(self, indices, values, accumulate=False):
    idx, values = _index_put_args(self, indices, values)
    if _plain(self, values):
        if accumulate:
            xp_of(self._data).add.at(self._data, idx, values._data)
        else:
            writable(self._data)[idx] = values._data
        return _bump(self)
    return apply_inplace(IndexPut, self, idx, values, accumulate)


class Fill(Op):
    node_name = "FillBackward0"

    @staticmethod
    def forward(ctx, x, value):
        return xp_of(x).full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        gv = g.sum() if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1] else None
        return g * 0, gv


def fill_(self, value):
    """Set every element to ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        if value.dtype is not self.dtype:
            value = value.to(self.dtype)
    if _plain(self, value):
        writable(self._data)[...] = value._data if isinstance(value, Tensor) else value
        return _bump(self)
    return apply_inplace(Fill, self, value)


def fill(input, value):
    """A tensor like ``input`` filled with ``value`` (out-of-place ``fill_``)."""
    from .conversion import clone
    return fill_(clone(input), value)


def zero_(self):
    """Set every element to zero."""
    if _plain(self):
        writable(self._data)[...] = 0
        return _bump(self)
    return apply_inplace(Fill, self, 0)


def _contains(self, element) -> bool:
    if isinstance(element, Tensor) or is_scalar(element):
        v = element._data if isinstance(element, Tensor) else element
        return bool((self._data == v).any())
    raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you passed in "
                       f"a {type(element)}.")


Tensor.__contains__ = _contains

gather, index_select, masked_select, take_along_dim, nonzero = (
    with_out(f) for f in (gather, index_select, masked_select, take_along_dim, nonzero))

_METHODS = ["gather", "scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce",
            "scatter_reduce_", "index_select", "index_add", "index_add_", "index_copy",
            "index_copy_", "index_fill", "index_fill_", "index_put", "index_put_",
            "masked_fill", "masked_fill_", "masked_select", "masked_scatter",
            "masked_scatter_", "take", "take_along_dim", "put_", "put", "nonzero", "argwhere",
            "fill_", "zero_"]
register_methods(globals(), _METHODS)

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
           "index_copy", "index_fill", "index_put", "masked_fill", "masked_select",
           "masked_scatter", "take", "take_along_dim", "put", "nonzero", "argwhere",
           "index_put_", "fill_", "zero_", "fill"]


# ----- *_scatter: a copy of input with a view of it replaced (composed, differentiable) ------

def _check_embed(src: Tensor, view: Tensor) -> None:
    if tuple(src._data.shape) != tuple(view._data.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{shape_str(src._data.shape)}, slice size = "
                           f"{shape_str(view._data.shape)}")


def _embed(input: Tensor, src: Tensor, where) -> Tensor:
    if src.dtype is not input.dtype:
        src = src.to(input.dtype)
    out = input.clone()
    view = where(out)
    _check_embed(src, view)
    setitem(view, Ellipsis, src)
    return out


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    from .shape import select
    return _embed(input, src, lambda t: select(t, dim, index))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with the slice ``start:end:step`` of ``dim`` replaced by ``src``."""
    nd = input._data.ndim
    d = norm_dim(dim, max(nd, 1))
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    idx = (slice(None),) * d + (slice(start, end, step),)
    return _embed(input, src, lambda t: getitem(t, idx))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with its diagonal (as ``diagonal(offset, dim1, dim2)``) replaced."""
    from .shape import movedim
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"diagonal dimensions requires ndim larger than 1, got {nd}")
    d1, d2 = norm_dim(dim1, nd), norm_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    r, c = input._data.shape[d1], input._data.shape[d2]
    n = max(0, min(r + min(offset, 0), c - max(offset, 0)))
    xp = xp_of(input._data)
    rows = _wrap(xp.arange(n, dtype=np.int64) + max(-offset, 0))
    cols = _wrap(xp.arange(n, dtype=np.int64) + max(offset, 0))

    def where(t):
        return getitem(movedim(t, (d1, d2), (-2, -1)), (Ellipsis, rows, cols))

    if src.dtype is not input.dtype:
        src = src.to(input.dtype)
    out = input.clone()
    _check_embed(src, where(out))
    setitem(movedim(out, (d1, d2), (-2, -1)), (Ellipsis, rows, cols), src)
    return out


register_methods(globals(), ["select_scatter", "slice_scatter", "diagonal_scatter",
                             "fill_diagonal_", "index_reduce", "index_reduce_"])
__all__ += ["select_scatter", "slice_scatter", "diagonal_scatter", "index_reduce"]
