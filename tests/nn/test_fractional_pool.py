"""FractionalMaxPool2d/3d and F.fractional_max_pool* vs torch with explicit
``_random_samples``: values, indices, input gradients; random samples from ember's
generator; torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = [  # nd, input shape, kernel, output_size, output_ratio, dtype
    (2, (2, 3, 7, 6), 2, (3, 4), None, "float64"),
    (2, (2, 3, 9, 8), (3, 2), (5, 4), None, "float32"),
    (2, (3, 10, 9), 2, None, 0.5, "float64"),
    (2, (1, 2, 5, 5), 2, 1, None, "float64"),
    (3, (2, 2, 5, 6, 7), 2, (3, 3, 4), None, "float64"),
    (3, (2, 4, 5, 6), (2, 1, 2), None, (0.5, 0.6, 0.7), "float64"),
]


@pytest.mark.parametrize("nd,shape,k,osize,ratio,dt", CASES)
def test_fractional_max_pool_matches_torch(nd, shape, k, osize, ratio, dt):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape).astype(dt)
    batch = shape[0] if len(shape) == nd + 2 else 1
    samples = rng.uniform(size=(batch, shape[-nd - 1], nd)).astype(dt)
    name = f"FractionalMaxPool{nd}d"
    e_mod = getattr(ember.nn, name)(k, osize, ratio, True, ember.tensor(samples))
    t_mod = getattr(torch.nn, name)(k, osize, ratio, True, torch.tensor(samples))
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict()) == ["_random_samples"]
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ye, ie), (yt, it) = e_mod(xe), t_mod(xt)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(ie.numpy(), it.numpy())
    assert ie.dtype == ember.int64
    w = rng.standard_normal(tuple(yt.shape)).astype(dt)
    (ye * ember.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
    fn = getattr(ember.nn.functional, f"fractional_max_pool{nd}d_with_indices")
    y2, i2 = fn(ember.tensor(x), k, osize, ratio, _random_samples=ember.tensor(samples))
    np.testing.assert_array_equal(i2.numpy(), it.numpy())


def test_random_samples_come_from_embers_generator():
    x = ember.randn(2, 3, 8, 8)
    ember.manual_seed(5)
    a, ia = ember.nn.functional.fractional_max_pool2d(x, 2, output_size=4, return_indices=True)
    ember.manual_seed(5)
    samples = ember.rand(2, 3, 2)
    b, ib = ember.nn.functional.fractional_max_pool2d(x, 2, output_size=4, return_indices=True,
                                                      _random_samples=samples)
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_output_windows_cover_max_of_whole_input_when_output_is_one():
    x = ember.randn(1, 2, 5, 5, dtype=ember.float64)
    y = ember.nn.functional.fractional_max_pool2d(x, 5, output_size=1)
    np.testing.assert_array_equal(y.numpy()[..., 0, 0], x.numpy().max(axis=(2, 3)))


@pytest.mark.parametrize("call,exc,msg", [
    (lambda L, x: L.nn.functional.fractional_max_pool2d(x, 2), ValueError,
     "requires specifying either an output_size or an output_ratio"),
    (lambda L, x: L.nn.functional.fractional_max_pool2d(x, 2, output_size=(7, 6)),
     RuntimeError, "pool height 2 too large relative to input height 7"),
    (lambda L, x: L.nn.functional.fractional_max_pool2d(
        x, 2, output_size=3, _random_samples=L.rand(2, 3, 3, dtype=L.float64)),
     RuntimeError, "Expect _random_samples.size\\(2\\) equals to 2; got 3"),
    (lambda L, x: L.nn.functional.fractional_max_pool2d(
        x, 2, output_size=3, _random_samples=L.rand(1, 3, 2, dtype=L.float64)),
     RuntimeError, "Expect _random_samples.size\\(0\\) no less then input batch size"),
    (lambda L, x: L.nn.functional.fractional_max_pool2d(
        x, 2, output_size=3, _random_samples=L.rand(2, 3, 2)),
     RuntimeError, "Expect _random_samples to have the same dtype as input"),
    (lambda L, x: L.nn.FractionalMaxPool2d(2), ValueError,
     "requires specifying either an output size, or a pooling ratio"),
    (lambda L, x: L.nn.FractionalMaxPool2d(2, output_ratio=1.2), ValueError,
     r"output_ratio must be between 0 and 1 \(got 1.2\)"),
    (lambda L, x: L.nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5), ValueError,
     "only one of output_size and output_ratio may be specified"),
])
def test_fractional_max_pool_errors_match_torch(call, exc, msg):
    for lib in (ember, torch):
        x = lib.zeros((2, 3, 7, 6), dtype=lib.float64)
        with pytest.raises(exc, match=msg):
            call(lib, x)


def test_empty_batch_works_and_empty_feature_dims_raise_like_torch():
    for lib in (ember, torch):
        F = lib.nn.functional
        y = F.fractional_max_pool2d(lib.randn(0, 3, 5, 5), 2, output_size=2)
        assert tuple(y.shape) == (0, 3, 2, 2)
        with pytest.raises(RuntimeError, match=r"non-zero size for non-batch dimensions, but "
                                               r"got\[2, 0, 5, 5\] with dimension 1 being empty"):
            F.fractional_max_pool2d(lib.randn(2, 0, 5, 5), 2, output_size=2)
        with pytest.raises(RuntimeError, match="dimension 2 being empty"):
            F.fractional_max_pool3d(lib.randn(1, 2, 0, 5, 5), 2, output_size=2)


def test_adaptive_max_pool3d_with_indices_matches_torch():
    x = np.random.default_rng(2).standard_normal((2, 2, 5, 4, 6))
    ye, ie = ember.nn.functional.adaptive_max_pool3d_with_indices(ember.tensor(x), (2, 3, 4))
    yt, it = torch.nn.functional.adaptive_max_pool3d_with_indices(torch.tensor(x), (2, 3, 4))
    np.testing.assert_array_equal(ye.numpy(), yt.numpy())
    np.testing.assert_array_equal(ie.numpy(), it.numpy())
