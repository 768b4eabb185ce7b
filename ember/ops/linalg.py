"""Linear algebra: matmul family, einsum, decompositions and ember.linalg functions.

Forward runs on backend arrays (one ``xp.matmul``/``xp.linalg`` call on the operands as
they are); backward is written with ember Tensor ops, so double backward works.
"""

from __future__ import annotations

from .. import dtypes as _dt
from .._tensor import Tensor
from ..amp.autocast_mode import autocast_args
from ._common import Op, apply_inplace, register_methods, result_type, xp_of

# ----- helpers ------------------------------------------------------------------------------

_C_NAMES = {"float32": "float", "float64": "double", "int64": "long", "int32": "int",
            "int16": "short", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
            "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}
_T_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "float16": "Half", "bfloat16": "BFloat16", "complex64": "ComplexFloat",
            "complex128": "ComplexDouble"}


def _cname(t: Tensor) -> str:
    return _C_NAMES[t.dtype.name]


def _tname(t: Tensor) -> str:
    return _T_NAMES[t.dtype.name]


def _check_tensor(x, name: str, arg: str = "input") -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def _same_dtype_mm(a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cname(a)} "
                           f"!= {_cname(b)}")


def _check_matmul_dtype(a: Tensor) -> None:
    if a._data.dtype == _dt.bool.np:
        raise RuntimeError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _mT(x: Tensor) -> Tensor:
    return x.transpose(-2, -1)


def _conj(x: Tensor) -> Tensor:
    return _Conj.apply(x) if x._data.dtype.kind == "c" else x


class _Conj(Op):
    node_name = "ConjBackward0"

    @staticmethod
    def forward(ctx, x):
        return xp_of(x).conj(x)

    @staticmethod
    def backward(ctx, g):
        return _conj(g)


def _mH(x: Tensor) -> Tensor:
    return _conj(x.transpose(-2, -1))


# ----- matmul ---------------------------------------------------------------------------------


class _MatmulBase(Op):
    """``xp.matmul`` with numpy's 1-D/batched/broadcast semantics (those of torch)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        out = xp_of(a).matmul(a, b)
        # numpy's bfloat16 matmul (ml_dtypes) returns float32; keep the input dtype like torch
        return out if out.dtype == a.dtype else out.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            if ctx.needs_input_grad[0]:
                ga = g * _conj(b)
            if ctx.needs_input_grad[1]:
                gb = g * _conj(a)
            return ga, gb
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = g2.unsqueeze(-2)
        if b.ndim == 1:
            g2 = g2.unsqueeze(-1)
        if ctx.needs_input_grad[0]:
            ga = matmul(g2, _mH(b2))
            if tuple(ga.shape) != tuple(a2.shape):
                ga = ga.sum_to_size(a2.shape)
            if a.ndim == 1:
                ga = ga.reshape(a.shape)
        if ctx.needs_input_grad[1]:
            gb = matmul(_mH(a2), g2)
            if tuple(gb.shape) != tuple(b2.shape):
                gb = gb.sum_to_size(b2.shape)
            if b.ndim == 1:
                gb = gb.reshape(b.shape)
        return ga, gb


def _mm_class(name: str):
    return type(name, (_MatmulBase,), {"node_name": name + "Backward0"})


_Dot = _mm_class("Dot")
_Mv = _mm_class("Mv")
_Mm = _mm_class("Mm")
_Bmm = _mm_class("Bmm")
_UnsafeView = _mm_class("UnsafeView")
_Squeeze = type("SqueezeMm", (_MatmulBase,), {"node_name": "SqueezeBackward4"})
_Clone = type("CloneMm", (_MatmulBase,), {"node_name": "CloneBackward0"})


def _dims_str(shape) -> str:
    return "x".join(map(str, shape))


def matmul(input, other, *, out=None) -> Tensor:
    """Matrix product with torch's 1-D, batched and broadcasting rules."""
    input, other = autocast_args("matmul", input, other)
    _check_tensor(input, "matmul")
    _check_tensor(other, "matmul", "other")
    a, b = input, other
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    sa, sb = a._data.shape, b._data.shape
    if da == 1 and db == 1:
        if a._data.dtype != b._data.dtype:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{_tname(a)} and {_tname(b)}")
        if sa[0] != sb[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                               f"[{sb[0]}] to have the same number of elements, but got "
                               f"{sa[0]} and {sb[0]} elements respectively")
        cls = _Dot
    else:
        _same_dtype_mm(a, b)
        k_a = sa[-1]
        k_b = sb[0] if db == 1 else sb[-2]
        if db >= 3:  # batched on the right: batch dims must broadcast first
            batch = _broadcast_batch(sa[:-2] if da > 2 else (), sb[:-2])
        if k_a != k_b:
            if da <= 2 and db <= 2 or da >= 3 and db <= 2:
                rows = 1
                for n in sa[:-1]:
                    rows *= n
                if db == 1:
                    raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), "
                                       f"vec ({sb[0]})")
                raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                                   f"({rows}x{k_a} and {_dims_str(sb)})")
            nb = 1
            for n in batch:
                nb *= n
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{nb}, {k_a}] but got: [{nb}, {k_b}].")
        if da == 2 and db == 2:
            cls = _Mm
        elif da == 2 and db == 1:
            cls = _Mv
        elif da == 1 and db == 2:
            cls = _Squeeze
        elif da == 2 and db > 2:
            cls = _Clone
        else:
            cls = _UnsafeView
    _check_matmul_dtype(a)
    return _out(cls.apply(a, b), out)


def _broadcast_batch(s1, s2) -> tuple:
    nd = max(len(s1), len(s2))
    out = []
    for i in range(nd):
        x = s1[i - nd + len(s1)] if i - nd + len(s1) >= 0 else 1
        y = s2[i - nd + len(s2)] if i - nd + len(s2) >= 0 else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out.append(max(x, y) if 1 in (x, y) else x)
    return tuple(out)


def _out(result: Tensor, out) -> Tensor:
    if out is None:
        return result
    from .elementwise import _out as eo
    return eo(result, out)


def mm(input, mat2, *, out=None) -> Tensor:
    """Product of two 2-D matrices."""
    input, mat2 = autocast_args("mm", input, mat2)
    _check_tensor(input, "mm")
    _check_tensor(mat2, "mm", "mat2")
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2, out=out)


def mv(input, vec, *, out=None) -> Tensor:
    """Matrix-vector product."""
    _check_tensor(input, "mv")
    _check_tensor(vec, "mv", "vec")
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec._data.ndim}, "
                           f"{input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec, out=out)


def bmm(input, mat2, *, out=None) -> Tensor:
    """Batched product of two 3-D tensors (no broadcasting)."""
    input, mat2 = autocast_args("bmm", input, mat2)
    _check_tensor(input, "bmm")
    _check_tensor(mat2, "bmm", "mat2")
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    sa, sb = input._data.shape, mat2._data.shape
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    _same_dtype_mm(input, mat2)
    _check_matmul_dtype(input)
    return _out(_Bmm.apply(input, mat2), out)


def dot(input, tensor, *, out=None) -> Tensor:
    """Dot product of two 1-D tensors."""
    _check_tensor(input, "dot")
    _check_tensor(tensor, "dot", "tensor")
    if input._data.ndim != 1 or tensor._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{tensor._data.ndim}D tensors")
    return matmul(input, tensor, out=out)


def vdot(input, other, *, out=None) -> Tensor:
    """Dot product with the first argument conjugated."""
    _check_tensor(input, "vdot")
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    return dot(_conj(input), other, out=out)


def inner(input, other, *, out=None) -> Tensor:
    """Inner product over the last dimension (scalars multiply)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return _out(input * other, out)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    if other._data.ndim == 1:
        return matmul(input, other, out=out)
    k = input._data.shape[-1]
    res = matmul(input.reshape(-1, k), other.reshape(-1, k).transpose(0, 1))
    return _out(res.reshape(tuple(input.shape[:-1]) + tuple(other.shape[:-1])), out)


def outer(input, vec2, *, out=None) -> Tensor:
    """Outer product of two 1-D tensors."""
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input._data.ndim}-D")
    return _out(input.reshape(-1, 1) * vec2, out)


ger = outer


def _scaled(x, s):
    return x if s == 1 else x * s


class _ZeroOf(Op):
    """Zeros shaped like the input: the input is ignored (beta=0) but gets a zero grad."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, x):
        return xp_of(x).zeros_like(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0


class _AddProduct(Op):
    """beta * input + alpha * product(m1, m2): one node, like torch's fused addmm family."""

    kind = "mm"

    @classmethod
    def _prod(cls, xp, m1, m2):
        if cls.kind == "addr":
            return m1[:, None] * m2[None, :]
        p = xp.matmul(m1, m2)
        p = p if p.dtype == m1.dtype else p.astype(m1.dtype)  # numpy bfloat16 matmul -> f32
        return p.sum(0) if cls.kind == "addbmm" else p

    @classmethod
    def forward(cls, ctx, input, m1, m2, beta, alpha):
        xp = xp_of(m1)
        ctx.save_for_backward(m1, m2)
        ctx.coef = (beta, alpha)
        out = cls._prod(xp, m1, m2)
        if alpha != 1:
            out = out * alpha
        if beta != 0:
            out = out + (input if beta == 1 else input * beta)
        return out

    @classmethod
    def backward(cls, ctx, g):
        m1, m2 = ctx.saved_tensors
        beta, alpha = ctx.coef
        need = ctx.needs_input_grad
        gi = (g if beta == 1 else g * beta) if need[0] else None
        ga = _scaled(g, alpha)
        g1 = g2 = None
        k = cls.kind
        if k == "mv":
            g1 = ga.unsqueeze(-1) * _conj(m2) if need[1] else None
            g2 = matmul(_mH(m1), ga) if need[2] else None
        elif k == "addr":
            g1 = matmul(ga, _conj(m2)) if need[1] else None
            g2 = matmul(_mH(ga), _conj(m1)) if need[2] else None
        else:
            if k == "addbmm":
                ga = ga.unsqueeze(0)
            g1 = matmul(ga, _mH(m2)) if need[1] else None
            g2 = matmul(_mH(m1), ga) if need[2] else None
        return gi, g1, g2, None, None


def _addprod(name, kind):
    return type(name, (_AddProduct,), {"node_name": name + "Backward0", "kind": kind})


_Addmm = _addprod("Addmm", "mm")
_Addmv = _addprod("Addmv", "mv")
_Addr = _addprod("Addr", "addr")
_Addbmm = _addprod("Addbmm", "addbmm")
_Baddbmm = _addprod("Baddbmm", "bmm")


def _check_input_broadcast(name, input, shape):
    from ._common import broadcast_shapes
    try:
        ok = broadcast_shapes(tuple(input.shape), shape) == shape
    except RuntimeError:
        ok = False
    if not ok:
        ish = tuple(input.shape)
        lead = len(shape) - len(ish)
        dim = next((i for i in range(len(shape)) if i >= lead and ish[i - lead] not in
                    (1, shape[i])), 0)
        have = ish[dim - lead] if dim >= lead else 1
        raise RuntimeError(f"The expanded size of the tensor ({shape[dim] if shape else 0}) "
                           f"must match the existing size ({have}) at non-singleton dimension "
                           f"{dim}.  Target sizes: {list(shape)}.  Tensor sizes: {list(ish)}")


def _apply_addprod(cls, name, input, m1, m2, shape, beta, alpha, out):
    _check_input_broadcast(name, input, shape)
    if input._data.dtype != m1._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_tname(input)} "
                           f"and {_tname(m1)}")
    return _out(cls.apply(input, m1, m2, beta, alpha), out)


def _check_mm_shapes(m1, m2):
    if m1._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if m2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if m1.shape[1] != m2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims_str(m1.shape)} "
                           f"and {_dims_str(m2.shape)})")
    _same_dtype_mm(m1, m2)


def _check_bmm_shapes(b1, b2):
    if b1._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    sa, sb = b1.shape, b2.shape
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    _same_dtype_mm(b1, b2)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2)."""
    input, mat1, mat2 = autocast_args("addmm", input, mat1, mat2)
    _check_mm_shapes(mat1, mat2)
    shape = (mat1.shape[0], mat2.shape[1])
    return _apply_addprod(_Addmm, "addmm", input, mat1, mat2, shape, beta, alpha, out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * (mat @ vec)."""
    if mat._data.ndim != 2 or vec._data.ndim != 1 or mat.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.ndim else 1}), "
                           f"mat ({_dims_str(mat.shape)}), vec ({_dims_str(vec.shape)})")
    _same_dtype_mm(mat, vec)
    return _apply_addprod(_Addmv, "addmv", input, mat, vec, (mat.shape[0],), beta, alpha, out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2)."""
    if vec1._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1._data.ndim}-D")
    if vec2._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    shape = (vec1.shape[0], vec2.shape[0])
    return _apply_addprod(_Addr, "addr", input, vec1, vec2, shape, beta, alpha, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * sum_b(batch1[b] @ batch2[b])."""
    input, batch1, batch2 = autocast_args("addbmm", input, batch1, batch2)
    _check_bmm_shapes(batch1, batch2)
    shape = (batch1.shape[1], batch2.shape[2])
    return _apply_addprod(_Addbmm, "addbmm", input, batch1, batch2, shape, beta, alpha, out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2)."""
    input, batch1, batch2 = autocast_args("baddbmm", input, batch1, batch2)
    _check_bmm_shapes(batch1, batch2)
    shape = (batch1.shape[0], batch1.shape[1], batch2.shape[2])
    return _apply_addprod(_Baddbmm, "baddbmm", input, batch1, batch2, shape, beta, alpha, out)


def _inplace_via(self: Tensor, result: Tensor) -> Tensor:
    if tuple(result.shape) != tuple(self.shape):
        raise RuntimeError(f"output with shape [{', '.join(map(str, self.shape))}] doesn't "
                           f"match the broadcast shape [{', '.join(map(str, result.shape))}]")
    return apply_inplace(_Replace, self, result)


class _Replace(Op):
    """In-place write of a computed value (gradient flows to the value only)."""

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, old, new):
        return new.copy()

    @staticmethod
    def backward(ctx, g):
        return None, g


def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
    return _inplace_via(self, addmm(self, mat1, mat2, beta=beta, alpha=alpha))


def addmv_(self, mat, vec, *, beta=1, alpha=1):
    return _inplace_via(self, addmv(self, mat, vec, beta=beta, alpha=alpha))


def addr_(self, vec1, vec2, *, beta=1, alpha=1):
    return _inplace_via(self, addr(self, vec1, vec2, beta=beta, alpha=alpha))


def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    return _inplace_via(self, addbmm(self, batch1, batch2, beta=beta, alpha=alpha))


def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    return _inplace_via(self, baddbmm(self, batch1, batch2, beta=beta, alpha=alpha))


def _rmatmul(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


def _imatmul(self, other):
    return _inplace_via(self, matmul(self, other))


def _matmul_op(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


Tensor.__matmul__ = _matmul_op
Tensor.__rmatmul__ = _rmatmul
Tensor.__imatmul__ = _imatmul

register_methods(globals(), [
    "matmul", "mm", "mv", "bmm", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv",
    "addr", "addbmm", "baddbmm", "addmm_", "addmv_", "addr_", "addbmm_", "baddbmm_"])

__all__ = ["matmul", "mm", "mv", "bmm", "dot", "vdot", "inner", "outer", "ger", "addmm",
           "addmv", "addr", "addbmm", "baddbmm"]

_unused = (result_type,)


# ----- structural matrix ops -----------------------------------------------------------------


def _diag_view(xp, x, offset, d1, d2):
    """The (writable) diagonal view of ``x``, diagonal as the last dim (like torch)."""
    y = xp.diagonal(x, offset, d1, d2)
    if hasattr(y, "flags") and not y.flags.writeable and x.flags.writeable:
        y.flags.writeable = True
    return y


class Diagonal(Op):
    node_name = "DiagonalBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (x.shape, offset, d1, d2)
        return _diag_view(xp_of(x), x, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        shape, offset, d1, d2 = ctx.args
        return _DiagonalScatter.apply(g, shape, offset, d1, d2), None, None, None


class _DiagonalScatter(Op):
    """Zeros of ``shape`` with ``g`` written on a diagonal (the backward of diagonal)."""

    node_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        xp = xp_of(g)
        out = xp.zeros(shape, dtype=g.dtype)
        _diag_view(xp, out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        offset, d1, d2 = ctx.args
        return Diagonal.apply(gg, offset, d1, d2), None, None, None, None


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A view of the diagonal of dims (dim1, dim2), appended as the last dim."""
    from .._tensor import wrap_dim
    nd = input._data.ndim
    if nd < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{max(nd, 1)}, "
                         f"{max(nd, 1) - 1}], but got {dim2})")
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


class DiagEmbed(Op):
    node_name = "DiagEmbedBackward0"

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        xp = xp_of(x)
        n = x.shape[-1] + abs(offset)
        nd = x.ndim + 1
        batch = list(x.shape[:-1])
        shape = []
        it = iter(batch)
        for i in range(nd):
            shape.append(n if i in (d1, d2) else next(it))
        out = xp.zeros(tuple(shape), dtype=x.dtype)
        _diag_view(xp, out, offset, d1, d2)[...] = x
        return out

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        return Diagonal.apply(g, offset, d1, d2), None, None, None


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Tensors whose (dim1, dim2) diagonals are the last dim of ``input``."""
    from .._tensor import wrap_dim
    nd = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if input._data.ndim == 0:
        input = input.reshape(1)
    return DiagEmbed.apply(input, int(offset), d1, d2)


def diag(input, diagonal: int = 0, *, out=None) -> Tensor:
    """1-D input: a 2-D matrix with it on a diagonal; 2-D input: that diagonal."""
    nd = input._data.ndim
    if nd == 1:
        return _out(DiagEmbed.apply(input, int(diagonal), 0, 1), out)
    if nd == 2:
        return _out(Diagonal.apply(input, int(diagonal), 0, 1).clone(), out)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def diagflat(input, offset: int = 0) -> Tensor:
    """A 2-D matrix with the flattened input on a diagonal."""
    return DiagEmbed.apply(input.reshape(-1), int(offset), 0, 1)


def trace(input) -> Tensor:
    """Sum of the main diagonal of a 2-D matrix."""
    input, = autocast_args("trace", input)
    if input._data.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim "
                           f"{input._data.ndim}")
    d = Diagonal.apply(input, 0, 0, 1)
    return d.sum()


class Tril(Op):
    node_name = "TrilBackward0"

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return xp_of(x).tril(x, k)

    @staticmethod
    def backward(ctx, g):
        return Tril.apply(g, ctx.k), None


class Triu(Op):
    node_name = "TriuBackward0"

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return xp_of(x).triu(x, k)

    @staticmethod
    def backward(ctx, g):
        return Triu.apply(g, ctx.k), None


def _check_tri(input, name):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal: int = 0, *, out=None) -> Tensor:
    """Lower triangle (elements on and below the ``diagonal``-th diagonal)."""
    _check_tri(input, "tril")
    return _out(Tril.apply(input, int(diagonal)), out)


def triu(input, diagonal: int = 0, *, out=None) -> Tensor:
    """Upper triangle (elements on and above the ``diagonal``-th diagonal)."""
    _check_tri(input, "triu")
    return _out(Triu.apply(input, int(diagonal)), out)


def tril_(self, diagonal: int = 0) -> Tensor:
    _check_tri(self, "tril")
    return apply_inplace(Tril, self, int(diagonal))


def triu_(self, diagonal: int = 0) -> Tensor:
    _check_tri(self, "triu")
    return apply_inplace(Triu, self, int(diagonal))


def _tri_indices(row, col, offset, dtype, device, lower):
    import numpy as np

    from .. import dtypes
    from ..device import as_device, factory_device, xp_for
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0
                           else f"col must be non-negative, got{col}")
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.int64
    dev = factory_device(as_device(device) if device is not None else None)
    from .._tensor import _wrap
    return _wrap(xp_for(dev).asarray(np.stack([r, c]).astype(dt.np)).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """Indices (2 x N) of the lower triangle of a row x col matrix."""
    return _tri_indices(row, col, offset, dtype, device, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """Indices (2 x N) of the upper triangle of a row x col matrix."""
    return _tri_indices(row, col, offset, dtype, device, False)


# ----- einsum / tensordot / kron -------------------------------------------------------------


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(eq: str, shapes):
    """Explicit form: (list of input subscripts, output subscripts), ellipses expanded."""
    eq = eq.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs, rhs = eq, None
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation" if len(ins) < len(shapes) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for s, shp in zip(ins, shapes):
        if "..." in s:
            n_ell = max(n_ell, len(shp) - (len(s) - 3))
        elif len(s) != len(shp):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) "
                               f"does not match the number of dimensions ({len(shp)}) for "
                               f"operand {ins.index(s)} and no ellipsis was given")
    ell = "".join(free[:n_ell])
    out_ins = []
    for s, shp in zip(ins, shapes):
        if "..." in s:
            k = len(shp) - (len(s) - 3)
            s = s.replace("...", ell[n_ell - k:] if k else "")
        out_ins.append(s)
    if rhs is None:
        counts = {}
        for s in out_ins:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted((c for c in counts if counts[c] == 1 and c not in ell),
                                   key=lambda c: (c.isupper(), c)))
    else:
        rhs = rhs.replace("...", ell)
    return out_ins, rhs


class Einsum(Op):
    node_name = "EinsumBackward0"

    @staticmethod
    def forward(ctx, eq, *ops):
        ctx.eq = eq
        ctx.save_for_backward(*ops)
        xp = xp_of(ops[0])
        if len(ops) == 1 or (len(ops) == 2 and ops[0].size * ops[1].size < 4096):
            return xp.einsum(eq, *ops)  # tiny: path search would cost more than it saves
        return xp.einsum(eq, *ops, optimize=True)  # contractions go to BLAS

    @staticmethod
    def backward(ctx, g):
        ops = ctx.saved_tensors
        ins, out_s = ctx.eq.split("->")
        ins = ins.split(",")
        sizes = {}
        for s, t in zip(ins, ops):
            for c, n in zip(s, t.shape):
                sizes[c] = max(sizes.get(c, 1), n)
        grads = [None]
        from .creation import eye, ones
        for i, (s, t) in enumerate(zip(ins, ops)):
            if not ctx.needs_input_grad[i + 1]:
                grads.append(None)
                continue
            terms, tensors = [out_s], [g]
            for j, (s2, t2) in enumerate(zip(ins, ops)):
                if j != i:
                    terms.append(s2)
                    tensors.append(_conj(t2))
            have = set("".join(terms))
            free = [c for c in _LETTERS if c not in set(ctx.eq)]
            target, seen = [], set()
            for c in s:
                if c in seen:  # a repeated index: gradient lives on a diagonal
                    c2 = free.pop(0)
                    terms.append(c + c2)
                    tensors.append(eye(sizes[c], dtype=g.dtype, device=g.device))
                    target.append(c2)
                    continue
                seen.add(c)
                if c not in have:  # summed only in this operand: broadcast back
                    terms.append(c)
                    tensors.append(ones(sizes[c], dtype=g.dtype, device=g.device))
                    have.add(c)
                target.append(c)
            gi = einsum(",".join(terms) + "->" + "".join(target), *tensors)
            if tuple(gi.shape) != tuple(t.shape):
                gi = gi.sum_to_size(t.shape)
            grads.append(gi)
        return tuple(grads)


def einsum(equation, *operands) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` (operands may be one list)."""
    if not isinstance(equation, str):
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    ins, rhs = _parse_einsum(equation, [o.shape for o in operands])
    for s in ins:
        for c in s:
            if not c.isalpha():
                raise RuntimeError(f"einsum(): invalid subscript given at index "
                                   f"{equation.index(c)} in the equation string, subscripts "
                                   "must be in [a-zA-Z]")
    sizes = {}
    for k, (s, o) in enumerate(zip(ins, operands)):
        for c, n in zip(s, o.shape):
            if c in sizes and sizes[c] != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which "
                                   f"does not broadcast with previously seen size {sizes[c]}")
            sizes[c] = n if c not in sizes or sizes[c] == 1 else sizes[c]
    for c in rhs:
        if c not in sizes:
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                               "equation for any input operand")
    dt = operands[0].dtype
    for o in operands[1:]:
        if o.dtype is not dt:
            raise RuntimeError(f"expected scalar type {dt.name.capitalize()} but found "
                               f"{o.dtype.name.capitalize()}")
    return Einsum.apply(",".join(ins) + "->" + rhs, *operands)


def tensordot(a, b, dims=2, out=None) -> Tensor:
    """Sum of products over ``dims`` (an int: last dims of a / first of b; or two lists)."""
    a, b = autocast_args("tensordot", a, b)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        da = [d % a.ndim for d in da]
        db = [d % b.ndim for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    ra = [d for d in range(a.ndim) if d not in da]
    rb = [d for d in range(b.ndim) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    am = a.permute(ra + da).reshape(-1, k)
    bm = b.permute(db + rb).reshape(k, -1)
    res = matmul(am, bm).reshape(tuple(a.shape[d] for d in ra) + tuple(b.shape[d] for d in rb))
    return _out(res, out)


def kron(input, other, *, out=None) -> Tensor:
    """Kronecker product."""
    nd = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (nd - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.ndim) + tuple(other.shape))
    sa, sb = [], []
    for i in range(nd):
        sa += [a.shape[i], 1]
        sb += [1, b.shape[i]]
    res = a.reshape(sa) * b.reshape(sb)
    return _out(res.reshape(tuple(a.shape[i] * b.shape[i] for i in range(nd))), out)


def chain_matmul(*matrices, out=None) -> Tensor:
    """Product of a chain of 2-D matrices (deprecated in torch; see linalg.multi_dot)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return _out(matrices[0].clone(), out)
    res = matrices[0]
    for m in matrices[1:]:
        res = mm(res, m)
    return _out(res, out)


# ----- cross / cdist -------------------------------------------------------------------------


class Cross(Op):
    node_name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return xp_of(a).cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = Cross.apply(b, g, ctx.dim) if ctx.needs_input_grad[0] else None
        gb = Cross.apply(g, a, ctx.dim) if ctx.needs_input_grad[1] else None
        return ga, gb, None


def _linalg_cross(input, other, dim=-1):
    from .._tensor import wrap_dim
    from ._common import broadcast_shapes
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    shape = broadcast_shapes(tuple(input.shape), tuple(other.shape))
    d = wrap_dim(dim, len(shape))
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    if input.dtype is not other.dtype:
        dt = result_type(input, other)
        input, other = input.to(dt), other.to(dt)
    if tuple(input.shape) != shape:
        input = input.expand(shape)
    if tuple(other.shape) != shape:
        other = other.expand(shape)
    return Cross.apply(input, other, d)


def cross(input, other, dim=None, *, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (default: the first dim of size 3)."""
    if dim is None:
        for i, n in enumerate(input.shape):
            if n == 3:
                dim = i
                break
        else:
            raise RuntimeError("no dimension of size 3 in input")
    return _out(_linalg_cross(input, other, dim), out)


def cdist(x1, x2, p: float = 2.0, compute_mode="use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """p-norm distances between each pair of rows of x1 (.., P, M) and x2 (.., R, M)."""
    x1, x2 = autocast_args("cdist", x1, x2)
    if x1.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return vector_norm(diff, p, dim=-1)


# ----- norms ---------------------------------------------------------------------------------


class _Abs(Op):
    node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _const(xp_of(x._data).sign(x._data))


class _PowScalar(Op):
    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return xp_of(x).power(x, p)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return g * 0, None
        return g * (p * (x if p == 2 else _PowScalar.apply(x, p - 1))), None


def _const(a) -> Tensor:
    from .._tensor import _wrap
    return _wrap(a)


class VectorNorm(Op):
    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        xp = xp_of(x)
        ax = xp.abs(x)
        if ord == float("inf"):
            y = ax.max(axis=dims, keepdims=True) if ax.size else xp.zeros(
                [1 if i in dims else n for i, n in enumerate(x.shape)], dtype=ax.dtype)
        elif ord == float("-inf"):
            y = ax.min(axis=dims, keepdims=True)
        elif ord == 0:
            y = (x != 0).sum(axis=dims, keepdims=True).astype(ax.dtype)
        elif ord == 1:
            y = ax.sum(axis=dims, keepdims=True)
        elif ord == 2:
            y = xp.sqrt((ax * ax).sum(axis=dims, keepdims=True))
        else:
            y = xp.power(xp.power(ax, ord).sum(axis=dims, keepdims=True), 1.0 / ord)
        out = y if keepdim else y.reshape([n for i, n in enumerate(y.shape) if i not in dims])
        ctx.save_for_backward(x, out)
        ctx.args = (ord, dims, keepdim)
        return out

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        ord, dims, keepdim = ctx.args
        kshape = tuple(1 if i in dims else n for i, n in enumerate(x.shape))
        if not keepdim:
            g = g.reshape(kshape)
        yk = y.reshape(kshape)
        xd = x._data
        xp = xp_of(xd)
        sgn = _const(xp.sign(xd))
        if ord == 0:
            return g * 0 * x, None, None, None
        if ord == 1:
            return g * sgn, None, None, None
        if ord in (float("inf"), float("-inf")):
            hit = xp.abs(xd) == yk._data
            cnt = hit.sum(axis=dims, keepdims=True)
            w = _const((hit / xp.maximum(cnt, 1)).astype(xd.dtype))
            return g * sgn * w, None, None, None
        safe = _const((yk._data == 0).astype(xd.dtype))  # zero norm: gradient 0 (as torch)
        if ord == 2:
            return g * x / (yk + safe) * (1 - safe), None, None, None
        ax = _Abs.apply(x)
        num = x * _PowScalar.apply(ax, ord - 2) if ord != 2 else x
        return g * num / (_PowScalar.apply(yk, ord - 1) + safe) * (1 - safe), None, None, None


def _float_for_norm(x: Tensor, dtype, name: str) -> Tensor:
    if dtype is not None:
        x = x.to(dtype)
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_tname(x)}")
    return x


def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """The ord-norm of ``x`` over ``dim`` (all elements by default), as a vector."""
    from ._common import norm_dims
    x = _float_for_norm(x, dtype, "linalg.vector_norm")
    ord = float(ord)
    if isinstance(dim, int):
        dim = (dim,)
    dims = norm_dims(dim, x.ndim) if x.ndim else ()
    if x.ndim == 0:
        dims = ()
    if x.numel() == 0 and ord < 0 or (x.numel() == 0 and ord == float("inf") and
                                       any(x.shape[d] == 0 for d in dims)):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on an empty "
                           "tensor because the operation does not have an identity")
    return _out(VectorNorm.apply(x, ord, dims, keepdim), out)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """Frobenius, nuclear, 1/inf/2 (and negative) norms of matrices over ``dim``."""
    from .._tensor import wrap_dim
    A = _float_for_norm(A, dtype, "linalg.matrix_norm")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    d0, d1 = (wrap_dim(d, A.ndim) for d in dim)
    if ord == "fro":
        return _out(vector_norm(A, 2, (d0, d1), keepdim), out)
    if ord == "nuc" or ord in (2, -2):
        Am = A.permute([i for i in range(A.ndim) if i not in (d0, d1)] + [d0, d1])
        s = svdvals(Am)
        if ord == "nuc":
            r = s.sum(-1)
        else:
            r = s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            for d in sorted((d0, d1)):
                r = r.unsqueeze(d)
        return _out(r, out)
    if ord in (1, -1, float("inf"), float("-inf")):
        if ord in (1, -1):
            s = _Abs.apply(A).sum(d0, keepdim=True)
            r = s.amax(d1, keepdim=True) if ord == 1 else s.amin(d1, keepdim=True)
        else:
            s = _Abs.apply(A).sum(d1, keepdim=True)
            r = s.amax(d0, keepdim=True) if ord > 0 else s.amin(d0, keepdim=True)
        if not keepdim:
            r = r.squeeze((d0, d1))
        return _out(r, out)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def linalg_norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    """Vector norm (1-D input or int dim) or matrix norm (2-D input or 2 dims)."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype, out=out)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype, out=out)
    if dim is None:
        if A.ndim == 1:
            return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
        if A.ndim == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype, out=out)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype, out=out)


# ----- decompositions -----------------------------------------------------------------------


class LinAlgError(RuntimeError):
    """Raised when a linear algebra routine fails (singular or non-definite input)."""


def _square(A, name: str) -> None:
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _floating(A, name: str) -> None:
    if not (A.dtype.is_floating_point or A.dtype.is_complex) or A.dtype in (
            _dt.float16, _dt.bfloat16):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_tname(A)}")


def _first_singular(xp, A, what):
    """Batch index and pivot of the first singular matrix (for torch's message)."""
    import numpy as np
    a = np.asarray(A.get() if hasattr(A, "get") else A)
    flat = a.reshape((-1,) + a.shape[-2:])
    for b, m in enumerate(flat):
        try:
            np.linalg.inv(m) if what == "inv" else np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            return b, a.ndim > 2
    return 0, a.ndim > 2


def _singular_error(xp, A, name):
    b, batched = _first_singular(xp, A, "inv")
    pre = f"(Batch element {b}): " if batched else ""
    return LinAlgError(f"{name}: {pre}The diagonal element 1 is zero, the inversion could not "
                       "be completed because the input matrix is singular.")


def _la(xp):
    return xp.linalg


class Inv(Op):
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, A):
        xp = xp_of(A)
        try:
            Ai = _la(xp).inv(A)
        except Exception as e:
            if "singular" in str(e).lower():
                raise _singular_error(xp, A, "linalg.inv") from None
            raise
        ctx.save_for_backward(Ai)
        return Ai

    @staticmethod
    def backward(ctx, g):
        (Ai,) = ctx.saved_tensors
        AiH = _mH(Ai)
        return -matmul(matmul(AiH, g), AiH)


def inv(A, *, out=None) -> Tensor:
    """Inverse of (batches of) square matrices; LinAlgError when singular."""
    _square(A, "linalg.inv")
    _floating(A, "linalg.inv")
    return _out(Inv.apply(A), out)


class Det(Op):
    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, A):
        d = _la(xp_of(A)).det(A)
        ctx.save_for_backward(A, d)
        return d

    @staticmethod
    def backward(ctx, g):
        A, d = ctx.saved_tensors
        return (g * _conj(d)).unsqueeze(-1).unsqueeze(-1) * _mH(inv(A))


def det(A, *, out=None) -> Tensor:
    """Determinant of (batches of) square matrices."""
    _square(A, "linalg.det")
    _floating(A, "linalg.det")
    return _out(Det.apply(A), out)


class Slogdet(Op):
    node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, A):
        sign, lad = _la(xp_of(A)).slogdet(A)
        ctx.save_for_backward(A)
        ctx.mark_non_differentiable(sign)
        return sign.astype(A.dtype), lad.astype(A.real.dtype)

    @staticmethod
    def backward(ctx, gs, gl):
        (A,) = ctx.saved_tensors
        return gl.unsqueeze(-1).unsqueeze(-1) * _mH(inv(A))


def _rt(name, fields):
    from .. import return_types
    from ..return_types import _structseq
    cls = getattr(return_types, name, None)
    if cls is None:
        cls = _structseq(name, fields)
        setattr(return_types, name, cls)
    return cls


_SlogdetRT = _rt("slogdet", ("sign", "logabsdet"))
_LinalgSlogdetRT = _rt("linalg_slogdet", ("sign", "logabsdet"))
_QrRT = _rt("qr", ("Q", "R"))
_LinalgQrRT = _rt("linalg_qr", ("Q", "R"))
_SvdRT = _rt("svd", ("U", "S", "V"))
_LinalgSvdRT = _rt("linalg_svd", ("U", "S", "Vh"))
_EighRT = _rt("linalg_eigh", ("eigenvalues", "eigenvectors"))
_EigRT = _rt("linalg_eig", ("eigenvalues", "eigenvectors"))
_LstsqRT = _rt("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
_InvExRT = _rt("linalg_inv_ex", ("inverse", "info"))
_CholExRT = _rt("linalg_cholesky_ex", ("L", "info"))


def linalg_slogdet(A, *, out=None):
    """(sign, log|det|) of (batches of) square matrices."""
    _square(A, "linalg.slogdet")
    _floating(A, "linalg.slogdet")
    return _LinalgSlogdetRT(*Slogdet.apply(A))


def _torch_slogdet(input):
    return _SlogdetRT(*linalg_slogdet(input))


def logdet(input) -> Tensor:
    """log(det(input)): nan for a negative determinant, -inf for a singular matrix."""
    from .elementwise import log
    _square(input, "linalg.slogdet")
    sign, lad = linalg_slogdet(input)
    return lad + log(sign)


class Solve(Op):
    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, A, B):
        xp = xp_of(A)
        try:
            X = _la(xp).solve(A, B)
        except Exception as e:
            if "singular" in str(e).lower():
                raise LinAlgError("torch.linalg.solve: The solver failed because the input "
                                  "matrix is singular.") from None
            raise
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        gB = solve(_mH(A), g)
        gA = -matmul(gB, _mH(X)) if ctx.needs_input_grad[0] else None
        return gA, gB


def solve(A, B, *, left: bool = True, out=None) -> Tensor:
    """The solution X of A X = B (or X A = B with left=False)."""
    _square(A, "linalg.solve")
    _floating(A, "linalg.solve")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {A.dtype.name.capitalize()} and B of type "
                           f"{B.dtype.name.capitalize()} instead")
    if not left:
        return _out(_mT(solve(_mT(A), _mT(B))), out)
    vec = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    B2 = B.unsqueeze(-1) if vec else B
    if B2.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({A.shape[-2]}x{A.shape[-1]} and "
                           f"{B2.shape[-2]}x{B2.shape[-1]})")
    batch = _broadcast_batch(tuple(A.shape[:-2]), tuple(B2.shape[:-2]))
    if tuple(A.shape[:-2]) != batch:
        A = A.expand(batch + tuple(A.shape[-2:]))
    if tuple(B2.shape[:-2]) != batch:
        B2 = B2.expand(batch + tuple(B2.shape[-2:]))
    X = Solve.apply(A, B2)
    return _out(X.squeeze(-1) if vec else X, out)


def _failing_minor(A, b: int) -> int:
    """Order of the first leading minor of batch element ``b`` that is not positive-definite."""
    import numpy as np
    a = np.asarray(A.get() if hasattr(A, "get") else A)
    m = a.reshape((-1,) + a.shape[-2:])[b]
    for k in range(1, m.shape[-1] + 1):
        try:
            np.linalg.cholesky(m[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return m.shape[-1]


class Cholesky(Op):
    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, A):
        xp = xp_of(A)
        try:
            L = _la(xp).cholesky(A)
        except Exception:
            b, batched = _first_singular(xp, A, "chol")
            pre = f"(Batch element {b}): " if batched else ""
            k = _failing_minor(A, b)
            raise LinAlgError(f"linalg.cholesky: {pre}The factorization could not be completed "
                              "because the input is not positive-definite (the leading minor "
                              f"of order {k} is not positive-definite).") from None
        if hasattr(L, "size") and L.size and xp.isnan(L).any():
            raise LinAlgError("linalg.cholesky: The factorization could not be completed "
                              "because the input is not positive-definite.")
        ctx.save_for_backward(L)
        return L

    @staticmethod
    def backward(ctx, gL):
        (L,) = ctx.saved_tensors
        P = tril(matmul(_mH(L), gL))
        P = P - 0.5 * diag_embed(P.diagonal(0, -2, -1))
        Li = inv(L)
        S = matmul(matmul(_mH(Li), P), Li)
        return 0.5 * (S + _mH(S))


def linalg_cholesky(A, *, upper: bool = False, out=None) -> Tensor:
    """Cholesky factor L (A = L L^H) of Hermitian positive-definite matrices."""
    _square(A, "linalg.cholesky")
    _floating(A, "linalg.cholesky")
    L = Cholesky.apply(A)
    return _out(_mH(L) if upper else L, out)


def _torch_cholesky(input, upper: bool = False, *, out=None) -> Tensor:
    return linalg_cholesky(input, upper=upper, out=out)


def cholesky_ex(A, *, upper: bool = False, check_errors: bool = False, out=None):
    """(L, info) like cholesky; info is 0 on success."""
    from .creation import zeros
    return _CholExRT(linalg_cholesky(A, upper=upper), zeros(tuple(A.shape[:-2]), dtype=_dt.int32))


def inv_ex(A, *, check_errors: bool = False, out=None):
    """(inverse, info) like inv; info is 0 on success."""
    from .creation import zeros
    return _InvExRT(inv(A), zeros(tuple(A.shape[:-2]), dtype=_dt.int32))


class QR(Op):
    node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, A, mode):
        xp = xp_of(A)
        m, n = A.shape[-2:]
        if mode == "r":
            R = _la(xp).qr(A, mode="r")
            return xp.zeros((0,), dtype=A.dtype), R
        Q, R = _la(xp).qr(A, mode="complete" if mode == "complete" else "reduced")
        ctx.save_for_backward(Q, R)
        ctx.mode = mode
        ctx.shape = (m, n)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        Q, R = ctx.saved_tensors
        m, n = ctx.shape
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_backward_tall(Q, R, gQ, gR), None
        # wide: A = [X | Y] with X = Q U square and Y = Q V
        import numpy as np
        xp = xp_of(R._data)
        eye_n = np.eye(n, dtype=R._data.dtype)
        E1, E2 = _const(xp.asarray(eye_n[:m])), _const(xp.asarray(eye_n[m:]))
        U, Y = matmul(R, _mT(E1)), matmul(matmul(Q, R), _mT(E2))
        gU, gV = matmul(gR, _mT(E1)), matmul(gR, _mT(E2))
        gY = matmul(Q, gV)
        gX = _qr_backward_tall(Q, U, gQ + matmul(Y, _mH(gV)), gU)
        return matmul(gX, E1) + matmul(gY, E2), None


def _qr_backward_tall(Q, R, gQ, gR):
    """Gradient of A = QR (m >= n, reduced) from the gradients of Q and R."""
    M = matmul(R, _mH(gR)) - matmul(_mH(gQ), Q)
    low = tril(M, -1)
    M = low + _mH(low) + diag_embed(M.diagonal(0, -2, -1))
    rhs = gQ + matmul(Q, M)
    return _mH(solve(R, _mH(rhs)))  # rhs R^{-H}


def linalg_qr(A, mode: str = "reduced", *, out=None):
    """QR decomposition: (Q, R) with mode 'reduced', 'complete' or 'r'."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    if A.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    _floating(A, "linalg.qr")
    return _LinalgQrRT(*QR.apply(A, mode))


def _torch_qr(input, some: bool = True, *, out=None):
    return _QrRT(*linalg_qr(input, "reduced" if some else "complete"))


class SVD(Op):
    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, A, full_matrices, compute_uv):
        xp = xp_of(A)
        if not compute_uv:
            S = _la(xp).svd(A, compute_uv=False)
            U, Vh = _la(xp).svd(A, full_matrices=False)[0::2]
            ctx.save_for_backward(U, S, Vh)
            ctx.full = False
            return S
        U, S, Vh = _la(xp).svd(A, full_matrices=full_matrices)
        ctx.save_for_backward(U, S, Vh)
        ctx.full = full_matrices
        return U, S, Vh

    @staticmethod
    def backward(ctx, *grads):
        U, S, Vh = ctx.saved_tensors
        if len(grads) == 1:
            gU, gS, gVh = None, grads[0], None
        else:
            gU, gS, gVh = grads
        k = S.shape[-1]
        m, n = U.shape[-2], Vh.shape[-1]
        if ctx.full and (gU is not None or gVh is not None):
            U = U[..., :, :k]
            Vh = Vh[..., :k, :]
            if gU is not None:
                gU = gU[..., :, :k]
            if gVh is not None:
                gVh = gVh[..., :k, :]
        V = _mH(Vh)
        inner = diag_embed(gS) if gS is not None else None
        if gU is None and gVh is None:
            return matmul(U * gS.unsqueeze(-2), Vh), None, None
        S2 = S * S
        diff = S2.unsqueeze(-2) - S2.unsqueeze(-1)   # [i, j] = s_j^2 - s_i^2
        from .creation import eye
        I_k = eye(k, dtype=S.dtype, device=S.device)
        F = (1 - I_k) / (diff + I_k)
        Sm = S.unsqueeze(-2)   # scales columns
        Sc = S.unsqueeze(-1)   # scales rows
        term = inner if inner is not None else 0
        if gU is not None:
            UtgU = matmul(_mH(U), gU)
            J = F * (UtgU - _mH(UtgU))
            term = term + J * Sm
        gV = _mH(gVh) if gVh is not None else None
        if gV is not None:
            VtgV = matmul(_mH(V), gV)
            K = F * (VtgV - _mH(VtgV))
            term = term + Sc * K
        gA = matmul(matmul(U, term), Vh)
        if gU is not None and m > k:
            proj = gU - matmul(U, matmul(_mH(U), gU))
            gA = gA + matmul(proj / Sm, Vh)
        if gV is not None and n > k:
            proj = gV - matmul(V, matmul(_mH(V), gV))
            gA = gA + matmul(U / Sm, _mH(proj))
        return gA, None, None


def linalg_svd(A, full_matrices: bool = True, *, driver=None, out=None):
    """Singular value decomposition A = U diag(S) Vh."""
    if A.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    _floating(A, "linalg.svd")
    return _LinalgSvdRT(*SVD.apply(A, bool(full_matrices), True))


def svdvals(A, *, driver=None, out=None) -> Tensor:
    """Singular values, in descending order."""
    if A.ndim < 2:
        raise RuntimeError("linalg.svdvals: The input tensor A must have at least 2 "
                           "dimensions.")
    _floating(A, "linalg.svdvals")
    # through the full SVD node: U and Vh stay in the graph, so double backward is right
    return _out(SVD.apply(A, False, True)[1], out)


def _torch_svd(input, some: bool = True, compute_uv: bool = True, *, out=None):
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    if not compute_uv:
        from .creation import zeros_like
        return _SvdRT(zeros_like(U), S, zeros_like(_mH(Vh)))
    return _SvdRT(U, S, _mH(Vh))


class Eigh(Op):
    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, A, uplo):
        w, V = _la(xp_of(A)).eigh(A, UPLO=uplo)
        ctx.save_for_backward(w, V)
        return w, V

    @staticmethod
    def backward(ctx, gw, gV):
        w, V = ctx.saved_tensors
        from .creation import eye
        n = w.shape[-1]
        I_n = eye(n, dtype=w.dtype, device=w.device)
        term = diag_embed(gw)
        if gV is not None:
            diff = w.unsqueeze(-2) - w.unsqueeze(-1)    # [i, j] = w_j - w_i
            F = (1 - I_n) / (diff + I_n)
            VtgV = matmul(_mH(V), gV)
            term = term + F * (VtgV - _mH(VtgV)) * 0.5
        return matmul(matmul(V, term), _mH(V)), None


def eigh(A, UPLO: str = "L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of Hermitian matrices."""
    _square(A, "linalg.eigh")
    _floating(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _EighRT(*Eigh.apply(A, UPLO))


def eigvalsh(A, UPLO: str = "L", *, out=None) -> Tensor:
    """Eigenvalues (ascending) of Hermitian matrices."""
    return _out(eigh(A, UPLO)[0], out)


def _complex_of(dt):
    return _dt.complex128 if dt is _dt.float64 else _dt.complex64


def eig(A, *, out=None):
    """Eigenvalues and eigenvectors of general square matrices (complex results)."""
    _square(A, "linalg.eig")
    _floating(A, "linalg.eig")
    from .._tensor import _wrap
    xp = xp_of(A._data)
    if xp.__name__ == "cupy":
        import numpy as np
        w, V = np.linalg.eig(A._data.get())
        w, V = xp.asarray(w), xp.asarray(V)
    else:
        w, V = xp.linalg.eig(A._data)
    cdt = _complex_of(A.dtype) if not A.dtype.is_complex else A.dtype
    return _EigRT(_wrap(w.astype(cdt.np)), _wrap(V.astype(cdt.np)))


def eigvals(A, *, out=None) -> Tensor:
    """Eigenvalues of general square matrices (complex)."""
    return eig(A)[0]


def pinv(A, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """Moore-Penrose pseudo-inverse (singular values below the tolerance are dropped)."""
    _floating(A, "linalg.pinv")
    U, S, Vh = linalg_svd(A, full_matrices=False)
    xp = xp_of(S._data)
    sd = S._data
    smax = sd.max(axis=-1, keepdims=True) if sd.shape[-1] else xp.zeros(sd.shape[:-1] + (1,))
    if rtol is None:
        import numpy as np
        rtol = (0.0 if atol is not None and (not isinstance(atol, (int, float)) or atol > 0)
                else max(A.shape[-2:]) * float(np.finfo(sd.dtype).eps))
    a = atol._data[..., None] if isinstance(atol, Tensor) else (atol or 0.0)
    r = rtol._data[..., None] if isinstance(rtol, Tensor) else rtol
    tol = xp.maximum(a, r * smax)
    keep = _const((sd > tol).astype(sd.dtype))
    s_inv = keep / (S + (1 - keep))
    return _out(matmul(_mH(Vh) * s_inv.unsqueeze(-2), _mH(U)), out)


def _torch_pinverse(input, rcond: float = 1e-15) -> Tensor:
    return pinv(input, rtol=rcond)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B: (solution, residuals, rank, singular_values)."""
    from .creation import tensor as _tensor
    from .creation import zeros
    _floating(A, "linalg.lstsq")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {A.dtype.name.capitalize()} and "
                           f"other's dtype {B.dtype.name.capitalize()}")
    vec = B.ndim == A.ndim - 1
    B2 = B.unsqueeze(-1) if vec else B
    if B2.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2). "
                           f"Got {A.shape[-2]} and {B2.shape[-2]}")
    X = matmul(pinv(A, rtol=rcond) if rcond is not None else pinv(A), B2)
    if vec:
        X = X.squeeze(-1)
    rank = matrix_rank(A.detach())
    empty = zeros((0,), dtype=A.dtype)
    del _tensor
    m, n = A.shape[-2], A.shape[-1]
    residuals = _EmptyOf.apply(A)
    if driver not in (None, "gelsy", "gels", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           "gelsy, gelsd, gelss)")
    if driver in ("gelsd", "gelss", "gels") and m > n and bool((rank._data == n).all()):
        r = matmul(A, X.unsqueeze(-1) if vec else X) - B2
        residuals = (r * _conj(r)).sum(-2)
    if driver == "gels":  # gels does not compute the rank (torch returns it empty)
        rank = zeros((0,), dtype=_dt.int64)
    svals = empty
    if driver in ("gelsd", "gelss"):
        svals = svdvals(A.detach())
    return _LstsqRT(X, residuals, rank, svals)


class _EmptyOf(Op):
    """An empty result (lstsq's residuals with the default driver) that is still an output
    of the graph, as in torch."""

    node_name = "LinalgLstsqBackward0"

    @staticmethod
    def forward(ctx, A):
        return xp_of(A).zeros((0,), dtype=A.dtype)

    @staticmethod
    def backward(ctx, g):
        return None


def solve_triangular(A, B, *, upper: bool, left: bool = True, unitriangular: bool = False,
                     out=None) -> Tensor:
    """Solution of a triangular system (only the ``upper``/lower triangle of A is read)."""
    _floating(A, "linalg.solve_triangular")
    if A.ndim < 2 or B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor A must have at least 2 "
                           "dimensions." if A.ndim < 2 else "linalg.solve_triangular: The input "
                           "tensor B must have at least 2 dimensions.")
    T = triu(A) if upper else tril(A)
    if unitriangular:
        from .creation import eye
        e = eye(A.shape[-1], dtype=A.dtype, device=A.device)
        T = T * (1 - e) + e
    return _out(solve(T, B, left=left) if B.ndim >= 2 else solve(T, B), out)


def matrix_rank(A, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """Number of singular values above the tolerance."""
    from .._tensor import _wrap
    _floating(A, "linalg.matrix_rank")
    xp = xp_of(A._data)
    s = _la(xp).svd(A._data, compute_uv=False)
    import numpy as np
    smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,))
    if rtol is None:
        rtol = 0.0 if atol is not None else max(A.shape[-2:]) * float(np.finfo(s.dtype).eps)
    a = atol._data[..., None] if isinstance(atol, Tensor) else (atol or 0.0)
    r = rtol._data[..., None] if isinstance(rtol, Tensor) else rtol
    tol = xp.maximum(a, r * smax)
    return _out(_wrap((s > tol).sum(axis=-1).astype(np.int64)), out)


def matrix_power(A, n: int, *, out=None) -> Tensor:
    """A @ A @ ... (n times); n = 0 gives the identity, n < 0 powers of the inverse."""
    _square(A, "linalg.matrix_power")
    if not isinstance(n, int):
        raise TypeError(f"matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    if n == 0:
        from .creation import eye
        e = eye(A.shape[-1], dtype=A.dtype, device=A.device)
        return _out(e.expand(tuple(A.shape)) + _ZeroOf.apply(A), out)
    if n < 0:
        A = inv(A)
        n = -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return _out(result if result is not A else A.clone(), out)


def multi_dot(tensors, *, out=None) -> Tensor:
    """Product of a chain of matrices (first/last may be 1-D)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_vec, last_vec = tensors[0].ndim == 1, tensors[-1].ndim == 1
    if first_vec:
        tensors[0] = tensors[0].unsqueeze(0)
    if last_vec:
        tensors[-1] = tensors[-1].unsqueeze(-1)
    for i, t in enumerate(tensors):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    res = tensors[0]
    for t in tensors[1:]:
        res = mm(res, t)
    if first_vec:
        res = res.squeeze(0)
    if last_vec:
        res = res.squeeze(-1)
    return _out(res, out)


def vecdot(x, y, *, dim: int = -1, out=None) -> Tensor:
    """Dot product of vectors along ``dim`` (the first argument conjugated)."""
    return _out((_conj(x) * y).sum(dim), out)


def _linalg_diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.linalg.diagonal: diagonal() with matrix-last defaults."""
    return diagonal(A, offset, dim1, dim2)


def cholesky_solve(B, L, upper: bool = False, *, out=None) -> Tensor:
    """X with A X = B, given A's Cholesky factor: lower L (A = L L^H) or, with ``upper``,
    U (A = U^H U). Two solves with the whole factor, so that, as in torch, the gradient
    in L is dense (the factor's zero triangle gets one too)."""
    lower = L.mH if upper else L
    return _out(solve(lower.mH, solve(lower, B)), out)


def cholesky_inverse(L, upper: bool = False, *, out=None) -> Tensor:
    """The inverse of A from its Cholesky factor (see ``cholesky_solve``)."""
    if L.ndim < 2:
        raise RuntimeError(f"cholesky_inverse: The input tensor A must have at least 2 "
                           f"dimensions. Got a {L.ndim}-D tensor.")
    from .creation import eye
    e = eye(L.shape[-1], dtype=L.dtype, device=L.device).expand(L.shape)
    return _out(cholesky_solve(e, L, upper), out)


register_methods(globals(), ["diagonal", "diag_embed", "diag", "diagflat", "trace", "tril",
                             "triu", "tril_", "triu_", "kron", "cross", "logdet",
                             "matrix_power", "det", "cholesky_solve", "cholesky_inverse"])
Tensor.inverse = lambda self: inv(self)
Tensor.slogdet = lambda self: _torch_slogdet(self)
Tensor.cholesky = _torch_cholesky
Tensor.pinverse = _torch_pinverse
Tensor.svd = _torch_svd
Tensor.qr = _torch_qr
Tensor.inner = inner
Tensor.outer = outer
Tensor.ger = outer
Tensor.tensordot = tensordot

inverse = inv
pinverse = _torch_pinverse
svd = _torch_svd
qr = _torch_qr
cholesky = _torch_cholesky
slogdet = _torch_slogdet

__all__ += ["diagonal", "diag_embed", "diag", "diagflat", "trace", "tril", "triu",
            "tril_indices", "triu_indices", "einsum", "tensordot", "kron", "chain_matmul",
            "cross", "cdist", "det", "logdet", "inverse", "pinverse", "matrix_power", "svd",
            "qr", "cholesky", "slogdet", "cholesky_solve", "cholesky_inverse"]
