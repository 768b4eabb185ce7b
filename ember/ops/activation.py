"""Neural-network primitives: activations, softmax family, distances (ember.nn.functional).

Hot or kinked functions are ``Op`` subclasses (forward on arrays, backward with ember
Tensor ops so double backward works); the rest are compositions of existing ops, which
are exact and give gradients for free.
"""

from __future__ import annotations

import warnings

from .. import dtypes as _dt
from .._tensor import Tensor
from ..amp.autocast_mode import autocast_args
from ._common import Op, apply_inplace, norm_dim, xp_of

__all__ = [
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "selu_",
    "celu", "celu_", "gelu", "silu", "mish", "softplus", "softsign", "softshrink",
    "hardshrink", "tanhshrink", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish",
    "logsigmoid", "sigmoid", "tanh", "prelu", "rrelu", "rrelu_", "glu", "threshold",
    "threshold_", "softmax", "log_softmax", "softmin", "gumbel_softmax", "normalize", "cosine_similarity",
    "pairwise_distance", "pdist", "one_hot",
]


def _E():
    import ember
    return ember


def _inplace_write(input: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` into ``input`` (the in-place form of a composed activation)."""
    return apply_inplace(_Replace, input, result)


class _Replace(Op):
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, y):
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return None, g


# ----- piecewise activations (fused ops) -------------------------------------------------

class _LeakyRelu(Op):
    node_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, slope):
        ctx.slope = slope
        ctx.save_for_backward(x)
        xp = xp_of(x)
        return xp.where(x > 0, x, x * slope).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _E().where(x > 0, g, g * ctx.slope), None


class _Hardtanh(Op):
    node_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(x)
        return xp_of(x).clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        inside = (x > ctx.lo) & (x < ctx.hi)
        return g * inside, None, None


class _Elu(Op):
    node_name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        ctx.p = (alpha, scale, input_scale)
        ctx.save_for_backward(x)
        xp = xp_of(x)
        neg = alpha * scale * xp.expm1(xp.minimum(x, 0) * input_scale)
        return xp.where(x > 0, x * scale, neg).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        alpha, scale, iscale = ctx.p
        E = _E()
        neg = g * (alpha * scale * iscale) * E.exp(E.clamp(x, max=0) * iscale)
        return E.where(x > 0, g * scale, neg), None, None, None


class _Celu(_Elu):
    node_name = "CeluBackward0"


class _Silu(Op):
    node_name = "SiluBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x / (1 + xp_of(x).exp(-x))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        sig = _E().sigmoid(x)
        return g * sig * (1 + x * (1 - sig))


class _Mish(Op):
    node_name = "MishBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xp = xp_of(x)
        sp = xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        return (x * xp.tanh(sp)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        E = _E()
        tsp = E.tanh(_Softplus.apply(x, 1.0, 20.0))
        return g * (tsp + x * E.sigmoid(x) * (1 - tsp * tsp))


class _Gelu(Op):
    """Exact GELU. The normal CDF is kept from forward for a first-order backward; under
    create_graph it is recomputed with differentiable ops."""

    node_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x):
        from .elementwise import _erf
        cdf = (0.5 * (1 + _erf(xp_of(x), x * 0.7071067811865476))).astype(x.dtype, copy=False)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        x, cdf = ctx.saved_tensors
        E = _E()
        if E.is_grad_enabled():
            cdf = 0.5 * (1 + E.erf(x * 0.7071067811865476))
        pdf = E.exp(x * x * -0.5) * 0.3989422804014327
        return g * (cdf + x * pdf)


class _Shrink(Op):
    """softshrink (soft=True) or hardshrink: zero inside [-lambd, lambd]."""

    node_name = "SoftshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd, soft):
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        xp = xp_of(x)
        out = xp.where(x > lambd, x - lambd if soft else x,
                       xp.where(x < -lambd, x + lambd if soft else x, 0))
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > ctx.lambd) | (x < -ctx.lambd)), None, None


class _Hardshrink(_Shrink):
    node_name = "HardshrinkBackward0"


class _Softplus(Op):
    node_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.p = (beta, threshold)
        ctx.save_for_backward(x)
        xp = xp_of(x)
        bx = x * beta
        soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / beta
        return xp.where(bx > threshold, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.p
        E = _E()
        bx = x * beta
        return E.where(bx > threshold, g, g * E.sigmoid(bx)), None, None


class _LogSigmoid(Op):
    node_name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xp = xp_of(x)
        return (-(xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x))))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _E().sigmoid(-x)


class _Hardsigmoid(Op):
    node_name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (xp_of(x).clip(x / 6 + 0.5, 0, 1)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > -3) & (x < 3)) / 6


class _Hardswish(Op):
    node_name = "HardswishBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x * xp_of(x).clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        E = _E()
        mid = g * (x / 3 + 0.5)
        return E.where(x < -3, g * 0, E.where(x <= 3, mid, g))


class _Threshold(Op):
    node_name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx, x, thr, value):
        ctx.thr = thr
        ctx.save_for_backward(x)
        xp = xp_of(x)
        return xp.where(x > thr, x, xp.asarray(value, dtype=x.dtype))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x > ctx.thr), None, None


def _check_float(name: str, x: Tensor) -> None:
    if not x.dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{_long_name(x.dtype)}'")


def _long_name(d) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(d.name, d.name)


def _cast(d) -> str:
    from ..autograd.function import _cast_name
    return _cast_name(d)


def _maybe_inplace(input: Tensor, fn, inplace: bool) -> Tensor:
    """``fn(input)``, or written into ``input`` when ``inplace`` (computed from a clone, so
    what ``fn``'s ops saved for backward is not overwritten)."""
    if not inplace:
        return fn(input)
    return _inplace_write(input, fn(input.clone()))


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x) elementwise."""
    return _E().relu_(input) if inplace else _E().relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place relu."""
    return _E().relu_(input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """Clamp to [min_val, max_val]; zero gradient outside the open interval."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return apply_inplace(_Hardtanh, input, min_val, max_val)
    return _Hardtanh.apply(input, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place hardtanh."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    _check_float("leaky_relu", input)
    if inplace:
        return apply_inplace(_LeakyRelu, input, negative_slope)
    return _LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place leaky_relu."""
    return leaky_relu(input, negative_slope, True)


def _elu(input, alpha, scale, input_scale, inplace, name):
    _check_float(name, input)
    op = _Celu if name == "celu" else _Elu
    if inplace:
        return apply_inplace(op, input, alpha, scale, input_scale)
    return op.apply(input, alpha, scale, input_scale)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _elu(input, alpha, 1.0, 1.0, inplace, "elu")


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place elu."""
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Scaled ELU with the self-normalising constants."""
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace, "selu")


def selu_(input: Tensor) -> Tensor:
    """In-place selu."""
    return selu(input, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _elu(input, alpha, 1.0, 1.0 / alpha, inplace, "celu")


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place celu."""
    return celu(input, alpha, True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit (exact erf form or the tanh approximation)."""
    _check_float("GeluKernelImpl", input)
    E = _E()
    if approximate == "none":
        return _Gelu.apply(input)
    if approximate == "tanh":
        inner = 0.7978845608028654 * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1 + E.tanh(inner))
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x)."""
    _check_float("silu_cpu", input)
    if inplace:
        return apply_inplace(_Silu, input)
    return _Silu.apply(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, linear above ``threshold``."""
    _check_float("softplus", input)
    return _Softplus.apply(input, beta, threshold)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    _check_float("mish_cpu", input)
    if inplace:
        return apply_inplace(_Mish, input)
    return _Mish.apply(input)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (1 + _E().abs(input))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    _check_float("softshrink_cpu", input)
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _Shrink.apply(input, lambd, True)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x if |x| > lambd else 0."""
    _check_float("hardshrink_cpu", input)
    return _Hardshrink.apply(input, lambd, False)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - _E().tanh(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """Piecewise-linear sigmoid: clip(x / 6 + 1/2, 0, 1)."""
    _check_float("hardsigmoid_cpu", input)
    if inplace:
        return apply_inplace(_Hardsigmoid, input)
    return _Hardsigmoid.apply(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    _check_float("hardswish_cpu", input)
    if inplace:
        return apply_inplace(_Hardswish, input)
    return _Hardswish.apply(input)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed stably."""
    _check_float("log_sigmoid_forward", input)
    return _LogSigmoid.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return _E().sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return _E().tanh(input)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x if x > threshold else value."""
    if inplace:
        return apply_inplace(_Threshold, input, threshold, value)
    return _Threshold.apply(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place threshold."""
    return apply_inplace(_Threshold, input, threshold, value)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else weight * x, weight per channel (dim 1)."""
    input, weight = autocast_args("prelu", input, weight)
    E = _E()
    n = weight.numel()
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_cast(input.dtype)} and "
                           f"{_cast(weight.dtype)}")
    if weight.dim() > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")
    if n != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        ch = input.shape[1] if input.dim() >= 2 else input.shape[0]
        if ch != n:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers"
                f" = {n} and channel size = {ch}.")
        if input.dim() >= 2:
            weight = weight.reshape((n,) + (1,) * (input.dim() - 2))
    elif weight.dim() == 1 and input.dim() == 0:
        weight = weight.reshape(())
    return E.where(input > 0, input, weight * input)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky relu: random slopes in [lower, upper] when training, else their mean."""
    E = _E()
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    slope = E.empty_like(input).uniform_(lower, upper).detach()
    return _maybe_inplace(input, lambda x: E.where(x >= 0, x, x * slope), inplace)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In-place rrelu."""
    return rrelu(input, lower, upper, training, True)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b) for the two halves (a, b) of ``input`` along ``dim``."""
    _check_float("glu_cpu", input)
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = norm_dim(dim, input.dim())
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    a, b = input.chunk(2, d)
    return a * _E().sigmoid(b)


# ----- softmax family --------------------------------------------------------------------

class _Softmax(Op):
    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = xp_of(x)
        if x.ndim == 0:
            y = xp.ones_like(x)
        else:
            e = xp.exp(x - x.max(axis=dim, keepdims=True)) if x.size else x.copy()
            y = e / e.sum(axis=dim, keepdims=True) if x.size else e
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        if y.dim() == 0:
            return g * 0, None
        gy = g * y
        return gy - y * gy.sum(ctx.dim, keepdim=True), None


class _LogSoftmax(Op):
    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = xp_of(x)
        if x.ndim == 0:
            y = xp.zeros_like(x)
        elif x.size == 0:
            y = x.copy()
        else:
            s = x - x.max(axis=dim, keepdims=True)
            y = s - xp.log(xp.exp(s).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        if y.dim() == 0:
            return g * 0, None
        return g - _E().exp(y) * g.sum(ctx.dim, keepdim=True), None


def _softmax_dim(name: str, ndim: int, stacklevel: int = 3) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_prep(name, input, dim, dtype):
    if dim is None:
        dim = _softmax_dim(name, input.dim(), 4)
    d = norm_dim(dim, max(input.dim(), 1))
    if dtype is not None:
        input = input.to(dtype)
    elif not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}_lastdim_kernel_impl\" not implemented for "
                           f"'{_long_name(input.dtype)}'")
    return input, d


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: _dt.dtype | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (computed stably)."""
    x, d = _softmax_prep("softmax", input, dim, dtype)
    return _Softmax.apply(x, d)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: _dt.dtype | None = None) -> Tensor:
    """log(softmax(x)) along ``dim``, by log-sum-exp (never softmax-then-log)."""
    x, d = _softmax_prep("log_softmax", input, dim, dtype)
    return _LogSoftmax.apply(x, d)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: _dt.dtype | None = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """Samples from the Gumbel-softmax distribution; ``hard`` returns one-hot samples with
    the soft sample's gradient (straight-through)."""
    E = _E()
    gumbels = -E.empty_like(logits).exponential_().log()
    y = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y
    index = y.argmax(dim, keepdim=True)
    y_hard = E.zeros_like(logits).scatter(dim, index, 1.0)
    return y_hard - y.detach() + y


def _tensor_softmax(self: Tensor, dim: int, dtype: _dt.dtype | None = None) -> Tensor:
    return softmax(self, dim, dtype=dtype)


def _tensor_log_softmax(self: Tensor, dim: int, dtype: _dt.dtype | None = None) -> Tensor:
    return log_softmax(self, dim, dtype=dtype)


# Tensor.softmax / Tensor.log_softmax as torch has them (dim required)
Tensor.softmax = _tensor_softmax
Tensor.log_softmax = _tensor_log_softmax
Tensor.hardshrink = hardshrink


# ----- distances, normalisation, one_hot --------------------------------------------------

def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    denom = _E().norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    res = input / denom
    if out is not None:
        out.copy_(res)
        return out
    return res


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between x1 and x2 along ``dim`` (norms clamped to eps)."""
    E = _E()
    n1 = E.linalg.vector_norm(x1, dim=dim, keepdim=True).clamp_min(eps)
    n2 = E.linalg.vector_norm(x2, dim=dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last dimension."""
    E = _E()
    nd = max(x1.dim(), x2.dim())
    diff = x1 - x2 + eps
    if nd == 0:
        return E.abs(diff) if not keepdim else E.abs(diff)
    return E.linalg.vector_norm(diff, ord=p, dim=-1, keepdim=keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """Distances between all row pairs i < j of a 2-D input (upper triangle, row-major)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    E = _E()
    n = input.shape[0]
    if n < 2:
        return input.new_zeros((0,))
    i, j = E.triu_indices(n, n, 1)
    return E.linalg.vector_norm(input[i] - input[j], ord=p, dim=-1)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding with ``num_classes`` columns (max + 1 when -1)."""
    E = _E()
    if tensor.dtype is not _dt.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() and int(tensor.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(tensor.max()) + 1
    elif tensor.numel() and int(tensor.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    classes = E.arange(num_classes)
    return (tensor.unsqueeze(-1) == classes).long()


