"""Indexing: __getitem__/__setitem__, gather/scatter, index_* ops, masked ops, take,
nonzero, where-style selection."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._common import Op, apply_inplace, register_methods, to_tensor, xp_of


def _convert_index(idx, shape):
    """A Python/Tensor index as a NumPy index; torch's errors for bad indices."""
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
            if a.ndim == 0 and a.dtype.kind in "iu":
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
        return x[idx]

    @staticmethod
    def backward(ctx, g):
        return IndexPutAdd.apply(g, ctx.in_shape, ctx.idx), None


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
        return BasicIndex.apply(self, (index,))
    if self._data.ndim == 0 and isinstance(index, (int, np.integer)) and \
            not isinstance(index, bool):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    idx, basic = _convert_index(index, self._data.shape)
    _check_bounds(idx, self._data.shape)
    idx = _to_device_index(idx, self._data)
    return (BasicIndex if basic else AdvancedIndex).apply(self, idx)


class IndexPut(Op):
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, idx, value):
        ctx.idx = idx
        ctx.value_shape = value.shape if hasattr(value, "shape") else ()
        out = x.copy()
        out[idx] = value
        return out

    @staticmethod
    def backward(ctx, g):
        from .._tensor import _wrap
        mask = xp_of(g._data).zeros(g.shape, dtype=bool)
        mask[ctx.idx] = True
        gx = g.masked_fill(_wrap(mask), 0) if ctx.needs_input_grad[0] else None
        gv = index_with(g, ctx.idx) if ctx.needs_input_grad[2] else None
        return gx, None, gv


def setitem(self, index, value) -> None:
    """``tensor[index] = value``; differentiable w.r.t. both (an in-place op)."""
    idx, _ = _convert_index(index, self._data.shape)
    _check_bounds(idx, self._data.shape)
    idx = _to_device_index(idx, self._data)
    if isinstance(value, Tensor):
        if value.dtype is not self.dtype:
            value = value.to(self.dtype)
    else:
        value = to_tensor(value, like=self, dtype=self.dtype)
    apply_inplace(IndexPut, self, idx, value)


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem

register_methods(globals(), [])

__all__: list = []
