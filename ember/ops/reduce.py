"""Reductions: sum, mean, prod, var/std, max/min, logsumexp, norms, cumulative ops,
sorting and selection, counting."""

from __future__ import annotations

from .. import dtypes as _dt
from .._tensor import Tensor
from ._common import Op, norm_dims, register_methods, shape_str


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
    ok = len(size) <= len(shape) and all(
        s == t or s == 1 for s, t in zip(size, shape[len(shape) - len(size):]))
    if not ok:
        raise RuntimeError(f"size {shape_str(size)} is not expandable to size "
                           f"{shape_str(shape)}.")
    if size == shape:
        return self
    return SumToSize.apply(self, size)


register_methods(globals(), ["sum", "mean", "sum_to_size"])

__all__ = ["sum", "mean"]
