"""Registry entries for comparisons, logical and bitwise ops, predicates and the ternary
elementwise ops (where, clamp, lerp, addcmul, addcdiv)."""

import operator

import numpy as np

from tests.opinfo import OpInfo, S, arr, positive

NUM = ("float32", "float64", "int64", "int32")
INTS_BOOL = ("int64", "int32", "uint8", "bool")
NOGRAD = dict(grad=False, gradcheck=False, gradgrad=False)


def _cmp_samples(dt, rng):
    a = arr((3, 4), dt, rng)
    b = a.copy()
    b[0] = arr((4,), dt, rng)
    return [S(a, b), S(arr((3, 1), dt, rng), arr((4,), dt, rng)),
            S(arr((), dt, rng), arr((2, 3), dt, rng)), S(arr((2, 3), dt, rng), 1),
            S(arr((2, 3), dt, rng), 0.5), S(arr((0, 3), dt, rng), arr((3,), dt, rng))]


for _name in ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
              "less_equal", "not_equal"):
    OpInfo(_name, _cmp_samples, dtypes=NUM + ("bool",), method=True, **NOGRAD)

for _name, _op in (("__eq__", operator.eq), ("__ne__", operator.ne), ("__lt__", operator.lt),
                   ("__le__", operator.le), ("__gt__", operator.gt), ("__ge__", operator.ge)):
    OpInfo("Tensor." + _name, _cmp_samples, ember_fn=_op, torch_fn=_op, dtypes=NUM, **NOGRAD)


def _mixed_dtype(dt, rng):
    return [S(arr((3,), "int64", rng), arr((3,), dt, rng)), S(arr((2, 1), dt, rng), arr((3,), "bool", rng))]


OpInfo("lt", _mixed_dtype, **NOGRAD)

for _name in ("logical_and", "logical_or", "logical_xor"):
    OpInfo(_name, lambda dt, rng: [S(arr((3, 4), dt, rng, -1, 1), arr((3, 4), dt, rng, -1, 1)),
                                   S(arr((3, 1), dt, rng, -1, 1), arr((4,), dt, rng, -1, 1)),
                                   S(arr((0,), dt, rng), arr((0,), dt, rng))],
           dtypes=NUM + ("bool",), method=True, errors=lambda: [(S(arr((2,)), 1), TypeError)],
           **NOGRAD)
OpInfo("logical_not", lambda dt, rng: [S(arr((3, 4), dt, rng, -1, 1)), S(arr((), dt, rng))],
       dtypes=NUM + ("bool",), method=True, **NOGRAD)


def _bit_samples(dt, rng):
    return [S(arr((3, 4), dt, rng, 0, 9), arr((3, 4), dt, rng, 0, 9)),
            S(arr((3, 1), dt, rng, 0, 9), arr((4,), dt, rng, 0, 9)),
            S(arr((), dt, rng, 0, 9), arr((2,), dt, rng, 0, 9)),
            S(arr((2, 3), dt, rng, 0, 9), 3 if dt != "bool" else True)]


def _float_rejected():
    return [(S(arr((2,)), arr((2,))), NotImplementedError)]


for _name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    OpInfo(_name, _bit_samples, dtypes=INTS_BOOL, method=True, errors=_float_rejected,
           **NOGRAD)
for _name, _op in (("__and__", operator.and_), ("__or__", operator.or_),
                   ("__xor__", operator.xor)):
    OpInfo("Tensor." + _name, _bit_samples, ember_fn=_op, torch_fn=_op, dtypes=INTS_BOOL,
           **NOGRAD)


def _shift_samples(dt, rng):
    return [S(arr((3, 4), dt, rng, 0, 9), arr((3, 4), dt, rng, 0, 3)),
            S(arr((2, 3), dt, rng, 0, 9), 2)]


for _name in ("bitwise_left_shift", "bitwise_right_shift"):
    OpInfo(_name, _shift_samples, dtypes=("int64", "int32", "uint8"), method=True, **NOGRAD)
OpInfo("Tensor.__lshift__", _shift_samples, ember_fn=operator.lshift, torch_fn=operator.lshift,
       dtypes=("int64", "int32"), **NOGRAD)
OpInfo("Tensor.__rshift__", _shift_samples, ember_fn=operator.rshift, torch_fn=operator.rshift,
       dtypes=("int64", "int32"), **NOGRAD)
OpInfo("bitwise_not", lambda dt, rng: [S(arr((3, 4), dt, rng, -5, 5)), S(arr((), dt, rng))],
       dtypes=INTS_BOOL, method=True, errors=lambda: [(S(arr((2,))), NotImplementedError)],
       **NOGRAD)
OpInfo("Tensor.__invert__", lambda dt, rng: [S(arr((3,), dt, rng, -5, 5))],
       ember_fn=operator.invert, torch_fn=operator.invert, dtypes=INTS_BOOL, **NOGRAD)


def _special(dt, rng):
    return [S(np.array([1.0, np.nan, np.inf, -np.inf, -0.0], dtype=dt)), S(arr((2, 0), dt, rng))]


for _name in ("isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal"):
    OpInfo(_name, _special, method=True, **NOGRAD)
    OpInfo(_name, lambda dt, rng: [S(arr((3,), dt, rng))], dtypes=("int64", "bool"), **NOGRAD)


def _close(dt, rng):
    a = arr((3, 4), dt, rng)
    b = a + np.asarray(1e-6, dtype=dt)
    b[0, 0] += 1
    return [S(a, b), S(a, b, rtol=0.0, atol=1e-3),
            S(np.array([np.nan, 1.0], dtype=dt), np.array([np.nan, 1.0], dtype=dt),
              equal_nan=True)]


OpInfo("isclose", _close, method=True, **NOGRAD)
OpInfo("allclose", _close, method=True, **NOGRAD)
OpInfo("equal", lambda dt, rng: [S(arr((3,), dt, rng), arr((3,), dt, rng)),
                                 S(np.ones(3, dt), np.ones(3, dt)),
                                 S(np.ones(3, dt), np.ones((1, 3), dt))],
       dtypes=NUM, **NOGRAD)


# ----- ternary ----------------------------------------------------------------------------

def _where(dt, rng):
    c = arr((3, 4), "bool", rng)
    return [S(c, arr((3, 4), dt, rng), arr((3, 4), dt, rng)),
            S(arr((3, 1), "bool", rng), arr((4,), dt, rng), arr((3, 4), dt, rng)),
            S(c, arr((3, 4), dt, rng), 0.5), S(c, 2, arr((4,), dt, rng)),
            S(arr((), "bool", rng), arr((), dt, rng), arr((2,), dt, rng))]


OpInfo("where", _where, dtypes=NUM + ("bool",),
       errors=lambda: [(S(arr((2,)), arr((2,)), arr((2,))), RuntimeError)])
OpInfo("where", lambda dt, rng: [S(arr((3, 4), "bool", rng), 1.0, 0.0),
                                 S(arr((3,), "bool", rng), 1, 0)], **NOGRAD)
OpInfo("where", lambda dt, rng: [S(arr((3, 4), "bool", rng))], dtypes=("float64",), **NOGRAD)


def _clamp(dt, rng):
    x = arr((3, 4), dt, rng, -3, 3)
    if dt.startswith("float"):
        x = np.where(np.abs(np.abs(x) - 1) < 0.1, x * 1.3, x).astype(dt)
    return [S(x, -1, 1), S(x, min=-1), S(x, max=1), S(x, -0.5, 0.5),
            S(arr((), dt, rng), -1, 1), S(arr((0, 2), dt, rng), 0, 1)]


def _clamp_t(dt, rng):
    x = arr((3, 4), dt, rng, -3, 3)
    lo = arr((4,), dt, rng, -2, -1)
    hi = arr((3, 1), dt, rng, 1, 2)
    return [S(x, lo, hi), S(x, min=lo), S(x, None, hi)]


for _name in ("clamp", "clip"):
    OpInfo(_name, _clamp, dtypes=NUM, method=True,
           errors=lambda: [(S(arr((2,))), RuntimeError)])
    OpInfo(_name, _clamp_t, dtypes=NUM)
OpInfo("clamp_min", lambda dt, rng: [S(arr((3, 4), dt, rng, 0.3, 2), 0.1)], method=True)
OpInfo("clamp_max", lambda dt, rng: [S(arr((3, 4), dt, rng, 0.3, 2), 3)], method=True)
OpInfo("lerp", lambda dt, rng: [S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), 0.3),
                                S(arr((3, 1), dt, rng), arr((4,), dt, rng), arr((4,), dt, rng)),
                                S(arr((), dt, rng), arr((2,), dt, rng), 0.7)],
       method=True)
for _name in ("addcmul", "addcdiv"):
    OpInfo(_name, lambda dt, rng: [
        S(arr((3, 4), dt, rng), arr((3, 4), dt, rng), positive((3, 4), dt, rng)),
        S(arr((4,), dt, rng), arr((3, 1), dt, rng), positive((4,), dt, rng), value=0.5),
        S(arr((), dt, rng), arr((2,), dt, rng), positive((), dt, rng), value=2)],
        method=True)
OpInfo("Tensor.where", lambda dt, rng: [S(arr((3, 4), dt, rng), arr((3, 4), "bool", rng), 0.5),
                                        S(arr((3, 4), dt, rng), arr((4,), "bool", rng),
                                          arr((3, 1), dt, rng))],
       ember_fn=lambda s, c, y: s.where(c, y), torch_fn=lambda s, c, y: s.where(c, y))
