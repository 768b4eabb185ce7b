"""RNN, LSTM, GRU and their cells against torch (float64, identical weights)."""

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn.utils import rnn as ernn


def _e(t):
    return ember.tensor(t.detach().numpy())


def _close(a, b, tol=1e-10):
    np.testing.assert_allclose(np.asarray(a.detach().numpy()), b.detach().numpy(),
                               rtol=tol, atol=tol)


def _pair(cls_name, *args, **kwargs):
    tm = getattr(torch.nn, cls_name)(*args, **kwargs).double()
    em = getattr(nn, cls_name)(*args, **kwargs).double()
    em.load_state_dict({k: _e(v) for k, v in tm.state_dict().items()})
    return tm, em


def _flat(out):
    if isinstance(out, tuple) and not hasattr(out, "batch_sizes"):
        return [o for x in out for o in _flat(x)]
    if hasattr(out, "batch_sizes"):
        return [out.data]
    return [out]


def _compare(tm, em, t_args, e_args, t_leaves, e_leaves):
    t_out = tm(*t_args)
    e_out = em(*e_args)
    t_flat, e_flat = _flat(t_out), _flat(e_out)
    assert len(t_flat) == len(e_flat)
    for a, b in zip(e_flat, t_flat):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b)
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(tuple(t.shape)) for t in t_flat]
    t_loss = sum((t * torch.tensor(w)).sum() for t, w in zip(t_flat, weights))
    e_loss = sum((t * ember.tensor(w)).sum() for t, w in zip(e_flat, weights))
    t_loss.backward()
    e_loss.backward()
    for a, b in zip(e_leaves, t_leaves):
        _close(a.grad, b.grad)
    for (n, p), (n2, q) in zip(em.named_parameters(), tm.named_parameters()):
        assert n == n2
        _close(p.grad, q.grad)
    return t_out, e_out


CASES = [
    dict(),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=3, bidirectional=True, batch_first=True),
    dict(bias=False, num_layers=2),
    dict(batch_first=True),
]


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kw", CASES)
@pytest.mark.parametrize("with_h0", [False, True])
def test_modules_match_torch(cls_name, kw, with_h0):
    torch.manual_seed(0)
    tm, em = _pair(cls_name, 5, 7, **kw)
    T, B = 4, 3
    x = torch.randn((B, T, 5) if kw.get("batch_first") else (T, B, 5), dtype=torch.float64,
                    requires_grad=True)
    ex = _e(x).requires_grad_()
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    t_args, e_args, t_leaves, e_leaves = [x], [ex], [x], [ex]
    if with_h0:
        h = torch.randn(L * D, B, 7, dtype=torch.float64, requires_grad=True)
        eh = _e(h).requires_grad_()
        t_leaves.append(h)
        e_leaves.append(eh)
        if cls_name == "LSTM":
            c = torch.randn(L * D, B, 7, dtype=torch.float64, requires_grad=True)
            ec = _e(c).requires_grad_()
            t_leaves.append(c)
            e_leaves.append(ec)
            t_args.append((h, c))
            e_args.append((eh, ec))
        else:
            t_args.append(h)
            e_args.append(eh)
    _compare(tm, em, t_args, e_args, t_leaves, e_leaves)


@pytest.mark.parametrize("cls_name", ["RNN", "GRU"])
def test_rnn_relu_and_gru_extra(cls_name):
    torch.manual_seed(1)
    kw = dict(nonlinearity="relu") if cls_name == "RNN" else {}
    tm, em = _pair(cls_name, 4, 6, num_layers=2, **kw)
    x = torch.randn(5, 2, 4, dtype=torch.float64, requires_grad=True)
    ex = _e(x).requires_grad_()
    _compare(tm, em, [x], [ex], [x], [ex])


@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2, bidirectional=True),
                                dict(batch_first=True, num_layers=2)])
def test_lstm_proj_size(kw):
    torch.manual_seed(2)
    tm, em = _pair("LSTM", 5, 8, proj_size=3, **kw)
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    x = torch.randn(3, 4, 5, dtype=torch.float64, requires_grad=True)
    h = torch.randn(L * D, 3 if kw.get("batch_first") else 4, 3, dtype=torch.float64,
                    requires_grad=True)
    c = torch.randn(L * D, h.shape[1], 8, dtype=torch.float64, requires_grad=True)
    ex, eh, ec = (_e(t).requires_grad_() for t in (x, h, c))
    assert tuple(em.weight_hr_l0.shape) == (3, 8)
    _compare(tm, em, [x, (h, c)], [ex, (eh, ec)], [x, h, c], [ex, eh, ec])


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("with_h0", [False, True])
def test_unbatched(cls_name, with_h0):
    torch.manual_seed(3)
    tm, em = _pair(cls_name, 3, 4, num_layers=2, bidirectional=True)
    x = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    ex = _e(x).requires_grad_()
    t_args, e_args, t_leaves, e_leaves = [x], [ex], [x], [ex]
    if with_h0:
        hs = [torch.randn(4, 4, dtype=torch.float64, requires_grad=True)
              for _ in range(2 if cls_name == "LSTM" else 1)]
        ehs = [_e(h).requires_grad_() for h in hs]
        t_args.append(tuple(hs) if cls_name == "LSTM" else hs[0])
        e_args.append(tuple(ehs) if cls_name == "LSTM" else ehs[0])
        t_leaves += hs
        e_leaves += ehs
    t_out, e_out = _compare(tm, em, t_args, e_args, t_leaves, e_leaves)
    assert tuple(e_out[0].shape) == (5, 8)


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2, bidirectional=True)])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequences(cls_name, kw, enforce_sorted):
    torch.manual_seed(4)
    tm, em = _pair(cls_name, 3, 5, **kw)
    lengths = [6, 4, 4, 1] if enforce_sorted else [2, 6, 1, 4]
    x = torch.randn(6, 4, 3, dtype=torch.float64, requires_grad=True)
    ex = _e(x).requires_grad_()
    tp = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
    ep = ernn.pack_padded_sequence(ex, lengths, enforce_sorted=enforce_sorted)
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    h = torch.randn(L * D, 4, 5, dtype=torch.float64, requires_grad=True)
    eh = _e(h).requires_grad_()
    t_args, e_args, t_leaves, e_leaves = [tp], [ep], [x, h], [ex, eh]
    if cls_name == "LSTM":
        c = torch.randn(L * D, 4, 5, dtype=torch.float64, requires_grad=True)
        ec = _e(c).requires_grad_()
        t_args.append((h, c))
        e_args.append((eh, ec))
        t_leaves.append(c)
        e_leaves.append(ec)
    else:
        t_args.append(h)
        e_args.append(eh)
    t_out, e_out = _compare(tm, em, t_args, e_args, t_leaves, e_leaves)
    assert isinstance(e_out[0], ernn.PackedSequence)
    assert e_out[0].batch_sizes.tolist() == t_out[0].batch_sizes.tolist()
    t_pad, t_len = torch.nn.utils.rnn.pad_packed_sequence(t_out[0])
    e_pad, e_len = ernn.pad_packed_sequence(e_out[0])
    _close(e_pad, t_pad)
    assert e_len.tolist() == t_len.tolist()


@pytest.mark.parametrize("cls_name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
def test_cells(cls_name, bias, batched):
    torch.manual_seed(5)
    tm, em = _pair(cls_name, 4, 6, bias=bias)
    shape = (3, 4) if batched else (4,)
    hshape = (3, 6) if batched else (6,)
    x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    ex = _e(x).requires_grad_()
    hs = [torch.randn(hshape, dtype=torch.float64, requires_grad=True)
          for _ in range(2 if cls_name == "LSTMCell" else 1)]
    ehs = [_e(h).requires_grad_() for h in hs]
    hx = tuple(hs) if cls_name == "LSTMCell" else hs[0]
    ehx = tuple(ehs) if cls_name == "LSTMCell" else ehs[0]
    _compare(tm, em, [x, hx], [ex, ehx], [x] + hs, [ex] + ehs)
    # default zero state
    for a, b in zip(_flat(em(ex)), _flat(tm(x))):
        _close(a, b)


def test_rnn_cell_relu():
    torch.manual_seed(6)
    tm, em = _pair("RNNCell", 4, 6, nonlinearity="relu")
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    ex = _e(x).requires_grad_()
    _compare(tm, em, [x], [ex], [x], [ex])


@pytest.mark.parametrize("cls_name,kw", [
    ("RNN", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(num_layers=2, proj_size=3, bidirectional=True)),
    ("GRU", dict(bias=False)),
    ("RNNCell", {}), ("LSTMCell", {}), ("GRUCell", dict(bias=False)),
])
def test_state_dict_keys_and_shapes(cls_name, kw):
    tm = getattr(torch.nn, cls_name)(5, 7, **kw)
    em = getattr(nn, cls_name)(5, 7, **kw)
    t_sd, e_sd = tm.state_dict(), em.state_dict()
    assert list(e_sd) == list(t_sd)
    for k in t_sd:
        assert tuple(e_sd[k].shape) == tuple(t_sd[k].shape)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]


def test_all_weights_flatten_and_init():
    em = nn.LSTM(5, 16, num_layers=2, bidirectional=True)
    tm = torch.nn.LSTM(5, 16, num_layers=2, bidirectional=True)
    assert [[tuple(p.shape) for p in ws] for ws in em.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in tm.all_weights]
    assert em.all_weights[1][0] is em.weight_ih_l0_reverse
    assert em.flatten_parameters() is None
    bound = 1 / 4
    for p in em.parameters():
        v = p.detach().numpy()
        assert v.min() >= -bound and v.max() <= bound
        assert v.std() > 0.05


@pytest.mark.parametrize("cls_name,args,kw", [
    ("RNN", (10, 20), dict(nonlinearity="relu", num_layers=2, dropout=0.5, bias=False,
                           batch_first=True, bidirectional=True)),
    ("LSTM", (10, 20), dict(proj_size=5)),
    ("GRU", (3, 4), {}),
    ("RNNCell", (3, 4), dict(nonlinearity="relu", bias=False)),
    ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), dict(bias=False)),
])
def test_repr(cls_name, args, kw):
    assert repr(getattr(nn, cls_name)(*args, **kw)) == \
        repr(getattr(torch.nn, cls_name)(*args, **kw))


def _same_error(t_fn, e_fn):
    with pytest.raises(Exception) as t_err:
        t_fn()
    with pytest.raises(type(t_err.value)) as e_err:
        e_fn()
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("make_args", [
    lambda m: (m.randn(5, 3, 5),),
    lambda m: (m.randn(5, 3, 10), m.randn(1, 3, 20)),
    lambda m: (m.randn(5, 3, 10), m.randn(2, 4, 20)),
    lambda m: (m.randn(5, 3, 10, 1),),
    lambda m: (m.randn(5, 10), m.randn(2, 3, 20)),
])
@pytest.mark.parametrize("cls_name", ["RNN", "GRU"])
def test_errors_rnn_gru(make_args, cls_name):
    tm = getattr(torch.nn, cls_name)(10, 20, 2)
    em = getattr(nn, cls_name)(10, 20, 2)
    _same_error(lambda: tm(*make_args(torch)), lambda: em(*make_args(ember)))


@pytest.mark.parametrize("make_args", [
    lambda m: (m.randn(5, 3, 5),),
    lambda m: (m.randn(5, 3, 10), (m.randn(1, 3, 20), m.randn(2, 3, 20))),
    lambda m: (m.randn(5, 3, 10), (m.randn(2, 3, 20), m.randn(1, 3, 20))),
    lambda m: (m.randn(5, 3, 10, 1),),
    lambda m: (m.randn(5, 10), (m.randn(2, 3, 20), m.randn(2, 3, 20))),
])
def test_errors_lstm(make_args):
    tm, em = torch.nn.LSTM(10, 20, 2), nn.LSTM(10, 20, 2)
    _same_error(lambda: tm(*make_args(torch)), lambda: em(*make_args(ember)))


@pytest.mark.parametrize("cls_name,make_args", [
    ("LSTMCell", lambda m: (m.randn(2, 5),)),
    ("LSTMCell", lambda m: (m.randn(2, 2, 3),)),
    ("GRUCell", lambda m: (m.randn(2, 3), m.randn(3, 4))),
    ("RNNCell", lambda m: (m.randn(2, 3), m.randn(2, 5))),
])
def test_errors_cells(cls_name, make_args):
    tm, em = getattr(torch.nn, cls_name)(3, 4), getattr(nn, cls_name)(3, 4)
    _same_error(lambda: tm(*make_args(torch)), lambda: em(*make_args(ember)))


def test_constructor_errors():
    _same_error(lambda: torch.nn.RNN(3, 4, nonlinearity="x"),
                lambda: nn.RNN(3, 4, nonlinearity="x"))
    _same_error(lambda: torch.nn.LSTM(3, 4, proj_size=4), lambda: nn.LSTM(3, 4, proj_size=4))
    with pytest.warns(UserWarning):
        nn.GRU(3, 4, dropout=0.3)


def test_dropout_between_layers_training_only():
    ember.manual_seed(0)
    em = nn.GRU(4, 5, num_layers=2, dropout=0.5).double()
    x = ember.randn(6, 2, 4, dtype=ember.float64)
    em.eval()
    a, _ = em(x)
    b, _ = em(x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    em.train()
    c, _ = em(x)
    assert not np.allclose(c.detach().numpy(), a.detach().numpy())
    # dropout=0 in train mode matches eval
    em0 = nn.GRU(4, 5, num_layers=2).double()
    em0.load_state_dict(em.state_dict())
    em0.eval()
    _close(em0(x)[0], torch.tensor(a.detach().numpy()))


def test_gradcheck_tiny_lstm():
    ember.manual_seed(0)
    m = nn.LSTM(2, 3, num_layers=2, bidirectional=True).double()
    x = ember.randn(3, 2, 2, dtype=ember.float64, requires_grad=True)
    h = ember.randn(4, 2, 3, dtype=ember.float64, requires_grad=True)
    c = ember.randn(4, 2, 3, dtype=ember.float64, requires_grad=True)

    def fn(x, h, c):
        out, (hn, cn) = m(x, (h, c))
        return out, hn, cn

    assert ember.autograd.gradcheck(fn, (x, h, c))


def test_gradgradcheck_tiny_lstm():
    ember.manual_seed(1)
    m = nn.LSTM(2, 2).double()
    x = ember.randn(2, 1, 2, dtype=ember.float64, requires_grad=True)
    c = ember.randn(1, 1, 2, dtype=ember.float64, requires_grad=True)

    def fn(x, c):
        out, (hn, cn) = m(x, (ember.zeros(1, 1, 2, dtype=ember.float64), c))
        return out, cn

    assert ember.autograd.gradgradcheck(fn, (x, c))


def test_lstm_float32_large_gates_finite():
    m = nn.LSTM(2, 3)
    x = ember.full((4, 1, 2), 1e4)
    out, (h, c) = m(x)
    assert np.isfinite(out.detach().numpy()).all() and np.isfinite(c.detach().numpy()).all()


@pytest.mark.parametrize("cls_name", ["LSTM", "GRU"])
def test_packed_batch_first_default_state(cls_name):
    torch.manual_seed(7)
    tm, em = _pair(cls_name, 3, 4, batch_first=True, bidirectional=True)
    lengths = [3, 5, 2]
    x = torch.randn(3, 5, 3, dtype=torch.float64, requires_grad=True)
    ex = _e(x).requires_grad_()
    tp = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                 enforce_sorted=False)
    ep = ernn.pack_padded_sequence(ex, lengths, batch_first=True, enforce_sorted=False)
    t_out, e_out = _compare(tm, em, [tp], [ep], [x], [ex])
    t_pad, _ = torch.nn.utils.rnn.pad_packed_sequence(t_out[0], batch_first=True)
    e_pad, _ = ernn.pad_packed_sequence(e_out[0], batch_first=True)
    _close(e_pad, t_pad)


def test_gradgradcheck_tiny_gru():
    ember.manual_seed(2)
    m = nn.GRU(2, 2).double()
    x = ember.randn(2, 1, 2, dtype=ember.float64, requires_grad=True)
    h = ember.randn(1, 1, 2, dtype=ember.float64, requires_grad=True)

    def fn(x, h):
        return m(x, h)

    assert ember.autograd.gradcheck(fn, (x, h))
    assert ember.autograd.gradgradcheck(fn, (x, h))


def test_lstm_proj_packed_unsorted():
    torch.manual_seed(8)
    tm, em = _pair("LSTM", 3, 6, proj_size=2, num_layers=2, bidirectional=True)
    lengths = [2, 5, 3, 5]
    x = torch.randn(5, 4, 3, dtype=torch.float64, requires_grad=True)
    h = torch.randn(4, 4, 2, dtype=torch.float64, requires_grad=True)
    c = torch.randn(4, 4, 6, dtype=torch.float64, requires_grad=True)
    ex, eh, ec = (_e(t).requires_grad_() for t in (x, h, c))
    tp = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
    ep = ernn.pack_padded_sequence(ex, lengths, enforce_sorted=False)
    _compare(tm, em, [tp, (h, c)], [ep, (eh, ec)], [x, h, c], [ex, eh, ec])


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM", "GRU"])
def test_dtype_mismatch_error(cls_name):
    tm, em = getattr(torch.nn, cls_name)(3, 4), getattr(nn, cls_name)(3, 4)
    _same_error(lambda: tm(torch.randn(5, 2, 3, dtype=torch.float64)),
                lambda: em(ember.randn(5, 2, 3, dtype=ember.float64)))
