"""Identity, Linear, Bilinear, LazyLinear, Flatten, Unflatten against torch."""

import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def outcome(fn, lib):
    try:
        return ("ok", fn(lib))
    except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
        return (type(e).__name__, str(e).replace("ember.", "torch."))


def same_outcome(fn):
    t, e = outcome(fn, torch), outcome(fn, ember)
    assert t == e
    return t


def port(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def check_same(tm, em, *shapes, dtype="float64", seed=0):
    """Forward/backward of ported modules on the same random inputs."""
    port(tm, em)
    rs = np.random.RandomState(seed)
    xs = [rs.randn(*s).astype(dtype) for s in shapes]
    tx = [torch.tensor(x, requires_grad=True) for x in xs]
    ex = [ember.tensor(x, requires_grad=True) for x in xs]
    ty, ey = tm(*tx), em(*ex)
    tol = 1e-10 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    g = rs.randn(*ty.shape).astype(dtype)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    for a, b in zip(ex, tx):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)
    for (n1, p1), (n2, p2) in zip(em.named_parameters(), tm.named_parameters()):
        assert n1 == n2
        np.testing.assert_allclose(p1.grad.numpy(), p2.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (3,), (2, 4, 3), (0, 3)])
def test_linear_matches_torch(bias, shape):
    tm = torch.nn.Linear(3, 4, bias=bias, dtype=torch.float64)
    em = ember.nn.Linear(3, 4, bias=bias, dtype=ember.float64)
    check_same(tm, em, shape)


def test_linear_float32_and_grad_fn():
    tm, em = torch.nn.Linear(3, 2), ember.nn.Linear(3, 2)
    check_same(tm, em, (4, 3), dtype="float32")
    assert em(ember.ones(2, 3)).grad_fn.name() == tm(torch.ones(2, 3)).grad_fn.name()


def test_linear_attributes_repr_state_dict():
    def run(lib):
        m = lib.nn.Linear(3, 4, bias=False, dtype=lib.float64)
        return (repr(m), m.in_features, m.out_features, m.bias, str(m.weight.dtype),
                [(k, tuple(v.shape)) for k, v in lib.nn.Linear(3, 4).state_dict().items()],
                m.weight.requires_grad)
    assert same_outcome(run)[0] == "ok"


def test_linear_shape_error():
    kind, _ = same_outcome(lambda lib: lib.nn.Linear(3, 4)(lib.ones(2, 5)))
    assert kind == "RuntimeError"


def test_linear_default_init_statistics():
    ember.manual_seed(0)
    m = ember.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = m.weight.detach().numpy()
    b = m.bias.detach().numpy()
    assert w.min() >= -bound and w.max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert b.min() >= -bound and b.max() <= bound and b.std() > 0.4 * bound
    assert m.weight.dtype == ember.float32


def test_linear_reset_parameters_seeded():
    ember.manual_seed(3)
    a = ember.nn.Linear(5, 5)
    ember.manual_seed(3)
    b = ember.nn.Linear(5, 5)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    b.reset_parameters()
    assert not np.array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_torch(bias):
    tm = torch.nn.Bilinear(3, 2, 4, bias=bias, dtype=torch.float64)
    em = ember.nn.Bilinear(3, 2, 4, bias=bias, dtype=ember.float64)
    check_same(tm, em, (5, 3), (5, 2))
    check_same(tm, em, (2, 5, 3), (2, 5, 2), seed=1)


def test_bilinear_repr_init_and_errors():
    assert repr(ember.nn.Bilinear(2, 3, 4)) == repr(torch.nn.Bilinear(2, 3, 4))
    ember.manual_seed(0)
    w = ember.nn.Bilinear(16, 3, 50).weight.detach().numpy()
    bound = 1 / 4
    assert w.min() >= -bound and w.max() <= bound and abs(w.std() - bound / math.sqrt(3)) < 0.02
    kind, _ = same_outcome(lambda lib: lib.nn.Bilinear(2, 3, 4)(lib.ones(5, 2), lib.ones(5, 2)))
    assert kind == "RuntimeError"


def test_identity():
    def run(lib):
        m = lib.nn.Identity(54, unused="x")
        x = lib.ones(2)
        return m(x) is x, repr(m), list(m.state_dict())
    assert same_outcome(run) == ("ok", (True, "Identity()", []))


def test_lazy_linear_forward_matches_after_port():
    ember.manual_seed(0)
    em = ember.nn.LazyLinear(4, dtype=ember.float64)
    em(ember.ones(1, 3, dtype=ember.float64))
    assert type(em) is ember.nn.Linear and em.in_features == 3
    assert repr(em) == "Linear(in_features=3, out_features=4, bias=True)"
    check_same(torch.nn.Linear(3, 4, dtype=torch.float64), em, (2, 3))


def test_lazy_linear_repr_and_params_before_init():
    def run(lib):
        m = lib.nn.LazyLinear(3, bias=False)
        return repr(m), [(n, repr(p)) for n, p in m.named_parameters()], m.bias
    assert same_outcome(run)[0] == "ok"


def test_lazy_linear_weight_init_statistics():
    ember.manual_seed(0)
    m = ember.nn.LazyLinear(300)
    m(ember.ones(1, 400))
    w = m.weight.detach().numpy()
    bound = 1 / math.sqrt(400)
    assert w.min() >= -bound and w.max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound


@pytest.mark.parametrize("args,shape", [((), (2, 3, 4, 5)), ((0, 1), (2, 3, 4)),
                                        ((1, 2), (2, 3, 4, 5)), ((-2, -1), (2, 3, 4))])
def test_flatten(args, shape):
    def run(lib):
        m = lib.nn.Flatten(*args)
        x = lib.arange(float(np.prod(shape))).reshape(shape).requires_grad_()
        y = m(x)
        (y * y).sum().backward()
        return repr(m), tuple(y.shape), y.flatten().tolist(), x.grad.flatten().tolist()
    assert same_outcome(run)[0] == "ok"


@pytest.mark.parametrize("dim,sizes", [(1, (2, 3)), (-1, [3, -1]), (0, (1, 2))])
def test_unflatten(dim, sizes):
    def run(lib):
        m = lib.nn.Unflatten(dim, sizes)
        y = m(lib.arange(12.0).reshape(2, 6))
        return repr(m), tuple(y.shape), y.flatten().tolist()
    same_outcome(run)


def test_unflatten_errors():
    assert same_outcome(lambda lib: lib.nn.Unflatten(1, 6))[0] == "TypeError"
    assert same_outcome(lambda lib: lib.nn.Unflatten(1, (2, 2.0)))[0] == "TypeError"
    assert same_outcome(lambda lib: lib.nn.Unflatten(1, (4, 2))(lib.ones(2, 6)))[0] == \
        "RuntimeError"


def test_mlp_training_steps_match_torch():
    def build(lib):
        nn = lib.nn

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(4, 8), nn.Flatten(), nn.Linear(8, 8))
                self.heads = nn.ModuleList([nn.Linear(8, 1), nn.Linear(8, 1)])

            def forward(self, x):
                h = self.body(x).tanh()
                return self.heads[0](h) + self.heads[1](h.relu())
        return MLP()

    torch.manual_seed(0)  # the weights are ported, so the seed only fixes the loss curve
    tm, em = build(torch).double(), build(ember).double()
    port(tm, em)
    rs = np.random.RandomState(0)
    x, y = rs.randn(16, 4), rs.randn(16, 1)
    losses = {}
    for lib, m in ((torch, tm), (ember, em)):
        xs, ys = lib.tensor(x), lib.tensor(y)
        out = []
        for _ in range(20):
            m.zero_grad()
            loss = ((m(xs) - ys) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= 0.1 * p.grad
            out.append(loss.item())
        losses[lib.__name__] = out
    np.testing.assert_allclose(losses["ember"], losses["torch"], rtol=1e-9)
    assert losses["ember"][-1] < 0.9 * losses["ember"][0]
