"""Activation modules against torch: outputs, input and parameter gradients, repr,
state_dict keys, in-place variants, train/eval behaviour."""

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

# (constructor source, input shape): built identically in both frameworks by eval
MODULES = [
    ("Threshold(0.1, 20.)", (3, 4)), ("Threshold(0.1, 20., True)", (3, 4)),
    ("ReLU()", (3, 4)), ("ReLU(inplace=True)", (3, 4)), ("RReLU()", (3, 4)),
    ("RReLU(0.1, 0.3)", (3, 4)), ("Hardtanh()", (3, 4)), ("Hardtanh(-2., 2., True)", (3, 4)),
    ("ReLU6()", (3, 4)), ("ReLU6(True)", (3, 4)), ("Sigmoid()", (3, 4)),
    ("Hardsigmoid()", (3, 4)), ("Tanh()", (3, 4)), ("SiLU()", (3, 4)), ("Mish()", (3, 4)),
    ("Hardswish()", (3, 4)), ("ELU()", (3, 4)), ("ELU(0.5, True)", (3, 4)),
    ("CELU(2.)", (3, 4)), ("SELU()", (3, 4)), ("GLU()", (3, 4)), ("GLU(0)", (4, 3)),
    ("GELU()", (3, 4)), ("GELU('tanh')", (3, 4)), ("Hardshrink()", (3, 4)),
    ("LeakyReLU()", (3, 4)), ("LeakyReLU(0.2, True)", (3, 4)), ("LogSigmoid()", (3, 4)),
    ("Softplus()", (3, 4)), ("Softplus(2., 1.)", (3, 4)), ("Softshrink(0.3)", (3, 4)),
    ("PReLU()", (2, 3, 4)), ("PReLU(3, 0.1)", (2, 3, 4)), ("Softsign()", (3, 4)),
    ("Tanhshrink()", (3, 4)), ("Softmin(1)", (3, 4)), ("Softmax(dim=1)", (3, 4)),
    ("Softmax2d()", (2, 3, 2, 2)), ("LogSoftmax(1)", (3, 4)), ("LogSoftmax(dim=0)", (3, 4)),
]


def _pair(src):
    return eval("torch.nn." + src), eval("ember.nn." + src)


@pytest.mark.parametrize("src,shape", MODULES, ids=[m[0] for m in MODULES])
def test_module_matches_torch(src, shape):
    tm, em = _pair(src)
    tm.eval().double()
    em.eval().double()
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).uniform(-3, 3, shape)
    inplace = getattr(tm, "inplace", False)
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    # in-place modules need a non-leaf input
    t_out = tm(tx * 1 if inplace else tx)
    e_out = em(ex * 1 if inplace else ex)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), atol=1e-10)
    w = np.random.default_rng(1).standard_normal(tuple(t_out.shape))
    (t_out * torch.tensor(w)).sum().backward()
    (e_out * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-10)
    for (n, tp), (_, ep) in zip(tm.named_parameters(), em.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), atol=1e-10, err_msg=n)


def test_inplace_modules_write_into_their_input():
    x = ember.tensor([-1.0, 2.0])
    out = ember.nn.ReLU(inplace=True)(x)
    assert out is x and x.tolist() == [0.0, 2.0]
    y = ember.tensor([-1.0, 2.0])
    ember.nn.functional.elu_(y)
    np.testing.assert_allclose(y.numpy(), [np.expm1(-1.0), 2.0])
    z = ember.tensor([-1.0, 0.5, 3.0])
    ember.nn.functional.hardtanh_(z)
    assert z.tolist() == [-1.0, 0.5, 1.0]


def test_rrelu_training_slopes_random_within_bounds():
    m = ember.nn.RReLU(0.1, 0.3)
    x = -ember.ones(2000)
    y = m(x)
    slopes = -y.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert 0.18 < slopes.mean() < 0.22 and slopes.std() > 0.03
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), -0.2 * np.ones(2000))
    assert (m.train()(ember.ones(5)).numpy() == 1).all()


def test_prelu_defaults_and_parameter_shape():
    m, tm = ember.nn.PReLU(4), torch.nn.PReLU(4)
    assert tuple(m.weight.shape) == (4,) and np.allclose(m.weight.detach().numpy(), 0.25)
    assert [k for k, _ in m.named_parameters()] == [k for k, _ in tm.named_parameters()]


def test_softmax_implicit_dim_warns_like_torch():
    x = np.random.default_rng(0).standard_normal((2, 3))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        e = ember.nn.functional.softmax(ember.tensor(x))
    assert any("Implicit dimension choice for softmax" in str(i.message) for i in w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.functional.softmax(torch.tensor(x))
    np.testing.assert_allclose(e.numpy(), t.numpy())


def test_log_softmax_large_logits_stable():
    x = ember.tensor([[1000.0, 0.0, -1000.0]])
    y = ember.nn.functional.log_softmax(x, 1)
    assert np.isfinite(y.numpy()).all()
    np.testing.assert_allclose(y.numpy(), [[0.0, -1000.0, -2000.0]])


def test_cosine_similarity_and_pairwise_distance_modules():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    for src in ("CosineSimilarity()", "CosineSimilarity(dim=0, eps=1e-6)",
                "PairwiseDistance()", "PairwiseDistance(p=1.0, keepdim=True)"):
        tm, em = _pair(src)
        assert repr(em) == repr(tm)
        np.testing.assert_allclose(em(ember.tensor(a), ember.tensor(b)).numpy(),
                                   tm(torch.tensor(a), torch.tensor(b)).numpy(), atol=1e-12)


def test_double_backward_through_softmax_and_gelu():
    x = np.random.default_rng(3).standard_normal((2, 3))
    grads = []
    for lib in (torch, ember):
        t = lib.tensor(x, requires_grad=True)
        y = (lib.nn.functional.softmax(t, 1) * lib.nn.functional.gelu(t)).sum()
        (g,) = lib.autograd.grad(y, t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        grads.append(gg.detach().numpy())
    np.testing.assert_allclose(grads[1], grads[0], atol=1e-10)


@pytest.mark.parametrize("name,kw", [("silu", {}), ("mish", {}), ("elu", {}),
                                     ("leaky_relu", {}), ("hardswish", {}), ("relu6", {}),
                                     ("selu", {}), ("celu", {}), ("hardsigmoid", {}),
                                     ("rrelu", {}), ("threshold", {"threshold": 0.1,
                                                                    "value": -1.0})])
def test_functional_inplace_on_non_leaf_matches_torch(name, kw):
    x = np.array([-3.5, -1.5, -0.2, 0.3, 2.0, 7.0])
    res = []
    for lib in (torch, ember):
        a = lib.tensor(x, requires_grad=True)
        b = a * 1
        out = getattr(lib.nn.functional, name)(b, inplace=True, **kw)
        assert out is b
        (b * b).sum().backward()
        res.append((b.detach().numpy(), a.grad.numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0], atol=1e-12)
    np.testing.assert_allclose(res[1][1], res[0][1], atol=1e-12)


def test_tensor_softmax_methods_and_gumbel_softmax():
    x = np.random.default_rng(4).standard_normal((3, 4))
    e, t = ember.tensor(x), torch.tensor(x)
    np.testing.assert_allclose(e.softmax(1).numpy(), t.softmax(1).numpy(), atol=1e-12)
    np.testing.assert_allclose(e.log_softmax(0, dtype=ember.float32).numpy(),
                               t.log_softmax(0, dtype=torch.float32).numpy(), atol=1e-6)
    ember.manual_seed(0)
    soft = ember.nn.functional.gumbel_softmax(e, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).numpy(), 1.0)
    xe = ember.tensor(x, requires_grad=True)
    hard = ember.nn.functional.gumbel_softmax(xe, hard=True)
    h = hard.detach().numpy()
    assert set(np.unique(h)) == {0.0, 1.0} and (h.sum(-1) == 1).all()
    (hard * ember.arange(4.0)).sum().backward()
    assert np.abs(xe.grad.numpy()).sum() > 0       # straight-through gradient


def test_one_hot_and_glu_errors_like_torch():
    F = ember.nn.functional
    np.testing.assert_array_equal(F.one_hot(ember.tensor([0, 2])).numpy(),
                                  [[1, 0, 0], [0, 0, 1]])
    assert F.one_hot(ember.tensor([1]), 4).dtype is ember.int64
    with pytest.raises(RuntimeError):
        F.one_hot(ember.tensor([0, 5]), 3)
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(ember.randn(2, 3))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "selu", "celu", "softplus",
                                  "hardtanh", "relu6", "silu", "mish", "gelu", "hardsigmoid",
                                  "hardswish", "logsigmoid", "softshrink", "hardshrink"])
def test_grad_fn_names_match_torch(name):
    t = getattr(torch.nn.functional, name)(torch.randn(2, 3, requires_grad=True))
    e = getattr(ember.nn.functional, name)(ember.randn(2, 3, requires_grad=True))
    assert e.grad_fn.name() == type(t.grad_fn).__name__
