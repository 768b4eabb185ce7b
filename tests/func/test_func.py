"""ember.func (functional_call, grad, grad_and_value) against torch.func."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

X = np.array([0.5, -1.0, 2.0])


def _pair(lib):
    return lib.tensor(X, dtype=lib.float64)


def _f(x, y):
    return (x.sin() * y).sum() + (x * x).sum()


@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
def test_grad_matches_torch(argnums):
    results = []
    for lib in (ember, torch):
        x, y = _pair(lib), _pair(lib) * 3
        g = lib.func.grad(_f, argnums=argnums)(x, y)
        g = g if isinstance(g, tuple) else (g,)
        assert all(not t.requires_grad for t in g)
        results.append([t.numpy() for t in g])
    for e, t in zip(*results):
        np.testing.assert_allclose(e, t, rtol=1e-12)


def test_grad_of_grad_and_has_aux():
    out = []
    for lib in (ember, torch):
        x = _pair(lib)
        second = lib.func.grad(lambda v, lib=lib: lib.func.grad(lambda u: (u ** 3).sum())(v).sum())(x)
        g, aux = lib.func.grad(lambda v: ((v ** 2).sum(), v.mean()), has_aux=True)(x)
        (g2, (value, aux2)) = lib.func.grad_and_value(
            lambda v: ((v ** 2).sum(), v.max()), has_aux=True)(x)
        out.append([t.detach().numpy() for t in (second, g, aux, g2, value, aux2)])
    for e, t in zip(*out):
        np.testing.assert_allclose(e, t, rtol=1e-12)
    np.testing.assert_allclose(out[0][0], 6 * X)


def test_functional_call_gradients_flow_to_given_tensors():
    grads = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        model = lib.nn.Linear(3, 2).double()
        weight = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        bias = lib.zeros(2, dtype=lib.float64)
        out = lib.func.functional_call(model, {"weight": weight, "bias": bias}, (_pair(lib),))
        out.sum().backward()
        assert model.weight.grad is None          # the module's own weight is untouched
        grads.append((out.detach().numpy(), weight.grad.numpy()))
    for e, t in zip(*grads):
        np.testing.assert_allclose(e, t, rtol=1e-12)


def test_errors_like_torch():
    x = _pair(ember)
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar"):
        ember.func.grad(lambda v: v * 2)(x)
    with pytest.raises(RuntimeError, match="only 1 positional inputs"):
        ember.func.grad(lambda v: v.sum(), argnums=3)(x)
    with pytest.raises(RuntimeError, match="should be a tuple"):
        ember.func.grad(lambda v: v.sum(), has_aux=True)(x)
    for lib in (torch,):  # the same calls fail in torch too
        with pytest.raises(RuntimeError):
            lib.func.grad(lambda v: v * 2)(_pair(lib))
        with pytest.raises(RuntimeError):
            lib.func.grad(lambda v: v.sum(), argnums=3)(_pair(lib))
