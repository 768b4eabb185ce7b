"""Elementwise ops: arithmetic, unary math, comparisons, logical and bitwise ops.

Each op is an ``Op`` subclass -- forward on backend arrays beside backward on Tensors --
followed by its public function. Gradients are written for the broadcast output shape;
the engine sums them back to each input's shape.
"""

from __future__ import annotations

from .. import dtypes as _dt
from .._tensor import Tensor
from ._common import (
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
    if floating:  # a scalar beside an integer tensor was cast; keep scalars Python numbers
        pass
    return a, b


class Add(Op):
    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Op):
    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if not is_scalar(a) else None, b if not is_scalar(b) else None)
        ctx.scalars = (a if is_scalar(a) else None, b if is_scalar(b) else None)
        return a * b

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
        ctx.save_for_backward(a if not is_scalar(a) else None, b if not is_scalar(b) else None)
        ctx.scalars = (a if is_scalar(a) else None, b if is_scalar(b) else None)
        return a / b

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


def _rsub(self, other):
    return sub(other, self) if isinstance(other, Tensor) else add(neg(self), other)


def _rtruediv(self, other):
    a, b = _promote(other, self, floating=True)
    return Div.apply(a, b)


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
    _, b = cast_operands(dt, self, other)
    return apply_inplace(Add, self, b)


def sub_(self, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    dt = result_type(self, other)
    _, b = cast_operands(dt, self, other)
    return apply_inplace(Sub, self, b)


def mul_(self, other):
    dt = result_type(self, other)
    _, b = cast_operands(dt, self, other)
    return apply_inplace(Mul, self, b)


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is not None:
        res = div(self, other, rounding_mode=rounding_mode)
        return self.copy_(res)
    dt = float_dtype_for(result_type(self, other))
    _, b = cast_operands(dt, self, other)
    return apply_inplace(Div, self, b)


def neg_(self):
    return apply_inplace(Neg, self)


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
                             "add_", "sub_", "mul_", "div_", "neg_"])
Tensor.subtract = sub
Tensor.multiply = mul
Tensor.divide = div
Tensor.true_divide = div
subtract, multiply, divide, true_divide = sub, mul, div, div

# ----- unary math (a compact table: forward on arrays, gradient with Tensor ops) ----------


def _unary(name: str, node: str, fwd, grad, floating: bool = True):
    """Define unary op ``name``: ``fwd(xp, x)`` on arrays, ``grad(g, x, y)`` on Tensors
    (x the input, y the output). Integer inputs of float ops compute in the default dtype."""

    class U(Op):
        node_name = node

        @staticmethod
        def forward(ctx, x):
            y = fwd(xp_of(x), x)
            ctx.save_for_backward(x, y)
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
            raise RuntimeError(f"result type Float can't be cast to the desired output type "
                               f"{self.dtype}")
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
