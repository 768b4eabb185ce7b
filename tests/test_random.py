"""Random sampling: reproducibility under seeds, generator state, statistics, and
torch's errors. ember's streams are not torch's (see ember/random.py), so values are
checked statistically, never against torch's draws."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

N = 20000


def test_manual_seed_reproduces_every_sampler():
    def draw():
        return [ember.rand(3), ember.randn(2, 2), ember.randint(0, 10, (4,)), ember.randperm(6),
                ember.normal(0., 1., (3,)), ember.bernoulli(ember.full((5,), 0.5)),
                ember.multinomial(ember.tensor([1., 2., 3.]), 2),
                ember.poisson(ember.full((3,), 4.)), ember.empty(4).uniform_(),
                ember.empty(4).exponential_(), ember.rand_like(ember.zeros(2))]
    ember.manual_seed(123)
    a = draw()
    ember.manual_seed(123)
    b = draw()
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    ember.manual_seed(124)
    c = draw()
    assert a[0].tolist() != c[0].tolist()


def test_generator_objects_are_independent():
    g1 = ember.Generator().manual_seed(5)
    g2 = ember.Generator().manual_seed(5)
    ember.manual_seed(0)
    x = ember.rand(4, generator=g1)
    ember.rand(10)  # the default generator does not affect g2
    y = ember.rand(4, generator=g2)
    assert x.tolist() == y.tolist()
    assert g1.initial_seed() == 5


def test_generator_state_roundtrip():
    g = ember.Generator()
    g.manual_seed(42)
    state = g.get_state()
    assert state.dtype is ember.uint8
    a = ember.randn(5, generator=g)
    g.set_state(state)
    b = ember.randn(5, generator=g)
    assert a.tolist() == b.tolist()


def test_global_rng_state_and_fork_rng():
    ember.manual_seed(7)
    s = ember.get_rng_state()
    a = ember.rand(3)
    ember.set_rng_state(s)
    assert ember.rand(3).tolist() == a.tolist()
    ember.manual_seed(7)
    with ember.random.fork_rng():
        ember.rand(100)
    assert ember.rand(3).tolist() == a.tolist()


def test_seed_and_initial_seed():
    assert ember.manual_seed(99).initial_seed() == 99
    assert ember.initial_seed() == 99
    s = ember.seed()
    assert ember.initial_seed() == s
    ember.manual_seed(-1)
    assert ember.initial_seed() == torch.manual_seed(-1).initial_seed()
    torch.manual_seed(0)
    with pytest.raises(RuntimeError):
        ember.manual_seed(2 ** 64)


def test_set_rng_state_rejects_garbage():
    with pytest.raises(RuntimeError):
        ember.set_rng_state(ember.zeros(5, dtype=ember.uint8))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_rand_randn_stats(dtype):
    ember.manual_seed(0)
    dt = getattr(ember, dtype)
    u = ember.rand(N, dtype=dt).float().numpy()
    assert u.min() >= 0 and u.max() <= 1
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.std() - 12 ** -0.5) < 0.01
    z = ember.randn(N, dtype=dt).float().numpy()
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    assert ember.rand(2, dtype=dt).dtype is dt


def test_randint_overloads_and_range():
    ember.manual_seed(0)
    assert ember.randint(5, (3,)).shape == (3,)
    assert ember.randint(2, 5, (2, 3)).shape == (2, 3)
    assert ember.randint(2, 5, size=(4,)).shape == (4,)
    assert ember.randint(high=5, size=(4,)).shape == (4,)
    assert ember.randint(low=1, high=5, size=(4,)).shape == (4,)
    x = ember.randint(-3, 4, (N,)).numpy()
    assert x.min() == -3 and x.max() == 3 and x.dtype == np.int64
    assert abs(x.mean()) < 0.05
    assert ember.randint(3, (2,), dtype=ember.float32).dtype is ember.float32
    y = ember.randint_like(ember.zeros(3, 4), 10)
    assert y.dtype is ember.float32 and y.shape == (3, 4)
    y = ember.randint_like(ember.zeros(100, dtype=ember.int32), 3, 5)
    assert set(y.tolist()) <= {3, 4} and y.dtype is ember.int32


def test_randperm():
    p = ember.randperm(50)
    assert sorted(p.tolist()) == list(range(50)) and p.dtype is ember.int64
    assert ember.randperm(0).shape == (0,)
    assert ember.randperm(4, dtype=ember.float32).dtype is ember.float32


def test_normal_overloads():
    ember.manual_seed(0)
    m = ember.full((N,), 3.)
    s = ember.full((N,), 2.)
    for x in (ember.normal(m, s), ember.normal(m, 2.), ember.normal(3., s),
              ember.normal(3., 2., (N,)), ember.normal(3., 2., size=(N,))):
        assert x.shape == (N,)
        v = x.numpy()
        assert abs(v.mean() - 3) < 0.06 and abs(v.std() - 2) < 0.06
    assert ember.normal(ember.zeros(2, 1), ember.ones(3)).shape == (2, 3)
    assert ember.normal(0., 1., (2,), dtype=ember.float64).dtype is ember.float64
    assert ember.normal(ember.zeros(2, dtype=ember.float64), 1.).dtype is ember.float64


def test_bernoulli_and_inplace():
    ember.manual_seed(0)
    p = ember.full((N,), 0.3)
    b = ember.bernoulli(p)
    assert b.dtype is ember.float32 and set(np.unique(b.numpy())) <= {0., 1.}
    assert abs(b.mean().item() - 0.3) < 0.02
    assert ember.bernoulli(ember.zeros(3), 1.0).tolist() == [1., 1., 1.]
    assert p.bernoulli().shape == (N,)
    x = ember.empty(N).bernoulli_(0.8)
    assert abs(x.mean().item() - 0.8) < 0.02
    x = ember.empty(3).bernoulli_(ember.tensor([0., 1., 0.]))
    assert x.tolist() == [0., 1., 0.]


def test_multinomial():
    ember.manual_seed(0)
    probs = ember.tensor([0.1, 0.2, 0.7])
    s = ember.multinomial(probs, N, replacement=True)
    assert s.dtype is ember.int64 and s.shape == (N,)
    freq = np.bincount(s.numpy(), minlength=3) / N
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.7], atol=0.02)
    two = ember.multinomial(ember.tensor([[0., 1., 0.], [1., 0., 0.]]), 4, replacement=True)
    assert two.tolist() == [[1] * 4, [0] * 4]
    perm = ember.multinomial(ember.tensor([1., 1., 1., 1.]), 4)
    assert sorted(perm.tolist()) == [0, 1, 2, 3]
    # without replacement, heavy categories come first more often
    firsts = [ember.multinomial(ember.tensor([1., 9.]), 1).item() for _ in range(400)]
    assert 0.85 < np.mean(firsts) < 0.95
    assert ember.multinomial(ember.tensor([1., 0., 0.]), 2)[0].item() == 0
    assert probs.multinomial(2).shape == (2,)


def test_poisson_and_inplace_samplers_stats():
    ember.manual_seed(0)
    p = ember.poisson(ember.full((N,), 4.))
    assert p.dtype is ember.float32 and abs(p.mean().item() - 4) < 0.1
    x = ember.empty(N, dtype=ember.float64)
    assert x.uniform_(-2, 4) is x
    assert -2 <= x.min().item() and x.max().item() < 4 and abs(x.mean().item() - 1) < 0.05
    x.normal_(5, 0.5)
    assert abs(x.mean().item() - 5) < 0.02 and abs(x.std().item() - 0.5) < 0.02
    x.exponential_(2.)
    assert abs(x.mean().item() - 0.5) < 0.02
    x.geometric_(0.25)
    assert x.min().item() >= 1 and abs(x.mean().item() - 4) < 0.15
    x.log_normal_(0., 0.5)
    assert abs(np.log(x.numpy()).mean()) < 0.02
    x.cauchy_(1., 2.)
    assert abs(np.median(x.numpy()) - 1) < 0.1
    i = ember.empty(N, dtype=ember.int64).random_(3, 7)
    assert i.min().item() == 3 and i.max().item() == 6
    i.random_(5)
    assert i.min().item() == 0 and i.max().item() == 4
    f = ember.empty(N).random_()
    assert f.min().item() >= 0 and f.max().item() <= 2 ** 24
    u = ember.empty(10, dtype=ember.uint8).random_()
    assert u.max().item() <= 255


def test_inplace_sampler_bumps_version_and_shares_views():
    x = ember.zeros(4)
    v0 = x._version
    x[:2].uniform_(5, 6)
    assert x._version > v0
    assert x[0].item() >= 5 and x[3].item() == 0


def test_generator_kwarg_everywhere():
    def all_draws(g):
        return [ember.rand(2, generator=g), ember.randn(2, generator=g),
                ember.randint(0, 5, (2,), generator=g), ember.randperm(4, generator=g),
                ember.normal(0., 1., (2,), generator=g),
                ember.bernoulli(ember.full((2,), .5), generator=g),
                ember.multinomial(ember.ones(3), 2, generator=g),
                ember.poisson(ember.ones(2), generator=g),
                ember.empty(2).normal_(generator=g), ember.rand_like(ember.zeros(2), generator=g)]
    a = all_draws(ember.Generator().manual_seed(3))
    b = all_draws(ember.Generator().manual_seed(3))
    assert [t.tolist() for t in a] == [t.tolist() for t in b]


ERRORS = """
T.multinomial(T.tensor([1, 2]), 1)
T.multinomial(T.tensor([[[1.]]]), 1)
T.multinomial(T.tensor([1., 2.]), 0)
T.multinomial(T.tensor([1., 2.]), 3)
T.multinomial(T.tensor([1., -2.]), 1)
T.multinomial(T.tensor([0., 0.]), 1)
T.multinomial(T.tensor([1., float('nan')]), 1)
T.normal(T.zeros(2), -1.)
T.normal(0., -1., (2,))
T.normal(T.zeros(2), T.ones(3))
T.bernoulli(T.zeros(2), 2.)
T.zeros(2).bernoulli_(1.5)
T.bernoulli(T.tensor([2.]))
T.bernoulli(T.tensor([1, 0]))
T.zeros(2).uniform_(2, 1)
T.zeros(2).exponential_(-1)
T.zeros(2).geometric_(0)
T.zeros(2).random_(3, 1)
T.zeros(2, dtype=T.long).normal_()
T.poisson(T.tensor([-1.]))
T.zeros(2, requires_grad=True).uniform_()
T.zeros(2, requires_grad=True)[:1].normal_()
T.zeros(3).log_normal_(1, -2)
T.zeros(2).cauchy_(0, -1)
T.zeros(2, dtype=T.int64).exponential_()
T.zeros(2, dtype=T.int64).cauchy_()
T.zeros(2, dtype=T.int32).cauchy_()
T.zeros(2, dtype=T.int64).log_normal_()
T.zeros(2, dtype=T.int64).uniform_()
T.rand(2, dtype=T.int64)
T.randn(2, dtype=T.int32)
T.randn_like(T.zeros(2, dtype=T.int64))
T.randint(3, 3, (2,))
T.randint(5)
T.randperm(-1)
""".strip().splitlines()


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_torch(expr):
    def kind(mod):
        try:
            eval(expr, {"T": mod})
        except Exception as exc:  # noqa: BLE001
            return type(exc).__name__, str(exc)[:40]
        return None
    t = kind(torch)
    assert t is not None
    e = kind(ember)
    assert e is not None and e[0] == t[0]
    if t[0] == "RuntimeError" and "size of tensor" not in t[1]:
        assert e[1] == t[1]


def test_sampler_graph_nodes_match_torch():
    m = ember.zeros(3, requires_grad=True)
    s = ember.ones(3, requires_grad=True)
    for y, name in [(ember.normal(m, 1.), "NormalBackward1"), (ember.normal(0., s), "NormalBackward2"),
                    (ember.normal(m, s), "NormalBackward3"),
                    (ember.bernoulli(ember.full((3,), .5, requires_grad=True)), "BernoulliBackward0")]:
        assert y.grad_fn.name() == name
    y = ember.normal(m, s)
    y.sum().backward()
    assert m.grad.tolist() == [0., 0., 0.] and s.grad.tolist() == [0., 0., 0.]
    assert ember.normal(ember.zeros(3), 1.).grad_fn is None


def test_multinomial_rows_with_zero_categories():
    ember.manual_seed(1)
    probs = np.random.default_rng(0).random((3, 7))
    probs[:, 2] = 0
    probs[1, :] = 0
    probs[1, 4] = 1
    s = ember.multinomial(ember.tensor(probs), N, replacement=True).numpy()
    for r in range(3):
        freq = np.bincount(s[r], minlength=7) / N
        np.testing.assert_allclose(freq, probs[r] / probs[r].sum(), atol=0.015)
        assert freq[2] == 0
    w = ember.multinomial(ember.tensor(probs), 3).numpy()
    assert all(len(set(row)) == 3 for row in w.tolist())
    assert 2 not in w[0].tolist()


def test_generator_pickles_and_deepcopies_with_state():
    import copy
    import pickle
    g = ember.Generator().manual_seed(3)
    ember.rand(5, generator=g)
    h = pickle.loads(pickle.dumps(g))
    k = copy.deepcopy(g)
    a = ember.rand(4, generator=g).tolist()
    assert ember.rand(4, generator=h).tolist() == a == ember.rand(4, generator=k).tolist()
    assert h.initial_seed() == 3
