"""Padding layers vs torch: outputs, input gradients, repr, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

KINDS = ["ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad"]
PADS = {1: (2, 1), 2: (1, 2, 0, 1), 3: (1, 0, 1, 1, 0, 2)}


def _make(lib, kind, nd, padding):
    cls = getattr(lib.nn, f"{kind}{nd}d")
    return cls(padding, 1.5) if kind == "ConstantPad" else cls(padding)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("batched", [True, False])
def test_padding_matches_torch(kind, nd, batched):
    rng = np.random.default_rng(nd)
    shape = ((2,) if batched else ()) + (3,) + (4, 3, 5)[:nd]
    x = rng.standard_normal(shape)
    for padding in (PADS[nd], 1):
        e_mod, t_mod = _make(ember, kind, nd, padding), _make(torch, kind, nd, padding)
        assert repr(e_mod) == repr(t_mod)
        assert e_mod.padding == t_mod.padding
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = e_mod(xe), t_mod(xt)
        np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
        w = rng.standard_normal(tuple(yt.shape))
        (ye * ember.tensor(w)).sum().backward()
        (yt * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-12)
        assert e_mod.state_dict() == {} and t_mod.state_dict() == {}


def test_negative_constant_padding_crops_like_torch():
    x = np.arange(20.0).reshape(1, 4, 5)
    ye = ember.nn.ZeroPad1d((-1, 2))(ember.tensor(x))
    yt = torch.nn.ZeroPad1d((-1, 2))(torch.tensor(x))
    np.testing.assert_array_equal(ye.numpy(), yt.numpy())


def test_reflection_pad_too_large_raises():
    x = ember.randn(1, 2, 3)
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        ember.nn.ReflectionPad1d(3)(x)
    with pytest.raises(RuntimeError):
        torch.nn.ReflectionPad1d(3)(torch.randn(1, 2, 3))


def test_circular_pad_wrong_rank_raises_value_error():
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        ember.nn.CircularPad2d(1)(ember.randn(3, 4))
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        torch.nn.CircularPad2d(1)(torch.randn(3, 4))


@pytest.mark.parametrize("kind", ["CircularPad2d", "ReplicationPad2d", "ReflectionPad2d",
                                  "ZeroPad2d"])
def test_negative_padding_crops_like_torch(kind):
    x = np.arange(24.0).reshape(1, 2, 3, 4)
    padding = (-1, 2, 1, -1) if kind != "ReflectionPad2d" else (-1, 2, 1, 0)
    ye = getattr(ember.nn, kind)(padding)(ember.tensor(x))
    yt = getattr(torch.nn, kind)(padding)(torch.tensor(x))
    assert tuple(ye.shape) == tuple(yt.shape)
    np.testing.assert_array_equal(ye.numpy(), yt.numpy())
