"""Linear algebra: matmul family, einsum, decompositions and ember.linalg functions.

Forward runs on backend arrays (one ``xp.matmul``/``xp.linalg`` call on the operands as
they are); backward is written with ember Tensor ops, so double backward works.
"""

from __future__ import annotations

from .. import dtypes as _dt
from .._tensor import Tensor
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
    return x.conj() if x._data.dtype.kind == "c" else x


def _mH(x: Tensor) -> Tensor:
    return _conj(x.transpose(-2, -1))


# ----- matmul ---------------------------------------------------------------------------------


class _MatmulBase(Op):
    """``xp.matmul`` with numpy's 1-D/batched/broadcast semantics (those of torch)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp_of(a).matmul(a, b)

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
        if k_a != k_b:
            if db == 1 and da == 2:
                raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({_dims_str(sa)}), "
                                   f"vec ({sb[0]})")
            if da <= 2 and db <= 2:
                s1 = sa if da == 2 else (1,) + sa
                raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                                   f"({_dims_str(s1)} and {_dims_str(sb)})")
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{_batch_numel(sa, sb)}, {k_a}] but got: "
                               f"[{_batch_numel(sa, sb)}, {k_b}].")
        if da > 2 or db > 2:
            bs_a = sa[:-2] if da > 2 else ()
            bs_b = sb[:-2] if db > 2 else ()
            _broadcast_batch(bs_a, bs_b)
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


def _batch_numel(sa, sb) -> int:
    n = 1
    for s in (sa[:-2] if len(sa) > 2 else sb[:-2]):
        n *= s
    return n


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


def _addlike(input, prod, beta, alpha, out):
    """beta * input + alpha * prod (input ignored when beta == 0, like torch)."""
    if beta == 0:
        res = _scaled(prod, alpha)
        if tuple(input.shape) != tuple(res.shape):
            input.detach().expand(tuple(res.shape))  # torch still checks broadcastability
        return _out(res + _ZeroOf.apply(input), out)
    return _out(_scaled(input, beta) + _scaled(prod, alpha), out)


class _ZeroOf(Op):
    """Zeros shaped like the input: the input is ignored (beta=0) but gets a zero grad."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, x):
        return xp_of(x).zeros_like(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2)."""
    return _addlike(input, mm(mat1, mat2), beta, alpha, out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * (mat @ vec)."""
    return _addlike(input, mv(mat, vec), beta, alpha, out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2)."""
    if vec1._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1._data.ndim}-D")
    return _addlike(input, outer(vec1, vec2), beta, alpha, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * sum_b(batch1[b] @ batch2[b])."""
    return _addlike(input, bmm(batch1, batch2).sum(0), beta, alpha, out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2)."""
    return _addlike(input, bmm(batch1, batch2), beta, alpha, out)


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
