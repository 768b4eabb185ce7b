"""Registry entries for indexing ops (gather/scatter, index_*, masked_*, take, nonzero,
__getitem__/__setitem__ through helpers)."""

import numpy as np

from tests.opinfo import ALL_NUMERIC, OpInfo, S, arr, method_of

I64 = np.int64
NUM = ("float32", "float64", "int64", "int32")


def _i(*v):
    return np.array(v, dtype=I64)


def _mask(shape, rng):
    return rng.random(shape) > 0.5


def _index_fn(index):
    def f(x):
        return x[index]
    return f


def _gather_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), 1, np.array([[0, 3], [1, 1], [2, 0]], I64)),
            S(arr((3, 4), dt, rng), 0, np.array([[0, 2, 1]], I64)),
            S(arr((3, 4), dt, rng), -1, np.zeros((3, 0), I64)),
            S(arr((), dt, rng), 0, np.array(0, I64)),
            S(arr((4,), dt, rng), 0, _i(3, 0, 3)),
            S(arr((3, 4), dt, rng), 1, np.array([[3], [0]], np.int32)),
            S(arr((), dt, rng), 0, _i(0, 0))]


OpInfo("gather", _gather_samples, dtypes=ALL_NUMERIC, method=True,
       errors=lambda: [(S(arr((3, 4)), 1, _i(0, 1)), RuntimeError),
                       (S(arr((3, 4)), 1, np.array([[0, 4]], I64)), RuntimeError),
                       (S(arr((3, 4)), 1, np.array([[0, -1]], I64)), RuntimeError),
                       (S(arr((3, 4)), 1, np.array([[0]] * 4, I64)), RuntimeError),
                       (S(arr((3, 4)), 2, np.array([[0]], I64)), IndexError),
                       (S(arr((3, 4)), 1, np.array([[0]], np.int16)), RuntimeError)])


def _scatter_add_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), 1, np.array([[0, 3, 3], [1, 1, 1], [2, 0, 0]], I64),
              arr((3, 3), dt, rng)),
            S(arr((3, 4), dt, rng), 0, np.array([[0, 2], [0, 0]], I64), arr((2, 2), dt, rng)),
            S(arr((), dt, rng), 0, np.array(0, I64), arr((), dt, rng)),
            S(arr((4,), dt, rng), 0, _i(3, 0, 3), arr((3,), dt, rng))]


OpInfo("scatter_add", _scatter_add_samples, dtypes=NUM, method=True,
       errors=lambda: [(S(arr((3, 4)), 1, np.array([[0, 4]], I64), arr((1, 2))), RuntimeError),
                       (S(arr((3, 4)), 1, _i(0), arr((1,))), RuntimeError)])
OpInfo("scatter_add_", _scatter_add_samples, ember_fn=method_of("scatter_add_"),
       torch_fn=method_of("scatter_add_"), dtypes=NUM, grad=False, gradcheck=False,
       gradgrad=False)


def _scatter_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), 1, np.array([[0, 3], [1, 2], [2, 0]], I64),
              arr((3, 2), dt, rng)),
            S(arr((3, 4), dt, rng), 0, np.array([[0, 2, 1]], I64), arr((1, 3), dt, rng)),
            S(arr((3, 4), dt, rng), 1, np.array([[0], [3]], I64), 1.5 if dt[0] == "f" else 2),
            S(arr((3, 4), dt, rng), 1, np.array([[0, 1], [3, 3]], I64), arr((2, 2), dt, rng),
              reduce="add"),
            S(arr((3, 4), dt, rng), 1, np.array([[0, 1], [3, 3]], I64), arr((2, 2), dt, rng),
              reduce="multiply")]


def _scatter_grad_samples(dt, rng):
    return [s for s in _scatter_samples(dt, rng) if "reduce" not in s.kwargs]


OpInfo("scatter", _scatter_samples, dtypes=NUM, method=True, grad=False, gradcheck=False,
       gradgrad=False,
       errors=lambda: [(S(arr((3, 4)), 1, np.array([[0, 4]], I64), arr((1, 2))), RuntimeError),
                       (S(arr((3, 4)), 1, np.array([[0, 1]], I64), arr((1, 2)), reduce="max"),
                        RuntimeError),
                       (S(arr((3, 4)), 1, np.array([[0, 1]], I64), arr((1, 2), "float32")),
                        RuntimeError)])
OpInfo("scatter", _scatter_grad_samples, dtypes=("float64",))


def _scatter_reduce_samples(reduce):
    def f(dt, rng):
        idx = np.array([[0, 3, 3], [1, 1, 1], [2, 0, 0]], I64)
        out = []
        for inc in (True, False):
            out.append(S(arr((3, 4), dt, rng), 1, idx, arr((3, 3), dt, rng), reduce,
                         include_self=inc))
            out.append(S(arr((3, 4), dt, rng), 0, np.array([[0, 2], [0, 0]], I64),
                         arr((2, 2), dt, rng), reduce, include_self=inc))
        return out
    return f


for _r in ("sum", "prod", "mean", "amax", "amin"):
    OpInfo("scatter_reduce", _scatter_reduce_samples(_r), dtypes=NUM, method=True,
           errors=lambda: [(S(arr((3, 4)), 1, np.array([[0, 1]], I64), arr((1, 2)), "foo"),
                            RuntimeError)])


def _index_select_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), 1, _i(0, 3, 3)), S(arr((3, 4), dt, rng), 0, _i(2)),
            S(arr((3, 4), dt, rng), -1, _i()), S(arr((), dt, rng), 0, _i(0)),
            S(arr((3, 4), dt, rng), 0, np.array(1, I64)),
            S(arr((3, 4), dt, rng), 0, _i(1, 0).astype(np.int32))]


OpInfo("index_select", _index_select_samples, dtypes=ALL_NUMERIC, method=True,
       errors=lambda: [(S(arr((3, 4)), 1, _i(4)), RuntimeError),
                       (S(arr((3, 4)), 1, _i(-1)), RuntimeError),
                       (S(arr((4,)), 0, _i(4)), IndexError),
                       (S(arr((3, 4)), 1, np.array([[0]], I64)), IndexError),
                       (S(arr((3, 4)), 1, np.array([0.0])), RuntimeError)])


def _index_add_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), 1, _i(0, 3, 3), arr((3, 3), dt, rng)),
            S(arr((3, 4), dt, rng), 0, _i(2, 2), arr((2, 4), dt, rng), alpha=2),
            S(arr((3, 4), dt, rng), 0, _i(), arr((0, 4), dt, rng)),
            S(arr((3,), dt, rng), 0, _i(1).astype(np.int32), arr((1,), dt, rng))]


OpInfo("index_add", _index_add_samples, dtypes=NUM, method=True,
       errors=lambda: [(S(arr((3, 4)), 1, _i(4), arr((3, 1))), RuntimeError),
                       (S(arr((3, 4)), 1, _i(0), arr((3, 2))), RuntimeError)])


def _index_copy_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), 1, _i(0, 3), arr((3, 2), dt, rng)),
            S(arr((3, 4), dt, rng), 0, _i(2), arr((1, 4), dt, rng)),
            S(arr((3,), dt, rng), 0, _i(1, 0), arr((2,), dt, rng))]


OpInfo("index_copy", _index_copy_samples, dtypes=NUM, method=True,
       errors=lambda: [(S(arr((3, 4)), 1, _i(0), arr((3, 2))), IndexError)])


def _index_fill_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), 1, _i(0, 3), 2),
            S(arr((3, 4), dt, rng), 0, _i(-1), -1.5 if dt[0] == "f" else 3),
            S(arr((3, 4), dt, rng), 0, _i(1), arr((), dt, rng))]


OpInfo("index_fill", _index_fill_samples, dtypes=NUM, method=True,
       errors=lambda: [(S(arr((3, 4)), 1, _i(4), 1.0), IndexError),
                       (S(arr((3, 4)), 1, _i(0), arr((2,))), RuntimeError)])


def _index_put_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), (_i(0, 2),), arr((2, 4), dt, rng)),
            S(arr((3, 4), dt, rng), (_i(0, 2, 0), _i(1, 1, 1)), arr((3,), dt, rng),
              accumulate=True),
            S(arr((3, 4), dt, rng), (_i(1), _i(0, 3)), arr((), dt, rng)),
            S(arr((3, 4), dt, rng), (_mask((3, 4), rng),), arr((), dt, rng))]


OpInfo("index_put", _index_put_samples, dtypes=NUM, method=True,
       errors=lambda: [(S(arr((3, 4)), (_i(0, 2),), arr((3, 4))), RuntimeError),
                       (S(arr((3, 4)), (_i(5),), arr(())), IndexError)])


def _masked_fill_samples(dt, rng):
    return [S(arr((3, 4), dt, rng), _mask((3, 4), rng), 0.5 if dt[0] == "f" else 2),
            S(arr((3, 4), dt, rng), _mask((4,), rng), arr((), dt, rng)),
            S(arr((4,), dt, rng), _mask((3, 4), rng), 1),
            S(arr((), dt, rng), np.array(True), -1),
            S(arr((0, 2), dt, rng), _mask((0, 2), rng), 3)]


OpInfo("masked_fill", _masked_fill_samples, dtypes=ALL_NUMERIC, method=True,
       errors=lambda: [(S(arr((3, 4)), _i(1, 0, 1, 0), 0.0), RuntimeError),
                       (S(arr((3, 4)), _mask((4,), np.random.default_rng(0)), arr((2,))),
                        RuntimeError),
                       (S(arr((3, 4)), _mask((3,), np.random.default_rng(0)), 1.0),
                        RuntimeError)])
OpInfo("masked_fill_", lambda dt, rng: [s for s in _masked_fill_samples(dt, rng)
                                        if s.args[0].shape == s.args[1].shape],
       ember_fn=method_of("masked_fill_"), torch_fn=method_of("masked_fill_"),
       dtypes=ALL_NUMERIC, grad=False, gradcheck=False, gradgrad=False,
       errors=lambda: [(S(arr((4,)), _mask((3, 4), np.random.default_rng(0)), 1.0),
                        RuntimeError)])
OpInfo("masked_select", lambda dt, rng: [S(arr((3, 4), dt, rng), _mask((3, 4), rng)),
                                         S(arr((3, 4), dt, rng), _mask((4,), rng)),
                                         S(arr((4,), dt, rng), _mask((2, 4), rng)),
                                         S(arr((), dt, rng), np.array(True))],
       dtypes=ALL_NUMERIC, method=True,
       errors=lambda: [(S(arr((3, 4)), _i(1, 0, 1, 0)), RuntimeError),
                       (S(arr((3, 4)), _mask((3,), np.random.default_rng(0))), RuntimeError)])
OpInfo("masked_scatter", lambda dt, rng: [S(arr((3, 4), dt, rng), _mask((3, 4), rng),
                                            arr((3, 4), dt, rng)),
                                          S(arr((3, 4), dt, rng), _mask((4,), rng),
                                            arr((20,), dt, rng))],
       dtypes=NUM, method=True,
       errors=lambda: [(S(arr((3, 4)), np.ones((3, 4), bool), arr((5,))), RuntimeError)])
OpInfo("take", lambda dt, rng: [S(arr((3, 4), dt, rng), _i(0, 11, -1, 5)),
                                S(arr((3, 4), dt, rng), np.array([[1, 2], [3, 3]], I64)),
                                S(arr((), dt, rng), _i(0)), S(arr((3,), dt, rng), _i())],
       dtypes=ALL_NUMERIC, method=True,
       errors=lambda: [(S(arr((3, 4)), _i(12)), IndexError),
                       (S(arr((3, 4)), _i(-13)), IndexError)])
OpInfo("take_along_dim", lambda dt, rng: [
    S(arr((3, 4), dt, rng), np.array([[0, 3], [1, 1], [2, 0]], I64), 1),
    S(arr((3, 4), dt, rng), np.array([[0, 2, 1, 1]], I64), 0),
    S(arr((3, 4), dt, rng), _i(0, 5, 11)),
    S(arr((3, 1), dt, rng), np.array([[0], [0]], I64).reshape(1, 2), 0)],
    dtypes=ALL_NUMERIC, method=True,
    errors=lambda: [(S(arr((3, 4)), _i(0, 1), 1), RuntimeError),
                    (S(arr((3, 4)), np.array([[0]], np.int32), 1), RuntimeError)])
OpInfo("nonzero", lambda dt, rng: [S(arr((3, 4), dt, rng, -1, 1)), S(arr((5,), dt, rng, -1, 1)),
                                   S(arr((), dt, rng, 1, 2)), S(arr((0, 2), dt, rng)),
                                   S(arr((3, 4), dt, rng, -1, 1), as_tuple=True),
                                   S(arr((), dt, rng, 1, 2), as_tuple=True)],
       dtypes=ALL_NUMERIC, grad=False, gradcheck=False, gradgrad=False, method=True)
OpInfo("argwhere", lambda dt, rng: [S(arr((3, 4), dt, rng, -1, 1)), S(arr((), dt, rng, 1, 2))],
       dtypes=ALL_NUMERIC, grad=False, gradcheck=False, gradgrad=False)


def _getitem_samples(dt, rng):
    m = _mask((3, 4), rng)
    idx = [1, -1, slice(None, None, 2), (slice(1, None), -1), (None, Ellipsis, 1),
           _i(0, 2, 2), (_i(0, 2), _i(1, 3)), (slice(None), _i(3, 0)), m, (m[:, 0],),
           (1, _i(0, -1)), [0, 2], (Ellipsis, None), (_i(1, 0), slice(None), None),
           np.array([[0, 1], [2, 2]], I64), True, (slice(0, 0),)]
    return [S(arr((3, 4), dt, rng), _index_fn(k)) for k in idx] + \
        [S(arr((), dt, rng), _index_fn(None)), S(arr((), dt, rng), _index_fn(Ellipsis))]


def _getitem(x, f):
    return f(x)


OpInfo("__getitem__", _getitem_samples, ember_fn=_getitem, torch_fn=_getitem,
       dtypes=ALL_NUMERIC)


def _setitem_fn(index):
    def f(x, v):
        y = x * 1
        y[index] = v
        return y
    return f


def _setitem_samples(dt, rng):
    m = _mask((3, 4), rng)
    cases = [(1, arr((4,), dt, rng)), ((slice(None), 0), arr((), dt, rng)),
             (slice(None, None, 2), arr((1, 4), dt, rng)), (m, arr((), dt, rng)),
             ((_i(0, 2), _i(1, 3)), arr((2,), dt, rng)), ((Ellipsis, None, 1), arr((3, 1), dt, rng)),
             ((_i(0, 1), _i(1, 1)), arr((), dt, rng)), (0, 2)]
    return [S(arr((3, 4), dt, rng), v, _setitem_fn(k)) for k, v in cases]


def _setitem(x, v, f):
    return f(x, v)


OpInfo("__setitem__", _setitem_samples, ember_fn=_setitem, torch_fn=_setitem, dtypes=NUM,
       errors=lambda: [(S(arr((3, 4)), arr((3,)), _setitem_fn(0)), RuntimeError),
                       (S(arr((3, 4)), arr(()), _setitem_fn(3)), IndexError),
                       (S(arr((3, 4)), arr(()), _setitem_fn((0, 0, 0))), IndexError)])
OpInfo("__getitem__", lambda dt, rng: [], ember_fn=_getitem, torch_fn=_getitem,
       dtypes=("float32",),
       errors=lambda: [(S(arr((3, 4)), _index_fn(3)), IndexError),
                       (S(arr((3, 4)), _index_fn((0, 0, 0))), IndexError),
                       (S(arr((3, 4)), _index_fn(_i(5))), IndexError),
                       (S(arr((3, 4)), _index_fn((_i(0, 1), _i(0, 1, 2)))), IndexError),
                       (S(arr((3, 4)), _index_fn(np.ones((2,), bool))), IndexError),
                       (S(arr(()), _index_fn(0)), IndexError)])
OpInfo("select_scatter", lambda dt, rng: [S(arr((3, 4), dt, rng), arr((4,), dt, rng), 0, 1),
                                          S(arr((3, 4), dt, rng), arr((3,), dt, rng), -1, -1)],
       dtypes=NUM, errors=lambda: [(S(arr((3, 4)), arr((3,)), 0, 1), RuntimeError)])
OpInfo("slice_scatter", lambda dt, rng: [S(arr((3, 4), dt, rng), arr((3, 2), dt, rng), 1, 0, 4, 2),
                                         S(arr((3, 4), dt, rng), arr((1, 4), dt, rng), 0, 2),
                                         S(arr((3, 4), dt, rng), arr((3, 4), dt, rng))],
       dtypes=NUM, errors=lambda: [(S(arr((3, 4)), arr((3, 3)), 1, 0, 4, 2), RuntimeError)])
OpInfo("diagonal_scatter", lambda dt, rng: [S(arr((3, 4), dt, rng), arr((3,), dt, rng)),
                                            S(arr((3, 4), dt, rng), arr((3,), dt, rng), 1),
                                            S(arr((3, 4), dt, rng), arr((2,), dt, rng), -1),
                                            S(arr((2, 3, 2), dt, rng), arr((3, 2), dt, rng), 0, 0,
                                              2)],
       dtypes=NUM, errors=lambda: [(S(arr((3, 4)), arr((4,))), RuntimeError)])
OpInfo("put", lambda dt, rng: [S(arr((3, 4), dt, rng), _i(0, -1, 5), arr((3,), dt, rng)),
                               S(arr((3, 4), dt, rng), _i(1, 1), arr((2,), dt, rng),
                                 accumulate=True)],
       dtypes=NUM, grad=False, gradcheck=False, gradgrad=False,
       errors=lambda: [(S(arr((3, 4)), _i(12), arr((1,))), IndexError)])
