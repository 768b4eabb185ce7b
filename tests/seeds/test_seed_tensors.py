"""Tensor and autograd snippets of the lecture notes in ../shared/seeds, completed into
small programs, run on ember and on torch: same printed output, same numbers."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def test_zeros_int32_repr_matches_torch():
    # 001: >>> torch.zeros([2, 4], dtype=torch.int32)
    assert repr(ember.zeros([2, 4], dtype=ember.int32)) == \
        repr(torch.zeros([2, 4], dtype=torch.int32))


def test_device_agnostic_idiom():
    # 001: device-agnostic code
    for lib in (ember, torch):
        device = lib.device("cuda") if lib.cuda.is_available() else lib.device("cpu")
        t = lib.ones(2, 3).to(device)
        assert str(t.device) == "cpu"


def test_legacy_constructor_then_requires_grad():
    # 001: t2 = torch.FloatTensor(3,3); t2.requires_grad = True
    t1 = ember.randn((3, 3), requires_grad=True)
    t2 = ember.FloatTensor(3, 3)
    t2.requires_grad = True
    assert t1.requires_grad and t2.requires_grad and t2.dtype is ember.float32
    assert tuple(t2.shape) == (3, 3) and t2.is_leaf


def _graph(lib, vals):
    a, w1, w2, w3, w4 = (lib.tensor(v, requires_grad=True) for v in vals)
    b = w1 * a
    c = w2 * a
    d = w3 * b + w4 * c
    L = (10 - d).sum()
    L.backward()
    return a, (w1, w2, w3, w4), d, L


def test_graph_from_the_notes_matches_torch():
    # 001: a, w1..w4, b = w1*a, c = w2*a, d = w3*b + w4*c, L = (10 - d).sum()
    rng = np.random.default_rng(0)
    vals = [rng.standard_normal((3, 3)).astype(np.float32) for _ in range(5)]
    ea, ews, ed, eL = _graph(ember, vals)
    ta, tws, td, tL = _graph(torch, vals)
    assert ea.grad_fn is None and ed.grad_fn.name() == td.grad_fn.name() == "AddBackward0"
    assert str(ed.grad_fn).startswith("<AddBackward0 object at ")
    np.testing.assert_allclose(eL.item(), tL.item(), rtol=1e-6)
    for e, t in zip((ea,) + ews, (ta,) + tws):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    learning_rate = 0.5
    ew1 = ews[0] - learning_rate * ews[0].grad
    tw1 = tws[0] - learning_rate * tws[0].grad
    np.testing.assert_allclose(ew1.detach().numpy(), tw1.detach().numpy(), rtol=1e-6)
    assert ew1.grad_fn.name() == tw1.grad_fn.name()


def test_no_grad_without_parentheses_fails_like_torch():
    # 001: `with torch.no_grad:` is a mistake in the notes; both frameworks refuse it
    with pytest.raises((TypeError, AttributeError)):
        with torch.no_grad:
            pass
    with pytest.raises((TypeError, AttributeError)):
        with ember.no_grad:
            pass


def test_shape_print_matches_torch():
    # 004: tensor = torch.randn(10, 20, 30); print("Shape of the tensor:", tensor.shape)
    assert str(ember.randn(10, 20, 30).shape) == str(torch.randn(10, 20, 30).shape)
    x = ember.tensor([1.0, 2.0, 3.0])
    assert repr(x) == repr(torch.tensor([1.0, 2.0, 3.0]))


def test_reproducibility_switches():
    # 004: torch.manual_seed(seed); torch.use_deterministic_algorithms(True)
    ember.manual_seed(42)
    a = ember.randn(5)
    ember.manual_seed(42)
    b = ember.randn(5)
    assert np.array_equal(a.numpy(), b.numpy())
    ember.use_deterministic_algorithms(True)
    try:
        assert ember.are_deterministic_algorithms_enabled()
    finally:
        ember.use_deterministic_algorithms(False)
