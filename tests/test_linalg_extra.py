"""Linear-algebra behaviour the op registry cannot express: graph node names, exact error
messages, LinAlgError, views, in-place forms and named-tuple results (all against torch)."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

_MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                  ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
                  ((5, 1, 2, 3), (4, 3, 2)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4))]


@pytest.mark.parametrize("sa,sb", _MATMUL_SHAPES)
def test_matmul_node_names_and_double_backward_match_torch(sa, sb):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    outs = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b, requires_grad=True)
        o = x @ y
        gx, = lib.autograd.grad((o * o).sum(), x, create_graph=True)
        gy, = lib.autograd.grad((gx * gx).sum(), y)
        outs.append((o.grad_fn.name(), o.detach().numpy(), gx.detach().numpy(), gy.numpy()))
    assert outs[0][0] == outs[1][0]
    for e, t in zip(outs[0][1:], outs[1][1:]):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn", [
    lambda L: L.ones(2, 3) @ L.ones(4, 5),
    lambda L: L.ones(2, 3) @ L.ones(4),
    lambda L: L.ones(3) @ L.ones(4),
    lambda L: L.ones(2, 3) @ L.ones(3, 4, dtype=L.float64),
    lambda L: L.ones(3) @ L.ones(3, dtype=L.float64),
    lambda L: L.tensor(2.0) @ L.ones(3),
    lambda L: L.bmm(L.ones(2, 3, 4), L.ones(2, 5, 5)),
    lambda L: L.mm(L.ones(3), L.ones(3, 3)),
    lambda L: L.linalg.solve(L.eye(3), L.ones(2)),
    lambda L: L.trace(L.ones(3)),
    lambda L: L.einsum("i,i", L.ones(3), L.ones(4)),
    lambda L: L.linalg.cholesky(-L.eye(2)),
    lambda L: L.linalg.inv(L.zeros(3, 2, 2)),
    lambda L: L.linalg.det(L.ones(2, 2, dtype=L.int64)),
    lambda L: L.addmm(L.ones(2, 2, dtype=L.float64), L.ones(2, 3), L.ones(3, 2)),
    lambda L: L.addmm(L.ones(3, 2), L.ones(2, 3), L.ones(3, 2)),
    lambda L: L.addmm(L.ones(2), L.ones(2, 3), L.ones(4, 2)),
    lambda L: L.baddbmm(L.ones(2, 2, 2), L.ones(2, 2, 3), L.ones(3, 3, 2)),
])
def test_error_messages_match_torch(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as e_err:
        fn(ember)
    assert isinstance(e_err.value, RuntimeError) == isinstance(t_err.value, RuntimeError)
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("fn", [
    lambda L, a, b, c: L.addmm(c, a, b, beta=0.5, alpha=2.0),
    lambda L, a, b, c: L.addmv(c[:, 0], a, b[:, 0]),
    lambda L, a, b, c: L.addr(c, a[:, 0], b[0]),
    lambda L, a, b, c: L.baddbmm(c.unsqueeze(0), a.unsqueeze(0), b.unsqueeze(0), alpha=3),
    lambda L, a, b, c: L.addbmm(c, a.unsqueeze(0).expand(2, 2, 3), b.unsqueeze(0).expand(
        2, 3, 2), beta=0),
])
def test_fused_add_products_nodes_and_grads_match_torch(fn):
    rng = np.random.default_rng(3)
    vals = [rng.standard_normal(s) for s in [(2, 3), (3, 2), (2, 2)]]
    res = []
    for lib in (ember, torch):
        ts = [lib.tensor(v, requires_grad=True) for v in vals]
        o = fn(lib, *ts)
        grads = lib.autograd.grad((o * o).sum(), ts)
        res.append((o.grad_fn.name(), [g.numpy() for g in grads]))
    assert res[0][0] == res[1][0]
    for e, t in zip(res[0][1], res[1][1]):
        np.testing.assert_allclose(e, t, rtol=1e-7, atol=1e-9)


def test_linalg_error_is_a_runtime_error():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ember.linalg.LinAlgError, match="singular"):
        ember.linalg.inv(ember.zeros(2, 2))
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.solve(ember.zeros(2, 2), ember.ones(2))
    with pytest.raises(ember.linalg.LinAlgError, match="positive-definite"):
        ember.linalg.cholesky(-ember.eye(3))


def test_diagonal_is_a_writable_view_with_autograd():
    for lib in (ember, torch):
        x = lib.ones(3, 3)
        d = x.diagonal()
        d.mul_(2)
        assert x[1, 1].item() == 2.0 and x[0, 1].item() == 1.0
    grads = []
    for lib in (ember, torch):
        a = lib.ones(3, 3, requires_grad=True)
        x = a * lib.arange(9.0).reshape(3, 3)
        x.diagonal(1).mul_(3)
        x.sum().backward()
        grads.append(a.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_inplace_forms():
    for name, args in [("tril_", (0,)), ("triu_", (1,))]:
        e = getattr(ember.arange(9.0).reshape(3, 3), name)(*args)
        t = getattr(torch.arange(9.0).reshape(3, 3), name)(*args)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    e, t = ember.ones(2, 2), torch.ones(2, 2)
    e @= ember.eye(2) * 2
    t @= torch.eye(2) * 2
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    e = ember.ones(2, 2).addmm_(ember.ones(2, 3), ember.ones(3, 2), beta=0.5, alpha=2)
    t = torch.ones(2, 2).addmm_(torch.ones(2, 3), torch.ones(3, 2), beta=0.5, alpha=2)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_named_results_and_legacy_svd():
    a = np.array([[3.0, 1.0], [1.0, 2.0], [0.0, 1.0]])
    e, t = ember.tensor(a), torch.tensor(a)
    es, ts = ember.svd(e), torch.svd(t)
    assert type(es).__name__ == type(ts).__name__ == "svd"
    assert tuple(es.V.shape) == tuple(ts.V.shape) == (2, 2)   # V, not Vh
    np.testing.assert_allclose(np.abs(es.V.numpy()), np.abs(ts.V.numpy()), atol=1e-10)
    for fn in [lambda L, x: L.linalg.svd(x), lambda L, x: L.linalg.qr(x),
               lambda L, x: L.linalg.slogdet(x[:2]), lambda L, x: L.slogdet(x[:2]),
               lambda L, x: L.linalg.eigh(x[:2]), lambda L, x: L.linalg.lstsq(x, x)]:
        r_e, r_t = fn(ember, e), fn(torch, t)
        assert type(r_e).__name__ == type(r_t).__name__
        assert len(r_e) == len(r_t) and all(hasattr(r_t, f) for f in r_e._fields)
    r = ember.linalg.lstsq(e, e)
    assert r.rank.dtype is ember.int64 and r.rank.item() == 2


def test_linalg_diagonal_and_einsum_list_form():
    x = np.arange(27.0).reshape(3, 3, 3)
    np.testing.assert_array_equal(ember.linalg.diagonal(ember.tensor(x)).numpy(),
                                  torch.linalg.diagonal(torch.tensor(x)).numpy())
    a, b = np.ones((2, 3)), np.ones((3, 2))
    np.testing.assert_array_equal(
        ember.einsum("ij,jk->ik", [ember.tensor(a), ember.tensor(b)]).numpy(),
        torch.einsum("ij,jk->ik", [torch.tensor(a), torch.tensor(b)]).numpy())


_SHAPES = [(3,), (4,), (2, 3), (3, 4), (4, 2), (2, 2, 3), (3, 3, 2), (2, 4, 2), (2, 3, 4),
           (5, 2, 2, 3), (3, 4, 2), (1, 3, 2), (2, 1, 3, 4)]


def test_matmul_shapes_and_errors_match_torch_for_every_pair():
    for a in _SHAPES:
        for b in _SHAPES:
            out = []
            for lib in (ember, torch):
                try:
                    out.append(tuple((lib.ones(*a) @ lib.ones(*b)).shape))
                except RuntimeError as e:
                    out.append(str(e))
            assert out[0] == out[1], (a, b)
