"""nn.utils gradient clipping and parameter/vector conversion against torch."""

import numpy as np
import pytest

import ember
from ember.nn import utils

torch = pytest.importorskip("torch")


def make(lib, grads):
    ps = []
    for g in grads:
        p = lib.nn.Parameter(lib.zeros(g.shape, dtype=lib.float64))
        p.grad = lib.tensor(g)
        ps.append(p)
    return ps


def grads():
    rs = np.random.RandomState(0)
    return [rs.randn(3, 4), rs.randn(5), rs.randn(2, 2, 2)]


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    gs = grads()
    tp, ep = make(torch, gs), make(ember, gs)
    tn = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type=norm_type)
    en = utils.clip_grad_norm_(ep, max_norm, norm_type=norm_type, foreach=True)
    assert isinstance(en, ember.Tensor) and en.dim() == 0
    np.testing.assert_allclose(float(en), float(tn), rtol=1e-12)
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_single_tensor_none_grads_and_empty():
    p = ember.nn.Parameter(ember.ones(2))
    q = ember.nn.Parameter(ember.ones(2))
    p.grad = ember.tensor([3.0, 4.0])
    n = utils.clip_grad_norm_(p, 1.0)
    assert float(n) == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    assert float(utils.clip_grad_norm_([q], 1.0)) == 0.0 and q.grad is None
    assert float(utils.clip_grad_norm_([], 1.0)) == float(torch.nn.utils.clip_grad_norm_([], 1))


def test_clip_grad_norm_nonfinite():
    for lib, fn in ((torch, torch.nn.utils.clip_grad_norm_), (ember, utils.clip_grad_norm_)):
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.tensor([float("nan"), 1.0])
        with pytest.raises(RuntimeError, match="non-finite"):
            fn([p], 1.0, error_if_nonfinite=True)
        assert np.isnan(float(fn([p], 1.0)))


def test_get_total_norm_and_clip_grads_with_norm():
    gs = grads()
    tp, ep = make(torch, gs), make(ember, gs)
    tn = torch.nn.utils.get_total_norm([p.grad for p in tp], 3.0)
    en = utils.get_total_norm([p.grad for p in ep], 3.0)
    np.testing.assert_allclose(float(en), float(tn), rtol=1e-12)
    torch.nn.utils.clip_grads_with_norm_(tp, 0.3, tn)
    utils.clip_grads_with_norm_(ep, 0.3, en)
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_from_backward_does_not_record():
    m = ember.nn.Linear(3, 2)
    m(ember.ones(4, 3)).pow(2).sum().backward()
    utils.clip_grad_norm_(m.parameters(), 0.1)
    total = utils.get_total_norm([p.grad for p in m.parameters()])
    assert float(total) == pytest.approx(0.1, rel=1e-4)
    assert all(p.grad.grad_fn is None for p in m.parameters())


@pytest.mark.parametrize("clip", [0.5, 2])
def test_clip_grad_value(clip):
    gs = grads()
    tp, ep = make(torch, gs), make(ember, gs)
    assert torch.nn.utils.clip_grad_value_(tp, clip) is None
    assert utils.clip_grad_value_(ep, clip) is None
    for a, b in zip(ep, tp):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_deprecated_clip_grad_norm_warns():
    p = ember.nn.Parameter(ember.ones(2))
    p.grad = ember.ones(2)
    with pytest.warns(FutureWarning):
        utils.clip_grad_norm(p, 1.0)


def test_parameters_to_vector_roundtrip():
    tm = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1))
    em = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.Linear(2, 1))
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tv = torch.nn.utils.parameters_to_vector(tm.parameters())
    ev = utils.parameters_to_vector(em.parameters())
    np.testing.assert_array_equal(ev.detach().numpy(), tv.detach().numpy())
    w = em[0].weight
    utils.vector_to_parameters(ember.arange(float(ev.numel())), em.parameters())
    assert em[0].weight is w
    assert w.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert em[1].bias.tolist() == [10.0]
    assert w.requires_grad and w.is_leaf


def test_vector_to_parameters_type_error():
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        utils.vector_to_parameters([1.0], ember.nn.Linear(1, 1).parameters())
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        torch.nn.utils.vector_to_parameters([1.0], torch.nn.Linear(1, 1).parameters())


def test_parameters_to_vector_grad_flows():
    m = ember.nn.Linear(2, 1)
    v = utils.parameters_to_vector(m.parameters())
    (v * ember.arange(3.0)).sum().backward()
    assert m.weight.grad.tolist() == [[0.0, 1.0]] and m.bias.grad.tolist() == [2.0]


@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_matches_torch(dim):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = torch.nn.utils.weight_norm(torch.nn.Linear(3, 2, dtype=torch.float64), dim=dim)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        em = utils.weight_norm(ember.nn.Linear(3, 2, dtype=ember.float64), dim=dim)
    assert list(em.state_dict()) == list(tm.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert [tuple(v.shape) for v in em.state_dict().values()] == \
        [tuple(v.shape) for v in tm.state_dict().values()]
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    with torch.no_grad():
        tm.weight_v.mul_(3.0)
    with ember.no_grad():
        em.weight_v.mul_(3.0)
    x = np.random.RandomState(0).randn(4, 3)
    ty, ey = tm(torch.tensor(x)), em(ember.tensor(x))
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    (ty ** 2).sum().backward()
    (ey ** 2).sum().backward()
    for n in ("weight_g", "weight_v", "bias"):
        np.testing.assert_allclose(getattr(em, n).grad.numpy(), getattr(tm, n).grad.numpy(),
                                   rtol=1e-10, atol=1e-12)
    torch.nn.utils.remove_weight_norm(tm)
    utils.remove_weight_norm(em)
    assert list(em.state_dict()) == list(tm.state_dict()) == ["bias", "weight"]
    assert isinstance(em.weight, ember.nn.Parameter)
    np.testing.assert_allclose(em.weight.detach().numpy(), tm.weight.detach().numpy(),
                               rtol=1e-12)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        utils.remove_weight_norm(em)


# -- nn.utils.parametrize -----------------------------------------------------------------
def _sym(lib):
    class Sym(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, x):
            return x.triu()
    return Sym()


def test_parametrize_register_and_remove_like_torch():
    def run(lib):
        P = lib.nn.utils.parametrize
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 3, dtype=lib.float64)
        w = m.weight
        P.register_parametrization(m, "weight", _sym(lib))
        out = [repr(m), type(m).__name__, list(m.state_dict()),
               [n for n, _ in m.named_parameters()], m.parametrizations.weight.original is w,
               P.is_parametrized(m), P.is_parametrized(m, "bias"),
               P.type_before_parametrizations(m).__name__]
        sym = m.weight.detach().numpy()
        out.append(bool(np.allclose(sym, sym.T)))
        m.weight = lib.eye(3, dtype=lib.float64) * 2
        out.append(m.parametrizations.weight.original.tolist())
        with P.cached():
            out.append(m.weight is m.weight)
        out.append(m.weight is m.weight)
        P.remove_parametrizations(m, "weight")
        out += [type(m).__name__, list(m.state_dict()), type(m.weight).__name__,
                hasattr(m, "parametrizations"), m.weight is w, m.weight.tolist()]
        return out
    t, e = run(torch), run(ember)
    assert t == e


def test_parametrize_gradients_match_torch():
    tm = torch.nn.Linear(3, 3, dtype=torch.float64)
    em = ember.nn.Linear(3, 3, dtype=ember.float64)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    torch.nn.utils.parametrize.register_parametrization(tm, "weight", _sym(torch))
    utils.parametrize.register_parametrization(em, "weight", _sym(ember))
    x = np.random.RandomState(0).randn(4, 3)
    ty, ey = tm(torch.tensor(x)), em(ember.tensor(x))
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    (ty ** 2).sum().backward()
    (ey ** 2).sum().backward()
    np.testing.assert_allclose(em.parametrizations.weight.original.grad.numpy(),
                               tm.parametrizations.weight.original.grad.numpy(), rtol=1e-10)


def test_parametrize_errors():
    def errors(lib):
        P = lib.nn.utils.parametrize
        m = lib.nn.Linear(3, 3)
        out = []
        for f in (lambda: P.remove_parametrizations(m, "weight"),
                  lambda: P.register_parametrization(m, "nope", _sym(lib)),
                  lambda: P.register_parametrization(m, "weight", lib.nn.Flatten(0))):
            try:
                f()
                out.append("no error")
            except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
                out.append((type(e).__name__, str(e)))
        return out
    assert errors(torch) == errors(ember)


def test_parametrizations_weight_norm_matches_torch():
    tm = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(3, 2, dtype=torch.float64))
    em = utils.parametrizations.weight_norm(ember.nn.Linear(3, 2, dtype=ember.float64))
    assert repr(em) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.RandomState(0).randn(4, 3)
    ty, ey = tm(torch.tensor(x)), em(ember.tensor(x))
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    ty.sum().backward()
    ey.sum().backward()
    for i in range(2):
        np.testing.assert_allclose(
            getattr(em.parametrizations.weight, f"original{i}").grad.numpy(),
            getattr(tm.parametrizations.weight, f"original{i}").grad.numpy(), rtol=1e-10)


# -- nn.utils.stateless.functional_call -------------------------------------------------
def test_functional_call_matches_torch_and_restores():
    import warnings
    tm = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    em = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.Linear(3, 1))
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    rs = np.random.RandomState(0)
    new = {"0.weight": rs.randn(3, 2).astype("float32"), "1.bias": rs.randn(1).astype("float32")}
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in new.items()}
    ep = {k: ember.tensor(v, requires_grad=True) for k, v in new.items()}
    x = rs.randn(4, 2).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ty = torch.nn.utils.stateless.functional_call(tm, tp, (torch.tensor(x),))
    with pytest.warns(FutureWarning):
        ey = utils.stateless.functional_call(em, ep, (ember.tensor(x),))
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    ty.sum().backward()
    ey.sum().backward()
    for k in new:
        np.testing.assert_allclose(ep[k].grad.numpy(), tp[k].grad.numpy(), rtol=1e-5, atol=1e-6)
    assert type(em[0].weight) is ember.nn.Parameter and em[0].weight.grad is None
    assert tm[0].weight.grad is None and (em[0].bias.grad is None) == (tm[0].bias.grad is None)
    np.testing.assert_allclose(em[0].weight.detach().numpy(), tm[0].weight.detach().numpy())


def test_functional_call_strict_and_duplicate_errors():
    from torch.func import functional_call as tcall

    from ember.nn.utils.stateless import _functional_call as ecall

    def run(lib, call):
        m = lib.nn.Linear(2, 1)
        out = []
        for d in ({"nope": lib.ones(1)}, {"weight": lib.ones(1, 2)},
                  ({"weight": lib.ones(1, 2)}, {"weight": lib.zeros(1, 2)})):
            try:
                call(m, d, (lib.ones(1, 2),), strict=not isinstance(d, tuple))
                out.append("no error")
            except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
                out.append((type(e).__name__, str(e)))
        return out
    assert run(torch, tcall) == run(ember, ecall)


# -- spectral_norm ------------------------------------------------------------------------
@pytest.mark.parametrize("n_iter", [1, 3])
def test_spectral_norm_matches_torch(n_iter):
    torch.manual_seed(0)
    tm = torch.nn.utils.spectral_norm(torch.nn.Linear(4, 3, dtype=torch.float64),
                                      n_power_iterations=n_iter)
    em = utils.spectral_norm(ember.nn.Linear(4, 3, dtype=ember.float64),
                             n_power_iterations=n_iter)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.RandomState(0).randn(5, 4)
    for _ in range(2):  # training mode: u, v updated by power iteration each call
        ty, ey = tm(torch.tensor(x)), em(ember.tensor(x))
        np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(em.weight_u.numpy(), tm.weight_u.numpy(), rtol=1e-10)
    (ty ** 2).sum().backward()
    (ey ** 2).sum().backward()
    np.testing.assert_allclose(em.weight_orig.grad.numpy(), tm.weight_orig.grad.numpy(),
                               rtol=1e-9, atol=1e-12)
    tm.eval()
    em.eval()
    u = em.weight_u.numpy().copy()
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(),
                               tm(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    np.testing.assert_array_equal(em.weight_u.numpy(), u)
    # sigma is a power-iteration estimate: the normalized weight's top singular value is ~1
    assert abs(np.linalg.svd(em.weight.detach().numpy(), compute_uv=False)[0] - 1) < 0.2
    utils.remove_spectral_norm(em)
    torch.nn.utils.remove_spectral_norm(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    np.testing.assert_allclose(em.weight.detach().numpy(), tm.weight.detach().numpy(),
                               rtol=1e-10)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        utils.remove_spectral_norm(em)


# -- nn.utils.rnn -----------------------------------------------------------------------
def _seqs(lib, lens=(3, 1, 2)):
    rs = np.random.RandomState(0)
    return [lib.tensor(rs.randn(n, 2), requires_grad=True) for n in lens]


def _packed(p):
    return (p.data.tolist(), p.batch_sizes.tolist(), str(p.batch_sizes.dtype),
            None if p.sorted_indices is None else p.sorted_indices.tolist(),
            None if p.unsorted_indices is None else p.unsorted_indices.tolist())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    def run(lib):
        seqs = _seqs(lib)
        out = lib.nn.utils.rnn.pad_sequence(seqs, batch_first=batch_first, padding_value=-1.0,
                                            padding_side=side)
        (out * out).sum().backward()
        return tuple(out.shape), out.tolist(), [s.grad.tolist() for s in seqs]
    t, e = run(torch), run(ember)
    assert t == e


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("total_length", [None, 5])
def test_pack_unpack_roundtrip_unsorted(batch_first, total_length):
    def run(lib):
        rnn = lib.nn.utils.rnn
        seqs = _seqs(lib)
        packed = rnn.pack_sequence(seqs, enforce_sorted=False)
        padded, lengths = rnn.pad_packed_sequence(packed, batch_first=batch_first,
                                                  padding_value=9.0, total_length=total_length)
        (padded * padded).sum().backward()
        p2 = rnn.pack_padded_sequence(padded, lengths, batch_first=batch_first,
                                      enforce_sorted=False)
        back = rnn.unpack_sequence(p2)
        return (_packed(packed), tuple(padded.shape), padded.tolist(), lengths.tolist(),
                str(lengths.dtype), [s.grad.tolist() for s in seqs], _packed(p2),
                [b.tolist() for b in back], type(packed).__name__)
    t, e = run(torch), run(ember)
    assert t == e


def test_pack_errors():
    def run(lib):
        rnn = lib.nn.utils.rnn
        out = []
        for f in (lambda: rnn.pack_padded_sequence(lib.zeros(3, 2), [1, 2]),
                  lambda: rnn.pack_padded_sequence(lib.zeros(3, 2), [2, 0]),
                  lambda: rnn.pad_packed_sequence(rnn.pack_sequence([lib.ones(3)]),
                                                  total_length=2)):
            try:
                f()
                out.append("no error")
            except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
                out.append(type(e).__name__)
        return out
    assert run(torch) == run(ember)


def test_packed_sequence_sorted_and_to():
    p = utils.rnn.pack_padded_sequence(ember.zeros(3, 2), [2, 2])
    t = torch.nn.utils.rnn.pack_padded_sequence(torch.zeros(3, 2), [2, 2])
    assert _packed(p) == _packed(t)
    d = p.double()
    assert d.data.dtype == ember.float64 and d.batch_sizes.tolist() == [2, 2]
    assert p.to(ember.float32) is p and not p.is_cuda


def test_parametrizations_spectral_norm_matches_torch():
    torch.manual_seed(0)
    tm = torch.nn.utils.parametrizations.spectral_norm(
        torch.nn.Linear(4, 3, dtype=torch.float64), n_power_iterations=2)
    em = utils.parametrizations.spectral_norm(ember.nn.Linear(4, 3, dtype=ember.float64),
                                              n_power_iterations=2)
    assert repr(em) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.RandomState(0).randn(5, 4)
    for _ in range(2):
        ty, ey = tm(torch.tensor(x)), em(ember.tensor(x))
        np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-10)
    (ty ** 2).sum().backward()
    (ey ** 2).sum().backward()
    np.testing.assert_allclose(em.parametrizations.weight.original.grad.numpy(),
                               tm.parametrizations.weight.original.grad.numpy(), rtol=1e-9)
    top = np.linalg.svd(em.weight.detach().numpy(), compute_uv=False)[0]
    assert abs(top - 1) < 1e-3
    tm.eval()
    em.eval()
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(),
                               tm(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_skip_init():
    m = utils.skip_init(ember.nn.Linear, 3, 4, bias=False)
    assert type(m.weight) is ember.nn.Parameter and tuple(m.weight.shape) == (4, 3)
    assert m.bias is None and m.weight.requires_grad
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="must support a 'device' arg"):
            lib.nn.utils.skip_init(lib.nn.Flatten)
        with pytest.raises(RuntimeError, match="Expected a Module"):
            lib.nn.utils.skip_init(int)
