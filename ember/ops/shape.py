"""Movement ops: view/reshape, expand, permute/transpose, squeeze/unsqueeze, cat/stack,
split, flip, roll... Ops marked ``is_view`` return tensors sharing memory with their input
(like torch's views): they share its version counter and remember their base."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._common import Op, norm_dim, register_methods, shape_str, xp_of


def _infer_shape(shape, numel: int, op: str = "view") -> tuple:
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if neg:
        rest = 1
        for i, s in enumerate(shape):
            if i != neg[0]:
                rest *= s
        if rest == 0 or numel % rest:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // rest
    n = 1
    for s in shape:
        n *= s
    if n != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _shape_args(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


class View(Op):
    node_name = "ViewBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        y = x.view()
        try:
            y.shape = shape  # raises instead of copying when strides don't allow a view
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) "
                "instead.") from None
        return y

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class Reshape(Op):
    node_name = "ReshapeAlias0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


def view(self, *shape) -> Tensor:
    """This tensor's memory seen with another shape (no copy; -1 is inferred)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int, np.integer)):
        return self.to(shape[0])  # view(dtype) is a reinterpretation in torch; see docs
    shape = _infer_shape(_shape_args(shape), self._data.size)
    return View.apply(self, shape)


def reshape(input, *shape) -> Tensor:
    """A tensor with the same data and ``shape``: a view when possible, else a copy."""
    shape = _infer_shape(_shape_args(shape), input._data.size)
    if shape == input._data.shape:
        return View.apply(input, shape)
    try:
        probe = input._data.view()
        probe.shape = shape
    except AttributeError:
        return Reshape.apply(input, shape)
    return View.apply(input, shape)


class Expand(Op):
    node_name = "ExpandBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return xp_of(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to_size(ctx.in_shape), None


def expand(self, *sizes) -> Tensor:
    """A broadcast view with singleton dims repeated (-1 keeps a size); no copy."""
    sizes = _shape_args(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({self.type()}{{{shape_str(shape)}}}, size={shape_str(sizes)}): the number "
            "of sizes provided (%d) must be greater or equal to the number of dimensions in the "
            "tensor (%d)" % (len(sizes), len(shape)))
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension 0")
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        elif cur != 1 and s != cur:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {shape_str(sizes)}.  Tensor sizes: "
                f"{shape_str(shape)}")
        out.append(s)
    out = tuple(out)
    if out == shape:
        return View.apply(self, shape)
    return Expand.apply(self, out)


class Permute(Op):
    node_name = "PermuteBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return g.permute(inv), None


def permute(input, *dims) -> Tensor:
    """A view with dimensions reordered."""
    dims = _shape_args(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}")
    dims = tuple(norm_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


class Transpose(Op):
    node_name = "TransposeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.d = (d0, d1)
        return xp_of(x).swapaxes(x, d0, d1)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(*ctx.d), None, None


def transpose(input, dim0: int, dim1: int) -> Tensor:
    """A view with ``dim0`` and ``dim1`` swapped."""
    nd = input._data.ndim
    d0, d1 = norm_dim(dim0, nd), norm_dim(dim1, nd)
    if nd == 0:
        return View.apply(input, ())
    return Transpose.apply(input, d0, d1)


def t(input) -> Tensor:
    """Transpose of a <= 2-D tensor."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    if input._data.ndim < 2:
        return View.apply(input, input._data.shape)
    return transpose(input, 0, 1)


def unsqueeze(input, dim: int) -> Tensor:
    """A view with a size-1 dimension inserted at ``dim``."""
    nd = input._data.ndim + 1
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                         f"but got {dim})")
    d = dim + nd if dim < 0 else dim
    shape = list(input._data.shape)
    shape.insert(d, 1)
    return View.apply(input, tuple(shape))


def squeeze(input, dim=None) -> Tensor:
    """A view with size-1 dimensions (all, or those in ``dim``) removed."""
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = {norm_dim(d, len(shape)) for d in dims}
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return View.apply(input, new)


def _T(self) -> Tensor:
    nd = self._data.ndim
    return permute(self, tuple(range(nd - 1, -1, -1))) if nd > 1 else self


def _mT(self) -> Tensor:
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self._data.ndim}-D tensor.")
    return transpose(self, -2, -1)


Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(lambda self: _T(self).conj() if hasattr(self, "conj") else _T(self))
Tensor.mH = property(lambda self: _mT(self).conj() if hasattr(self, "conj") else _mT(self))

register_methods(globals(), ["view", "reshape", "expand", "permute", "transpose", "t",
                             "unsqueeze", "squeeze"])

__all__ = ["reshape", "permute", "transpose", "t", "unsqueeze", "squeeze"]
