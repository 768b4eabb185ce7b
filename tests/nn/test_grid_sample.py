"""F.grid_sample / F.affine_grid / F.channel_shuffle vs torch: values, gradients w.r.t.
input and grid (theta), and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
EF, TF = ember.nn.functional, torch.nn.functional


def _run(fn_e, fn_t, arrays, rng, **kw):
    """Call both frameworks on float64 copies of ``arrays``; return (ember, torch) outputs
    and input gradients for a random output weighting."""
    es = [ember.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    ye, yt = fn_e(*es, **kw), fn_t(*ts, **kw)
    w = rng.standard_normal(tuple(yt.shape))
    (ye * ember.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    return ye, yt, [e.grad for e in es], [t.grad for t in ts]


CASES = [(nd, m, p, a) for nd in (2, 3) for m in ("bilinear", "nearest", "bicubic")
         for p in ("zeros", "border", "reflection") for a in (False, True)
         if not (nd == 3 and m == "bicubic")]


@pytest.mark.parametrize("nd,mode,padding_mode,align_corners", CASES)
def test_grid_sample_matches_torch(nd, mode, padding_mode, align_corners):
    rng = np.random.default_rng(hash((nd, mode, padding_mode, align_corners)) % 2**32)
    x = rng.standard_normal((2, 3, 4, 5) if nd == 2 else (2, 2, 3, 4, 3))
    # grid reaches beyond [-1, 1] so every padding rule is exercised
    grid = rng.uniform(-1.4, 1.4, (2, 3, 4, 2) if nd == 2 else (2, 2, 3, 2, 3))
    ye, yt, ge, gt = _run(EF.grid_sample, TF.grid_sample, [x, grid], rng, mode=mode,
                          padding_mode=padding_mode, align_corners=align_corners)
    assert tuple(ye.shape) == tuple(yt.shape)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), atol=1e-12)
    for e, t in zip(ge, gt):
        np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-11)


def test_grid_sample_default_align_corners_warns_and_is_false():
    x, g = ember.randn(1, 1, 3, 3), ember.rand(1, 2, 2, 2) * 2 - 1
    with pytest.warns(UserWarning, match="align_corners=False"):
        y = EF.grid_sample(x, g)
    np.testing.assert_array_equal(y.numpy(), EF.grid_sample(x, g, align_corners=False).numpy())


@pytest.mark.parametrize("make,exc,msg", [
    (lambda L: (L.randn(1, 2, 3, 4), L.rand(1, 2, 2, 2), {"mode": "foo"}), ValueError,
     "expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'foo'"),
    (lambda L: (L.randn(1, 2, 3, 4), L.rand(1, 2, 2, 2), {"padding_mode": "x"}), ValueError,
     "expected padding_mode to be 'zeros', 'border', or 'reflection'"),
    (lambda L: (L.randn(1, 2, 3, 4), L.rand(1, 2, 2, 3), {}), RuntimeError,
     r"expected grid to have size 2 in last dimension, but got grid with sizes \[1, 2, 2, 3\]"),
    (lambda L: (L.randn(1, 2, 3, 4), L.rand(2, 2, 2, 2), {}), RuntimeError,
     "expected grid and input to have same batch size"),
    (lambda L: (L.randn(1, 2, 3, 4, 5), L.rand(1, 2, 2, 2, 3), {"mode": "bicubic"}),
     RuntimeError, "bicubic interpolation only supports 4D input"),
])
def test_grid_sample_errors_match_torch(make, exc, msg):
    for lib, fn in ((ember, EF.grid_sample), (torch, TF.grid_sample)):
        x, g, kw = make(lib)
        with pytest.raises(exc, match=msg):
            fn(x, g, align_corners=False, **kw)


@pytest.mark.parametrize("size,align_corners", [((2, 3, 4, 5), False), ((2, 3, 4, 5), True),
                                                ((2, 1, 3, 4, 2), False),
                                                ((2, 1, 2, 3, 4), True)])
def test_affine_grid_matches_torch(size, align_corners):
    rng = np.random.default_rng(len(size))
    nd = len(size) - 2
    theta = rng.standard_normal((2, nd, nd + 1))
    ye, yt, ge, gt = _run(lambda t: EF.affine_grid(t, size, align_corners),
                          lambda t: TF.affine_grid(t, size, align_corners), [theta], rng)
    assert tuple(ye.shape) == tuple(yt.shape) == (size[0],) + size[2:] + (nd,)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), atol=1e-13)
    np.testing.assert_allclose(ge[0].numpy(), gt[0].numpy(), atol=1e-12)


def test_affine_grid_then_grid_sample_identity_reproduces_input():
    x = ember.randn(1, 2, 4, 5, dtype=ember.float64)
    theta = ember.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], dtype=ember.float64)
    grid = EF.affine_grid(theta, (1, 2, 4, 5), align_corners=False)
    y = EF.grid_sample(x, grid, align_corners=False)
    np.testing.assert_allclose(y.numpy(), x.numpy(), atol=1e-12)


@pytest.mark.parametrize("theta_shape,size,exc,msg", [
    ((1, 2, 3), (1, 2, 3), NotImplementedError, "only supports 4D and 5D sizes"),
    ((1, 3, 3), (1, 2, 3, 4), ValueError, "Expected a batch of 2D affine matrices of shape "
                                          "Nx2x3 for size"),
])
def test_affine_grid_errors_match_torch(theta_shape, size, exc, msg):
    for lib in (ember, torch):
        with pytest.raises(exc, match=msg):
            lib.nn.functional.affine_grid(lib.zeros(theta_shape), size, align_corners=False)
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="Expected theta to have floating point type"):
            lib.nn.functional.affine_grid(lib.zeros((1, 2, 3), dtype=lib.int32), (1, 1, 2, 2),
                                          align_corners=False)


@pytest.mark.parametrize("shape,groups", [((2, 6, 3), 2), ((1, 6, 2, 2), 3), ((2, 4, 1, 2, 2), 4)])
def test_channel_shuffle_matches_torch(shape, groups):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    ye, yt, ge, gt = _run(EF.channel_shuffle, TF.channel_shuffle, [x], rng, groups=groups)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(ge[0].numpy(), gt[0].numpy())
    np.testing.assert_array_equal(EF.native_channel_shuffle(ember.tensor(x), groups).numpy(),
                                  yt.detach().numpy())
    e_mod, t_mod = ember.nn.ChannelShuffle(groups), torch.nn.ChannelShuffle(groups)
    assert repr(e_mod) == repr(t_mod) == f"ChannelShuffle(groups={groups})"
    np.testing.assert_array_equal(e_mod(ember.tensor(x)).numpy(), t_mod(torch.tensor(x)).numpy())


@pytest.mark.parametrize("shape,groups,msg", [
    ((2, 6), 2, r"channel_shuffle expects input with > 2 dims, but got input with sizes \[2, 6\]"),
    ((2, 6, 3), 0, "Number of groups to divide channels in must be positive. Value of groups:0"),
    ((2, 6, 3), 4, "Number of channels must be divisible by groups. Got 6 channels and 4 groups"),
])
def test_channel_shuffle_errors_match_torch(shape, groups, msg):
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match=msg):
            lib.nn.functional.channel_shuffle(lib.zeros(shape), groups)


def test_native_channel_shuffle_has_no_derivative_like_torch():
    for lib in (ember, torch):
        x = lib.ones((1, 4, 2), requires_grad=True)
        y = lib.nn.functional.native_channel_shuffle(x, 2)
        with pytest.raises(RuntimeError, match="derivative for aten::native_channel_shuffle "
                                               "is not implemented"):
            y.sum().backward()


def test_top_level_aliases_match_torch():
    rng = np.random.default_rng(3)
    x, g = rng.standard_normal((1, 2, 3, 4)), rng.uniform(-1, 1, (1, 2, 2, 2))
    for interp in range(3):
        for pad in range(3):
            ye = ember.grid_sampler(ember.tensor(x), ember.tensor(g), interp, pad, True)
            yt = torch.grid_sampler(torch.tensor(x), torch.tensor(g), interp, pad, True)
            np.testing.assert_allclose(ye.numpy(), yt.numpy(), atol=1e-12)
    ye = ember.grid_sampler_2d(ember.tensor(x), ember.tensor(g), 0, 0, False)
    yt = torch.grid_sampler_2d(torch.tensor(x), torch.tensor(g), 0, 0, False)
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), atol=1e-12)
    theta = rng.standard_normal((1, 3, 4))
    ge = ember.affine_grid_generator(ember.tensor(theta), (1, 1, 2, 3, 2), False)
    gt = torch.affine_grid_generator(torch.tensor(theta), (1, 1, 2, 3, 2), False)
    np.testing.assert_allclose(ge.numpy(), gt.numpy(), atol=1e-12)
    y3 = ember.grid_sampler_3d(ember.tensor(rng.standard_normal((1, 1, 2, 3, 2))), ge, 1, 1,
                               False)
    assert tuple(y3.shape) == (1, 1, 2, 3, 2)
    xs = rng.standard_normal((2, 6, 2))
    np.testing.assert_array_equal(ember.channel_shuffle(ember.tensor(xs), 3).numpy(),
                                  torch.channel_shuffle(torch.tensor(xs), 3).numpy())
    np.testing.assert_array_equal(ember.native_channel_shuffle(ember.tensor(xs), 2).numpy(),
                                  torch.native_channel_shuffle(torch.tensor(xs), 2).numpy())
    xt = rng.standard_normal((5, 2, 3))
    w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal(4)
    np.testing.assert_allclose(
        ember.conv_tbc(ember.tensor(xt), ember.tensor(w), ember.tensor(b), 1).numpy(),
        torch.conv_tbc(torch.tensor(xt), torch.tensor(w), torch.tensor(b), 1).numpy(),
        atol=1e-12)


def test_grid_sample_empty_batch_grid_and_channels_like_torch():
    for lib in (ember, torch):
        F = lib.nn.functional
        assert tuple(F.grid_sample(lib.randn(2, 3, 4, 4), lib.zeros(2, 0, 3, 2),
                                   align_corners=False).shape) == (2, 3, 0, 3)
        assert tuple(F.grid_sample(lib.randn(0, 3, 4, 4), lib.zeros(0, 2, 3, 2),
                                   align_corners=False).shape) == (0, 3, 2, 3)
        assert tuple(F.grid_sample(lib.randn(1, 0, 4, 4), lib.zeros(1, 2, 3, 2), mode="bicubic",
                                   align_corners=False).shape) == (1, 0, 2, 3)
        with pytest.raises(RuntimeError, match=r"non-empty spatial dimensions, but input has "
                                               r"sizes \[1, 3, 0, 4\] with dimension 2"):
            F.grid_sample(lib.randn(1, 3, 0, 4), lib.zeros(1, 2, 3, 2), align_corners=False)
