"""Elementwise ops: arithmetic, unary math, comparisons, logical and bitwise ops.

Each op is an ``Op`` subclass -- forward on backend arrays beside backward on Tensors --
followed by its public function. Gradients are written for the broadcast output shape;
the engine sums them back to each input's shape.
"""

from __future__ import annotations

import math

from .. import dtypes as _dt
from .._tensor import Tensor
from ._common import (
    NULL_CTX,
    Op,
    apply_inplace,
    cast_operands,
    float_dtype_for,
    is_scalar,
    register_methods,
    result_type,
    xp_of,
)

# ----- binary arithmetic -----------------------------------------------------------------


def _promote(a, b, floating: bool = False):
    """Cast (a, b) to their torch result dtype; ``floating`` makes integer results float."""
    if type(a) is Tensor and type(b) is Tensor and a._data.dtype == b._data.dtype \
            and (not floating or a._data.dtype.kind in "fc"):
        return a, b
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"expected at least one Tensor operand, got {type(a).__name__} and "
                        f"{type(b).__name__}")
    dt = result_type(a, b)
    if floating:
        dt = float_dtype_for(dt)
    a, b = cast_operands(dt, a, b)
    if dt is _dt.bfloat16:  # ml_dtypes upcasts with Python floats; give it a bfloat16 scalar
        a, b = (dt.np.type(x) if is_scalar(x) else x for x in (a, b))
    return a, b


def _bcast_error(*operands) -> RuntimeError:
    """torch's message for operands whose shapes do not broadcast (NumPy raised)."""
    from ._common import broadcast_shapes
    try:
        broadcast_shapes(*(getattr(x, "shape", ()) for x in operands))
    except RuntimeError as e:
        return e
    return RuntimeError("operands could not be broadcast together")


class Add(Op):
    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a + b
        except ValueError:
            raise _bcast_error(a, b) from None

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a - b
        except ValueError:
            raise _bcast_error(a, b) from None

    @staticmethod
    def backward(ctx, g):
        return g, -g


def _save_operands(ctx, a, b, need_a: bool, need_b: bool) -> None:
    """Save the operands a binary op's backward will read; Python scalars go on ctx.
    Nothing is saved when nothing is recorded (NULL_CTX has no needs_input_grad)."""
    if not ctx.needs_input_grad:
        return
    ctx.scalars = (a if is_scalar(a) else None, b if is_scalar(b) else None)
    ctx.save_for_backward(a if need_a and not is_scalar(a) else None,
                          b if need_b and not is_scalar(b) else None)


class Mul(Op):
    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        needs = ctx.needs_input_grad
        _save_operands(ctx, a, b, need_a=needs and needs[1], need_b=needs and needs[0])
        try:
            return a * b
        except ValueError:
            raise _bcast_error(a, b) from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.scalars
        ga = (g * (b if b is not None else sb)) if ctx.needs_input_grad[0] else None
        gb = (g * (a if a is not None else sa)) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Op):
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        needs = ctx.needs_input_grad
        _save_operands(ctx, a, b, need_a=needs and needs[1], need_b=True)
        try:
            return a / b
        except ValueError:
            raise _bcast_error(a, b) from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.scalars
        bb = b if b is not None else sb
        ga = g / bb if ctx.needs_input_grad[0] else None
        gb = None
        if ctx.needs_input_grad[1]:
            aa = a if a is not None else sa
            gb = -g * aa / (bb * bb)
        return ga, gb


class Neg(Op):
    node_name = "NegBackward0"

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, with broadcasting and type promotion."""
    if alpha != 1:
        other = mul(other, alpha)
    a, b = _promote(input, other)
    return _out(Add.apply(a, b), out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if isinstance(input, Tensor) and input.dtype is _dt.bool and \
            isinstance(other, Tensor) and other.dtype is _dt.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if alpha != 1:
        other = mul(other, alpha)
    a, b = _promote(input, other)
    return _out(Sub.apply(a, b), out)


def mul(input, other, *, out=None):
    """Elementwise product."""
    a, b = _promote(input, other)
    return _out(Mul.apply(a, b), out)


def div(input, other, *, rounding_mode=None, out=None):
    """Elementwise division: true division, or 'trunc'/'floor' rounding."""
    if rounding_mode is None:
        a, b = _promote(input, other, floating=True)
        return _out(Div.apply(a, b), out)
    if rounding_mode == "floor":
        return floor_divide(input, other, out=out)
    if rounding_mode == "trunc":
        a, b = _promote(input, other)
        return _out(TruncDiv.apply(a, b), out)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


class FloorDivide(Op):
    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, b):
        xp = xp_of(a if not is_scalar(a) else b)
        return xp.floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        return g * 0, g * 0


class TruncDiv(Op):
    node_name = "DivBackward2"

    @staticmethod
    def forward(ctx, a, b):
        xp = xp_of(a if not is_scalar(a) else b)
        q = xp.true_divide(a, b)
        res_dtype = (a if not is_scalar(a) else b).dtype
        return xp.trunc(q).astype(res_dtype) if res_dtype.kind in "iu" else xp.trunc(q)

    @staticmethod
    def backward(ctx, g):
        return g * 0, g * 0


def floor_divide(input, other, *, out=None):
    a, b = _promote(input, other)
    return _out(FloorDivide.apply(a, b), out)


def neg(input, *, out=None):
    if input.dtype is _dt.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _out(Neg.apply(input), out)


negative = neg


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    """Honour torch's ``out=`` argument (resizes ``out`` as torch does)."""
    if out is None:
        return result
    if out._requires_grad and out.grad_fn is None:
        raise RuntimeError("out=... arguments don't support automatic differentiation, but "
                           "one of the arguments requires grad.")
    if out._data.shape != result._data.shape:
        out._data = xp_of(result._data).empty(result._data.shape, out._data.dtype)
    out._data[...] = result._data
    out._version[0] += 1
    return out


# ----- Tensor operators --------------------------------------------------------------------

def _radd(self, other):
    return add(other, self) if isinstance(other, Tensor) else add(self, other)


class Rsub(Sub):
    node_name = "RsubBackward1"  # scalar - tensor


def _rsub(self, other):
    if isinstance(other, Tensor):
        return sub(other, self)
    a, b = _promote(other, self)
    return Rsub.apply(a, b)


def _rtruediv(self, other):
    if isinstance(other, Tensor):
        return div(other, self)
    return mul(self.reciprocal(), other)  # scalar / tensor, recorded as torch does (Mul)


def _rfloordiv(self, other):
    a, b = _promote(other, self)
    return FloorDivide.apply(a, b)


def _iadd(self, other):
    return add_(self, other)


def _isub(self, other):
    return sub_(self, other)


def _imul(self, other):
    return mul_(self, other)


def _itruediv(self, other):
    return div_(self, other)


def add_(self, other, *, alpha=1):
    """In-place ``self += alpha * other``."""
    if alpha != 1:
        other = mul(other, alpha)
    other = other if is_scalar(other) else other
    dt = result_type(self, other)
    _check_inplace_dtype(self, dt)
    _, b = cast_operands(dt, self, other)
    return apply_inplace(Add, self, b)


def sub_(self, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    dt = result_type(self, other)
    _check_inplace_dtype(self, dt)
    _, b = cast_operands(dt, self, other)
    return apply_inplace(Sub, self, b)


def mul_(self, other):
    dt = result_type(self, other)
    _check_inplace_dtype(self, dt)
    _, b = cast_operands(dt, self, other)
    return apply_inplace(Mul, self, b)


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is not None:
        res = div(self, other, rounding_mode=rounding_mode)
        return self.copy_(res)
    dt = float_dtype_for(result_type(self, other))
    _check_inplace_dtype(self, dt)
    _, b = cast_operands(dt, self, other)
    return apply_inplace(Div, self, b)


def neg_(self):
    return apply_inplace(Neg, self)


def floor_divide_(self, other):
    """In-place ``floor_divide``; the result dtype must fit ``self``'s, as in torch."""
    _check_inplace_dtype(self, result_type(self, other))
    return self.copy_(floor_divide(self, other))


Tensor.__add__ = add
Tensor.__radd__ = _radd
Tensor.__sub__ = sub
Tensor.__rsub__ = _rsub
Tensor.__mul__ = mul
Tensor.__rmul__ = lambda self, other: mul(other, self) if isinstance(other, Tensor) \
    else mul(self, other)
Tensor.__truediv__ = div
Tensor.__rtruediv__ = _rtruediv
Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = _rfloordiv
Tensor.__neg__ = neg
Tensor.__pos__ = lambda self: self
Tensor.__iadd__ = _iadd
Tensor.__isub__ = _isub
Tensor.__imul__ = _imul
Tensor.__itruediv__ = _itruediv

register_methods(globals(), ["add", "sub", "mul", "div", "neg", "negative", "floor_divide",
                             "add_", "sub_", "mul_", "div_", "neg_", "floor_divide_"])
Tensor.subtract = sub
Tensor.multiply = mul
Tensor.divide = div
Tensor.divide_ = div_
Tensor.true_divide = div
subtract, multiply, divide, true_divide = sub, mul, div, div

# ----- unary math (a compact table: forward on arrays, gradient with Tensor ops) ----------


def _reads(fn, arg: str) -> bool:
    """Whether function ``fn`` reads its argument ``arg`` (decided once, at definition)."""
    import dis
    return any(i.opname.startswith("LOAD_FAST") and
               arg in (i.argval if isinstance(i.argval, tuple) else (i.argval,))
               for i in dis.get_instructions(fn))


def _unary(name: str, node: str, fwd, grad, floating: bool = True):
    """Define unary op ``name``: ``fwd(xp, x)`` on arrays, ``grad(g, x, y)`` on Tensors
    (x the input, y the output). Integer inputs of float ops compute in the default dtype.
    Only what ``grad`` reads is saved: saving more would keep memory alive and make a
    later in-place change of the other tensor a (spurious) version error."""
    uses_x, uses_y = _reads(grad, "x"), _reads(grad, "y")

    class U(Op):
        node_name = node

        @staticmethod
        def forward(ctx, x):
            y = fwd(xp_of(x), x)
            ctx.save_for_backward(x if uses_x else None, y if uses_y else None)
            return y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return grad(g, x, y)

    U.__name__ = U.__qualname__ = name.capitalize()

    def fn(input, *, out=None):
        if floating and input._data.dtype.kind not in "fc" and \
                input.dtype is not _dt.bfloat16:
            input = input.to(_dt.get_default_dtype())
        return _out(U.apply(input), out)

    def fn_(self):
        if floating and self._data.dtype.kind not in "fc" and self.dtype is not _dt.bfloat16:
            raise RuntimeError(f"result type {_cast_nm(_dt.get_default_dtype())} can't be cast "
                               f"to the desired output type {_cast_nm(self.dtype)}")
        return apply_inplace(U, self)

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name}."
    fn_.__name__ = name + "_"
    return U, fn, fn_


Exp, exp, exp_ = _unary("exp", "ExpBackward0", lambda xp, x: xp.exp(x), lambda g, x, y: g * y)
Log, log, log_ = _unary("log", "LogBackward0", lambda xp, x: xp.log(x), lambda g, x, y: g / x)

register_methods(globals(), ["exp", "exp_", "log", "log_"])

__all__ = ["add", "sub", "mul", "div", "neg", "negative", "floor_divide", "subtract",
           "multiply", "divide", "true_divide", "exp", "log"]


# ----- special-function kernels (NumPy lacks erf/lgamma/digamma; scipy is optional) --------

def _scipy_special():
    """scipy.special when SciPy is installed (optional), else None; looked up once,
    since a failed import is not cached by Python and costs milliseconds per call."""
    global _SPECIAL
    if _SPECIAL is _UNSET:
        try:
            from scipy import special
        except ImportError:
            special = None
        _SPECIAL = special
    return _SPECIAL


_UNSET = object()
_SPECIAL = _UNSET


def _erf(xp, x):
    special = _scipy_special()
    if special is not None and xp.__name__ == "numpy":
        return special.erf(x).astype(x.dtype)
    return _erf_f64(xp, x, terms=18 if x.dtype.itemsize >= 8 else 11).astype(x.dtype)


# erf(x) = 2/sqrt(pi) * sum_n c_n x^(2n+1) with c_n = (-1)^n / (n! (2n+1))
_ERF_SERIES = [(-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(18)]


def _erf_f64(xp, x, terms: int = 18):
    """erf in float64: the Maclaurin series near 0 (where 1 - erfc would lose relative
    accuracy), the Chebyshev erfc fit elsewhere. For |x| < 1 the n-th term is below
    1/(n! (2n+1)): 18 terms reach float64 precision, 11 float32's."""
    xd = x.astype("float64")
    small = xp.abs(xd) < 1.0
    xs = xp.where(small, xd, 0.0)
    x2 = xs * xs
    total = xp.full_like(xs, _ERF_SERIES[terms - 1])
    for c in reversed(_ERF_SERIES[:terms - 1]):  # Horner in x^2, in place
        total *= x2
        total += c
    total *= xs
    total *= 1.1283791670955126
    if bool(small.all()):
        return total
    return xp.where(small, total, 1.0 - _erfc_cheb(xp, xd))


def _erfc_cheb(xp, x):
    """erfc by a Chebyshev fit (fractional error below 1.2e-7 everywhere)."""
    xd = x.astype("float64")
    z = xp.abs(xd)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (
        0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (
            1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    ans = t * xp.exp(poly)
    return xp.where(xd >= 0, ans, 2.0 - ans)


def _erfc(xp, x):
    special = _scipy_special()
    if special is not None and xp.__name__ == "numpy":
        return special.erfc(x).astype(x.dtype)
    return _erfc_cheb(xp, x).astype(x.dtype)


def _erfinv(xp, y):
    yd = y.astype("float64")
    # Giles' single-precision approximation, refined by Newton steps on erf
    w = -xp.log(xp.clip((1.0 - yd) * (1.0 + yd), 1e-300, None))
    w1 = w - 2.5
    p1 = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p1 = c + p1 * w1
    w2 = xp.sqrt(xp.maximum(w, 5.0)) - 3.0
    p2 = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        p2 = c + p2 * w2
    x = xp.where(w < 5.0, p1, p2) * yd
    for _ in range(3):
        err = _erf_f64(xp, x) - yd
        x = x - err / (1.1283791670955126 * xp.exp(-x * x))
    x = xp.where(yd == 1, xp.inf, xp.where(yd == -1, -xp.inf, x))
    x = xp.where(xp.abs(yd) > 1, xp.nan, x)
    return x.astype(y.dtype)


_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)


def _lgamma(xp, x):
    xd = x.astype("float64")
    refl = xd < 0.5
    z = xp.where(refl, 1.0 - xd, xd) - 1.0
    a = _LANCZOS[0]
    t = z + 7.5
    for i in range(1, 9):
        a = a + _LANCZOS[i] / (z + i)
    lg = 0.5 * _LOG2PI + (z + 0.5) * xp.log(t) - t + xp.log(a)
    s = xp.abs(xp.sin(xp.pi * xd))
    out = xp.where(refl, xp.log(xp.pi / s) - lg, lg)
    out = xp.where((xd <= 0) & (xd == xp.floor(xd)), xp.inf, out)
    return out.astype(x.dtype)


_LOG2PI = 1.8378770664093453


def _digamma(xp, x):
    xd = x.astype("float64")
    refl = xd < 0.5
    z = xp.where(refl, 1.0 - xd, xd)
    acc = xp.zeros_like(z)
    for _ in range(6):
        small = z < 6
        acc = acc - xp.where(small, 1.0 / z, 0.0)
        z = xp.where(small, z + 1, z)
    iz2 = 1.0 / (z * z)
    res = acc + xp.log(z) - 0.5 / z - iz2 * (1 / 12 - iz2 * (1 / 120 - iz2 * (
        1 / 252 - iz2 * (1 / 240 - iz2 / 132))))
    res = xp.where(refl, res - xp.pi / xp.tan(xp.pi * xd), res)
    res = xp.where((xd <= 0) & (xd == xp.floor(xd)), xp.nan, res)
    res = xp.where(xd == 0, -xp.inf, res)
    return res.astype(x.dtype)


def _polygamma1(xp, x):
    """trigamma (the derivative of digamma), for digamma's gradient."""
    xd = x.astype("float64")
    z = xd.copy() if hasattr(xd, "copy") else xd
    acc = xp.zeros_like(z)
    for _ in range(6):
        small = z < 6
        acc = acc + xp.where(small, 1.0 / (z * z), 0.0)
        z = xp.where(small, z + 1, z)
    iz = 1.0 / z
    iz2 = iz * iz
    res = acc + iz + 0.5 * iz2 + iz * iz2 * (1 / 6 - iz2 * (1 / 30 - iz2 * (1 / 42 - iz2 / 30)))
    return res.astype(x.dtype)


# ----- more unary math --------------------------------------------------------------------

_UNARY = []


def _def_unary(name, node, fwd, grad, floating=True, methods=True):
    U, fn, fn_ = _unary(name, node, fwd, grad, floating)
    globals()[name] = fn
    globals()[name + "_"] = fn_
    _UNARY.append(name)
    return U


_def_unary("exp2", "Exp2Backward0", lambda xp, x: xp.exp2(x), lambda g, x, y: g * y * 0.6931471805599453)
_def_unary("expm1", "Expm1Backward0", lambda xp, x: xp.expm1(x), lambda g, x, y: g * (y + 1))
_def_unary("log2", "Log2Backward0", lambda xp, x: xp.log2(x), lambda g, x, y: g / (x * 0.6931471805599453))
_def_unary("log10", "Log10Backward0", lambda xp, x: xp.log10(x), lambda g, x, y: g / (x * 2.302585092994046))
_def_unary("log1p", "Log1PBackward0", lambda xp, x: xp.log1p(x), lambda g, x, y: g / (x + 1))
_def_unary("sqrt", "SqrtBackward0", lambda xp, x: xp.sqrt(x), lambda g, x, y: g / (2 * y))
_def_unary("rsqrt", "RsqrtBackward0", lambda xp, x: 1 / xp.sqrt(x),
           lambda g, x, y: g * (-0.5) * y * y * y)
_def_unary("reciprocal", "ReciprocalBackward0", lambda xp, x: 1 / x, lambda g, x, y: -g * y * y)
_def_unary("sin", "SinBackward0", lambda xp, x: xp.sin(x), lambda g, x, y: g * cos(x))
_def_unary("cos", "CosBackward0", lambda xp, x: xp.cos(x), lambda g, x, y: -g * sin(x))
_def_unary("tan", "TanBackward0", lambda xp, x: xp.tan(x), lambda g, x, y: g * (1 + y * y))
_def_unary("asin", "AsinBackward0", lambda xp, x: xp.arcsin(x), lambda g, x, y: g * rsqrt(1 - x * x))
_def_unary("acos", "AcosBackward0", lambda xp, x: xp.arccos(x), lambda g, x, y: -g * rsqrt(1 - x * x))
_def_unary("atan", "AtanBackward0", lambda xp, x: xp.arctan(x), lambda g, x, y: g / (1 + x * x))
_def_unary("sinh", "SinhBackward0", lambda xp, x: xp.sinh(x), lambda g, x, y: g * cosh(x))
_def_unary("cosh", "CoshBackward0", lambda xp, x: xp.cosh(x), lambda g, x, y: g * sinh(x))
_def_unary("tanh", "TanhBackward0", lambda xp, x: xp.tanh(x), lambda g, x, y: g * (1 - y * y))
_def_unary("asinh", "AsinhBackward0", lambda xp, x: xp.arcsinh(x), lambda g, x, y: g * rsqrt(x * x + 1))
_def_unary("acosh", "AcoshBackward0", lambda xp, x: xp.arccosh(x), lambda g, x, y: g * rsqrt(x * x - 1))
_def_unary("atanh", "AtanhBackward0", lambda xp, x: xp.arctanh(x), lambda g, x, y: g / (1 - x * x))
_def_unary("sigmoid", "SigmoidBackward0", lambda xp, x: 1 / (1 + xp.exp(-x)),
           lambda g, x, y: g * y * (1 - y))
_def_unary("erf", "ErfBackward0", _erf, lambda g, x, y: g * 1.1283791670955126 * exp(-x * x))
_def_unary("erfc", "ErfcBackward0", _erfc, lambda g, x, y: g * -1.1283791670955126 * exp(-x * x))
_def_unary("erfinv", "ErfinvBackward0", _erfinv,
           lambda g, x, y: g * 0.886226925452758 * exp(y * y))
_def_unary("lgamma", "LgammaBackward0", _lgamma, lambda g, x, y: g * digamma(x))
_Digamma = _def_unary("digamma", "DigammaBackward0", _digamma,
                      lambda g, x, y: g * _Trigamma.apply(x))
_Trigamma = _def_unary("_trigamma", "PolygammaBackward0", _polygamma1,
                       lambda g, x, y: g * 0)  # third derivative not needed for gradgrad of lgamma
_def_unary("i0", "I0Backward0", lambda xp, x: xp.i0(x), lambda g, x, y: g * _I1.apply(x))
_I1 = _def_unary("_i1", "SpecialI1Backward0", lambda xp, x: _i1_series(xp, x),
                 lambda g, x, y: g * (i0(x) - _i1_over(x, y)))
_def_unary("deg2rad", "Deg2RadBackward0", lambda xp, x: x * (xp.pi / 180),
           lambda g, x, y: g * (3.141592653589793 / 180))
_def_unary("rad2deg", "Rad2DegBackward0", lambda xp, x: x * (180 / xp.pi),
           lambda g, x, y: g * (180 / 3.141592653589793))


def _i1_series(xp, x):
    xd = x.astype("float64")
    half = xd / 2
    term = half.copy()
    total = term.copy()
    for k in range(1, 60):
        term = term * half * half / (k * (k + 1))
        total = total + term
    return total.astype(x.dtype)


def _i1_over(x, y):
    """i1(x)/x, with its limit 1/2 at 0."""
    zero = x == 0
    return where(zero, 0.5, y / where(zero, 1.0, x))


# unary ops that keep integer dtypes
def _abs(xp, x):
    if x.dtype.kind == "b":
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return xp.abs(x)


def _sign(xp, x):
    if x.dtype.kind == "b":
        return x.copy()
    y = xp.sign(x)
    return xp.where(xp.isnan(y), 0, y).astype(x.dtype) if x.dtype.kind == "f" else y


_def_unary("abs", "AbsBackward0", lambda xp, x: _abs(xp, x), lambda g, x, y: g * sign(x),
           floating=False)
_def_unary("sign", "SignBackward0", lambda xp, x: _sign(xp, x),
           lambda g, x, y: g * 0, floating=False)
_def_unary("square", "PowBackward0", lambda xp, x: x * x if x.dtype.kind != "b" else x.astype("int64"),
           lambda g, x, y: g * 2 * x, floating=False)
_def_unary("floor", "FloorBackward0", lambda xp, x: xp.floor(x) if x.dtype.kind in "fc" else x.copy(),
           lambda g, x, y: g * 0, floating=False)
_def_unary("ceil", "CeilBackward0", lambda xp, x: xp.ceil(x) if x.dtype.kind in "fc" else x.copy(),
           lambda g, x, y: g * 0, floating=False)
_def_unary("trunc", "TruncBackward0", lambda xp, x: xp.trunc(x) if x.dtype.kind in "fc" else x.copy(),
           lambda g, x, y: g * 0, floating=False)
_def_unary("frac", "FracBackward0", lambda xp, x: x - xp.trunc(x), lambda g, x, y: g,
           floating=False)
_def_unary("relu", "ReluBackward0", lambda xp, x: xp.maximum(x, 0).astype(x.dtype),
           lambda g, x, y: g * (y > 0).to(g.dtype), floating=False)
_def_unary("positive", "AliasBackward0", lambda xp, x: x, lambda g, x, y: g, floating=False)
_def_unary("signbit", "SignbitBackward0", lambda xp, x: xp.signbit(x), lambda g, x, y: None,
           floating=False)
sgn = globals()["sign"]
fix, fix_ = globals()["trunc"], globals()["trunc_"]
absolute, absolute_ = globals()["abs"], globals()["abs_"]
arcsin, arccos, arctan = globals()["asin"], globals()["acos"], globals()["atan"]
arcsinh, arccosh, arctanh = globals()["asinh"], globals()["acosh"], globals()["atanh"]
arcsin_, arccos_, arctan_ = globals()["asin_"], globals()["acos_"], globals()["atan_"]
arcsinh_, arccosh_, arctanh_ = globals()["asinh_"], globals()["acosh_"], globals()["atanh_"]


class Round(Op):
    node_name = "RoundBackward0"

    @staticmethod
    def forward(ctx, x, decimals):
        xp = xp_of(x)
        if x.dtype.kind not in "fc":
            return x.copy()
        if decimals == 0:
            return xp.round(x)
        s = 10.0 ** decimals
        return (xp.round(x * s) / s).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * 0, None


def round(input, *, decimals=0, out=None):  # noqa: A001 - torch's name
    """Round half to even, optionally to ``decimals`` places."""
    if decimals != 0 and input._data.dtype.kind not in "fc" and input.dtype is not _dt.bfloat16:
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{_cast_nm(input.dtype)}'")
    return _out(Round.apply(input, decimals), out)


def round_(self, *, decimals=0):
    return apply_inplace(Round, self, decimals)


class Logit(Op):
    node_name = "LogitBackward0"

    @staticmethod
    def forward(ctx, x, eps):
        xp = xp_of(x)
        ctx.eps = eps
        ctx.save_for_backward(x)
        z = x if eps is None else xp.clip(x, eps, 1 - eps)
        return xp.log(z / (1 - z)).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        gx = g / (x * (1 - x))
        if ctx.eps is not None:
            gx = where((x < ctx.eps) | (x > 1 - ctx.eps), 0.0, gx)
        return gx, None


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with ``p`` clamped to [eps, 1 - eps] when eps is given."""
    if input._data.dtype.kind not in "fc":
        input = input.to(_dt.get_default_dtype())
    return _out(Logit.apply(input, eps), out)


def logit_(self, eps=None):
    return apply_inplace(Logit, self, eps)


class NanToNum(Op):
    node_name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        xp = xp_of(x)
        if x.dtype.kind not in "fc":
            return x.copy()
        ctx.save_for_backward(x)
        fi = xp.finfo(x.dtype)
        return xp.nan_to_num(x, nan=0.0 if nan is None else nan,
                             posinf=fi.max if posinf is None else posinf,
                             neginf=fi.min if neginf is None else neginf)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * isfinite(x).to(g.dtype), None, None, None


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN, +inf and -inf by finite values."""
    return _out(NanToNum.apply(input, nan, posinf, neginf), out)


def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return apply_inplace(NanToNum, self, nan, posinf, neginf)


# ----- binary math --------------------------------------------------------------------------

def _binary(name, node, fwd, grad, floating=False, tensor_only=False):
    """Define binary op ``name``: ``fwd(xp, a, b)`` on arrays (either may be a Python
    scalar), ``grad(g, a, b, y, needs)`` on Tensors/scalars -> (ga, gb)."""

    class B(Op):
        node_name = node

        @staticmethod
        def forward(ctx, a, b):
            sa = is_scalar(a)
            sb = is_scalar(b)
            arr_ = b if sa else a
            xp = xp_of(arr_)
            try:
                y = fwd(xp, a, b)
            except ValueError as e:
                if "broadcast" in str(e):
                    raise _bcast_error(a, b) from None
                raise
            dt = arr_.dtype
            ydt = getattr(y, "dtype", None)
            if ydt is None:
                y = xp.asarray(y, dtype=dt)
            elif ydt != dt and ydt.kind != "b":
                y = xp.asarray(y).astype(dt)
            if ctx is not NULL_CTX:
                ctx.save_for_backward(None if sa else a, None if sb else b, y)
                ctx.scalars = (a if sa else None, b if sb else None)
            return y

        @staticmethod
        def backward(ctx, g):
            a, b, y = ctx.saved_tensors
            sa, sb = ctx.scalars
            a = sa if a is None else a
            b = sb if b is None else b
            return grad(g, a, b, y, ctx.needs_input_grad)

    B.__name__ = B.__qualname__ = name.capitalize()

    def fn(input, other, *, out=None):
        if tensor_only:
            _need_tensors(name, input, other)
        a, b = _promote(input, other, floating=floating)
        return _out(B.apply(a, b), out)

    def fn_(self, other):
        if tensor_only:
            _need_tensors(name + "_", self, other)
        dt = result_type(self, other)
        if floating:
            dt = float_dtype_for(dt)
        _check_inplace_dtype(self, dt)
        _, b = cast_operands(dt, self, other)
        return apply_inplace(B, self, b)

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name}."
    fn_.__name__ = name + "_"
    globals()[name] = fn
    globals()[name + "_"] = fn_
    _BINARY.append(name)
    return B


_BINARY = []


def _check_inplace_dtype(self, dt) -> None:
    """torch refuses an in-place op whose result dtype is of a higher category."""
    if dt.category > self.dtype.category:
        raise RuntimeError(f"result type {_cast_nm(dt)} can't be cast to the desired output "
                           f"type {_cast_nm(self.dtype)}")


def _need_tensors(name, input, other):
    """torch's binding error for ops whose overloads take only Tensors."""
    for pos, (arg, x) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(x).__name__}")


def _t(x):
    return x


def _mask(cond, g):
    """g where cond, else 0 (cond a bool Tensor)."""
    return g * cond.to(g.dtype)


_binary("atan2", "Atan2Backward0", lambda xp, a, b: xp.arctan2(a, b),
        lambda g, a, b, y, n: (g * b / (a * a + b * b), -g * a / (a * a + b * b)), floating=True, tensor_only=True)
_binary("hypot", "HypotBackward0", lambda xp, a, b: xp.hypot(a, b),
        lambda g, a, b, y, n: (g * a / y, g * b / y), floating=True, tensor_only=True)
_binary("copysign", "CopysignBackward0", lambda xp, a, b: xp.copysign(a, b),
        lambda g, a, b, y, n: (g * where(a == 0, 0.0, y / where(a == 0, 1.0, a)),
                               g * 0 if n[1] else None),
        floating=True)
_binary("xlogy", "XlogyBackward0",
        lambda xp, a, b: xp.where(xp.asarray(a) == 0, xp.where(xp.isnan(b), xp.nan, 0.0),
                                  a * xp.log(b)),
        lambda g, a, b, y, n: (g * where(_as_t(a, g) == 0, 0.0, log(_as_t(b, g))) if n[0] else None,
                               g * a / b if n[1] else None), floating=True)
_binary("fmod", "FmodBackward0", lambda xp, a, b: xp.fmod(a, b),
        lambda g, a, b, y, n: (g, -g * trunc(a / b) if n[1] else None))
Remainder = _binary("remainder", "RemainderBackward0", lambda xp, a, b: xp.remainder(a, b),
        lambda g, a, b, y, n: (g, -g * floor(a / b) if n[1] else None))
_binary("maximum", "MaximumBackward0", lambda xp, a, b: xp.maximum(a, b),
        lambda g, a, b, y, n: _minmax_grad(g, a, b, gt), tensor_only=True)
_binary("minimum", "MinimumBackward0", lambda xp, a, b: xp.minimum(a, b),
        lambda g, a, b, y, n: _minmax_grad(g, a, b, lt), tensor_only=True)
_binary("fmax", "FmaxBackward0", lambda xp, a, b: xp.fmax(a, b),
        lambda g, a, b, y, n: _minmax_grad(g, a, b, gt), tensor_only=True)
_binary("fmin", "FminBackward0", lambda xp, a, b: xp.fmin(a, b),
        lambda g, a, b, y, n: _minmax_grad(g, a, b, lt), tensor_only=True)
_binary("logaddexp", "LogaddexpBackward0", lambda xp, a, b: xp.logaddexp(a, b),
        lambda g, a, b, y, n: (g * exp(a - y), g * exp(b - y)), floating=True, tensor_only=True)
_binary("logaddexp2", "Logaddexp2Backward0", lambda xp, a, b: xp.logaddexp2(a, b),
        lambda g, a, b, y, n: (g * exp2(a - y), g * exp2(b - y)), floating=True, tensor_only=True)
_binary("heaviside", "HeavisideBackward0", lambda xp, a, b: xp.heaviside(a, b),
        lambda g, a, b, y, n: (None, None), tensor_only=True)
_binary("nextafter", "NextafterBackward0", lambda xp, a, b: xp.nextafter(a, b),
        lambda g, a, b, y, n: (None, None), tensor_only=True)
arctan2, arctan2_ = globals()["atan2"], globals()["atan2_"]


def _as_t(x, like):
    return x if isinstance(x, Tensor) else like.new_full((), x) if hasattr(like, "new_full") \
        else x


def _minmax_grad(g, a, b, cmp):
    if not isinstance(a, Tensor):
        return None, g * (b == a).to(g.dtype) * 0.5 + g * cmp(b, a).to(g.dtype)
    if not isinstance(b, Tensor):
        return g * cmp(a, b).to(g.dtype) + g * (a == b).to(g.dtype) * 0.5, None
    half = (a == b).to(g.dtype) * 0.5
    return g * (cmp(a, b).to(g.dtype) + half), g * (cmp(b, a).to(g.dtype) + half)


def _pow_grad(g, a, b, y, n):
    ga = gb = None
    if n[0]:
        ga = g * b * pow(a, b - 1)
        if not isinstance(b, Tensor) and b == 0:
            ga = g * 0
    if n[1]:
        la = log(a) if isinstance(a, Tensor) else __import__("math").log(a) if a > 0 else \
            float("nan")
        gb = g * y * la
    return ga, gb


def _pow_fwd(xp, a, b):
    if (getattr(a, "dtype", None) is not None and a.dtype.kind in "iu") and \
            is_scalar(b) and not isinstance(b, float) and b < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if getattr(b, "dtype", None) is not None and b.dtype.kind in "iu" and \
            (is_scalar(a) and not isinstance(a, float) or getattr(a, "dtype", None) is not None
             and a.dtype.kind in "iu") and (b < 0).any():
        # integer powers with negative exponents: 1, -1 or 0 (C integer semantics)
        a_ = xp.asarray(a, dtype=b.dtype) if is_scalar(a) else a
        pos = xp.power(a_, xp.where(b < 0, 0, b))
        neg = xp.where(a_ == 1, 1, xp.where(a_ == -1, xp.where(b % 2 == 0, 1, -1), 0))
        return xp.where(b < 0, neg, pos).astype(pos.dtype)
    return xp.power(a, b)


Pow = _binary("pow", "PowBackward0", _pow_fwd, _pow_grad)
_binary("float_power", "PowBackward0", lambda xp, a, b: xp.power(a, b), _pow_grad)
_float_power = globals()["float_power"]


def float_power(input, exponent, *, out=None):
    """input ** exponent computed in double precision."""
    if isinstance(input, Tensor):
        input = input.to(_dt.float64)
    if isinstance(exponent, Tensor):
        exponent = exponent.to(_dt.float64)
    if not isinstance(input, Tensor):
        input = Tensor.__new__(Tensor) if False else _full_like0(exponent, input)
    return _float_power(input, exponent, out=out)


def _full_like0(t, v):
    from .._tensor import _wrap
    return _wrap(xp_of(t._data).asarray(v, dtype=t._data.dtype))


class _ScalarPow(Pow):
    node_name = "PowBackward2"  # scalar ** tensor


def _rpow(self, other):
    dt = result_type(self, other)
    (b,) = cast_operands(dt, self)
    return _ScalarPow.apply(other, b)


# ----- comparisons, logical and bitwise -------------------------------------------------

def _cmp(name, npname):
    def fn(input, other, *, out=None):
        if name.startswith("logical"):
            _need_tensors(name, input, other)
        if type(input) is Tensor and type(other) is Tensor and \
                input._data.dtype == other._data.dtype:
            a, b = input._data, other._data
        else:
            if not isinstance(input, Tensor):
                input = _full_like0(other, input) if is_scalar(input) else input
            a, b = _promote(input, other)
            a = a._data if isinstance(a, Tensor) else a
            b = b._data if isinstance(b, Tensor) else b
        xp = xp_of(a)
        from .._tensor import _wrap
        try:
            res = getattr(xp, npname)(a, b)
        except ValueError:
            raise _bcast_error(a, b) from None
        return _out(_wrap(xp.asarray(res)), out)

    def fn_(self, other):
        res = fn(self, other)
        self._data[...] = res._data.astype(self._data.dtype)
        self._vc[0] += 1
        return self

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} comparison (a bool tensor)."
    globals()[name] = fn
    globals()[name + "_"] = fn_


for _n, _np in (("eq", "equal"), ("ne", "not_equal"), ("lt", "less"), ("le", "less_equal"),
                ("gt", "greater"), ("ge", "greater_equal"), ("logical_and", "logical_and"),
                ("logical_or", "logical_or"), ("logical_xor", "logical_xor")):
    _cmp(_n, _np)



def _bitwise(name, npname, shift=False):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input = _full_like0(other, input)
        a, b = _promote(input, other)
        if a.dtype.category >= 2:
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{_cast_nm(a.dtype)}'")
        ad = a._data
        bd = b._data if isinstance(b, Tensor) else b
        xp = xp_of(ad)
        from .._tensor import _wrap
        try:
            res = getattr(xp, npname)(ad, bd)
        except ValueError:
            raise _bcast_error(ad, bd) from None
        return _out(_wrap(xp.asarray(res).astype(ad.dtype)), out)

    def fn_(self, other):
        res = fn(self, other)
        check = res._data.dtype
        if _dt.from_numpy_dtype(check).category > self.dtype.category:
            raise RuntimeError("result type can't be cast to the desired output type")
        self._data[...] = res._data
        self._vc[0] += 1
        return self

    fn.__name__ = name
    globals()[name] = fn
    globals()[name + "_"] = fn_


def _cast_nm(d):
    from ..autograd.function import _cast_name
    return _cast_name(d)


for _n, _np in (("bitwise_and", "bitwise_and"), ("bitwise_or", "bitwise_or"),
                ("bitwise_xor", "bitwise_xor"), ("bitwise_left_shift", "left_shift"),
                ("bitwise_right_shift", "right_shift")):
    _bitwise(_n, _np)

# names defined through the table helpers above, bound explicitly for readers and linters
_g = globals()
(sin, cos, rsqrt, cosh, sinh, digamma, i0, sign, trunc, floor, gt, lt, ge, le, eq,
 ne, exp2, maximum, minimum, pow, pow_, remainder, remainder_, bitwise_and, bitwise_or,
 bitwise_xor, bitwise_and_, bitwise_or_, bitwise_xor_, bitwise_left_shift, bitwise_right_shift,
 bitwise_left_shift_, bitwise_right_shift_, gt_, lt_, ge_, le_, ne_, positive, sign_) = (  # noqa: A001
    _g[_k] for _k in (
        "sin", "cos", "rsqrt", "cosh", "sinh", "digamma", "i0", "sign", "trunc",
        "floor", "gt", "lt", "ge", "le", "eq", "ne", "exp2", "maximum", "minimum", "pow", "pow_",
        "remainder", "remainder_", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_and_",
        "bitwise_or_", "bitwise_xor_", "bitwise_left_shift", "bitwise_right_shift",
        "bitwise_left_shift_", "bitwise_right_shift_", "gt_", "lt_", "ge_", "le_", "ne_",
        "positive", "sign_"))

greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_


def _wrapd(a):
    from .._tensor import _wrap
    return _wrap(a)


def logical_not(input, *, out=None):
    """Elementwise logical not (a bool tensor)."""
    return _out(_wrapd(xp_of(input._data).logical_not(input._data)), out)


def logical_not_(self):
    self._data[...] = xp_of(self._data).logical_not(self._data).astype(self._data.dtype)
    self._vc[0] += 1
    return self


def bitwise_not(input, *, out=None):
    """Bitwise not (logical not for bool)."""
    if input.dtype.category >= 2:
        raise NotImplementedError(
            f"\"bitwise_not_cpu\" not implemented for '{_cast_nm(input.dtype)}'")
    return _out(_wrapd(xp_of(input._data).invert(input._data)), out)


def bitwise_not_(self):
    self._data[...] = bitwise_not(self)._data
    self._vc[0] += 1
    return self


def _pred(name, f):
    def fn(input):
        return _wrapd(xp_of(input._data).asarray(f(xp_of(input._data), input._data)))
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (a bool tensor)."
    globals()[name] = fn


_pred("isnan", lambda xp, x: xp.isnan(x))
_pred("isinf", lambda xp, x: xp.isinf(x))
_pred("isposinf", lambda xp, x: xp.isposinf(x) if x.dtype.kind == "f" else xp.zeros(x.shape, bool))
_pred("isneginf", lambda xp, x: xp.isneginf(x) if x.dtype.kind == "f" else xp.zeros(x.shape, bool))
_pred("isfinite", lambda xp, x: xp.isfinite(x))
isfinite = globals()["isfinite"]
_pred("isreal", lambda xp, x: xp.isreal(x) if x.dtype.kind == "c" else xp.ones(x.shape, bool))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |input - other| <= atol + rtol * |other|."""
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_cast_nm(input.dtype)} did not match {_cast_nm(other.dtype)}")
    xp = xp_of(input._data)
    return _wrapd(xp.asarray(xp.isclose(input._data, other._data, rtol=rtol, atol=atol,
                                        equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element is close (see isclose)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """Same shape and same values."""
    return input.shape == other.shape and bool((input._data == other._data).all())


# ----- ternary ----------------------------------------------------------------------------

class Where(Op):
    node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, c, a, b):
        xp = xp_of(c)
        ctx.save_for_backward(c)
        dt = (b if is_scalar(a) else a).dtype if not (is_scalar(a) and is_scalar(b)) else None
        try:
            out = xp.where(c, a, b)
        except ValueError:
            raise _bcast_error(c, a, b) from None
        return out.astype(dt) if dt is not None else out

    @staticmethod
    def backward(ctx, g):
        (c,) = ctx.saved_tensors
        m = c.to(g.dtype)
        return None, g * m if ctx.needs_input_grad[1] else None, \
            g * (1 - m) if ctx.needs_input_grad[2] else None


def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``."""
    if input is None and other is None:
        import ember
        return ember.nonzero(condition, as_tuple=True)
    if condition.dtype is not _dt.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_cast_nm(condition.dtype)}")
    if is_scalar(input) and is_scalar(other):
        dt = result_type(_full_like0(condition, 0).to(_dt.get_default_dtype())
                         if isinstance(input, float) or isinstance(other, float)
                         else _full_like0(condition, 0).to(_dt.int64), input, other)
        a, b = input, other
        return _out(Where.apply(condition, a, b).to(dt), out)
    a, b = _promote(input, other)
    return _out(Where.apply(condition, a, b), out)


class Clamp(Op):
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = xp_of(x)
        y = x
        if lo is not None:
            y = xp.maximum(y, lo)
        if hi is not None:
            y = xp.minimum(y, hi)
        if ctx.needs_input_grad:  # the mask of unclamped elements, only when recording
            keep = xp.ones(y.shape, bool)
            if lo is not None:
                keep &= x >= lo
            if hi is not None:
                keep &= x <= hi
            ctx.save_for_backward(keep)
        y = xp.asarray(y)
        return y if y.dtype == x.dtype else y.astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (keep,) = ctx.saved_tensors
        m = keep.to(g.dtype)
        return g * m, (g * (1 - m) if ctx.needs_input_grad[1] else None), None


def clamp(input, min=None, max=None, *, out=None):  # noqa: A002
    """Clamp every element into [min, max]."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        y = input
        if min is not None:
            y = maximum(y, min)
        if max is not None:
            y = minimum(y, max)
        return _out(y, out)
    dt = result_type(input, *(v for v in (min, max) if v is not None))
    (x,) = cast_operands(dt, input)
    return _out(Clamp.apply(x, min, max), out)


def clamp_(self, min=None, max=None):  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return self.copy_(clamp(self, min, max))
    _check_inplace_dtype(self, result_type(self, *(v for v in (min, max) if v is not None)))
    return apply_inplace(Clamp, self, min, max)


def clamp_min(input, min):  # noqa: A002
    return clamp(input, min=min)


def clamp_max(input, max):  # noqa: A002
    return clamp(input, max=max)


clip, clip_ = clamp, clamp_


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    if input.dtype.category < 2:
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for "
                                  f"'{_cast_nm(input.dtype)}'")
    diff = end - input
    # torch's two-sided form: from the nearer end, so weight 1 gives ``end`` exactly
    if isinstance(weight, Tensor):
        result = where(weight.abs() < 0.5, input + weight * diff, end - diff * (1 - weight))
    elif -0.5 < weight < 0.5:
        result = input + weight * diff
    else:
        result = end - diff * (1 - weight)
    return _out(result, out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    return _out(input + value * (tensor1 * tensor2), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2."""
    return _out(input + value * (tensor1 / tensor2), out)


def lerp_(self, end, weight):
    return self.copy_(lerp(self, end, weight))


def addcmul_(self, tensor1, tensor2, *, value=1):
    return self.copy_(addcmul(self, tensor1, tensor2, value=value))


def addcdiv_(self, tensor1, tensor2, *, value=1):
    return self.copy_(addcdiv(self, tensor1, tensor2, value=value))


def _ipow(self, other):
    return pow_(self, other)


def _rmod(self, other):
    if not is_scalar(other):
        return remainder(other, self)
    (b,) = cast_operands(result_type(self, other), self)
    return Remainder.apply(other, b)


Tensor.__pow__ = pow
Tensor.__rpow__ = _rpow
Tensor.__ipow__ = _ipow
Tensor.__abs__ = globals()["abs"]
Tensor.__mod__ = remainder
Tensor.__rmod__ = _rmod
Tensor.__imod__ = lambda self, o: remainder_(self, o)


def _operator(fn):
    """A comparison operator: non-numeric operands (None, strings...) are NotImplemented, so
    ``t == None`` is False as in torch."""
    def op(self, other):
        if not isinstance(other, Tensor) and not is_scalar(other):
            return NotImplemented
        return fn(self, other)
    op.__name__ = fn.__name__
    return op


Tensor.__eq__ = _operator(eq)
Tensor.__ne__ = _operator(ne)
Tensor.__lt__ = _operator(lt)
Tensor.__le__ = _operator(le)
Tensor.__gt__ = _operator(gt)
Tensor.__ge__ = _operator(ge)
Tensor.__and__ = bitwise_and
Tensor.__or__ = bitwise_or
Tensor.__xor__ = bitwise_xor
Tensor.__rand__ = lambda s, o: bitwise_and(s, o)
Tensor.__ror__ = lambda s, o: bitwise_or(s, o)
Tensor.__rxor__ = lambda s, o: bitwise_xor(s, o)
Tensor.__iand__ = lambda s, o: bitwise_and_(s, o)
Tensor.__ior__ = lambda s, o: bitwise_or_(s, o)
Tensor.__ixor__ = lambda s, o: bitwise_xor_(s, o)
Tensor.__lshift__ = bitwise_left_shift
Tensor.__rshift__ = bitwise_right_shift
Tensor.__rlshift__ = lambda s, o: bitwise_left_shift(o, s)
Tensor.__rrshift__ = lambda s, o: bitwise_right_shift(o, s)
Tensor.__ilshift__ = lambda s, o: bitwise_left_shift_(s, o)
Tensor.__irshift__ = lambda s, o: bitwise_right_shift_(s, o)
Tensor.__invert__ = bitwise_not

# ----- complex-view helpers on real tensors, and a few more -----------------------------

def real(input):
    """The real part: ``input`` itself for a real tensor."""
    if input._data.dtype.kind == "c":
        raise RuntimeError("real: complex tensors are not supported by ember's elementwise ops")
    return input


def imag(input):
    """The imaginary part (torch refuses it for real tensors)."""
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


# torch's conj is a lazy view; ember conjugates complex data eagerly (same values)
_, _conj_complex, _ = _unary("conj", "ConjBackward0", lambda xp, x: xp.conj(x),
                             lambda g, x, y: conj(g), False)


def conj(input):
    """Complex conjugate: ``input`` itself for a real tensor."""
    return _conj_complex(input) if input._data.dtype.kind == "c" else input


def conj_physical_(self):
    """In-place complex conjugate (nothing to do for a real tensor)."""
    return self.copy_(conj(self)) if self._data.dtype.kind == "c" else self


def conj_physical(input, *, out=None):
    """Complex conjugate as a new tensor (a copy for a real tensor)."""
    return _out(positive(input) if input._data.dtype.kind != "c" else conj(input), out)


_def_unary("angle", "AngleBackward0",
           lambda xp, x: xp.where(xp.isnan(x), x, xp.where(x < 0, xp.pi, 0.0)).astype(x.dtype),
           lambda g, x, y: g * 0)
_def_unary("sinc", "SincBackward0", lambda xp, x: xp.sinc(x).astype(x.dtype),
           lambda g, x, y: g * _sinc_grad(x, y))


def _sinc_grad(x, y):
    zero = x == 0
    safe = where(zero, 1.0, x)
    return where(zero, 0.0, (cos(x * 3.141592653589793) - y) / safe)


def ldexp(input, other, *, out=None):
    """input * 2 ** other."""
    return _out(mul(input, pow(2.0, other) if isinstance(other, Tensor) else 2.0 ** other), out)


def ldexp_(self, other):
    return mul_(self, pow(2.0, other) if isinstance(other, Tensor) else 2.0 ** other)


def _int_binary(name, npname):
    def fn(input, other, *, out=None):
        _need_tensors(name, input, other)
        a, b = _promote(input, other)
        if a.dtype.category >= 2:
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{_cast_nm(a.dtype)}'")
        bd = b._data if isinstance(b, Tensor) else b
        return _out(_wrapd(xp_of(a._data).asarray(getattr(xp_of(a._data), npname)(a._data, bd))),
                    out)

    def fn_(self, other):
        self._data[...] = fn(self, other)._data
        self._vc[0] += 1
        return self

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} of integer tensors."
    return fn, fn_


gcd, gcd_ = _int_binary("gcd", "gcd")
lcm, lcm_ = _int_binary("lcm", "lcm")


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent."""
    from ..return_types import _structseq
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = xp_of(input._data).frexp(input._data)
    return _FREXP(_wrapd(m), _wrapd(e.astype("int32"))) if _FREXP else \
        _structseq("frexp", ("mantissa", "exponent"))(_wrapd(m), _wrapd(e.astype("int32")))


_FREXP = None


def clamp_min_(self, min):  # noqa: A002
    return clamp_(self, min=min)


def clamp_max_(self, max):  # noqa: A002
    return clamp_(self, max=max)


def sgn_(self):
    return sign_(self)


negative_ = neg_


_EXTRA = ["sgn", "fix", "fix_", "absolute", "absolute_", "arcsin", "arccos", "arctan", "arcsinh",
          "arccosh", "arctanh", "arcsin_", "arccos_", "arctan_", "arcsinh_", "arccosh_",
          "arctanh_", "round", "round_", "logit", "logit_", "nan_to_num", "nan_to_num_",
          "arctan2", "arctan2_", "float_power", "greater", "greater_equal", "less", "less_equal",
          "not_equal", "greater_", "greater_equal_", "less_", "less_equal_", "not_equal_",
          "logical_not", "logical_not_", "bitwise_not", "bitwise_not_", "isnan", "isinf",
          "isposinf", "isneginf", "isfinite", "isreal", "isclose", "allclose", "equal", "where",
          "clamp", "clamp_", "clamp_min", "clamp_max", "clip", "clip_", "lerp", "lerp_",
          "addcmul", "addcmul_", "addcdiv", "addcdiv_", "real", "imag", "conj", "conj_physical",
          "conj_physical_", "ldexp", "ldexp_", "gcd", "gcd_", "lcm", "lcm_", "frexp", "clamp_min_", "clamp_max_",
          "sgn_", "negative_"]
_GEN = [n for n in _UNARY + _BINARY if not n.startswith("_")]
_GEN += [n + "_" for n in _GEN]
_GEN += [p + s for p in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
                         "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
                         "bitwise_left_shift", "bitwise_right_shift") for s in ("", "_")]
_GEN = [n for n in _GEN if n != "float_power_"]
register_methods(globals(), [n for n in _GEN + _EXTRA if n not in ("allclose_",)])


def float_power_(self, exponent):
    """In place ``self ** exponent`` in double precision (``self`` must be float64)."""
    if self.dtype is not _dt.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {_cast_nm(self.dtype)} but "
                           "the operation's result requires dtype Double")
    return self.copy_(float_power(self, exponent))


Tensor.float_power_ = float_power_
_NOT_TOP = {"allclose", "greater_", "greater_equal_", "less_", "less_equal_", "not_equal_",
            "logical_not_", "bitwise_not_", "lerp_", "addcmul_", "addcdiv_",
            "sgn_", "absolute_", "angle_", "arctan2_", "digamma_", "erfinv_", "lgamma_",
            "positive_", "sign_", "signbit_"}
__all__ += [n for n in _GEN + _EXTRA if n not in _NOT_TOP and not (
    n.endswith("_") and n[:-1] in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and",
                                   "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
                                   "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
                                   "pow", "atan2", "hypot", "copysign", "fmod", "remainder",
                                   "heaviside", "nextafter", "maximum", "minimum", "fmax",
                                   "fmin", "logaddexp", "logaddexp2", "float_power"))]
__all__ += ["allclose", "exp_", "log_", "neg_"]



def _tensor_where(self, condition, y):
    """``self.where(condition, y)``: elements of ``self`` where ``condition``, else ``y``."""
    return where(condition, self, y)


Tensor.where = _tensor_where
