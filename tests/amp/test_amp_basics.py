"""ember.amp against torch's CPU autocast and GradScaler: output dtypes of the cast ops,
values, gradients reaching float32 parameters, and the scaler's trajectory with inf
gradients (skipped steps, backoff and growth)."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 8)).astype(np.float32)
W = RNG.standard_normal((3, 8)).astype(np.float32)
IMG = RNG.standard_normal((2, 3, 6, 6)).astype(np.float32)
K = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)


def _ops(lib):
    F = lib.nn.functional
    x, w = lib.tensor(X), lib.tensor(W)
    return {
        "linear": lambda: F.linear(x, w),
        "matmul": lambda: x @ x.T,
        "mm": lambda: lib.mm(x, x.T),
        "conv2d": lambda: F.conv2d(lib.tensor(IMG), lib.tensor(K)),
        "softmax_of_matmul": lambda: lib.softmax(x @ x.T, 1),
        "cross_entropy": lambda: F.cross_entropy(F.linear(x, w), lib.tensor([0, 1, 2, 0])),
        "add_outside_lists": lambda: x + x,
    }


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", list(_ops(ember)))
def test_autocast_output_dtype_and_values_match_torch(name, dtype):
    results = []
    for lib in (ember, torch):
        with lib.autocast("cpu", dtype=getattr(lib, dtype)):
            assert lib.is_autocast_enabled("cpu")
            out = _ops(lib)[name]()
        assert not lib.is_autocast_enabled("cpu")
        results.append(out)
    e, t = results
    assert str(e.dtype) == str(t.dtype), (name, e.dtype, t.dtype)
    np.testing.assert_allclose(e.float().detach().numpy(), t.float().detach().numpy(),
                               rtol=2e-2, atol=2e-2)


def test_autocast_off_inside_and_outside():
    x = ember.tensor(X)
    with ember.autocast("cpu"):
        assert (x @ x.T).dtype == ember.bfloat16
        with ember.autocast("cpu", enabled=False):
            assert (x @ x.T).dtype == ember.float32
        assert (x @ x.T).dtype == ember.bfloat16
    assert (x @ x.T).dtype == ember.float32


def test_gradients_reach_float32_parameters():
    grads = []
    for lib in (ember, torch):
        model = lib.nn.Linear(8, 3)
        with lib.no_grad():
            model.weight.copy_(lib.tensor(W))
            model.bias.zero_()
        with lib.autocast("cpu", dtype=lib.bfloat16):
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(X)), lib.tensor([0, 1, 2, 0]))
        loss.backward()
        assert model.weight.grad.dtype == lib.float32
        grads.append(model.weight.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=5e-2, atol=5e-3)


def test_grad_scaler_trajectory_matches_torch():
    # gradients with infs at chosen steps: skipped steps, backoff, growth every 3 good steps
    grad_values = [1.0, float("inf"), 0.5, 0.25, 2.0, float("nan"), 1.0, 1.0, 1.0, 0.5]
    traces = []
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = lib.optim.SGD([p], lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=8.0, growth_factor=2.0,
                                    backoff_factor=0.5, growth_interval=3)
        trace = []
        for g in grad_values:
            opt.zero_grad()
            loss = scaler.scale((p * g).sum()) if np.isfinite(g) else (p * g).sum()
            loss.backward()
            scaler.step(opt)
            scaler.update()
            trace.append((scaler.get_scale(), p.detach().numpy().copy().tolist()))
        traces.append(trace)
    assert traces[0] == traces[1]


def test_grad_scaler_unscale_twice_is_an_error():
    p = ember.nn.Parameter(ember.tensor([1.0]))
    opt = ember.optim.SGD([p], lr=0.1)
    scaler = ember.amp.GradScaler("cpu")
    scaler.scale(p.sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(opt)
