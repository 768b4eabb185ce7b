"""Neural-network primitives: loss functions (used by ember.nn.functional).

Losses are compositions of differentiable ops (log_softmax is a fused, stable op), so
gradients of any order come from the ops they are built from.
"""

from __future__ import annotations

import math
import warnings

from .. import dtypes as _dt
from .._tensor import Tensor
from ..amp.autocast_mode import autocast_args
from ._common import Op, xp_of
from .activation import _LogSigmoid, log_softmax, pairwise_distance

__all__ = [
    "l1_loss", "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div", "smooth_l1_loss", "huber_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss",
    "multi_margin_loss", "hinge_embedding_loss", "cosine_embedding_loss",
    "margin_ranking_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
    "poisson_nll_loss", "gaussian_nll_loss", "ctc_loss", "linear_cross_entropy",
]


def _E():
    import ember
    return ember


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='...' instead.", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _size_str(shape) -> str:
    return f"torch.Size([{', '.join(map(str, shape))}])"


def _warn_size(input, target, stacklevel=3) -> None:
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"Using a target size ({_size_str(target.shape)}) that is different to the input "
            f"size ({_size_str(input.shape)}). This will likely lead to incorrect results due "
            "to broadcasting. Please ensure they have the same size.", UserWarning,
            stacklevel=stacklevel)


def _pointwise(input, target, fn, reduction, weight=None):
    _check_reduction(reduction)
    _warn_size(input, target, 4)
    loss = fn(input - target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean absolute error."""
    input, target = autocast_args("l1_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _pointwise(input, target, _E().abs, reduction, weight)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error."""
    input, target = autocast_args("mse_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _pointwise(input, target, lambda d: d * d, reduction, weight)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2."""
    input, target = autocast_args("smooth_l1_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    E = _E()
    if beta == 0:
        return _pointwise(input, target, E.abs, reduction)

    def f(d):
        a = E.abs(d)
        return E.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)
    return _pointwise(input, target, f, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta * (|d| - delta / 2)."""
    input, target = autocast_args("huber_loss", input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    E = _E()

    def f(d):
        a = E.abs(d)
        return E.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return _pointwise(input, target, f, reduction, weight)


# ----- classification ----------------------------------------------------------------------

def _class_target_checks(input: Tensor, target: Tensor, name: str) -> None:
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() >= 2 and target.dim() >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    expect = tuple(input.shape[:1]) + tuple(input.shape[2:]) if input.dim() >= 2 else ()
    if tuple(target.shape) != expect:
        raise RuntimeError(f"Expected target size {list(expect)}, got {list(target.shape)} "
                           f"(in {name})")
    if target.dtype.is_floating_point or target.dtype is _dt.bool:
        raise RuntimeError(f"expected scalar type Long but found {target.dtype}")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log likelihood of the target class (input holds log-probabilities)."""
    input, target, weight = autocast_args("nll_loss", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _class_target_checks(input, target, "nll_loss")
    E = _E()
    cdim = 1 if input.dim() >= 2 else 0
    C = input.shape[cdim]
    if weight is not None and weight.numel() != C:
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    target = target.long()
    keep = target != ignore_index
    safe = E.where(keep, target, E.zeros_like(target))
    if safe.numel():
        lo, hi = int(safe.min()), int(safe.max())
        if lo < 0 or hi >= C:
            raise IndexError(f"Target {lo if lo < 0 else hi} is out of bounds.")
    picked = input.gather(cdim, safe.unsqueeze(cdim)).squeeze(cdim)
    w = keep.to(input.dtype)
    if weight is not None:
        w = weight.to(input.dtype)[safe] * w
    loss = -picked * w
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / w.sum()


class _CrossEntropy(Op):
    """log_softmax + nll over (N, C) logits and class indices in one node (the common
    training path). Backward is (softmax - one_hot) scaled; when a graph is being recorded
    (double backward) softmax is recomputed from the input with differentiable ops."""

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, ignore_index, reduction):
        xp = xp_of(x)
        n = x.shape[0]
        s = x - x.max(axis=1, keepdims=True) if x.size else x
        lse = xp.log(xp.exp(s).sum(axis=1, keepdims=True))
        keep = target != ignore_index
        safe = xp.where(keep, target, 0)
        picked = (s[xp.arange(n), safe] - lse[:, 0]) if n else s[:, :0].sum(axis=1)
        loss = xp.where(keep, -picked, 0).astype(x.dtype, copy=False)
        ctx.p = (ignore_index, reduction)
        if ctx.needs_input_grad and ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, target, xp.exp(s - lse))
        if reduction == "none":
            return loss
        if reduction == "sum":
            return xp.asarray(loss.sum(), dtype=x.dtype)
        return xp.asarray(loss.sum() / keep.sum(), dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        E = _E()
        x, target, p = ctx.saved_tensors
        ignore_index, reduction = ctx.p
        if E.is_grad_enabled():
            from .activation import softmax
            p = softmax(x, 1)
        keep = target != ignore_index
        safe = E.where(keep, target, E.zeros_like(target))
        onehot = E.arange(x.shape[1]) == safe.unsqueeze(1)
        d = (p - onehot.to(p.dtype)) * keep.unsqueeze(1).to(p.dtype)
        if reduction == "none":
            return d * g.unsqueeze(1), None, None, None
        if reduction == "mean":
            g = g / keep.sum().to(p.dtype)
        return d * g, None, None, None


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """log_softmax + nll_loss (class indices) or soft-target cross entropy (probabilities),
    with optional label smoothing."""
    input, target, weight = autocast_args("cross_entropy", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    cdim = 1 if input.dim() >= 2 else 0
    C = input.shape[cdim]
    if input.dim() == 2 and weight is None and label_smoothing == 0 \
            and not target.dtype.is_floating_point:
        _class_target_checks(input, target, "cross_entropy")
        safe = target[target != ignore_index]
        if safe.numel():
            lo, hi = int(safe.min()), int(safe.max())
            if lo < 0 or hi >= C:
                raise IndexError(f"Target {lo if lo < 0 else hi} is out of bounds.")
        return _CrossEntropy.apply(input, target.long(), ignore_index, reduction)
    logp = log_softmax(input, cdim)
    wshape = [1] * input.dim()
    wshape[cdim] = C
    if target.dtype.is_floating_point:  # class probabilities
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(f"Expected target size {list(input.shape)}, got "
                               f"{list(target.shape)}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / C
        terms = logp * target
        if weight is not None:
            terms = terms * weight.reshape(wshape)
        loss = -terms.sum(cdim)
        if reduction == "none":
            return loss
        if reduction == "sum":
            return loss.sum()
        return loss.sum() / (input.numel() / C if C else 0)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing <= 0:
        return nll
    E = _E()
    keep = target != ignore_index
    terms = logp * weight.reshape(wshape) if weight is not None else logp
    smooth = -terms.sum(cdim) * keep
    if reduction == "none":
        red = smooth
    elif reduction == "sum":
        red = smooth.sum()
    else:
        if weight is not None:
            safe = E.where(keep, target, E.zeros_like(target))
            red = smooth.sum() / (weight[safe] * keep).sum()
        else:
            red = smooth.sum() / keep.sum()
    return (1 - label_smoothing) * nll + red * (label_smoothing / C)


class _BinaryCrossEntropy(Op):
    """Elementwise BCE with torch's clamping: logs at -100 in the value, and the input
    gradient (x - t) / max(x (1 - x), 1e-12), finite at x = 0 and x = 1."""

    node_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, t):
        xp = xp_of(x)
        ctx.save_for_backward(x, t)
        lx = xp.maximum(xp.log(x), -100)
        l1x = xp.maximum(xp.log1p(-x), -100)
        return (-(t * lx + (1 - t) * l1x)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        E = _E()
        x, t = ctx.saved_tensors
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - t) / E.clamp(x * (1 - x), min=1e-12)
        if ctx.needs_input_grad[1]:
            gt = g * (E.log1p(-x) - E.log(x))
        return gx, gt


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """-(t log x + (1 - t) log(1 - x)), logs clamped at -100 like torch."""
    input, target, weight = autocast_args("binary_cross_entropy", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({_size_str(target.shape)}) that is different "
                         f"to the input size ({_size_str(input.shape)}) is deprecated. Please "
                         "ensure they have the same size.")
    if input.numel() and (bool((input < 0).any()) or bool((input > 1).any())):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if target.dtype is not input.dtype:
        target = target.to(input.dtype)
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross entropy in one stable expression (log-sigmoid)."""
    input, target, weight, pos_weight = autocast_args("binary_cross_entropy_with_logits", input, target, weight, pos_weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({_size_str(target.shape)}) must be the same as input "
                         f"size ({_size_str(input.shape)})")
    neg_ls = -_LogSigmoid.apply(input)  # log(1 + exp(-x))
    if pos_weight is not None:
        lw = 1 + (pos_weight - 1) * target
        loss = (1 - target) * input + lw * neg_ls
    else:
        loss = (1 - target) * input + neg_ls
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence; ``input`` holds log-probabilities."""
    input, target = autocast_args("kl_div", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.", UserWarning, stacklevel=2)
    E = _E()
    if log_target:
        loss = E.exp(target) * (target - input)
    else:
        loss = E.xlogy(target, target) - target * input
    if reduction == "batchmean":
        if input.dim() == 0:
            return loss.sum()
        return loss.sum() / input.shape[0]
    return _reduce(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x))."""
    input, target = autocast_args("soft_margin_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _reduce(-_LogSigmoid.apply(target * input), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """One-vs-all logistic loss averaged over classes."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = -(target * _LogSigmoid.apply(input) + (1 - target) * _LogSigmoid.apply(-input))
    if weight is not None:
        loss = loss * weight
    cdim = input.dim() - 1
    loss = loss.sum(cdim) / input.shape[cdim]
    return _reduce(loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Hinge loss between every target class and every non-target class (targets end at
    the first -1)."""
    input, target = autocast_args("multilabel_margin_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    E = _E()
    if input.dim() > 2 or tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target.reshape(x.shape).long()
    C = x.shape[1]
    if t.numel() and (int(t.max()) >= C or int(t.min()) < -1):
        raise RuntimeError("multilabel_margin_loss: target out of range")
    # valid[n, k]: position k comes before the first -1 of row n
    valid = (E.cumsum((t < 0).long(), 1) == 0)
    safe = E.where(valid, t, E.zeros_like(t))
    is_tgt = ((safe.unsqueeze(2) == E.arange(C)) & valid.unsqueeze(2)).any(1)
    xt = x.gather(1, safe)                                   # (N, K) target scores
    margin = E.relu(1 - xt.unsqueeze(2) + x.unsqueeze(1))    # (N, K, C)
    mask = valid.unsqueeze(2) & ~is_tgt.unsqueeze(1)
    loss = (margin * mask).sum((1, 2)) / C
    if input.dim() < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: sum over i != y of max(0, margin - x_y + x_i)^p / C."""
    input, target, weight = autocast_args("multi_margin_loss", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    E = _E()
    x = input if input.dim() == 2 else input.reshape(1, -1)
    C = x.shape[1]
    t = target.reshape(-1).long()
    if t.shape[0] != x.shape[0]:
        raise RuntimeError(f"inconsistent target size, expected {x.shape[0]} but got "
                           f"{list(target.shape)}")
    if t.numel() and (int(t.min()) < 0 or int(t.max()) >= C):
        raise RuntimeError("target out of range")
    xy = x.gather(1, t.unsqueeze(1))
    z = E.relu(margin - xy + x)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t].unsqueeze(1)
    other = E.arange(C).unsqueeze(0) != t.unsqueeze(1)
    loss = (z * other).sum(1) / C
    if input.dim() < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """x where y == 1, max(0, margin - x) where y == -1."""
    input, target = autocast_args("hinge_embedding_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    E = _E()
    zero = E.zeros_like(input)
    neg = E.where(target != 1, E.clamp(margin - input, min=0), zero)
    pos = E.where(target != -1, input, zero)
    return _reduce(neg + pos, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y == 1, max(0, cos - margin) where y == -1."""
    input1, input2, target = autocast_args("cosine_embedding_loss", input1, input2, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    E = _E()
    if input1.shape != input2.shape:
        raise RuntimeError(f"cosine_embedding_loss: Input1 and input2 must have the same "
                           f"shape, got {list(input1.shape)} and {list(input2.shape)}")
    d = input1.dim() - 1
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + eps
    m2 = (input2 * input2).sum(d) + eps
    cos = prod / E.sqrt(m1 * m2)
    zero = E.zeros_like(cos)
    pos = E.where(target == 1, 1 - cos, zero)
    neg = E.where(target == -1, E.clamp(cos - margin, min=0), zero)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin)."""
    input1, input2, target = autocast_args("margin_ranking_loss", input1, input2, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {_size_str(input1.shape)}, input2: {_size_str(input2.shape)}, target: "
            f"{_size_str(target.shape)} ")
    return _reduce(_E().clamp(-target * (input1 - input2) + margin, min=0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin) with p-norm distances."""
    anchor, positive, negative = autocast_args("triplet_margin_loss", anchor, positive, negative)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs")
    E = _E()
    d_ap = pairwise_distance(anchor, positive, p, eps)
    d_an = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_an = E.minimum(d_an, pairwise_distance(positive, negative, p, eps))
    return _reduce(E.clamp(margin + d_ap - d_an, min=0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """Triplet loss with a user-supplied distance (pairwise_distance by default)."""
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0,"
                         f" got {margin} instead")
    E = _E()
    dist = distance_function if distance_function is not None else pairwise_distance
    d_ap = dist(anchor, positive)
    d_an = dist(anchor, negative)
    if swap:
        d_an = E.minimum(d_an, dist(positive, negative))
    return _reduce(E.clamp(margin + d_ap - d_an, min=0), reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,
                     full: bool = False, size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log likelihood (Stirling term when ``full``)."""
    input, target = autocast_args("poisson_nll_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    E = _E()
    if log_input:
        loss = E.exp(input) - target * input
    else:
        loss = input - target * E.log(input + eps)
    if full:
        t = target
        safe = E.where(t > 1, t, E.ones_like(t))
        stirling = safe * E.log(safe) - safe + 0.5 * E.log(2 * math.pi * safe)
        loss = loss + E.where(t > 1, stirling, E.zeros_like(stirling))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """0.5 (log var + (x - y)^2 / var), var clamped to eps (no gradient through the clamp)."""
    E = _E()
    if not isinstance(var, Tensor):
        var = E.full_like(input, float(var))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    # clamp the values only: the gradient flows as if var were unclamped (as torch)
    var = var + (E.clamp(var.detach(), min=eps) - var.detach())
    loss = 0.5 * (E.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


_CTC_NEG = -1e30  # "log 0" kept finite so that gradients through unreachable states are 0


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """Connectionist temporal classification loss by the forward (alpha) recursion in log
    space; gradients come from the recursion's ops."""
    E = _E()
    _check_reduction(reduction)
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        if targets.dim() == 1 and isinstance(target_lengths, Tensor) \
                and target_lengths.dim() == 0:
            targets = targets.unsqueeze(0)
    if log_probs.dim() != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs to be 2-D or 3-D, got "
                           f"{log_probs.dim()}-D")
    T, N, C = log_probs.shape

    def as_list(v):
        if isinstance(v, Tensor):
            return [int(i) for i in v.reshape(-1).tolist()]
        return [int(i) for i in v]
    in_len, tg_len = as_list(input_lengths), as_list(target_lengths)
    if len(in_len) != N or len(tg_len) != N:
        raise RuntimeError(f"input_lengths and target_lengths must have length {N} "
                           f"(the batch size)")
    tg = targets.long()
    losses = []
    offset = 0
    for n in range(N):
        L, Tn = tg_len[n], in_len[n]
        if Tn > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got "
                               f"value {Tn} (while checking arguments for ctc_loss_cpu)")
        if tg.dim() == 2:
            lab = [int(v) for v in tg[n, :L].tolist()]
        else:
            lab = [int(v) for v in tg[offset:offset + L].tolist()]
            offset += L
        ext = [blank]
        for c in lab:
            ext += [c, blank]
        S = len(ext)
        skip = [s >= 2 and ext[s] != blank and ext[s] != ext[s - 2] for s in range(S)]
        skip_mask = E.tensor([0.0 if k else _CTC_NEG for k in skip], dtype=log_probs.dtype)
        lp = log_probs[:Tn, n, :].index_select(1, E.tensor(ext))      # (Tn, S)
        init = E.tensor([0.0] + [0.0 if S > 1 else _CTC_NEG] + [_CTC_NEG] * (S - 2),
                        dtype=log_probs.dtype)[:S]
        if Tn == 0:
            losses.append(E.tensor(0.0 if L == 0 else float("inf"), dtype=log_probs.dtype))
            continue
        alpha = lp[0] + init
        pad1 = E.full((1,), _CTC_NEG, dtype=log_probs.dtype)
        pad2 = E.full((2,), _CTC_NEG, dtype=log_probs.dtype)
        for t in range(1, Tn):
            a1 = E.cat([pad1, alpha[:-1]])
            a2 = E.cat([pad2, alpha[:-2]]) + skip_mask
            alpha = E.logsumexp(E.stack([alpha, a1, a2]), 0) + lp[t]
        tail = alpha[-2:] if S > 1 else alpha[-1:]
        nll = -E.logsumexp(tail, 0)
        # torch's gradient w.r.t. log_probs is exp(lp) - posterior (the gradient w.r.t.
        # logits when log_probs come from log_softmax, where both agree): add a term of
        # value 0 whose gradient is exp(lp) over the valid time steps
        used = log_probs[:Tn, n, :]
        nll = nll + (E.exp(used).sum() - E.exp(used.detach()).sum())
        if float(nll) > 1e29:  # no valid alignment
            nll = nll * 0 + (0.0 if zero_infinity else float("inf"))
        losses.append(nll)
    loss = E.stack(losses)
    if reduction == "none":
        return loss[0] if unbatched else loss
    if reduction == "sum":
        return loss.sum()
    lens = E.tensor([max(v, 1) for v in tg_len], dtype=log_probs.dtype)
    return (loss / lens).mean()


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options=None) -> Tensor:
    """cross_entropy(linear(input, linear_weight, linear_bias), target, ...).

    ``linear_weight`` is (C, in) or (C, d1..dK, in) for K-dimensional logits (N, C, d1..dK).
    ember always takes torch's reference path: ``options`` (chunking, a memory-saving
    strategy) is accepted and does not change the result."""
    if input.shape[-1] != linear_weight.shape[-1]:
        raise RuntimeError(f"expected equal input and linear_weight last dimensions "
                           f"(in_features), got {input.shape[-1]} and "
                           f"{linear_weight.shape[-1]}, respectively")
    probs = target.dtype.is_floating_point
    if probs and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains "
                           "probabilities")
    extra = tuple(linear_weight.shape[1:-1])
    logits = input.matmul(linear_weight.reshape(-1, linear_weight.shape[-1]).t())
    if linear_bias is not None:
        logits = logits + linear_bias.reshape(-1)
    if extra:
        logits = logits.reshape(tuple(input.shape[:-1]) + (linear_weight.shape[0],) + extra)
    return cross_entropy(logits, target, weight=weight,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         reduction=reduction, label_smoothing=label_smoothing)
