"""The CUDA backend (CuPy) gives the same results as the CPU backend. Skipped when no
GPU is visible; CPU-only machines check the clear error instead."""

import numpy as np
import pytest

import ember

requires_cuda = pytest.mark.skipif(not ember.cuda.is_available(), reason="no GPU visible")


def test_cuda_absent_gives_torchs_error():
    if ember.cuda.is_available():
        pytest.skip("a GPU is visible")
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        ember.ones(2).cuda()
    assert ember.cuda.device_count() == 0


@requires_cuda
def test_ops_and_grads_match_cpu_on_cuda():
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal((4, 5)), rng.standard_normal((5, 3))
    results = {}
    for dev in ("cpu", "cuda"):
        a = ember.tensor(a_np, device=dev, requires_grad=True)
        b = ember.tensor(b_np, device=dev, requires_grad=True)
        y = (a @ b).exp().sum(dim=1).mean()
        y.backward()
        assert y.device.type == dev and a.grad.device.type == dev
        results[dev] = (y.item(), a.grad.cpu().numpy(), b.grad.cpu().numpy())
    for c, g in zip(results["cpu"], results["cuda"]):
        np.testing.assert_allclose(c, g, rtol=1e-10)


@requires_cuda
def test_moving_between_devices_is_differentiable():
    x = ember.ones(3, requires_grad=True)
    y = (x.cuda() * 2).cpu().sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])
