"""Registry entries for ember.nn.functional: activations, softmax family, distances,
losses, embedding. Names resolve by attribute path in both frameworks."""

import numpy as np

from tests.opinfo import OpInfo, S, arr, positive

F = "nn.functional."


def _away(shape, dt, rng, kinks=(0.0,), gap=0.05):
    """Random values kept ``gap`` away from the kinks of a piecewise function (so finite
    differences never straddle one)."""
    a = arr(shape, dt, rng, -3.0, 3.0)
    for k in kinks:
        close = np.abs(a - k) < gap
        a = np.where(close, a + 2 * gap, a)
    return a.astype(dt)


def _unary(kinks=(0.0,), **kw):
    def samples(dt, rng):
        return [S(_away((3, 4), dt, rng, kinks), **kw), S(_away((), dt, rng, kinks), **kw),
                S(arr((0, 2), dt, rng), **kw), S(_away((2, 3, 2), dt, rng, kinks), **kw)]
    return samples


class Const:
    """An array passed as a constant (no gradient, not perturbed by gradcheck): class
    weights, float targets the framework does not differentiate. Converted to the dtype of
    the call's first tensor."""

    def __init__(self, a):
        self.a = np.asarray(a)

    def to(self, lib, like):
        return lib.tensor(self.a, dtype=like.dtype if like is not None else None)


def _fn(lib_name, name):
    """Call nn.functional.<name>, turning Const arguments into constant tensors."""
    def call(*args, **kwargs):
        lib = __import__(lib_name)
        like = next((a for a in args if hasattr(a, "dtype")
                     and a.dtype.is_floating_point), None)
        conv = (lambda v: v.to(lib, like) if isinstance(v, Const) else v)
        args = [conv(a) for a in args]
        kwargs = {k: conv(v) for k, v in kwargs.items()}
        return getattr(lib.nn.functional, name)(*args, **kwargs)
    return call


def _pair(name):
    return dict(ember_fn=_fn("ember", name), torch_fn=_fn("torch", name))


# ----- activations ------------------------------------------------------------------------

def _int_input_error():
    return [(S(np.array([[1, -2], [3, 4]])), NotImplementedError)]


_NO_INT = {"leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus",
           "softshrink", "hardshrink", "hardsigmoid", "hardswish", "logsigmoid"}

for _name, _kinks, _kw in [
        ("relu", (0.0,), {}), ("relu6", (0.0, 6.0), {}), ("leaky_relu", (0.0,), {}),
        ("elu", (0.0,), {}), ("selu", (0.0,), {}), ("celu", (0.0,), {}), ("gelu", (), {}),
        ("silu", (), {}), ("mish", (), {}), ("softplus", (), {}), ("softsign", (0.0,), {}),
        ("softshrink", (-0.5, 0.5), {}), ("hardshrink", (-0.5, 0.5), {}),
        ("tanhshrink", (), {}), ("hardtanh", (-1.0, 1.0), {}),
        ("hardsigmoid", (-3.0, 3.0), {}), ("hardswish", (-3.0, 3.0), {}),
        ("logsigmoid", (), {}), ("sigmoid", (), {}), ("tanh", (), {})]:
    OpInfo(F + _name, _unary(_kinks), errors=_int_input_error if _name in _NO_INT else None)

OpInfo(F + "leaky_relu_slope", _unary((0.0,)), **_pair("leaky_relu"),
       dtypes=("float64",))
OpInfo(F + "gelu_tanh", _unary((), approximate="tanh"), **_pair("gelu"))
OpInfo(F + "softplus_beta", _unary((0.0,), beta=2.0, threshold=1.5), **_pair("softplus"))
OpInfo(F + "elu_alpha", _unary((0.0,), alpha=0.7), **_pair("elu"))
OpInfo(F + "celu_alpha", _unary((0.0,), alpha=2.0), **_pair("celu"))
OpInfo(F + "hardtanh_range", _unary((-2.0, 0.5), min_val=-2.0, max_val=0.5),
       **_pair("hardtanh"))
OpInfo(F + "softshrink_lambd", _unary((-1.0, 1.0), lambd=1.0), **_pair("softshrink"))
OpInfo(F + "threshold", lambda dt, rng: [S(_away((3, 4), dt, rng, (0.5,)), 0.5, -2.0),
                                         S(_away((), dt, rng, (0.0,)), 0.0, 1.0)])
OpInfo(F + "rrelu", _unary((0.0,)), errors=None)  # eval mode: deterministic
OpInfo(F + "prelu", lambda dt, rng: [
    S(_away((2, 3, 4), dt, rng), positive((3,), dt, rng, 0.1, 0.5)),
    S(_away((2, 3), dt, rng), positive((1,), dt, rng, 0.1, 0.5)),
    S(_away((4,), dt, rng), positive((1,), dt, rng, 0.1, 0.5))],
    errors=lambda: [(S(arr((2, 3, 4)), arr((2,))), RuntimeError)])
OpInfo(F + "glu", lambda dt, rng: [S(arr((3, 4), dt, rng)), S(arr((4, 2, 3), dt, rng), 0)],
       errors=lambda: [(S(arr((3, 5))), RuntimeError)])

for _name in ("softmax", "log_softmax", "softmin"):
    OpInfo(F + _name, lambda dt, rng: [
        S(arr((3, 4), dt, rng), 1), S(arr((3, 4), dt, rng), dim=0),
        S(arr((2, 3, 4), dt, rng), -1), S(arr((), dt, rng), 0), S(arr((0, 3), dt, rng), 1),
        S(arr((2, 3), dt, rng) * 40, 1)],   # large logits stay finite
        errors=lambda: [(S(arr((2, 3)), 2), IndexError),
                        (S(np.array([[1, 2]]), 1), NotImplementedError)])
    OpInfo(F + _name + "_dtype", lambda dt, rng: [
        S(arr((3, 4), "float32", rng), 1, dtype="dtype:float64")], **_pair(_name),
        gradcheck=False, gradgrad=False,
        dtypes=("float64",))

OpInfo(F + "normalize", lambda dt, rng: [
    S(arr((3, 4), dt, rng)), S(arr((2, 3, 2), dt, rng), p=1.0, dim=-1),
    S(arr((3,), dt, rng), dim=0)])
OpInfo(F + "cosine_similarity", lambda dt, rng: [
    S(arr((3, 4), dt, rng), arr((3, 4), dt, rng)),
    S(arr((2, 4), dt, rng), arr((1, 4), dt, rng), dim=-1),
    S(arr((2, 3, 2), dt, rng), arr((2, 3, 2), dt, rng), 0)])
OpInfo(F + "pairwise_distance", lambda dt, rng: [
    S(arr((3, 4), dt, rng), arr((3, 4), dt, rng)),
    S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), 1.0, keepdim=True),
    S(arr((3, 4), dt, rng), arr((4,), dt, rng), 3.0)])
OpInfo(F + "pdist", lambda dt, rng: [S(arr((4, 3), dt, rng)), S(arr((3, 2), dt, rng), 1.0)],
       errors=lambda: [(S(arr((2, 3, 4))), RuntimeError)])
OpInfo(F + "one_hot", lambda dt, rng: [
    S(np.array([0, 2, 1, 2])), S(np.array([[0, 1], [3, 1]]), 5), S(np.array(2), 3)],
    dtypes=("int64",), grad=False, gradcheck=False, gradgrad=False,
    errors=lambda: [(S(np.array([0, 3]), 2), RuntimeError),
                    (S(np.array([0, -1])), RuntimeError)])

# ----- losses -----------------------------------------------------------------------------

_RED = ("none", "mean", "sum")


def _pointwise_loss(extra=None):
    extra = extra or {}

    def samples(dt, rng):
        out = [S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), reduction=r, **extra)
               for r in _RED]
        out.append(S(arr((), dt, rng), arr((), dt, rng), **extra))
        return out
    return samples


_BAD_RED = lambda: [(S(arr((2, 3)), arr((2, 3)), reduction="foo"), ValueError)]  # noqa: E731
OpInfo(F + "l1_loss", _pointwise_loss(), errors=_BAD_RED)
OpInfo(F + "mse_loss", _pointwise_loss(), errors=_BAD_RED)
OpInfo(F + "smooth_l1_loss", _pointwise_loss({"beta": 0.5}))
OpInfo(F + "huber_loss", _pointwise_loss({"delta": 0.7}),
       errors=lambda: [(S(arr((2,)), arr((2,)), delta=-1.0), RuntimeError)])


def _ce_samples(dt, rng):
    out = []
    for r in _RED:
        out += [S(arr((4, 3), dt, rng), np.array([0, 2, 1, 2]), reduction=r),
                S(arr((4, 3), dt, rng), np.array([0, 2, 1, 2]), Const(positive((3,), dt, rng)),
                  ignore_index=1, reduction=r),
                S(arr((4, 3), dt, rng), np.array([0, 2, 1, 2]), Const(positive((3,), dt, rng)),
                  ignore_index=2, reduction=r, label_smoothing=0.2),
                S(arr((4, 3), dt, rng), np.array([0, 2, 1, 2]), reduction=r,
                  label_smoothing=0.1),
                S(arr((2, 3, 2, 2), dt, rng), rng.integers(0, 3, (2, 2, 2)), reduction=r),
                S(arr((3,), dt, rng), np.array(1), reduction=r)]
    probs = positive((4, 3), dt, rng)
    out.append(S(arr((4, 3), dt, rng), Const(probs / probs.sum(1, keepdims=True)),
                 Const(positive((3,), dt, rng)), label_smoothing=0.1))
    out.append(S(arr((4, 3), dt, rng), Const(probs / probs.sum(1, keepdims=True)),
                 reduction="none"))
    return out


def _class_errors():
    return [(S(arr((2, 3)), np.array([0, 5])), IndexError),
            (S(arr((2, 3)), np.array([0, 1, 1])), ValueError),
            (S(arr((2, 3)), np.array([0, 1]), reduction="foo"), ValueError)]


OpInfo(F + "cross_entropy", _ce_samples, **_pair("cross_entropy"),
       errors=_class_errors)


def _nll_samples(dt, rng):
    out = []
    for r in _RED:
        out += [S(arr((4, 3), dt, rng), np.array([0, 2, 1, 2]), reduction=r),
                S(arr((4, 3), dt, rng), np.array([0, 2, 1, 2]), Const(positive((3,), dt, rng)),
                  ignore_index=0, reduction=r),
                S(arr((2, 3, 2), dt, rng), rng.integers(0, 3, (2, 2)), reduction=r)]
    return out


OpInfo(F + "nll_loss", _nll_samples, **_pair("nll_loss"), errors=_class_errors)


def _bce_samples(dt, rng):
    return [S(positive((3, 4), dt, rng, 0.05, 0.95), Const(positive((3, 4), dt, rng, 0, 1)),
              Const(positive((4,), dt, rng)), reduction=r) for r in _RED] + \
        [S(positive((3,), dt, rng, 0.05, 0.95), Const(positive((3,), dt, rng, 0.0, 1.0)))]


OpInfo(F + "binary_cross_entropy", _bce_samples,
       **_pair("binary_cross_entropy"),
       errors=lambda: [(S(positive((2, 3), low=0.1, high=0.9), positive((3,), low=0.1,
                                                                         high=0.9)),
                        ValueError)])


def _bcel_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), positive((3, 4), dt, rng, 0.0, 1.0), reduction=r,
              pos_weight=Const(positive((4,), dt, rng))) for r in _RED] + \
        [S(arr((3, 4), dt, rng) * 30, positive((3, 4), dt, rng, 0.0, 1.0),
           Const(positive((3, 4), dt, rng)))]


OpInfo(F + "binary_cross_entropy_with_logits", _bcel_samples,
       **_pair("binary_cross_entropy_with_logits"),
       errors=lambda: [(S(arr((2, 3)), arr((3,))), ValueError)])
OpInfo(F + "kl_div", lambda dt, rng: [
    S(arr((3, 4), dt, rng), positive((3, 4), dt, rng, 0.1, 1.0), reduction=r)
    for r in ("none", "sum", "batchmean")] + [
    S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), reduction="sum", log_target=True)])
OpInfo(F + "soft_margin_loss", lambda dt, rng: [
    S(arr((3, 4), dt, rng), Const(np.sign(arr((3, 4), dt, rng))), reduction=r) for r in _RED],
    **_pair("soft_margin_loss"))
OpInfo(F + "multilabel_soft_margin_loss", lambda dt, rng: [
    S(arr((3, 4), dt, rng), Const(arr((3, 4), dt, rng) > 0), Const(positive((4,), dt, rng)),
      reduction=r) for r in _RED], **_pair("multilabel_soft_margin_loss"))
_ML_T = np.array([[0, 1, -1, 0], [2, -1, 0, 1], [3, 2, 0, 1]])
OpInfo(F + "multilabel_margin_loss", lambda dt, rng: [
    S(arr((3, 4), dt, rng), _ML_T, reduction=r) for r in _RED] + [
    S(arr((4,), dt, rng), np.array([1, 3, -1, 0]))])
OpInfo(F + "multi_margin_loss", lambda dt, rng: [
    S(arr((4, 3), dt, rng), np.array([0, 2, 1, 2]), reduction=r) for r in _RED] + [
    S(arr((4, 3), dt, rng), np.array([0, 2, 1, 2]), 2, 0.5, Const(positive((3,), dt, rng)))],
    **_pair("multi_margin_loss"),
    errors=lambda: [(S(arr((2, 3)), np.array([0, 1]), 3), ValueError)])
OpInfo(F + "hinge_embedding_loss", lambda dt, rng: [
    S(arr((3, 4), dt, rng), Const(np.sign(arr((3, 4), dt, rng))), reduction=r, margin=0.5)
    for r in _RED], **_pair("hinge_embedding_loss"))
OpInfo(F + "cosine_embedding_loss", lambda dt, rng: [
    S(arr((4, 3), dt, rng), arr((4, 3), dt, rng), Const([1.0, -1.0, 1.0, -1.0]),
      margin=-0.5, reduction=r) for r in _RED],
    **_pair("cosine_embedding_loss"))
OpInfo(F + "margin_ranking_loss", lambda dt, rng: [
    S(arr((4,), dt, rng), arr((4,), dt, rng), Const([1.0, -1.0, 1.0, -1.0]), margin=0.1,
      reduction=r) for r in _RED],
    **_pair("margin_ranking_loss"))
OpInfo(F + "triplet_margin_loss", lambda dt, rng: [
    S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), arr((3, 4), dt, rng), reduction=r)
    for r in _RED] + [
    S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), arr((3, 4), dt, rng), p=1.0, swap=True,
      margin=2.0)])
OpInfo(F + "triplet_margin_with_distance_loss", lambda dt, rng: [
    S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), arr((3, 4), dt, rng), reduction=r,
      margin=1.5) for r in _RED])
OpInfo(F + "poisson_nll_loss", lambda dt, rng: [
    S(arr((3, 4), dt, rng), Const(positive((3, 4), dt, rng, 0.0, 3.0)), reduction=r)
    for r in _RED] + [
    S(positive((3, 4), dt, rng), Const(positive((3, 4), dt, rng, 0, 3)), False, True)],
    **_pair("poisson_nll_loss"))
OpInfo(F + "gaussian_nll_loss", lambda dt, rng: [
    S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), positive((3, 4), dt, rng), reduction=r)
    for r in _RED] + [
    S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), positive((3,), dt, rng), full=True)],
    errors=lambda: [(S(arr((3, 4)), arr((3, 4)), positive((2,))), ValueError),
                    (S(arr((3, 4)), arr((3, 4)), -positive((3, 4))), ValueError)])



def _ctc_samples(dt, rng):
    def lp(shape):
        x = arr(shape, dt, rng)
        return (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(dt)
    tg = np.array([[1, 2], [2, 0]])
    return [S(lp((4, 2, 3)), tg, np.array([4, 3]), np.array([2, 1]), reduction=r)
            for r in _RED] + [
        S(lp((4, 2, 3)), np.array([1, 2, 2]), np.array([4, 4]), np.array([2, 1]), blank=0),
        S(lp((3, 3)), np.array([1, 1]), np.array(3), np.array(2), reduction="none")]


def _ctc_fn(lib_name):
    def call(x, *rest, **kw):
        lib = __import__(lib_name)
        return lib.nn.functional.ctc_loss(x.log_softmax(-1), *rest, **kw)
    return call


# torch's gradient w.r.t. raw log_probs is not their derivative (it is the derivative w.r.t.
# logits through log_softmax): compare raw gradients with torch, gradcheck through log_softmax
OpInfo(F + "ctc_loss", _ctc_samples, gradcheck=False, gradgrad=False)
OpInfo(F + "ctc_loss_logits", _ctc_samples, ember_fn=_ctc_fn("ember"),
       torch_fn=_ctc_fn("torch"),
       errors=lambda: [(S(arr((4, 2, 3)), np.array([[1], [1]]), np.array([5, 4]),
                          np.array([1, 1])), RuntimeError)])

# ----- embedding --------------------------------------------------------------------------

OpInfo(F + "embedding", lambda dt, rng: [
    S(np.array([[0, 2, 2], [4, 1, 0]]), arr((5, 3), dt, rng)),
    S(np.array(3), arr((5, 2), dt, rng))],
    errors=lambda: [(S(np.array([0, 7]), arr((5, 3))), IndexError)])
OpInfo(F + "embedding_bag", lambda dt, rng: [
    S(np.array([0, 2, 2, 4, 1, 0, 3]), arr((5, 3), dt, rng), np.array([0, 3, 3, 5]),
      mode=m) for m in ("sum", "mean", "max")] + [
    S(np.array([[0, 2, 2], [4, 1, 0]]), arr((5, 3), dt, rng)),
    S(np.array([0, 2, 2, 4]), arr((5, 3), dt, rng), np.array([0, 1, 4]), mode="sum",
      include_last_offset=True, per_sample_weights=positive((4,), dt, rng))],
    errors=lambda: [(S(np.array([0, 1]), arr((5, 3)), np.array([0]), mode="foo"),
                     ValueError)])
# padding_idx and scale_grad_by_freq make the gradient deliberately differ from the
# derivative: compared with torch, no gradcheck
OpInfo(F + "embedding_padding", lambda dt, rng: [
    S(np.array([1, 3, 1]), arr((5, 3), dt, rng), padding_idx=1),
    S(np.array([1, 3, 4]), arr((5, 3), dt, rng), padding_idx=-1),
    S(np.array([[0, 2, 2]]), arr((5, 3), dt, rng), scale_grad_by_freq=True)],
    **_pair("embedding"), gradcheck=False, gradgrad=False)
