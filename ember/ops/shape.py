"""Movement ops: view/reshape, expand, permute/transpose, squeeze/unsqueeze, cat/stack,
split, flip, roll... Ops marked ``is_view`` return tensors sharing memory with their input
(like torch's views): they share its version counter and remember their base."""

from __future__ import annotations

import numpy as np

from .._tensor import Size, Tensor, _wrap
from ..autograd.function import _cast_name
from ._common import (
    Op,
    cast_operands,
    check_same_device,
    norm_dim,
    register_methods,
    result_type,
    shape_str,
    xp_of,
)
from ._common import broadcast_shapes as _bshapes


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
    node_name = "UnsafeViewBackward0"

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
        return _view_dtype(self, shape[0])
    shape = _infer_shape(_shape_args(shape), self._data.size)
    return View.apply(self, shape)


class ViewDtype(Op):
    node_name = "ViewBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, npdt):
        return x.view(npdt)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("view(dtype) is not differentiable")


def _view_dtype(self, dtype) -> Tensor:
    """The same memory reinterpreted as ``dtype`` (the last dim rescales with the size)."""
    from .. import dtypes as _dt
    dt = _dt.to_dtype(dtype)
    src = self._data
    old, new = src.dtype.itemsize, np.dtype(dt.np).itemsize
    if old != new:
        if src.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {self.dtype} as {dt} (different "
                               "element sizes)")
        if src.strides[-1] != old:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {self.dtype} as {dt} "
                               "(different element sizes), but got "
                               f"{src.strides[-1] // old}")
        if new > old and (src.shape[-1] * old) % new:
            raise RuntimeError(f"self.size(-1) must be divisible by {new // old} to view "
                               f"{self.dtype} as {dt} (different element sizes), but got "
                               f"{src.shape[-1]}")
    if self._requires_grad and not (dt.is_floating_point and self.dtype.is_floating_point
                                    and old == new):
        from ..autograd.grad_mode import no_grad
        with no_grad():
            return ViewDtype.apply(self, dt.np)
    return ViewDtype.apply(self, dt.np)


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
        # read-only: arithmetic in place on an expanded view is refused (as torch does);
        # fill-like ops write through it with index.writable()
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
    return _T2.apply(input, 0, 1)


class _T2(Transpose):
    node_name = "TBackward0"


def unsqueeze(input, dim: int) -> Tensor:
    """A view with a size-1 dimension inserted at ``dim``."""
    nd = input._data.ndim + 1
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                         f"but got {dim})")
    d = dim + nd if dim < 0 else dim
    shape = list(input._data.shape)
    shape.insert(d, 1)
    return _Unsqueeze.apply(input, tuple(shape))


def squeeze(input, dim=None) -> Tensor:
    """A view with size-1 dimensions (all, or those in ``dim``) removed."""
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
        op = _Squeeze0
    else:
        single = isinstance(dim, (int, np.integer))
        dims = (dim,) if single else tuple(dim)
        dims = {norm_dim(d, max(len(shape), 1)) for d in dims}
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
        op = _Squeeze1 if single else _Squeeze2
    return op.apply(input, new)


class _Unsqueeze(View):
    node_name = "UnsqueezeBackward0"


class _Squeeze0(View):
    node_name = "SqueezeBackward0"


class _Squeeze1(View):
    node_name = "SqueezeBackward1"


class _Squeeze2(View):
    node_name = "SqueezeBackward2"


# ----- concatenation ----------------------------------------------------------------------------

class Cat(Op):
    node_name = "CatBackward0"

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] if x.ndim > 1 or x.shape != (0,) else None for x in xs]
        keep = [x for x in xs if not (x.ndim == 1 and x.shape[0] == 0)] or list(xs)
        return xp_of(keep[0]).concatenate(keep, axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [None], 0
        for i, n in enumerate(ctx.sizes):
            if n is None:
                out.append(_empty_like_grad(g) if ctx.needs_input_grad[i + 1] else None)
                continue
            out.append(narrow(g, ctx.dim, start, n) if ctx.needs_input_grad[i + 1] else None)
            start += n
        return tuple(out)


def _empty_like_grad(g):
    return _wrap(xp_of(g._data).zeros((0,), g._data.dtype))


def _tensor_list(tensors, op: str, nonempty: bool = False):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    tensors = list(tensors)
    if nonempty and not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dimension (types promote)."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    check_same_device("cat", *tensors)
    real = [(i, t) for i, t in enumerate(tensors)
            if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    dt = result_type(*tensors) if len(tensors) > 1 else tensors[0].dtype
    tensors = cast_operands(dt, *tensors)
    if not real:
        return Cat.apply(0, *tensors)
    ref = real[0][1]._data.shape
    nd = len(ref)
    d = norm_dim(dim, nd)
    for i, t in real[1:]:
        s = t._data.shape
        if len(s) != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and "
                               f"{len(s)}")
        for k in range(nd):
            if k != d and s[k] != ref[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref[k]} but got size {s[k]} for tensor "
                                   f"number {i} in the list.")
    return Cat.apply(d, *tensors)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join equally shaped tensors along a new dimension."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{shape_str(s0)} at entry 0 and {shape_str(t._data.shape)} at "
                               f"entry {i}")
    nd = len(s0) + 1
    d = norm_dim(dim, nd)
    check_same_device("stack", *tensors)
    dt = result_type(*tensors) if len(tensors) > 1 else tensors[0].dtype
    return Stack.apply(d, *cast_operands(dt, *tensors))


class Stack(Op):
    node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return xp_of(xs[0]).stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (None,) + tuple(select(g, ctx.dim, i) if need else None
                               for i, need in enumerate(ctx.needs_input_grad[1:]))


def _atleast(t, n):
    s = t._data.shape
    if len(s) >= n:
        return t
    if n == 1:
        return reshape(t, (1,))
    if n == 2:
        return reshape(t, (1,) * (2 - len(s)) + s)
    return reshape(t, {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[len(s)])


def hstack(tensors, *, out=None):
    """Concatenate column-wise (dim 1; dim 0 for 1-D tensors)."""
    ts = [_atleast(t, 1) for t in _tensor_list(tensors, "hstack", True)]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors, *, out=None):
    """Concatenate row-wise (1-D tensors become rows)."""
    return cat([_atleast(t, 2) for t in _tensor_list(tensors, "vstack", True)], 0)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate depth-wise (dim 2)."""
    return cat([_atleast(t, 3) for t in _tensor_list(tensors, "dstack", True)], 2)


def column_stack(tensors, *, out=None):
    """Stack 1-D tensors (as columns) and 2-D tensors horizontally."""
    ts = []
    for t in _tensor_list(tensors, "column_stack", True):
        nd = t._data.ndim
        ts.append(reshape(t, (t._data.size, 1)) if nd <= 1 else t)
    return hstack(ts)


# ----- splitting and slicing (views) ------------------------------------------------------------

def narrow(input, dim, start, length) -> Tensor:
    """A view of ``length`` elements of ``dim`` from ``start``."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, nd)
    if isinstance(start, Tensor):
        start = int(start)
    size = input._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return _slice(input, d, start, start + length)


def _slice(x, d, start, stop, step=1, op=None):
    from .index import BasicIndex
    idx = (slice(None),) * d + (slice(start, stop, step),)
    return (op or BasicIndex).apply(x, idx)


def _named_index(name):
    from .index import BasicIndex
    return type(name.replace("Backward0", ""), (BasicIndex,), {"node_name": name})


_NAMED = {}


def _index_op(name):
    op = _NAMED.get(name)
    if op is None:
        op = _NAMED[name] = _named_index(name)
    return op


def select(input, dim, index) -> Tensor:
    """A view of ``input`` at ``index`` of ``dim`` (that dim removed)."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, nd)
    size = input._data.shape[d]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{shape_str(input._data.shape)} at dimension {d}")
    return _index_op("SelectBackward0").apply(input, (slice(None),) * d + (index,))


def split(tensor, split_size_or_sections, dim=0) -> tuple:
    """Views of equal chunks of ``split_size`` (last may be smaller), or of given sizes."""
    nd = tensor._data.ndim
    if nd == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = norm_dim(dim, nd)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        n = int(split_size_or_sections)
        if n < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={n}")
        if n == 0:
            if size:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {size}")
            return (_slice(tensor, d, 0, 0),)
        sizes = [n] * (size // n) + ([size % n] if size % n else [])
        if not sizes:
            sizes = [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={list(sizes)}")
    out, start = [], 0
    op = _index_op("SplitBackward0" if isinstance(split_size_or_sections, (int, np.integer))
                   else "SplitWithSizesBackward0")
    for s in sizes:
        out.append(_slice(tensor, d, start, start + s, op=op))
        start += s
    return tuple(out)


def split_with_sizes(self, split_sizes, dim=0):
    return split(self, list(split_sizes), dim)


def chunk(input, chunks, dim=0) -> tuple:
    """Split into ``chunks`` views of ceil(size / chunks) (fewer if it divides so)."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = norm_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    n = max(-(-size // chunks), 1) if size else 0
    if n == 0:
        return tuple(_slice(input, d, 0, 0) for _ in range(chunks))
    return split(input, n, d)


def tensor_split(input, indices_or_sections, dim=0) -> tuple:
    """Views split into ``sections`` nearly equal parts, or at the given indices."""
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = norm_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios.dtype.is_floating_point or ios._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have "
                               "integer dtype and be 0- or 1-dimensional")
        ios = int(ios) if ios._data.ndim == 0 else [int(v) for v in ios._data.tolist()]
    if isinstance(ios, (int, np.integer)):
        n = int(ios)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        bounds, start = [], 0
        for i in range(n):
            stop = start + q + (1 if i < r else 0)
            bounds.append((start, stop))
            start = stop
    else:
        idx = [int(i) for i in ios]
        bounds, start = [], 0
        for i in idx + [size]:
            i = min(max(i + size if i < 0 else i, 0), size)
            bounds.append((start, max(i, start)))
            start = max(i, start)
    return tuple(_slice(input, d, a, b) for a, b in bounds)


def _split_dir(op, input, ios, dim, need):
    nd = input._data.ndim
    if nd < need:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {need} dimension, but "
                           f"got a tensor with {nd} dimensions!")
    if isinstance(ios, (int, np.integer)) and input._data.shape[dim] % ios:
        raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                           f"size of the dimension {input._data.shape[dim]} is not divisible "
                           f"by the split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input, indices_or_sections):
    """``tensor_split`` along dim 1 (dim 0 for 1-D tensors)."""
    d = 1 if input._data.ndim > 1 else 0
    return _split_dir("hsplit", input, indices_or_sections, d, 1)


def vsplit(input, indices_or_sections):
    """``tensor_split`` along dim 0 of a >= 2-D tensor."""
    return _split_dir("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """``tensor_split`` along dim 2 of a >= 3-D tensor."""
    return _split_dir("dsplit", input, indices_or_sections, 2, 3)


def unbind(input, dim=0) -> tuple:
    """The slices along ``dim`` as a tuple of views."""
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = norm_dim(dim, input._data.ndim)
    op = _index_op("UnbindBackward0")
    return tuple(op.apply(input, (slice(None),) * d + (i,)) for i in range(input._data.shape[d]))


# ----- flip / roll / rot90 --------------------------------------------------------------------

class Flip(Op):
    node_name = "FlipBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return xp_of(x).flip(x, dims).copy() if dims else x.copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dims), None


def flip(input, *dims) -> Tensor:
    """A copy with the order of elements reversed along ``dims``."""
    dims = _shape_args(dims)
    nd = input._data.ndim
    dd = tuple(norm_dim(d, max(nd, 1)) for d in dims)
    if len(set(dd)) != len(dd):
        raise RuntimeError(f"dims has duplicates, original flip dims size={len(dd)}, but "
                           f"unique flip dims size={len(set(dd))}")
    if nd == 0:
        dd = ()
    return Flip.apply(input, dd)


def fliplr(input) -> Tensor:
    """Flip left-right (dim 1) of a >= 2-D tensor."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input) -> Tensor:
    """Flip up-down (dim 0) of a >= 1-D tensor."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Op):
    node_name = "RollBackward0"

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:
            return xp_of(x).roll(x, shifts[0])
        return xp_of(x).roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        return Roll.apply(g, tuple(-s for s in ctx.shifts), ctx.dims), None, None


def roll(input, shifts, dims=None) -> Tensor:
    """Elements shifted cyclically along ``dims`` (flattened when no dims)."""
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               "dims:0")
        return Roll.apply(input, (int(shifts[0]),), None)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dims = tuple(norm_dim(d, nd) for d in dims)
    return Roll.apply(input, tuple(int(s) for s in shifts), dims)


def rot90(input, k=1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``."""
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = norm_dim(dims[0], nd), norm_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return Rot90.apply(input, k % 4, (d0, d1))


class Rot90(Op):
    node_name = "Rot90Backward0"

    @staticmethod
    def forward(ctx, x, k, dims):
        ctx.k, ctx.dims = k, dims
        return xp_of(x).rot90(x, k, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return Rot90.apply(g, (-ctx.k) % 4, ctx.dims), None, None


# ----- repeat / tile / repeat_interleave ---------------------------------------------------

class Repeat(Op):
    node_name = "RepeatBackward0"

    @staticmethod
    def forward(ctx, x, reps):
        lead = len(reps) - x.ndim
        shape = (1,) * lead + x.shape
        ctx.shape, ctx.in_shape, ctx.reps = shape, x.shape, reps
        return xp_of(x).tile(x.reshape(shape), reps)

    @staticmethod
    def backward(ctx, g):
        inter = []
        for r, s in zip(ctx.reps, ctx.shape):
            inter += [r, s]
        gs = g.reshape(inter)
        gs = gs.sum(tuple(range(0, len(inter), 2))) if inter else gs
        return gs.reshape(ctx.in_shape), None


def repeat(self, *sizes) -> Tensor:
    """The tensor repeated ``sizes[i]`` times along each dim (a copy)."""
    sizes = _shape_args(sizes)
    if len(sizes) < self._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{shape_str(sizes)}")
    return Repeat.apply(self, sizes)


def tile(input, dims) -> Tensor:
    """``repeat`` with ``dims`` padded with leading ones to the tensor's rank."""
    dims = tuple(int(d) for d in dims)
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Each element (or slice along ``dim``) repeated ``repeats`` times."""
    from .index import index_select
    if repeats is None:  # repeat_interleave(repeats_tensor): indices repeated
        rep = input
        if rep._data.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        r = rep._data.reshape(-1)
        return _wrap(xp_of(r).repeat(xp_of(r).arange(r.size, dtype=np.int64), r))
    x = input
    if dim is None:
        x = reshape(x, (-1,))
        d = 0
    else:
        d = norm_dim(dim, max(x._data.ndim, 1))
        if x._data.ndim == 0:
            x = reshape(x, (1,))
    n = x._data.shape[d]
    xp = xp_of(x._data)
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r.dtype.kind not in "iu":
            raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                      f"'{_cast_name(repeats.dtype)}'")
        r = r.reshape(-1)
        if r.size == 1:
            r = xp.broadcast_to(r, (n,))
        elif r.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {r.size} and input.size({d}) = {n}")
    else:
        r = xp.full((n,), int(repeats), dtype=np.int64)
    if r.size and int(r.min()) < 0:
        raise RuntimeError("repeats can not be negative")
    idx = xp.repeat(xp.arange(n, dtype=np.int64), r)
    if output_size is not None and idx.size != output_size:
        raise RuntimeError("allocated size does not match required size")
    return index_select(x, d, _wrap(idx))


# ----- dimension shuffles -----------------------------------------------------------------

def movedim(input, source, destination) -> Tensor:
    """A view with dims ``source`` moved to positions ``destination``."""
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    nd = input._data.ndim
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = [norm_dim(s, max(nd, 1)) for s in src]
    dst = [norm_dim(s, max(nd, 1)) for s in dst]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    if nd == 0:
        return View.apply(input, ())
    order = [i for i in range(nd) if i not in src]
    perm = [None] * nd
    for s, t in zip(src, dst):
        perm[t] = s
    it = iter(order)
    perm = [p if p is not None else next(it) for p in perm]
    return Permute.apply(input, tuple(perm))


moveaxis = movedim


def swapaxes(input, axis0, axis1) -> Tensor:
    """Alias of ``transpose``."""
    return transpose(input, axis0, axis1)


swapdims = swapaxes


def flatten(input, start_dim=0, end_dim=-1) -> Tensor:
    """Dims ``start_dim..end_dim`` merged into one (a view when possible)."""
    shape = input._data.shape
    nd = len(shape)
    if nd == 0:
        return reshape(input, (1,))
    s, e = norm_dim(start_dim, nd), norm_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for k in shape[s:e + 1]:
        n *= k
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def unflatten(input, dim, sizes) -> Tensor:
    """Dim ``dim`` split into ``sizes`` (one may be -1)."""
    shape = input._data.shape
    nd = len(shape)
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = norm_dim(dim, nd)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        inner = _infer_shape(sizes, shape[d])
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {shape_str(sizes)} don't multiply up to "
                           f"the size of dim {dim} ({shape[d]}) in the input tensor") from None
    return reshape(input, shape[:d] + inner + shape[d + 1:])


def ravel(input) -> Tensor:
    """The tensor flattened to 1-D (a view when possible)."""
    return reshape(input, (-1,))


def view_as(self, other) -> Tensor:
    return view(self, other._data.shape)


def reshape_as(self, other) -> Tensor:
    return reshape(self, other._data.shape)


def expand_as(self, other) -> Tensor:
    return expand(self, other._data.shape)


def broadcast_to(input, size) -> Tensor:
    """``input.expand(size)``."""
    return expand(input, tuple(size))


def broadcast_shapes(*shapes) -> Size:
    """The shape the given shapes broadcast to."""
    norm = []
    for s in shapes:
        if isinstance(s, (int, np.integer)):
            s = (int(s),)
        s = tuple(s)
        if any(k < 0 for k in s):
            raise ValueError("Attempting to broadcast a dimension with negative length!")
        norm.append(s)
    return Size(_bshapes(*norm))


def broadcast_tensors(*tensors) -> tuple:
    """Views of ``tensors`` expanded to their common shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        raise TypeError("expected Tensor as element 0 in argument 0, but got "
                        f"{type(tensors[0]).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    shape = _bshapes(*[t._data.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors ('ij' matrix or 'xy' Cartesian indexing)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
    if any(t.dtype is not tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    ts = [reshape(t, (-1,)) for t in tensors]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t._data.shape[0] for t in ts)
    out = []
    for i, t in enumerate(ts):
        v = [1] * len(ts)
        v[i] = -1
        out.append(expand(view(t, tuple(v)), shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


# ----- unfold ------------------------------------------------------------------------------

class Unfold(Op):
    node_name = "UnfoldBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.in_shape, ctx.dim, ctx.size, ctx.step = x.shape, dim, size, step
        xp = xp_of(x)
        if x.ndim == 0:
            return x.reshape(1)
        n = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1:] + (size,)
        strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1:] + \
            (x.strides[dim],)
        return xp.lib.stride_tricks.as_strided(x, shape, strides)

    @staticmethod
    def backward(ctx, g):
        return UnfoldBackward.apply(g, ctx.in_shape, ctx.dim, ctx.size, ctx.step), None, None, \
            None


class UnfoldBackward(Op):
    node_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx, g, in_shape, dim, size, step):
        ctx.dim, ctx.size, ctx.step = dim, size, step
        xp = xp_of(g)
        if len(in_shape) == 0:
            return g.reshape(())
        out = xp.zeros(in_shape, g.dtype)
        o = xp.moveaxis(out, dim, 0)
        w = xp.moveaxis(g, dim, 0)  # (n, ..., size)
        for i in range(w.shape[0]):
            o[i * step:i * step + size] += xp.moveaxis(w[i], -1, 0)
        return out

    @staticmethod
    def backward(ctx, gg):
        if gg.dim() == 0:
            return gg.reshape(1), None, None, None, None
        return Unfold.apply(gg, ctx.dim, ctx.size, ctx.step), None, None, None, None


def unfold(self, dimension, size, step) -> Tensor:
    """A view of all windows of ``size`` along ``dimension`` (stride ``step``), windows last."""
    nd = self._data.ndim
    d = norm_dim(dimension, max(nd, 1))
    length = self._data.shape[d] if nd else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is "
                           f"{size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(self, d, size, step)


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

def _atleast_nd(n: int):
    def fn(*tensors):
        if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
            return tuple(_atleast(t, n) for t in tensors[0])
        if len(tensors) == 1:
            return _atleast(tensors[0], n)
        return tuple(_atleast(t, n) for t in tensors)
    fn.__name__ = f"atleast_{n}d"
    fn.__doc__ = f"Tensors viewed with at least {n} dimensions."
    return fn


atleast_1d, atleast_2d, atleast_3d = _atleast_nd(1), _atleast_nd(2), _atleast_nd(3)


def narrow_copy(input, dim, start, length) -> Tensor:
    """``narrow`` as a new tensor (no memory shared)."""
    from .conversion import clone
    return clone(narrow(input, dim, start, length))


unsafe_split, unsafe_chunk = split, chunk


def _metadata_inplace(fn, name):
    """``x.<name>_()``: ``x`` itself takes the shape/strides of ``fn(x)`` (torch's in-place
    view ops); the version counter is bumped and the graph follows the view op."""
    def inplace(self, *args, **kwargs):
        from ..autograd.grad_mode import STATE
        if STATE.enabled and self._requires_grad and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        res = fn(self, *args, **kwargs)
        self._data = res._data
        self._vc[0] += 1
        if res.grad_fn is not None:
            self.grad_fn, self._output_nr = res.grad_fn, res._output_nr
        old = getattr(self, "_view_fn", None)
        if self._base is not None and old is not None:  # replaying the view gives the new shape
            self._view_fn = lambda b: fn(old(b), *args, **kwargs)
            self._view_ver = self._vc[0]
        return self
    inplace.__name__ = name + "_"
    inplace.__doc__ = f"In-place ``{name}``: this tensor's shape changes, not its data."
    return inplace


for _n, _f in (("squeeze", squeeze), ("unsqueeze", unsqueeze), ("transpose", transpose),
               ("t", t), ("swapaxes", swapaxes), ("swapdims", swapaxes)):
    setattr(Tensor, _n + "_", _metadata_inplace(_f, _n))


def write_out(result: Tensor, out: Tensor | None) -> Tensor:
    """Honour torch's ``out=``: copy ``result`` into ``out`` (resized, cast)."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    from ..autograd.grad_mode import STATE
    if STATE.enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError("out=... arguments don't support automatic differentiation, but "
                           "one of the arguments requires grad.")
    if out._data.shape != result._data.shape:
        out._data = xp_of(result._data).empty(result._data.shape, out._data.dtype)
    out._data[...] = result._data
    out._vc[0] += 1
    return out


def with_out(fn):
    """``fn`` extended with torch's keyword-only ``out=`` argument."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, out=None, **kwargs):
        return write_out(fn(*args, **kwargs), out)
    return wrapper


cat = concat = concatenate = with_out(cat)
stack, hstack, vstack, dstack, column_stack = (
    with_out(f) for f in (stack, hstack, vstack, dstack, column_stack))
row_stack = vstack

_METHODS = ["narrow_copy", "unsafe_split", "unsafe_chunk", "view", "reshape", "expand", "permute", "transpose", "t", "unsqueeze", "squeeze",
            "narrow", "select", "split", "split_with_sizes", "chunk", "tensor_split", "hsplit",
            "vsplit", "dsplit", "unbind", "flip", "fliplr", "flipud", "roll", "rot90", "repeat",
            "tile", "repeat_interleave", "movedim", "moveaxis", "swapaxes", "swapdims",
            "flatten", "unflatten", "ravel", "view_as", "reshape_as", "expand_as",
            "broadcast_to", "unfold"]
register_methods(globals(), _METHODS)

__all__ = ["reshape", "permute", "transpose", "t", "unsqueeze", "squeeze", "cat", "concat",
           "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack",
           "narrow", "select", "split", "chunk", "tensor_split", "hsplit", "vsplit", "dsplit",
           "unbind", "flip", "fliplr", "flipud", "roll", "rot90", "tile", "repeat_interleave",
           "movedim", "moveaxis", "swapaxes", "swapdims", "flatten", "unflatten", "ravel",
           "broadcast_to", "broadcast_shapes", "broadcast_tensors", "meshgrid", "atleast_1d",
           "atleast_2d", "atleast_3d", "narrow_copy", "unsafe_split", "unsafe_chunk",
           "split_with_sizes"]
