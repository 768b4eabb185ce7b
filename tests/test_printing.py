"""Tensor repr/str against torch's, string for string."""

import pytest

import ember

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

CASES = [
    "T.tensor([1., 2.])", "T.tensor([1.0e-5, 1e5])", "T.tensor([1.5, 2.25, -3.125])",
    "T.tensor(3.)", "T.tensor(3)", "T.tensor(True)", "T.tensor([True, False])",
    "T.zeros(0, 3)", "T.tensor([])", "T.tensor([[]])", "T.zeros(2, 0, 3)",
    "T.tensor([], dtype=T.int64)", "T.zeros(0, dtype=T.float64)",
    "T.arange(12).reshape(3, 4)", "T.arange(12.).reshape(2, 2, 3)",
    "T.arange(24.).reshape(2, 3, 4) - 11", "T.arange(2000.)", "T.arange(2000)",
    "T.arange(1001.)", "T.arange(1000.)",
    "T.arange(3000).reshape(30, 100)", "T.arange(3000.).reshape(10, 3, 100) / 3",
    "T.tensor([1., 2.], dtype=T.float64)", "T.tensor([1, 2], dtype=T.int32)",
    "T.tensor([1, 2], dtype=T.int8)", "T.ones(2, dtype=T.uint8)",
    "T.tensor([1., 2.], requires_grad=True)", "T.tensor([1., 2.], requires_grad=True) + 1",
    "T.tensor(2., requires_grad=True) * 3",
    "T.tensor([float('nan'), float('inf'), -float('inf'), 1.])",
    "T.tensor([float('nan'), 1.5])", "T.tensor([float('inf')])", "T.tensor(float('nan'))",
    "T.tensor([1e-10, 1.])", "T.tensor([123456789., 1.])", "T.tensor([0.1, 0.25])",
    "T.tensor(1e-5)", "T.tensor(12345678.)", "T.tensor(123456789.)",
    "T.arange(100.).reshape(10, 10) / 7", "T.arange(40.).reshape(2, 20) * 1000",
    "T.tensor([1., 2.], dtype=T.float16)", "T.tensor([1.5, 2.], dtype=T.bfloat16)",
    "T.tensor([0.1, 0.2], dtype=T.float16)",
    "T.tensor([1 + 2j, 3 - 1j])", "T.tensor([1.5 + 2j, -3.25 - 1j])",
    "T.tensor(1 + 1j)", "T.tensor([1 + 2j], dtype=T.complex128)",
    "T.tensor([-1, 100000])", "T.tensor([0., -0.])", "T.arange(30.).reshape(3, 10) * 1e8",
    "T.zeros(3, 3)", "T.tensor([1e20, 1.])", "T.tensor([0.001, 0.01])",
    "T.tensor([0.0001, 0.01])", "T.tensor([-0.5, 0.25, 100.125])",
    "T.tensor([[1.5, -2.], [1e3, 4.]])", "T.tensor([[True, False], [False, True]])",
    "T.tensor([[-1, 2], [300, 4]])", "T.zeros(1, 1, 1)", "T.tensor([[[1.5]]])",
    "T.tensor([1., 2.], dtype=T.float64, requires_grad=True)",
    "T.zeros(4, 40) + 0.5", "T.zeros(2, 30, dtype=T.float64) + 0.5",
    "T.tensor([1.2345678e-3, 5.5])", "T.tensor([2.0 ** 60])", "T.tensor([-3e-7, 4e-7])",
]


def _both(expr):
    return eval(expr, {"T": torch}), eval(expr, {"T": ember})


@pytest.mark.parametrize("expr", CASES)
def test_repr_matches_torch(expr):
    t, e = _both(expr)
    assert repr(e) == repr(t)
    assert str(e) == str(t)


@pytest.fixture
def restore_printoptions():
    yield
    torch.set_printoptions(profile="default")
    ember.set_printoptions(profile="default")


@pytest.mark.parametrize("opts", [
    dict(precision=2), dict(precision=6), dict(threshold=5), dict(threshold=5, edgeitems=1),
    dict(linewidth=40), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"),
    dict(profile="full"), dict(profile="full", precision=1),
])
@pytest.mark.parametrize("expr", [
    "T.arange(20.) / 3", "T.arange(2000.) * 1.5", "T.tensor([1e-6, 1.])", "T.arange(24).reshape(4, 6)",
    "T.tensor([1., 2.])", "T.arange(60.).reshape(3, 4, 5) * 1000 + 0.5",
])
def test_printoptions_match_torch(expr, opts, restore_printoptions):
    torch.set_printoptions(**opts)
    ember.set_printoptions(**opts)
    t, e = _both(expr)
    assert repr(e) == repr(t)


def test_default_dtype_changes_suffix():
    try:
        torch.set_default_dtype(torch.float64)
        ember.set_default_dtype(ember.float64)
        for expr in ["T.tensor([1.5, 2.])", "T.tensor([1.5], dtype=T.float32)",
                     "T.tensor([1 + 1j])", "T.tensor([1 + 1j], dtype=T.complex64)",
                     "T.zeros(0)", "T.zeros(0, dtype=T.float32)"]:
            t, e = _both(expr)
            assert repr(e) == repr(t), expr
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


def test_format_and_fstring():
    assert f"{ember.tensor(3.5):.2f}" == "3.50"
    assert f"{ember.tensor([1., 2.])}" == "tensor([1., 2.])"


def test_grad_fn_suffix_names_node():
    x = ember.tensor([1., 2.], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(x.sum()) == "tensor(3., grad_fn=<SumBackward0>)"


def test_random_tensors_and_options_match_torch(restore_printoptions):
    """Random shapes, magnitudes, dtypes and print options: torch's string every time."""
    rng = np.random.default_rng(1)
    for _ in range(300):
        opts = dict(precision=int(rng.integers(0, 8)),
                    threshold=int(rng.choice([5, 20, 100, 1000])),
                    edgeitems=int(rng.integers(1, 4)),
                    linewidth=int(rng.choice([20, 40, 80, 120])),
                    sci_mode=[None, True, False][rng.integers(0, 3)])
        torch.set_printoptions(**opts)
        ember.set_printoptions(**opts)
        shape = tuple(int(n) for n in rng.integers(0, 9, size=rng.integers(0, 4)))
        kind = rng.integers(0, 5)
        scale = 10.0 ** rng.integers(-6, 9)
        if kind == 0:
            a, dt = rng.standard_normal(shape) * scale, "float32"
        elif kind == 1:
            a, dt = np.round(rng.standard_normal(shape) * scale), "float64"
        elif kind == 2:
            a, dt = rng.integers(-1000, 1000, size=shape), "int64"
        elif kind == 3:
            a, dt = rng.standard_normal(shape) > 0, "bool"
        else:
            a, dt = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * scale, \
                "complex64"
        a = np.asarray(a, dtype=dt)
        if dt == "float64" and a.size:
            a.flat[0] = [np.nan, np.inf, 0.0, a.flat[0]][rng.integers(0, 4)]
        assert repr(ember.tensor(a)) == repr(torch.tensor(a)), (opts, a)


def test_subclass_prefix_and_tensor_contents():
    class M(ember.Tensor):
        pass

    class TM(torch.Tensor):
        pass
    e = ember.tensor([1., 2.])
    e.__class__ = M
    t = torch.tensor([1., 2.]).as_subclass(TM)
    assert repr(e).replace("M(", "X(") == repr(t).replace("TM(", "X(")
    assert ember.tensor([1.]).__repr__(tensor_contents="abc") == \
        torch.tensor([1.]).__repr__(tensor_contents="abc")
