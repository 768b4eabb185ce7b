"""Registry entries for the reductions, cumulative ops, sorting/selection and counting."""

import numpy as np

from tests.opinfo import OpInfo, S, arr, method_of

NUM = ("float32", "float64", "int64", "int32")
NUM_BOOL = NUM + ("bool",)


def distinct(shape, dt, rng):
    """Values with no ties (so max/sort/median gradients are well defined)."""
    n = int(np.prod(shape))
    v = rng.permutation(n).astype(np.float64) - n // 2
    if np.dtype(dt).kind == "f":
        v = v * 0.5 + rng.uniform(-0.1, 0.1, n)
    return v.reshape(shape).astype(dt)


def _ties(dt):
    return np.array([[1, 3, 3], [2, 2, 0]], dtype=dt)


# ----- sum family -------------------------------------------------------------------------

OpInfo("sum_dims", lambda dt, rng: [
    S(arr((2, 3, 4), dt, rng), [0, -1]), S(arr((2, 3), dt, rng), (), True),
    S(arr((2, 3), dt, rng), -1, True), S(arr((0, 3), dt, rng), 0),
    S(arr((2, 3), dt, rng), dtype="dtype:float64"), S(arr((), dt, rng), 0, True)],
    ember_fn=lambda *a, **k: __import__("ember").sum(*a, **k),
    torch_fn=lambda *a, **k: __import__("torch").sum(*a, **k), dtypes=NUM_BOOL,
    errors=lambda: [(S(arr((2, 3)), 2), IndexError), (S(arr((2, 3)), (0, 0)), RuntimeError)])


def _nan_arr(shape, dt, rng):
    a = arr(shape, dt, rng)
    if np.dtype(dt).kind == "f" and a.size:
        a.reshape(-1)[::3] = np.nan
    return a


OpInfo("nansum", lambda dt, rng: [
    S(_nan_arr((3, 4), dt, rng)), S(_nan_arr((3, 4), dt, rng), 1),
    S(_nan_arr((2, 3, 2), dt, rng), (0, 2), keepdim=True), S(arr((), dt, rng))],
    dtypes=NUM + ("bool",), method=True)
OpInfo("nanmean", lambda dt, rng: [
    S(_nan_arr((3, 4), dt, rng)), S(_nan_arr((3, 4), dt, rng), -1, True),
    S(_nan_arr((2, 3, 2), dt, rng), (0, 2))],
    errors=lambda: [(S(arr((2,), "int64")), RuntimeError)])


def _prod_samples(dt, rng):
    z = arr((3, 4), dt, rng)
    if np.dtype(dt).kind == "f":
        z[0, 1] = 0.0       # one zero in a row
        z[2, 0] = 0.0
    return [S(arr((3, 4), dt, rng)), S(arr((3, 4), dt, rng), 1),
            S(arr((2, 3, 2), dt, rng), -2, True), S(z, 1), S(z, 0), S(arr((), dt, rng)),
            S(arr((0, 2), dt, rng), 0), S(arr((2, 3), dt, rng), dtype="dtype:float64")]


OpInfo("prod", _prod_samples, dtypes=NUM_BOOL,
       errors=lambda: [(S(arr((2, 3)), (0, 1)), TypeError), (S(arr((2, 3)), 3), IndexError),
                       (S(arr((2, 3)), None, True), TypeError)])


def _prod_zeros(dt, rng):
    a = arr((2, 4), dt, rng)
    a[0, 1] = 0.0
    a[0, 3] = 0.0        # two zeros in a row: first-order gradient only
    b = arr((5,), dt, rng)
    b[1] = b[3] = b[4] = 0.0
    return [S(a, 1), S(a), S(b)]


OpInfo("prod_multizero", _prod_zeros, ember_fn=lambda *a: __import__("ember").prod(*a),
       torch_fn=lambda *a: __import__("torch").prod(*a), gradgrad=False)

# ----- var / std --------------------------------------------------------------------------


def _var_samples(dt, rng):
    return [S(arr((3, 4), dt, rng)), S(arr((3, 4), dt, rng), 1),
            S(arr((2, 3, 4), dt, rng), (0, -1), keepdim=True),
            S(arr((3, 4), dt, rng), 0, correction=0),
            S(arr((3, 4), dt, rng), 1, False, True),
            S(arr((3, 4), dt, rng), unbiased=False),
            S(arr((2, 5), dt, rng), dim=1, correction=2)]


for _n in ("var", "std", "var_mean", "std_mean"):
    OpInfo(_n, _var_samples, method=_n in ("var", "std"),
           errors=lambda: [(S(arr((3,), "int64")), RuntimeError),
                    (S(arr((3, 2)), 1, True, correction=0), TypeError)])

# ----- max / min --------------------------------------------------------------------------


def _ext_samples(dt, rng):
    return [S(distinct((3, 4), dt, rng)), S(distinct((3, 4), dt, rng), 1),
            S(distinct((2, 3, 4), dt, rng), -2, True), S(distinct((), dt, rng)),
            S(distinct((), dt, rng), 0), S(distinct((4,), dt, rng), dim=0),
            S(np.zeros((0, 3), dt), 1)]


def _ext_errors(name):
    return lambda: [(S(np.zeros((0,))), RuntimeError), (S(np.zeros((0, 3)), 0), IndexError),
                    (S(arr((2, 3)), 2), IndexError), (S(arr((2, 3)), (0,)), TypeError)]


for _n in ("max", "min"):
    OpInfo(_n, _ext_samples, dtypes=NUM, method=True, errors=_ext_errors(_n))


def _amax_samples(dt, rng):
    return [S(distinct((3, 4), dt, rng)), S(distinct((3, 4), dt, rng), 1),
            S(distinct((2, 3, 4), dt, rng), (0, 2), True), S(distinct((), dt, rng)),
            S(np.zeros((0, 3), dt), 1)]


def _tie_samples(dt, rng):
    return [S(_ties(dt)), S(_ties(dt), 1), S(_ties(dt), -1, True)]


def _amax_err():
    return [(S(np.zeros((0, 3))), RuntimeError), (S(np.zeros((0, 3)), 0), IndexError)]


OpInfo("amax", _amax_samples, dtypes=NUM_BOOL, errors=_amax_err)
OpInfo("amin", _amax_samples, dtypes=NUM_BOOL, errors=_amax_err)
# at ties the gradient is shared evenly (compared with torch; not differentiable there)
for _n in ("amax", "amin"):
    OpInfo(f"{_n}_ties", _tie_samples, ember_fn=getattr(__import__("ember"), _n),
           torch_fn=getattr(__import__("torch"), _n), dtypes=NUM_BOOL, gradcheck=False,
           gradgrad=False)
OpInfo("aminmax", lambda dt, rng: [
    S(distinct((3, 4), dt, rng)), S(distinct((3, 4), dt, rng), dim=1),
    S(distinct((2, 3), dt, rng), dim=-1, keepdim=True), S(_ties(dt), dim=0)],
    dtypes=NUM, errors=lambda: [(S(np.zeros((0,))), RuntimeError),
                                (S(np.zeros((0, 3)), dim=0), IndexError)])


def _arg_samples(dt, rng):
    return [S(distinct((3, 4), dt, rng)), S(distinct((3, 4), dt, rng), 1),
            S(distinct((2, 3, 4), dt, rng), -1, True), S(distinct((3, 4), dt, rng), keepdim=True),
            S(distinct((), dt, rng)), S(_ties(dt), 1)]


OpInfo("argmax", _arg_samples, dtypes=NUM, method=True,
       errors=lambda: [(S(np.zeros((0,))), IndexError), (S(np.zeros((0, 2)), 0), IndexError)])
OpInfo("argmin", _arg_samples, dtypes=NUM, method=True)

# ----- logsumexp, norm --------------------------------------------------------------------

OpInfo("logsumexp", lambda dt, rng: [
    S(arr((3, 4), dt, rng), 1), S(arr((2, 3, 4), dt, rng), (0, 2), True),
    S(arr((3,), dt, rng) * 300 if np.dtype(dt).kind == "f" else arr((3,), dt, rng), 0),
    S(arr((), dt, rng), 0), S(np.zeros((0, 2), dt), 0)],
    dtypes=NUM, method=True)


def _norm_samples(dt, rng):
    x = arr((3, 4), dt, rng)
    return [S(x), S(x, 1), S(x, 1, 1), S(x, float("inf")), S(x, float("-inf"), 0),
            S(x, 3, (0, 1), True), S(x, 2, -1, True), S(x, "fro"), S(x, "fro", (0, 1)),
            S(x, 0.5, 1), S(arr((), dt, rng))]


OpInfo("norm", _norm_samples, method=True,
       errors=lambda: [(S(arr((3,), "int64")), RuntimeError)])

# ----- cumulative ops ---------------------------------------------------------------------


def _cum_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), 1), S(arr((3, 4), dt, rng), 0),
            S(arr((2, 3, 2), dt, rng), -2), S(arr((), dt, rng), 0),
            S(arr((3, 4), dt, rng), 1, dtype="dtype:float64"), S(np.zeros((0, 3), dt), 1)]


OpInfo("cumsum", _cum_samples, dtypes=NUM_BOOL, method=True,
       errors=lambda: [(S(arr((2, 3)), 2), IndexError)])
OpInfo("cumprod", _cum_samples, dtypes=NUM_BOOL, method=True)


def _cumprod_zero(dt, rng):
    a = arr((3, 5), dt, rng)
    a[0, 2] = 0.0
    a[1, 0] = 0.0
    b = arr((6,), dt, rng)
    b[1] = b[4] = 0.0
    return [S(a, 1), S(a, 0), S(b, 0)]


OpInfo("cumprod_zeros", _cumprod_zero, ember_fn=lambda *a: __import__("ember").cumprod(*a),
       torch_fn=lambda *a: __import__("torch").cumprod(*a), gradgrad=False)
OpInfo("logcumsumexp", lambda dt, rng: [
    S(arr((3, 4), dt, rng), 1), S(arr((2, 3, 2), dt, rng), -3), S(arr((), dt, rng), 0)],
    method=True, errors=lambda: [(S(arr((3,), "int64"), 0), NotImplementedError),
                                 (S(arr((3,)), 1), IndexError)])


def _cumext_samples(dt, rng):
    return [S(distinct((3, 4), dt, rng), 1), S(distinct((3, 4), dt, rng), 0),
            S(distinct((2, 3, 2), dt, rng), -1), S(distinct((), dt, rng), 0)]


OpInfo("cummax", _cumext_samples, dtypes=NUM, method=True)
OpInfo("cummin", _cumext_samples, dtypes=NUM, method=True)
OpInfo("cummin_ties", lambda dt, rng: [S(np.array([3, 1, 1, 2, 0, 4], dt), 0)] + (
    [S(np.array([3., 1, 1, 2, 0, np.nan, 4, -9], dt), 0)] if dt[0] == "f" else []),
       ember_fn=lambda *a: __import__("ember").cummin(*a),
       torch_fn=lambda *a: __import__("torch").cummin(*a), dtypes=NUM, grad=False,
       gradcheck=False, gradgrad=False)
OpInfo("cummax_ties", lambda dt, rng: [S(np.array([1., 3, 3, 2, 5, np.nan, 4, 9], dt), 0),
                                        S(np.array([1, 3, 3, 2, 5, 4], dt), 0)],
       ember_fn=lambda *a: __import__("ember").cummax(*a),
       torch_fn=lambda *a: __import__("torch").cummax(*a), grad=False, gradcheck=False,
       gradgrad=False)

# ----- sorting and selection --------------------------------------------------------------


def _sort_samples(dt, rng):
    return [S(distinct((3, 4), dt, rng)), S(distinct((3, 4), dt, rng), 0),
            S(distinct((2, 3, 4), dt, rng), -2, True), S(distinct((3, 4), dt, rng), descending=True),
            S(distinct((), dt, rng)), S(np.zeros((2, 0), dt), 1)]


def _stable_samples(dt, rng):
    t = np.array([[3, 1, 3, 2, 1, 3]], dt)
    out = [S(t, stable=True), S(t, stable=True, descending=True)]
    if np.dtype(dt).kind == "f":
        out.append(S(np.array([2.0, np.nan, -1.0, np.nan], dt), descending=True))
        out.append(S(np.array([2.0, np.nan, -1.0, np.nan], dt)))
    return out


OpInfo("sort", _sort_samples, dtypes=NUM_BOOL, method=True,
       errors=lambda: [(S(arr((2, 3)), 2), IndexError)])
OpInfo("sort_stable", _stable_samples, ember_fn=lambda *a, **k: __import__("ember").sort(*a, **k),
       torch_fn=lambda *a, **k: __import__("torch").sort(*a, **k), dtypes=NUM_BOOL,
       gradcheck=False, gradgrad=False)
OpInfo("argsort", lambda dt, rng: [S(distinct((3, 4), dt, rng)), S(distinct((3, 4), dt, rng), 0),
                                   S(distinct((3, 4), dt, rng), descending=True),
                                   S(np.array([3, 1, 3, 2, 1, 3], dt), stable=True)],
       dtypes=NUM, method=True)
OpInfo("msort", lambda dt, rng: [S(distinct((3, 4), dt, rng)), S(distinct((4,), dt, rng))],
       dtypes=NUM)
OpInfo("topk", lambda dt, rng: [
    S(distinct((3, 5), dt, rng), 2), S(distinct((3, 5), dt, rng), 2, 0),
    S(distinct((3, 5), dt, rng), 3, largest=False), S(distinct((4,), dt, rng), 0),
    S(distinct((2, 3, 4), dt, rng), 1, -2)],
    dtypes=NUM, method=True, errors=lambda: [(S(arr((2, 3)), 4), RuntimeError)])
OpInfo("kthvalue", lambda dt, rng: [
    S(distinct((3, 5), dt, rng), 2), S(distinct((3, 5), dt, rng), 3, 0, True),
    S(distinct((4,), dt, rng), 4), S(distinct((), dt, rng), 1)],
    dtypes=NUM, method=True,
    errors=lambda: [(S(arr((2, 3)), 4), RuntimeError), (S(arr((2, 3)), 0), RuntimeError)])


def _median_samples(dt, rng):
    out = [S(distinct((3, 5), dt, rng)), S(distinct((3, 4), dt, rng)),
           S(distinct((3, 5), dt, rng), 1), S(distinct((3, 4), dt, rng), 0, True),
           S(distinct((2, 3, 4), dt, rng), -1), S(distinct((), dt, rng)),
           S(distinct((), dt, rng), 0)]
    return out


def _median_nan(dt, rng):
    nan = np.array([[1.0, np.nan, 2.0, 0.5], [3.0, 1.0, 2.0, 4.0]], dt)
    return [S(nan), S(nan, 1), S(nan, 0, True)]


OpInfo("median", _median_samples, dtypes=NUM, method=True,
       errors=lambda: [(S(np.zeros((2, 0)), 1), IndexError),
                       (S(np.array([True, False])), NotImplementedError)])
OpInfo("nanmedian", _median_samples, dtypes=NUM, method=True)
for _n in ("median", "nanmedian"):
    OpInfo(f"{_n}_nan", _median_nan, ember_fn=getattr(__import__("ember"), _n),
           torch_fn=getattr(__import__("torch"), _n), gradcheck=False, gradgrad=False)
OpInfo("nanmedian_allnan", lambda dt, rng: [
    S(np.array([[np.nan, np.nan], [1.0, np.nan]], dt), 1), S(np.array([np.nan, np.nan], dt))],
    ember_fn=lambda *a: __import__("ember").nanmedian(*a),
    torch_fn=lambda *a: __import__("torch").nanmedian(*a), grad=False, gradcheck=False,
    gradgrad=False)
OpInfo("mode", lambda dt, rng: [S(distinct((3, 4), dt, rng), 1), S(distinct((4,), dt, rng))],
       dtypes=NUM, method=True, errors=lambda: [(S(np.zeros((0,))), IndexError)])
OpInfo("mode_ties", lambda dt, rng: [
    S(np.array([[3, 2, 2, 1, 1, 3], [5, 4, 4, 4, 1, 0]], dt)),
    S(np.array([[3, 2, 2, 1, 1, 3], [5, 4, 4, 4, 1, 0]], dt), 0, True),
    S(np.array([1, 2, 2, 1, 3], dt))],
    ember_fn=lambda *a: __import__("ember").mode(*a),
    torch_fn=lambda *a: __import__("torch").mode(*a), dtypes=NUM, gradcheck=False,
    gradgrad=False)


def _q_samples(dt, rng):
    x = distinct((3, 5), dt, rng)
    q = np.array([0.1, 0.3, 0.6, 0.9], dt)
    out = [S(x, 0.5), S(x, 0.25, 1), S(x, 0.0, 1), S(x, 1.0, 0), S(x, q), S(x, q, 0, True), S(x, 0.4, None, True),
           S(x, np.array(0.7, dt), -1)]
    for mode in ("lower", "higher", "midpoint", "nearest"):
        out.append(S(x, q, 1, interpolation=mode))
    return out


OpInfo("quantile", _q_samples, method=True, errors=lambda: [
    (S(arr((3,), "int64"), 0.5), RuntimeError), (S(arr((3,)), 1.5), RuntimeError),
    (S(np.zeros((0,)), 0.5), RuntimeError),
    (S(arr((3,)), 0.5, interpolation="cubic"), RuntimeError),
    (S(arr((3,)), np.array([0.5], "float32")), RuntimeError)])


def _nq_samples(dt, rng):
    x = distinct((3, 5), dt, rng)
    x[0, 1] = x[2, 3] = np.nan
    return _q_samples(dt, rng) + [S(x, 0.3, 1), S(x, np.array([0.2, 0.85], dt), 1, True)]


OpInfo("nanquantile", _nq_samples, method=True)

# ----- logical reductions and counting ----------------------------------------------------


def _logical_samples(dt, rng):
    a = arr((3, 4), dt, rng, -1, 1)
    return [S(a), S(a, 1), S(a, 0, True), S(arr((2, 3, 2), dt, rng, 0, 2), (0, 2)),
            S(np.zeros((0, 3), dt)), S(np.zeros((0, 3), dt), 1), S(arr((), dt, rng))]


OpInfo("all", _logical_samples, dtypes=NUM_BOOL + ("uint8",), method=True)
OpInfo("any", _logical_samples, dtypes=NUM_BOOL + ("uint8",), method=True)
OpInfo("count_nonzero", lambda dt, rng: [
    S(arr((3, 4), dt, rng, -1, 1)), S(arr((3, 4), dt, rng, -1, 1), 1),
    S(arr((2, 3, 2), dt, rng, -1, 1), (0, 2))], dtypes=NUM_BOOL)


def _uniq_samples(dt, rng):
    a = arr((3, 4), dt, rng, -2, 2).round() if np.dtype(dt).kind == "f" else arr((3, 4), dt, rng)
    rows = np.array([[1, 2], [0, 1], [1, 2], [1, 2]], dt)
    out = [S(np.array([np.nan, 1.0, np.nan, 1.0], dt), return_inverse=True,
             return_counts=True)] if dt[0] == "f" else []
    return out + [S(a), S(a, return_inverse=True, return_counts=True), S(a, return_counts=True),
            S(rows, dim=0, return_inverse=True, return_counts=True), S(rows.T.copy(), dim=1)]


OpInfo("unique", _uniq_samples, dtypes=NUM, grad=False, gradcheck=False, gradgrad=False)
OpInfo("unique_consecutive", _uniq_samples, dtypes=NUM, grad=False, gradcheck=False,
       gradgrad=False)
OpInfo("bincount", lambda dt, rng: [
    S(np.array([0, 3, 1, 1, 3, 5])), S(np.array([0, 3, 1, 1]), minlength=7),
    S(np.array([1, 1, 2]), np.array([0.5, 1.5, 2.0], dt)), S(np.zeros((0,), np.int64))],
    grad=False, gradcheck=False, gradgrad=False,
    errors=lambda: [(S(np.array([-1, 2])), RuntimeError), (S(np.zeros((2, 2), np.int64)),
                                                           RuntimeError),
                    (S(np.array([1.0, 2.0])), NotImplementedError)])
OpInfo("histc", lambda dt, rng: [
    S(arr((20,), dt, rng)), S(arr((20,), dt, rng), 5), S(arr((4, 5), dt, rng), 4, -1, 1),
    S(np.array([1.0, 2, 3, 4], dt), bins=3)], grad=False, gradcheck=False, gradgrad=False,
    errors=lambda: [(S(np.array([1.0, 2]), 3, 5, 1), RuntimeError)])
OpInfo("diff", lambda dt, rng: [
    S(arr((3, 5), dt, rng)), S(arr((3, 5), dt, rng), 2, 0), S(arr((3, 5), dt, rng), 1, -1),
    S(arr((4,), dt, rng), 3)], dtypes=NUM_BOOL, method=True)
OpInfo("Tensor.max_method", lambda dt, rng: [S(distinct((3, 4), dt, rng), dim=1, keepdim=True)],
       ember_fn=method_of("max"), torch_fn=method_of("max"))
