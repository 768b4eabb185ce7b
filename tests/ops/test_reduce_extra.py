"""Reduction behaviour the OpInfo registry cannot express: return_types, grad_fn names,
higher-order gradients at zeros, the binary max/min form."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(a):
    return ember.tensor(a), torch.tensor(a)


def test_return_types_behave_like_torch():
    e, t = _pair(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]))
    er, tr = ember.max(e, 1), torch.max(t, 1)
    assert type(er).__name__ == "max" and isinstance(er, tuple)
    values, indices = er
    assert values is er.values and indices is er.indices and er[0] is er.values
    assert er._fields == ("values", "indices")
    np.testing.assert_array_equal(values.numpy(), tr.values.numpy())
    np.testing.assert_array_equal(indices.numpy(), tr.indices.numpy())
    assert repr(er).splitlines()[0] == repr(tr).splitlines()[0] == "torch.return_types.max("
    assert repr(er).splitlines()[1].startswith("values=tensor([5., 7.]")
    mm = ember.aminmax(e)
    assert (mm.min.item(), mm.max.item()) == (0.0, 7.0)
    assert ember.return_types.sort is type(ember.sort(e))
    rebuilt = pickle.loads(pickle.dumps(ember.return_types.topk((1, 2))))
    assert rebuilt == (1, 2) and rebuilt.indices == 2


@pytest.mark.parametrize("expr,name", [
    ("x.max()", "MaxBackward1"), ("x.max(1)[0]", "MaxBackward0"),
    ("x.min(0).values", "MinBackward0"), ("x.amax(1)", "AmaxBackward0"),
    ("x.median()", "MedianBackward0"), ("x.median(1)[0]", "MedianBackward1"),
    ("x.sort(1)[0]", "SortBackward0"), ("x.topk(1)[0]", "TopkBackward0"),
    ("x.kthvalue(1)[0]", "KthvalueBackward0"), ("x.mode(1)[0]", "ModeBackward0"),
    ("x.prod()", "ProdBackward0"), ("x.prod(1)", "ProdBackward1"),
    ("x.std(1)", "StdBackward0"), ("x.var()", "VarBackward0"),
    ("x.logsumexp(1)", "LogsumexpBackward0"), ("x.norm()", "LinalgVectorNormBackward0"),
    ("x.cumsum(1)", "CumsumBackward0"), ("x.cumprod(1)", "CumprodBackward0"),
    ("x.cummax(1)[0]", "CummaxBackward0"), ("x.logcumsumexp(1)", "LogcumsumexpBackward0"),
    ("x.nansum()", "NansumBackward0"), ("x.sum(1)", "SumBackward1"),
    ("x.aminmax().max", "AminmaxBackward0"), ("x.aminmax(dim=0)[0]", "AminmaxBackward0"),
])
def test_grad_fn_names_match_torch(expr, name):
    data = np.array([[1.0, 3.0, 2.0], [4.0, 6.0, 0.5]])
    for lib in (ember, torch):
        x = lib.tensor(data, requires_grad=True)  # noqa: F841 - used by eval
        assert type(eval(expr).grad_fn).__name__ == name


def _second_order(lib, fn, data):
    x = lib.tensor(data, requires_grad=True)
    y = fn(x)
    w = lib.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)))
    (g,) = lib.autograd.grad((y * w).sum(), x, create_graph=True)
    (gg,) = lib.autograd.grad((g * g).sum(), x)
    return g.detach().numpy(), gg.numpy()


@pytest.mark.parametrize("fn", [
    lambda x: x.prod(), lambda x: x.prod(1), lambda x: x.cumprod(1), lambda x: x.cumprod(0)])
def test_prod_cumprod_double_backward_with_a_zero(fn):
    data = np.array([[1.5, 0.0, -2.0, 0.7], [0.3, 1.2, 0.9, 0.0]])
    e_g, e_gg = _second_order(ember, fn, data)
    t_g, t_gg = _second_order(torch, fn, data)
    np.testing.assert_allclose(e_g, t_g, atol=1e-12)
    np.testing.assert_allclose(e_gg, t_gg, atol=1e-12)


def test_prod_first_order_with_several_zeros():
    data = np.array([[0.0, 2.0, 0.0], [0.0, 3.0, 4.0]])
    for dim in (None, 0, 1):
        grads = []
        for lib in (ember, torch):
            x = lib.tensor(data, requires_grad=True)
            y = x.prod() if dim is None else x.prod(dim)
            y.sum().backward()
            grads.append(x.grad.numpy())
        np.testing.assert_array_equal(*grads)


def test_std_of_constant_has_zero_grad_like_torch():
    for lib in (ember, torch):
        x = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
        x.std(1).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))


def test_max_with_tensor_is_elementwise_maximum():
    if not hasattr(ember, "maximum"):
        pytest.skip("ember.maximum not available yet")
    a, b = np.array([1.0, 5.0, -2.0]), np.array([3.0, 4.0, -1.0])
    np.testing.assert_array_equal(ember.max(ember.tensor(a), ember.tensor(b)).numpy(),
                                  np.maximum(a, b))
    np.testing.assert_array_equal(ember.tensor(a).min(ember.tensor(b)).numpy(),
                                  np.minimum(a, b))


def test_integer_reductions_give_int64_and_bool_results():
    x = ember.tensor([[1, 2], [3, 4]], dtype=ember.int32)
    assert x.sum().dtype is ember.int64 and x.prod(1).dtype is ember.int64
    assert x.cumsum(0).dtype is ember.int64 and ember.tensor([True, True]).sum().item() == 2
    assert x.all().dtype is ember.bool and x.any(1).tolist() == [True, True]
    assert ember.tensor([1, 0], dtype=ember.uint8).all().dtype is ember.uint8
    assert x.float().sum(dtype=ember.float64).dtype is ember.float64


def test_indices_do_not_require_grad():
    x = ember.tensor([[1.0, 3.0], [2.0, 0.0]], requires_grad=True)
    for res in (x.max(1), x.sort(0), x.topk(1), x.cummin(1), x.median(0)):
        assert res.values.requires_grad and not res.indices.requires_grad
        assert res.indices.dtype is ember.int64


def test_out_argument_is_written_and_resized():
    data = np.array([[1.0, 3.0, 2.0], [4.0, 5.0, 0.0]])
    e, t = _pair(data)
    eo, to = ember.empty(0, dtype=ember.float64), torch.empty(0, dtype=torch.float64)
    assert ember.sum(e, 1, out=eo) is eo
    torch.sum(t, 1, out=to)
    np.testing.assert_array_equal(eo.numpy(), to.numpy())
    ev, ei = ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.int64)
    res = ember.max(e, 1, out=(ev, ei))
    assert res.values is ev and res.indices is ei
    np.testing.assert_array_equal(ei.numpy(), torch.max(t, 1).indices.numpy())
    np.testing.assert_array_equal(ember.cumprod(e, 0, out=eo).numpy(),
                                  torch.cumprod(t, 0).numpy())


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
@pytest.mark.parametrize("expr", [
    "x.sum(1)", "x.mean()", "x.prod(1)", "x.std(1)", "x.var()", "x.logsumexp(1)", "x.norm()",
    "x.cumsum(1)", "x.cumprod(1)", "x.logcumsumexp(1)", "x.norm(3, 1)"])
def test_half_precision_reductions_accumulate_in_float32(expr, dt):
    data = np.array([[1.5, -2.25, 3.0, 0.7], [0.5, 4.0, -1.0, 2.2]])
    out = []
    for lib in (ember, torch):
        x = lib.tensor(data, dtype=getattr(lib, dt))  # noqa: F841 - used by eval
        r = eval(expr)
        assert str(r.dtype).split(".")[-1] == dt
        out.append(np.asarray(r.to(lib.float64).detach().numpy()))
    np.testing.assert_array_equal(out[0], out[1])  # same float32 accumulation, same rounding


_HYP_OPS = {
    "sum": lambda L, x, d, k: L.sum(x, d, k) if d is not None else L.sum(x),
    "mean": lambda L, x, d, k: L.mean(x, d, k) if d is not None else L.mean(x),
    "nansum": lambda L, x, d, k: L.nansum(x, d, k),
    "amax": lambda L, x, d, k: L.amax(x, d if d is not None else (), k),
    "var": lambda L, x, d, k: L.var(x, d, keepdim=k),
    "std": lambda L, x, d, k: L.std(x, d, keepdim=k, correction=0),
    "logsumexp": lambda L, x, d, k: L.logsumexp(x, d if d is not None else
                                               tuple(range(x.dim())), k),
    "norm": lambda L, x, d, k: L.norm(x, 2, d, k),
    "all": lambda L, x, d, k: L.all(x, d, k),
    "count_nonzero": lambda L, x, d, k: L.count_nonzero(x, d),
}


@pytest.mark.parametrize("name", sorted(_HYP_OPS))
def test_random_shapes_and_dims_match_torch(name):
    hyp = pytest.importorskip("hypothesis")
    st = hyp.strategies

    @hyp.settings(max_examples=40, deadline=None, derandomize=True)
    @hyp.given(st.lists(st.integers(0, 3), min_size=0, max_size=3), st.data())
    def check(shape, data):
        nd = len(shape)
        dims = data.draw(st.none() | st.lists(st.integers(-nd, nd - 1) if nd else
                                              st.integers(-1, 0), min_size=1, max_size=nd or 1,
                                              unique_by=lambda d: d % max(nd, 1)))
        keep = data.draw(st.booleans())
        arr = np.random.default_rng(len(shape)).standard_normal(shape)
        res = []
        for lib in (ember, torch):
            x = lib.tensor(arr)
            try:
                r = _HYP_OPS[name](lib, x, tuple(dims) if dims is not None else None, keep)
                res.append((tuple(r.shape), str(r.dtype).split(".")[-1],
                            np.asarray(r.numpy(), dtype=np.float64)))
            except (RuntimeError, IndexError, TypeError, ValueError) as e:
                res.append(type(e).__name__)
        if isinstance(res[1], str) or isinstance(res[0], str):
            assert res[0] == res[1], (shape, dims, keep, res)
            return
        assert res[0][:2] == res[1][:2], (shape, dims, keep, res)
        np.testing.assert_allclose(res[0][2], res[1][2], rtol=1e-10, atol=1e-12, equal_nan=True)

    with np.errstate(all="ignore"):
        check()


@pytest.mark.parametrize("dt", ["float64", "int64"])
def test_cummax_cummin_indices_with_ties_and_nan_match_torch(dt):
    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, (12, 9)).astype(np.float64)
    a[rng.random(a.shape) < 0.1] = np.nan if dt == "float64" else 7
    a = a.astype(dt)
    for expr in ("x.cummax(1)", "x.cummin(0)", "x.cummax(0)", "x.cummin(1)"):
        t, e = eval(expr, {"x": torch.tensor(a)}), eval(expr, {"x": ember.tensor(a)})
        np.testing.assert_array_equal(e.values.numpy(), t.values.numpy())
        np.testing.assert_array_equal(e.indices.numpy(), t.indices.numpy())


def test_selection_on_distinct_values_matches_torch_indices():
    b = np.random.default_rng(4).permutation(600).reshape(20, 30).astype(np.float32)
    for expr in ("x.topk(5, 1)", "x.topk(7, 0, largest=False)", "x.median(1)",
                 "x.kthvalue(3, 0)", "x.topk(30, 1)", "x.nanmedian(0)", "x.sort(0, True)"):
        t, e = eval(expr, {"x": torch.tensor(b)}), eval(expr, {"x": ember.tensor(b)})
        np.testing.assert_array_equal(e.values.numpy(), t.values.numpy())
        np.testing.assert_array_equal(e.indices.numpy(), t.indices.numpy())


_HYP_DIM_OPS = {
    "cumsum": lambda x, d: x.cumsum(d),
    "cumprod": lambda x, d: x.cumprod(d),
    "logcumsumexp": lambda x, d: x.logcumsumexp(d),
    "sort": lambda x, d: x.sort(d, descending=True),
    "argsort": lambda x, d: x.argsort(d),
    "median": lambda x, d: x.median(d),
    "max": lambda x, d: x.max(d, keepdim=True),
    "argmin": lambda x, d: x.argmin(d),
    "cummin": lambda x, d: x.cummin(d),
    "kthvalue": lambda x, d: x.kthvalue(1, d),
    "topk": lambda x, d: x.topk(1, d),
    "prod": lambda x, d: x.prod(d),
    "mode": lambda x, d: x.mode(d),
    "cummax": lambda x, d: x.cummax(d),
    "nanmedian": lambda x, d: x.nanmedian(d, True),
    "std": lambda x, d: x.std(d),
    "quantile": lambda x, d: x.quantile(0.3, d),
    "msort": lambda x, d: x.msort(),
    "aminmax": lambda x, d: x.aminmax(dim=d),
}


@pytest.mark.parametrize("name", sorted(_HYP_DIM_OPS))
def test_random_shapes_along_one_dim_match_torch(name):
    hyp = pytest.importorskip("hypothesis")
    st = hyp.strategies

    @hyp.settings(max_examples=30, deadline=None, derandomize=True)
    @hyp.given(st.lists(st.integers(0, 4), min_size=0, max_size=3), st.data())
    def check(shape, data):
        nd = len(shape)
        d = data.draw(st.integers(-max(nd, 1), max(nd, 1) - 1))
        n = int(np.prod(shape))
        arr = (np.random.default_rng(n).permutation(n) - n / 2).reshape(shape) / 4.0
        res = []
        for lib in (ember, torch):
            try:
                r = _HYP_DIM_OPS[name](lib.tensor(arr), d)
                r = r if isinstance(r, tuple) else (r,)
                res.append([(tuple(t.shape), str(t.dtype).split(".")[-1], t.numpy()) for t in r])
            except (RuntimeError, IndexError, TypeError, ValueError) as e:
                res.append(type(e).__name__)
        if isinstance(res[0], str) or isinstance(res[1], str):
            assert res[0] == res[1], (shape, d, res)
            return
        for (es, ed, ev), (ts, td, tv) in zip(*res):
            assert (es, ed) == (ts, td), (shape, d)
            np.testing.assert_allclose(ev, tv, rtol=1e-10, atol=1e-12)

    with np.errstate(all="ignore"):
        check()
