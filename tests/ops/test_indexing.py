"""Indexing and movement behaviour the registry cannot express: memory sharing of views,
version counters, differentiable __setitem__, in-place index ops."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(data, requires_grad=False):
    e = ember.tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)
    t = torch.tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)
    return e, t


def _np(x):
    return np.asarray(x.detach().numpy())


VIEWS = [
    lambda x: x.view(6, 2), lambda x: x.reshape(3, 4), lambda x: x.transpose(0, 1),
    lambda x: x.permute(1, 0), lambda x: x[1], lambda x: x[:, 1:3], lambda x: x[::2, ::3],
    lambda x: x[None, ..., 0], lambda x: x.unsqueeze(0), lambda x: x[:1].squeeze(0),
    lambda x: x.narrow(1, 1, 2), lambda x: x.select(1, 2), lambda x: x.split(2, 1)[1],
    lambda x: x.chunk(3, 0)[2], lambda x: x.unbind(1)[3], lambda x: x.movedim(0, 1),
    lambda x: x.flatten(), lambda x: x.unflatten(1, (2, 2)), lambda x: x.unfold(1, 2, 2),
    lambda x: x.tensor_split(2, 1)[0], lambda x: x.swapaxes(0, 1), lambda x: x.mT,
]


@pytest.mark.parametrize("fn", VIEWS)
def test_views_share_memory_and_version(fn):
    e, t = _pair(np.arange(12.).reshape(3, 4))
    ev, tv = fn(e), fn(t)
    assert tv._base is t  # torch agrees this is a view
    ev.mul_(2) if ev.dim() else ev.add_(0).mul_(2)
    tv.mul_(2) if tv.dim() else tv.add_(0).mul_(2)
    np.testing.assert_array_equal(_np(e), _np(t))  # writes reach the base
    assert e._version == ev._version and e._version > 0


@pytest.mark.parametrize("fn", [lambda x: x.flip(0), lambda x: x[[0, 2]], lambda x: x.roll(1),
                                lambda x: x.repeat(1, 2), lambda x: x[_mask(x)],
                                lambda x: x.index_select(0, torch_or_ember(x).tensor([0])),
                                lambda x: x.t().reshape(-1)])
def test_copies_do_not_share_memory(fn):
    e, t = _pair(np.arange(12.).reshape(3, 4))
    ev, tv = fn(e), fn(t)
    ev.zero_()
    tv.zero_()
    np.testing.assert_array_equal(_np(e), _np(t))
    assert _np(e).sum() == 66


def _mask(x):
    return torch_or_ember(x).tensor(np.arange(12).reshape(3, 4) % 3 == 0)


def torch_or_ember(x):
    return ember if isinstance(x, ember.Tensor) else torch


def test_setitem_gradients_match_torch():
    outs = []
    for lib in (ember, torch):
        x = lib.tensor(np.arange(12.).reshape(3, 4), requires_grad=True)
        v = lib.tensor([10., 20., 30.], dtype=lib.float64, requires_grad=True)
        s = lib.tensor(5., dtype=lib.float64, requires_grad=True)
        y = x * 2
        y[:, 1] = v
        y[0, 0] = s
        y[lib.tensor(np.arange(12).reshape(3, 4) % 5 == 0)] = 0.5 * s
        y[lib.tensor([2, 2]), lib.tensor([3, 0])] = v[:2]
        (y * y).sum().backward()
        outs.append([_np(y), _np(x.grad), _np(v.grad), _np(s.grad)])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b)


def test_setitem_on_view_updates_base_graph():
    outs = []
    for lib in (ember, torch):
        x = lib.tensor(np.arange(6.).reshape(2, 3), requires_grad=True)
        y = x.clone()
        row = y[1]
        row[0:2] = x[0, 1:] * 3
        (y * y).sum().backward()
        outs.append((_np(y), _np(x.grad), y.grad_fn.name()))
    np.testing.assert_allclose(outs[0][0], outs[1][0])
    np.testing.assert_allclose(outs[0][1], outs[1][1])


def test_setitem_shape_mismatch_message():
    x = ember.zeros(3, 4)
    with pytest.raises(RuntimeError, match=r"shape mismatch: value tensor of shape \[3\]"):
        x[0] = ember.ones(3)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x[3] = 1.0


def test_setitem_leaf_requires_grad_raises():
    x = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 1.0


@pytest.mark.parametrize("name,args", [
    ("index_add_", lambda lib: (1, lib.tensor([0, 2, 0]), lib.ones(3, 3, dtype=lib.float64))),
    ("index_copy_", lambda lib: (0, lib.tensor([2, 0]), lib.ones(2, 4, dtype=lib.float64))),
    ("index_fill_", lambda lib: (1, lib.tensor([1, -1]), -2.0)),
    ("index_put_", lambda lib: ((lib.tensor([0, 0]), lib.tensor([1, 1])),
                                lib.tensor(3., dtype=lib.float64), True)),
    ("masked_fill_", lambda lib: (lib.tensor([[True, False, True, False]] * 3), 7.0)),
    ("masked_scatter_", lambda lib: (lib.tensor([True, False, True, False]),
                                     lib.arange(8, dtype=lib.float64))),
    ("scatter_", lambda lib: (1, lib.tensor([[0], [3], [1]]), 9.0)),
    ("scatter_add_", lambda lib: (0, lib.tensor([[0, 1, 2, 0]]),
                                  lib.ones(1, 4, dtype=lib.float64))),
    ("scatter_reduce_", lambda lib: (0, lib.tensor([[0, 1, 2, 0]]),
                                     lib.full((1, 4), 2., dtype=lib.float64), "amax")),
    ("fill_", lambda lib: (4.0,)), ("zero_", lambda lib: ()),
    ("put_", lambda lib: (lib.tensor([0, -1]), lib.tensor([5., 6.], dtype=lib.float64))),
])
def test_inplace_index_ops_bump_version_and_grad(name, args):
    outs = []
    for lib in (ember, torch):
        x = lib.tensor(np.arange(12.).reshape(3, 4), requires_grad=True)
        y = x * 1
        v0 = y._version
        r = getattr(y, name)(*args(lib))
        assert r is y and y._version > v0
        (y * y).sum().backward()
        outs.append((_np(y), _np(x.grad)))
    np.testing.assert_allclose(outs[0][0], outs[1][0])
    np.testing.assert_allclose(outs[0][1], outs[1][1])


def test_saved_tensor_modified_inplace_raises():
    x = ember.tensor([1., 2., 3.], requires_grad=True)
    y = x * 1
    z = y.exp()
    z.masked_fill_(ember.tensor([True, False, False]), 0.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_int32_and_negative_indices():
    for lib in (ember, torch):
        x = lib.arange(10).reshape(2, 5)
        i32 = lib.tensor([-1, 0], dtype=lib.int32)
        assert x[:, i32].tolist() == [[4, 0], [9, 5]]
        assert x.index_select(1, lib.tensor([4, 0], dtype=lib.int32)).tolist() == \
            [[4, 0], [9, 5]]
        assert lib.take(x, lib.tensor([-1])).tolist() == [9]


def test_out_of_range_indices_raise():
    x = ember.arange(6.).reshape(2, 3)
    with pytest.raises(IndexError):
        x[ember.tensor([2])]
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.gather(1, ember.tensor([[3]]))
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.scatter_add(1, ember.tensor([[-1]]), ember.ones(1, 1))
    with pytest.raises(IndexError):
        x.index_select(1, ember.tensor([3]))


def test_contains():
    x = ember.tensor([[1, 2], [3, 4]])
    assert 3 in x and 5 not in x and ember.tensor(4) in x
    with pytest.raises(RuntimeError):
        "a" in x  # noqa: B015


def test_view_errors_and_dtype_view():
    x = ember.arange(6.).reshape(2, 3)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x.t().view(6)
    v = x.view(ember.int32)
    assert v.shape == (2, 3) and v.dtype is ember.int32
    v[0, 0] = 0
    assert x[0, 0].item() == 0.0


def test_nonzero_and_cat_double_backward():
    x = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = ember.cat([x * x, x.flip(0)]).gather(0, ember.tensor([0, 2, 3]))
    (g,) = ember.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g.detach().numpy(), [2 * 0.5, 0, 2 * 2.0 + 1])
    np.testing.assert_allclose(gg.numpy(), [2, 0, 2])
    assert ember.nonzero(ember.tensor([1., 0., 2.])).tolist() == [[0], [2]]


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_grad_with_zeros(include_self):
    outs = []
    for lib in (ember, torch):
        x = lib.tensor([[0., 2, 3, 4], [1, 0, 0, 2]], dtype=lib.float64, requires_grad=True)
        s = lib.tensor([[0., 5, 0], [2, 3, 0]], dtype=lib.float64, requires_grad=True)
        i = lib.tensor([[0, 1, 2], [1, 3, 3]])
        y = x.scatter_reduce(1, i, s, "prod", include_self=include_self)
        w = lib.arange(8., dtype=lib.float64).reshape(2, 4)
        gx, gs = lib.autograd.grad((y * w).sum(), (x, s))
        outs.append((_np(y), _np(gx), _np(gs)))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b)


def test_advanced_setitem_dtype_mismatch_raises():
    x = ember.zeros(2, 3, dtype=ember.float64)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination"):
        x[ember.tensor([0])] = ember.ones(3)
    x[0] = ember.ones(3)  # basic indexing casts, as torch
    assert x.sum().item() == 3.0


_X = np.arange(60.).reshape(3, 4, 5)


def _I(*v):
    return np.array(v)


GETITEM_CASES = [
    0, -1, (0, 1), (slice(None), 2), (Ellipsis, 1), (None, 0, None), (1, Ellipsis, None, 2),
    slice(1, None, 2), (slice(None), slice(None, None, 3), 1), _I(0, 2), _I(-1, 0),
    (_I(0, 2), slice(None), _I(1, 3)), (slice(None), _I(0, 1), _I(1, 4)),
    (0, _I(1, 2), slice(None)), (_I(0, 2), 1), (_I([0], [2]), _I(1, 3)), np.array(True),
    np.array(False), (Ellipsis, np.array(True)), _X[:, :, 0] > 20, (_X[:, 0, 0] > 20, 1),
    (slice(None), _X[0, :, 0] > 6), [0, 2], (_I(1).astype(np.int32),),
    (slice(None), _I(3, -4).astype(np.int32)), np.array(1), (np.array(1), np.array(2)),
    (Ellipsis,), (), (None,), (0, 0, 0), (slice(5, 10),), (slice(-10, 2),),
    (_I(0, 2), None, _I(1, 3)), (None, _I(0, 1), slice(None), _I(2, 3)), True, False,
    (True, 0), (0, [1, 2]), (slice(None), [True, False, True, False]),
]
GETITEM_ERRORS = [(0, 0, 0, 0), 3, -4, (0, 5), _I(3), (_I(0, 1), _I(0, 1, 2)), _I(True, False),
                  (slice(None), [True, False])]


def _conv(k, lib):
    if isinstance(k, np.ndarray):
        return lib.tensor(k)
    if isinstance(k, tuple):
        return tuple(_conv(e, lib) for e in k)
    return k


@pytest.mark.parametrize("k", GETITEM_CASES, ids=range(len(GETITEM_CASES)))
def test_getitem_matches_torch(k):
    t = torch.tensor(_X)[_conv(k, torch)]
    e = ember.tensor(_X)[_conv(k, ember)]
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(_np(e), _np(t))


@pytest.mark.parametrize("k", GETITEM_ERRORS, ids=range(len(GETITEM_ERRORS)))
def test_getitem_errors_match_torch(k):
    with pytest.raises(IndexError):
        torch.tensor(_X)[_conv(k, torch)]
    with pytest.raises(IndexError):
        ember.tensor(_X)[_conv(k, ember)]


SETITEM_CASES = [
    (0, 1.0), ((slice(None), 2), np.ones(5)), ((Ellipsis, 1), np.ones((1, 4))),
    (_I(0, 2), np.arange(20.).reshape(4, 5)), ((_I(0, 2), slice(None), _I(1, 3)), np.ones(4)),
    (_X > 30, -1.0), (_X > 30, np.array(2.0)), ((None, 0), np.ones(5)),
    (np.array(True), 3.0), ((slice(None), [True, False, True, False]), np.ones((3, 2, 5))),
    (1, np.ones((1, 1, 4, 5))), ((slice(None, None, 2), 1, slice(1, 4)), np.ones((2, 3))),
]


@pytest.mark.parametrize("k,v", SETITEM_CASES, ids=range(len(SETITEM_CASES)))
def test_setitem_matches_torch(k, v):
    outs = []
    for lib in (ember, torch):
        x = lib.tensor(_X)
        x[_conv(k, lib)] = lib.tensor(v) if isinstance(v, np.ndarray) else v
        outs.append(_np(x))
    np.testing.assert_array_equal(outs[0], outs[1])


def test_fill_like_writes_through_expanded_view():
    for lib in (ember, torch):
        x = lib.ones(1, 3)
        e = x.expand(3, 3)
        e[0] = 5.0
        assert x.tolist() == [[5.0, 5.0, 5.0]]
        e.index_fill_(1, lib.tensor([0]), 7.0)
        assert x.tolist() == [[7.0, 5.0, 5.0]]


def test_out_argument():
    for lib in (ember, torch):
        o = lib.empty(0)
        r = lib.cat([lib.ones(2), lib.zeros(1)], out=o)
        assert r is o and o.tolist() == [1.0, 1.0, 0.0]
        o = lib.empty(0, dtype=lib.int64)
        lib.nonzero(lib.tensor([0, 1, 1]), out=o)
        assert o.tolist() == [[1], [2]]
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.cat([lib.ones(2, requires_grad=True)], out=lib.empty(2))


GRAD_FN_CASES = {
    "split": lambda lib, x: x.split(1)[0], "select": lambda lib, x: x.select(0, 1),
    "unbind": lambda lib, x: x.unbind()[0], "narrow": lambda lib, x: x.narrow(0, 0, 1),
    "stack": lambda lib, x: lib.stack([x, x]), "cat": lambda lib, x: lib.cat([x, x]),
    "int": lambda lib, x: x[0], "slice": lambda lib, x: x[:, 1:], "adv": lambda lib, x: x[[0, 1]],
    "squeeze": lambda lib, x: x[:1].squeeze(0), "unsqueeze": lambda lib, x: x.unsqueeze(0),
    "roll": lambda lib, x: x.roll(1), "rot90": lambda lib, x: x.rot90(),
    "repeat": lambda lib, x: x.repeat(2, 1), "expand": lambda lib, x: x[:1].expand(3, 3),
    "unfold": lambda lib, x: x.unfold(0, 2, 1), "reshape": lambda lib, x: x.t().reshape(-1),
    "t": lambda lib, x: x.t(), "permute": lambda lib, x: x.permute(1, 0),
    "flip": lambda lib, x: x.flip(0), "gather": lambda lib, x: x.gather(0, lib.tensor([[0]])),
    "take": lambda lib, x: x.take(lib.tensor([0])),
    "index_select": lambda lib, x: x.index_select(0, lib.tensor([0])),
    "masked_fill": lambda lib, x: x.masked_fill(lib.tensor([True, False, True]), 0.0),
}


@pytest.mark.parametrize("name", list(GRAD_FN_CASES))
def test_grad_fn_names_match_torch(name):
    names = []
    for lib in (ember, torch):
        x = lib.tensor(np.arange(9.).reshape(3, 3), requires_grad=True)
        names.append(GRAD_FN_CASES[name](lib, x).grad_fn.name())
    assert names[0] == names[1]


def test_inplace_on_view_after_base_changed_in_place():
    outs = []
    for lib in (ember, torch):
        x = lib.ones(2, 3, requires_grad=True)
        y = x * 1
        v = y[0]
        y.mul_(2)
        v.mul_(3)
        w = y[1]
        w.unsqueeze_(0)
        y.add_(1)
        w[0, 1] = 5.0
        (y * y).sum().backward()
        outs.append((_np(y), _np(x.grad), tuple(w.shape)))
    np.testing.assert_allclose(outs[0][0], outs[1][0])
    np.testing.assert_allclose(outs[0][1], outs[1][1])
    assert outs[0][2] == outs[1][2]


def test_atleast_and_metadata_inplace():
    for lib in (ember, torch):
        a, b = lib.atleast_2d(lib.tensor(1.), lib.ones(2))
        assert a.shape == (1, 1) and b.shape == (1, 2)
        assert lib.atleast_3d(lib.ones(2, 2)).shape == (2, 2, 1)
        y = lib.ones(2, 3)
        v = y._version
        assert y.t_() is y and y.shape == (3, 2) and y._version == v + 1
        y.unsqueeze_(0).squeeze_(0).transpose_(0, 1)
        assert y.shape == (2, 3)
        with pytest.raises(RuntimeError, match="leaf Variable"):
            lib.ones(2, requires_grad=True).unsqueeze_(0)


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@st.composite
def _shape_and_dim(draw):
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=1, max_size=4)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return shape, dim


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(_shape_and_dim(), st.integers(1, 3), st.integers(-5, 5), st.integers(0, 2**31))
def test_movement_ops_match_torch_on_random_shapes(sd, n, shift, seed):
    shape, dim = sd
    data = np.random.default_rng(seed).standard_normal(shape)
    rng = np.random.default_rng(seed + 1)
    size = shape[dim]
    index = rng.integers(0, max(size, 1), size=shape) if size else np.zeros(shape, np.int64)
    results = []
    for lib in (ember, torch):
        x = lib.tensor(data)
        outs = [lib.cat([x] * n, dim), lib.stack([x] * n, dim), x.flip(dim), x.roll(shift, dim),
                *x.split(n, dim), *x.chunk(n, dim), *x.tensor_split(n, dim), x.movedim(dim, 0),
                x.repeat_interleave(n, dim), x.unsqueeze(dim).squeeze(dim), x.flatten(),
                x.transpose(dim, -1)]
        if size:
            idx = lib.tensor(index)
            outs += [x.gather(dim, idx), x.scatter_add(dim, idx, x), x.index_select(
                dim, lib.tensor(index.reshape(-1)[:3] % size)), x.narrow(dim, size // 2,
                                                                         size - size // 2)]
        results.append(outs)
    for e, t in zip(*results):
        assert tuple(e.shape) == tuple(t.shape)
        np.testing.assert_allclose(_np(e), _np(t), rtol=1e-12, atol=1e-12)


def test_full_integer_index_is_a_zero_dim_view_like_torch():
    import torch as _torch

    import ember
    x = ember.arange(24.).reshape(2, 3, 4)
    t = _torch.arange(24.).reshape(2, 3, 4)
    y = x[1, 2, 3]
    assert y.dim() == 0 and y.storage_offset() == t[1, 2, 3].storage_offset() == 23
    y.add_(100)
    assert x[1, 2, 3].item() == 123.0


@pytest.mark.parametrize("expr", [
    "x[None]", "x[0]", "x[1:]", "x[:, None]", "x[None, 1:]", "x[0, None]", "x[..., None]",
    "x[1:, 0]", "x[None, 0]", "x[0, 1]", "x[:]", "x[0, :]", "x[None, :]", "x[..., 0]",
    "x[1:, :]", "x[None, ...]", "x[...]", "x[None, None]", "x[:, :]", "x[::2, :]",
    "x[True]", "x[-1]", "x[[0, 2]]"])
def test_basic_index_grad_fn_names_match_torch(expr):
    t = torch.randn(3, 4, requires_grad=True)
    e = ember.randn(3, 4, requires_grad=True)
    t_out, e_out = eval(expr, {"x": t}), eval(expr, {"x": e})
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    assert tuple(e_out.shape) == tuple(t_out.shape)
    e_out.sum().backward()
    t_out.sum().backward()
    assert e.grad.tolist() == t.grad.tolist()
