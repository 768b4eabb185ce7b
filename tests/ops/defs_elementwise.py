"""Registry entries for elementwise math: unary, binary and ternary ops."""

import numpy as np

from tests.opinfo import OpInfo, S, arr, positive

NUM = ("float32", "float64", "int64", "int32")


def _unary_samples(low=-2.0, high=2.0):
    def samples(dt, rng):
        return [S(arr((3, 4), dt, rng, low, high)), S(arr((), dt, rng, low, high)),
                S(arr((0, 2), dt, rng, low, high))]
    return samples


def _away(x, pts, eps=0.1):
    """Push samples at least ``eps`` away from the kinks ``pts``."""
    for p in pts:
        close = np.abs(x - p) < eps
        x = np.where(close, p + eps * np.sign(x - p + 1e-12) * 2, x)
    return x.astype(x.dtype)


_FLOAT_UNARY = [
    ("exp2", -2, 2), ("expm1", -2, 2), ("log2", 0.5, 3), ("log10", 0.5, 3), ("log1p", -0.5, 2),
    ("sqrt", 0.5, 3), ("rsqrt", 0.5, 3), ("sin", -3, 3), ("cos", -3, 3), ("tan", -1, 1),
    ("asin", -0.9, 0.9), ("acos", -0.9, 0.9), ("atan", -3, 3), ("sinh", -2, 2),
    ("cosh", -2, 2), ("tanh", -2, 2), ("asinh", -2, 2), ("acosh", 1.2, 3),
    ("atanh", -0.9, 0.9), ("sigmoid", -3, 3), ("erf", -2, 2), ("erfc", -2, 2),
    ("erfinv", -0.9, 0.9), ("lgamma", 0.3, 4), ("digamma", 0.3, 4), ("i0", -2, 2),
    ("deg2rad", -90, 90), ("rad2deg", -2, 2), ("arcsin", -0.9, 0.9), ("arccos", -0.9, 0.9),
    ("arctan", -2, 2), ("arcsinh", -2, 2), ("arccosh", 1.2, 3), ("arctanh", -0.9, 0.9),
]
for _name, _lo, _hi in _FLOAT_UNARY:
    OpInfo(_name, _unary_samples(_lo, _hi), dtypes=("float32", "float64", "int64"),
           method=True, gradgrad=_name not in ("digamma",))

OpInfo("reciprocal", lambda dt, rng: [S(positive((3, 4), dt, rng)), S(np.asarray(-positive((), dt, rng)))],
       method=True)
OpInfo("abs", lambda dt, rng: [S(_away(arr((3, 4), dt, rng), [0])), S(arr((0,), dt, rng))],
       dtypes=NUM, method=True)
OpInfo("absolute", lambda dt, rng: [S(_away(arr((3, 4), dt, rng), [0]))], dtypes=NUM)
OpInfo("sign", _unary_samples(), dtypes=NUM + ("bool",), method=True)
OpInfo("sgn", _unary_samples(), dtypes=NUM, grad=False)  # torch's grad is a ZeroTensor
OpInfo("signbit", _unary_samples(), dtypes=NUM, grad=False, gradcheck=False, gradgrad=False)
OpInfo("square", _unary_samples(), dtypes=NUM, method=True)
for _name in ("floor", "ceil", "trunc", "fix"):
    OpInfo(_name, lambda dt, rng: [S(_away(arr((3, 4), dt, rng, -3, 3), [-2, -1, 0, 1, 2])),
                                   S(arr((), dt, rng))],
           dtypes=NUM, method=True)
OpInfo("frac", lambda dt, rng: [S(_away(arr((3, 4), dt, rng, -3, 3), [-2, -1, 0, 1, 2]))],
       method=True)
OpInfo("round", lambda dt, rng: [S(_away(arr((3, 4), dt, rng, -3, 3), [-1.5, -.5, .5, 1.5])),
                                 S(arr((3,), "float64" if dt == "int64" else dt, rng),
                                   decimals=2)],
       dtypes=("float32", "float64", "int64"), method=True, errors=lambda: [(S(arr((2,), "int64"), decimals=1), NotImplementedError)])
OpInfo("relu", lambda dt, rng: [S(_away(arr((3, 4), dt, rng), [0])), S(arr((), dt, rng))],
       dtypes=NUM, method=True)
OpInfo("positive", _unary_samples(), dtypes=NUM)
OpInfo("logit", lambda dt, rng: [S(arr((3, 4), dt, rng, 0.1, 0.9)),
                                 S(arr((5,), dt, rng, 0.02, 0.98), 0.05)],
       method=True)
OpInfo("nan_to_num", lambda dt, rng: [
    S(np.array([1.0, np.nan, np.inf, -np.inf, -0.5], dtype=dt)),
    S(np.array([np.nan, np.inf, -np.inf, 2.0], dtype=dt), 1.0, 5.0, -5.0),
    S(np.array([np.nan, 3.0], dtype=dt), nan=2.0)],
       gradcheck=False, gradgrad=False)


# ----- binary ---------------------------------------------------------------------------

def _bin(low=-2.0, high=2.0, low2=None, high2=None, scalar=1.5, tensor_only=False):
    low2 = low if low2 is None else low2
    high2 = high if high2 is None else high2

    def samples(dt, rng):
        return [S(arr((3, 4), dt, rng, low, high), arr((3, 4), dt, rng, low2, high2)),
                S(arr((3, 1), dt, rng, low, high), arr((4,), dt, rng, low2, high2)),
                S(arr((), dt, rng, low, high), arr((2, 3), dt, rng, low2, high2)),
                S(arr((0, 3), dt, rng, low, high), arr((3,), dt, rng, low2, high2))] + (
                [] if tensor_only else [S(arr((2, 3), dt, rng, low, high), scalar)])
    return samples


def _scalar_other_rejected():
    return [(S(arr((2,)), 1.5), TypeError)]


OpInfo("atan2", _bin(0.5, 2, tensor_only=True), dtypes=("float32", "float64", "int64"),
       method=True, errors=_scalar_other_rejected)
OpInfo("arctan2", _bin(0.5, 2, tensor_only=True))
OpInfo("hypot", _bin(0.5, 2, tensor_only=True), method=True, errors=_scalar_other_rejected)
OpInfo("copysign", _bin(0.5, 2, -2, 2), dtypes=("float32", "float64", "int64"),
       method=True)
OpInfo("xlogy", _bin(-2, 2, 0.5, 2), dtypes=("float32", "float64", "int64"))
OpInfo("fmod", _bin(1, 5, 0.7, 0.9, scalar=0.8), dtypes=("float32", "float64"),
       method=True)
OpInfo("fmod", lambda dt, rng: [S(arr((3, 4), dt, rng, -9, 9), arr((4,), dt, rng, 1, 4)),
                                S(arr((3,), dt, rng, -9, 9), 4)],
       dtypes=("int64", "int32"), grad=False, gradcheck=False, gradgrad=False)
OpInfo("remainder", _bin(1, 5, 0.7, 0.9, scalar=0.8), dtypes=("float32", "float64"),
       method=True)
OpInfo("remainder", lambda dt, rng: [S(arr((3, 4), dt, rng, -9, 9), arr((4,), dt, rng, 1, 4)),
                                     S(arr((3,), dt, rng, -9, 9), -4)],
       dtypes=("int64", "int32"), grad=False, gradcheck=False, gradgrad=False)
for _name in ("maximum", "minimum", "fmax", "fmin"):
    OpInfo(_name, lambda dt, rng: [S(arr((3, 4), dt, rng), arr((3, 4), dt, rng)),
                                   S(arr((3, 1), dt, rng), arr((4,), dt, rng)),
                                   S(arr((), dt, rng), arr((2,), dt, rng))],
           dtypes=NUM + ("bool",) if _name in ("maximum", "minimum") else NUM, method=True,
           errors=_scalar_other_rejected)
OpInfo("logaddexp", _bin(tensor_only=True), method=True, errors=_scalar_other_rejected)
OpInfo("logaddexp2", _bin(tensor_only=True), method=True)
OpInfo("heaviside", lambda dt, rng: [S(np.array([-1.5, 0.0, 2.0], dtype=dt),
                                       np.array([0.5], dtype=dt))],
       dtypes=("float32", "float64", "int64"), grad=False, gradcheck=False, gradgrad=False)
OpInfo("nextafter", lambda dt, rng: [S(arr((3,), dt, rng), arr((3,), dt, rng))],
       grad=False, gradcheck=False, gradgrad=False)
OpInfo("pow", lambda dt, rng: [S(positive((3, 4), dt, rng), arr((3, 4), dt, rng)),
                               S(positive((3, 1), dt, rng), arr((4,), dt, rng)),
                               S(arr((2, 3), dt, rng), 2), S(positive((2, 3), dt, rng), 0.5),
                               S(positive((), dt, rng), arr((2,), dt, rng))],
       method=True)
OpInfo("pow", lambda dt, rng: [S(arr((2, 3), dt, rng, 0, 3), arr((3,), dt, rng, 0, 3)),
                               S(arr((2, 3), dt, rng), 3), S(arr((2,), dt, rng, 1, 3), 0.5)],
       dtypes=("int64", "int32"),
       errors=lambda: [(S(arr((2,), "int64"), -2), RuntimeError)])
OpInfo("float_power", lambda dt, rng: [S(positive((3, 4), dt, rng), arr((3, 4), dt, rng)),
                                       S(positive((2, 3), dt, rng), 2)],
       dtypes=("float32", "float64", "int64"))

# ----- small extras ---------------------------------------------------------------------
OpInfo("sinc", _unary_samples(0.2, 2), dtypes=("float32", "float64", "int64"), method=True)
OpInfo("angle", lambda dt, rng: [S(_away(arr((3, 4), dt, rng), [0]))],
       dtypes=("float32", "float64", "int64"), method=True)
OpInfo("real", _unary_samples(), dtypes=NUM, method=True)
OpInfo("conj", _unary_samples(), dtypes=NUM, method=True)
OpInfo("imag", _unary_samples(), errors=lambda: [(S(arr((2,))), RuntimeError)], **dict(
    grad=False, gradcheck=False, gradgrad=False), dtypes=(),
       skip_reason="no samples: torch refuses imag of a real tensor")
# (non-negative exponents: torch's ldexp gradient computes 2 ** other in integers)
OpInfo("ldexp", lambda dt, rng: [S(arr((3, 4), dt, rng), arr((3, 4), "int64", rng, 0, 3)),
                                 S(arr((3, 1), dt, rng), arr((4,), "int64", rng, 0, 3))],
       dtypes=("float32", "float64", "int64"), method=True)
for _name in ("gcd", "lcm"):
    OpInfo(_name, lambda dt, rng: [S(arr((3, 4), dt, rng, -9, 9), arr((3, 4), dt, rng, -9, 9)),
                                   S(arr((3, 1), dt, rng, 0, 9), arr((), dt, rng, 1, 9))],
           dtypes=("int64", "int32"), method=True, grad=False, gradcheck=False, gradgrad=False,
           errors=lambda: [(S(arr((2,)), arr((2,))), NotImplementedError),
                           (S(arr((2,), "int64"), 6), TypeError)])
OpInfo("frexp", lambda dt, rng: [S(arr((3, 4), dt, rng)), S(np.array([0.0, -3.0], dt))],
       method=True, grad=False, gradcheck=False, gradgrad=False,
       errors=lambda: [(S(arr((2,), "int64")), RuntimeError)])


# ----- in-place variants (forward values, and torch's refusal of a higher result dtype) -----
def _method(name):
    def call(self, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)
    call.__name__ = name
    return call


_NOGRAD = dict(grad=False, gradcheck=False, gradgrad=False)
for _name, _lo, _hi in (("sin_", -2, 2), ("exp2_", -2, 2), ("sqrt_", 0.5, 2), ("erf_", -2, 2),
                        ("expm1_", -1, 1), ("cosh_", -1, 1), ("sigmoid_", -2, 2),
                        ("reciprocal_", 0.5, 2), ("lgamma_", 0.5, 3), ("i0_", -1, 1)):
    OpInfo("Tensor." + _name, lambda dt, rng, lo=_lo, hi=_hi: [S(arr((3, 4), dt, rng, lo, hi))],
           ember_fn=_method(_name), torch_fn=_method(_name),
           errors=lambda n=_name: [(S(arr((2,), "int64")), RuntimeError)], **_NOGRAD)
for _name in ("floor_", "abs_", "neg_", "square_", "relu_", "trunc_"):
    OpInfo("Tensor." + _name, lambda dt, rng: [S(arr((3, 4), dt, rng))], dtypes=NUM,
           ember_fn=_method(_name), torch_fn=_method(_name), **_NOGRAD)
for _name in ("atan2_", "hypot_", "copysign_", "remainder_", "fmod_", "pow_", "xlogy_",
              "heaviside_"):
    OpInfo("Tensor." + _name,
           lambda dt, rng: [S(arr((3, 4), dt, rng, 0.5, 2), arr((3, 4), dt, rng, 0.5, 2)),
                            S(arr((3, 4), dt, rng, 0.5, 2), arr((4,), dt, rng, 0.5, 2))],
           ember_fn=_method(_name), torch_fn=_method(_name), **_NOGRAD,
           errors=lambda: [(S(arr((3,)), arr((2, 3))), RuntimeError)])
INTS = ("int64", "int32")
OpInfo("Tensor.remainder_", lambda dt, rng: [S(arr((3,), dt, rng, 1, 9), 4)], dtypes=INTS,
       ember_fn=_method("remainder_"), torch_fn=_method("remainder_"),
       errors=lambda: [(S(arr((3,), "int64"), 0.5), RuntimeError)], **_NOGRAD)
OpInfo("Tensor.add_", lambda dt, rng: [S(arr((3,), dt, rng), 2)], dtypes=INTS,
       ember_fn=_method("add_"), torch_fn=_method("add_"),
       errors=lambda: [(S(arr((3,), "int64"), 1.5), RuntimeError)], **_NOGRAD)
OpInfo("Tensor.float_power_", lambda dt, rng: [S(positive((3,), dt, rng), 2)],
       dtypes=("float64",), ember_fn=_method("float_power_"), torch_fn=_method("float_power_"),
       errors=lambda: [(S(positive((3,), "float32"), 2), RuntimeError)], **_NOGRAD)
OpInfo("Tensor.__pow__", lambda dt, rng: [S(arr((3,), dt, rng, -3, 3),
                                            arr((3,), dt, rng, -2, 2)),
                                          S(arr((), dt, rng), 3)],
       dtypes=INTS, ember_fn=lambda a, b: a ** b, torch_fn=lambda a, b: a ** b, **_NOGRAD,
       errors=lambda: [(S(arr((2,), "int64"), -1), RuntimeError)])
OpInfo("Tensor.__rpow__", lambda dt, rng: [S(arr((3,), dt, rng, 0, 3), 2),
                                           S(arr((3,), dt, rng), 2.5)],
       dtypes=NUM, ember_fn=lambda a, b: b ** a, torch_fn=lambda a, b: b ** a, **_NOGRAD)
OpInfo("Tensor.__rmod__", lambda dt, rng: [S(arr((3,), dt, rng, 1, 3), 7),
                                           S(arr((3,), dt, rng, 1, 3), 5.5)],
       dtypes=NUM, ember_fn=lambda a, b: b % a, torch_fn=lambda a, b: b % a, **_NOGRAD)
OpInfo("Tensor.__abs__", lambda dt, rng: [S(arr((3,), dt, rng))], dtypes=NUM,
       ember_fn=abs, torch_fn=abs, **_NOGRAD)
