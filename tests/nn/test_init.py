"""nn.init: distributions checked statistically against their formulas; deterministic
initializers and errors compared with torch."""

import math

import numpy as np
import pytest

import ember
from ember.nn import init

torch = pytest.importorskip("torch")


def outcome(fn, lib):
    try:
        return ("ok", fn(lib))
    except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
        return (type(e).__name__, str(e))


def same_outcome(fn):
    t, e = outcome(fn, torch), outcome(fn, ember)
    assert t == e
    return t


def big(*shape, dtype=None):
    ember.manual_seed(0)
    return ember.empty(*shape, dtype=dtype)


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 1),
                                  ("selu",), ("conv_transpose3d",)])
def test_calculate_gain(args):
    assert init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))


@pytest.mark.parametrize("args", [("softmax",), ("leaky_relu", "x"), ("leaky_relu", True)])
def test_calculate_gain_errors(args):
    assert same_outcome(lambda lib: lib.nn.init.calculate_gain(*args))[0] == "ValueError"


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (6, 3, 2, 2), (2, 3, 1, 2, 2)])
def test_fan_in_fan_out(shape):
    assert init._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fan_error():
    assert same_outcome(lambda lib: lib.nn.init._calculate_fan_in_and_fan_out(
        lib.empty(3)))[0] == "ValueError"


def test_uniform_normal_constant():
    t = big(200, 200)
    out = init.uniform_(t, -2.0, 3.0)
    a = t.numpy()
    assert out is t and a.min() >= -2.0 and a.max() <= 3.0
    assert abs(a.mean() - 0.5) < 0.05 and abs(a.std() - 5 / math.sqrt(12)) < 0.05
    init.normal_(t, 1.0, 0.5)
    a = t.numpy()
    assert abs(a.mean() - 1.0) < 0.01 and abs(a.std() - 0.5) < 0.01
    init.constant_(t, 0.3)
    assert np.all(t.numpy() == np.float32(0.3))
    init.ones_(t)
    assert np.all(t.numpy() == 1)
    init.zeros_(t)
    assert np.all(t.numpy() == 0)


def test_runs_under_no_grad_on_parameters():
    p = ember.nn.Parameter(ember.empty(3, 4))
    for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_,
               init.orthogonal_, init.zeros_, init.eye_):
        assert fn(p) is p
        assert p.is_leaf and p.grad_fn is None and p.requires_grad


def test_generator_reproducible():
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    a = init.kaiming_uniform_(ember.empty(5, 5), generator=g1).numpy()
    b = init.kaiming_uniform_(ember.empty(5, 5), generator=g2).numpy()
    np.testing.assert_array_equal(a, b)
    a = init.trunc_normal_(ember.empty(9), generator=ember.Generator().manual_seed(1)).numpy()
    b = init.trunc_normal_(ember.empty(9), generator=ember.Generator().manual_seed(1)).numpy()
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_xavier(gain):
    t = big(300, 200)
    fan_in, fan_out = 200, 300
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    a = init.xavier_uniform_(t, gain=gain).numpy()
    bound = math.sqrt(3) * std
    assert a.min() >= -bound and a.max() <= bound and abs(a.std() - std) < 0.02 * std
    a = init.xavier_normal_(t, gain=gain).numpy()
    assert abs(a.std() - std) < 0.02 * std and abs(a.mean()) < 0.02 * std


@pytest.mark.parametrize("a,mode,nl", [(0, "fan_in", "leaky_relu"), (0, "fan_out", "relu"),
                                       (math.sqrt(5), "fan_in", "leaky_relu"),
                                       (0.1, "fan_out", "leaky_relu"), (0, "FAN_IN", "tanh")])
def test_kaiming(a, mode, nl):
    t = big(100, 50, 3, 3)
    fan = 50 * 9 if mode.lower() == "fan_in" else 100 * 9
    std = torch.nn.init.calculate_gain(nl, a) / math.sqrt(fan)
    u = init.kaiming_uniform_(t, a=a, mode=mode, nonlinearity=nl).numpy()
    assert np.abs(u).max() <= math.sqrt(3) * std and abs(u.std() - std) < 0.02 * std
    n = init.kaiming_normal_(t, a=a, mode=mode, nonlinearity=nl).numpy()
    assert abs(n.std() - std) < 0.02 * std and abs(n.mean()) < 0.02 * std


def test_kaiming_errors_and_zero_element():
    assert same_outcome(lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 3),
                                                                 mode="fan_avg"))[0] == "ValueError"
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(ember.empty(0, 3))


def test_trunc_normal():
    t = big(400, 400, dtype=ember.float64)
    a = init.trunc_normal_(t, mean=0.5, std=1.0, a=-1.0, b=2.0).numpy()
    assert a.min() >= -1.0 and a.max() <= 2.0
    ref = torch.distributions.Normal(0.5, 1.0)
    alpha, beta = ref.cdf(torch.tensor(-1.0)).item(), ref.cdf(torch.tensor(2.0)).item()
    pdf = ref.log_prob(torch.tensor([-1.0, 2.0])).exp().tolist()
    z = beta - alpha
    mean = 0.5 + (pdf[0] - pdf[1]) / z
    var = 1 + ((-1.5) * pdf[0] - 1.5 * pdf[1]) / z - ((pdf[0] - pdf[1]) / z) ** 2
    assert abs(a.mean() - mean) < 0.01 and abs(a.std() - math.sqrt(var)) < 0.01


def test_eye_and_errors():
    assert init.eye_(ember.empty(3, 5)).tolist() == torch.nn.init.eye_(torch.empty(3, 5)).tolist()
    assert same_outcome(lambda lib: lib.nn.init.eye_(lib.empty(3, 3, 3)))[0] == "ValueError"


@pytest.mark.parametrize("shape,groups", [((4, 4, 3), 1), ((6, 3, 3, 3), 2), ((2, 4, 3, 3), 1),
                                          ((4, 2, 1, 3, 3), 2)])
def test_dirac_matches_torch(shape, groups):
    a = init.dirac_(ember.empty(shape), groups=groups).numpy()
    b = torch.nn.init.dirac_(torch.empty(shape), groups=groups).numpy()
    np.testing.assert_array_equal(a, b)


def test_dirac_errors():
    assert same_outcome(lambda lib: lib.nn.init.dirac_(lib.empty(3, 3)))[0] == "ValueError"
    assert same_outcome(lambda lib: lib.nn.init.dirac_(lib.empty(3, 3, 3), 2))[0] == \
        "ValueError"


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 2, 3)])
def test_orthogonal(shape):
    t = big(*shape, dtype=ember.float64)
    init.orthogonal_(t, gain=2.0)
    m = t.numpy().reshape(shape[0], -1)
    rows, cols = m.shape
    gram = m @ m.T if rows <= cols else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(rows, cols)), atol=1e-10)
    assert same_outcome(lambda lib: lib.nn.init.orthogonal_(lib.empty(3)))[0] == "ValueError"


def test_sparse():
    t = big(10, 300)
    a = init.sparse_(t, sparsity=0.3, std=0.5).numpy()
    assert np.all((a == 0).sum(axis=0) == 3)
    nz = a[a != 0]
    assert abs(nz.std() - 0.5) < 0.05
    assert same_outcome(lambda lib: lib.nn.init.sparse_(lib.empty(3), 0.1))[0] == "ValueError"


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning):
        init.uniform(ember.empty(2))
    with pytest.warns(FutureWarning):
        init.xavier_normal(ember.empty(2, 2))
