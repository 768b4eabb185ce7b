"""Pooling layers vs torch: outputs, indices, gradients, repr."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from tests.nn.test_conv import _np, check_module

torch = pytest.importorskip("torch")

CASES = [
    ("MaxPool1d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 10)),
    ("MaxPool2d", (3, 2, 1), {}, (2, 3, 7, 6)),
    ("MaxPool2d", ((2, 3),), dict(stride=(2, 1), dilation=(2, 1), return_indices=True),
     (2, 3, 7, 6)),
    ("MaxPool2d", (2,), dict(ceil_mode=True), (3, 5, 5)),  # unbatched
    ("MaxPool3d", (2,), dict(stride=1, padding=1), (1, 2, 3, 4, 3)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 9)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 7, 6)),
    ("AvgPool2d", ((2, 3),), dict(divisor_override=4), (2, 3, 6, 6)),
    ("AvgPool3d", (2,), dict(stride=(1, 2, 2), padding=1, count_include_pad=False),
     (1, 2, 3, 4, 5)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (2, 3, 7, 6)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 7, 6)),
    ("AdaptiveAvgPool3d", ((2, 3, 2),), {}, (1, 2, 5, 4, 3)),
    ("AdaptiveMaxPool1d", (4,), dict(return_indices=True), (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, 4),), {}, (2, 3, 7, 6)),
    ("AdaptiveMaxPool3d", (2,), {}, (1, 2, 5, 4, 3)),
    ("LPPool1d", (2, 3), dict(stride=2), (2, 3, 9)),
    ("LPPool2d", (3.0, 2), {}, (2, 3, 6, 6)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_torch(name, args, kwargs, shape):
    check_module(name, args, kwargs, shape, eval_too=False)


@pytest.mark.parametrize("nd", [1, 2])
def test_max_unpool_roundtrip_matches_torch(nd):
    rng = np.random.default_rng(0)
    shape = (2, 3) + (6, 7)[:nd]
    x = rng.standard_normal(shape)
    name = f"MaxPool{nd}d"
    yt, it = getattr(torch.nn, name)(2, return_indices=True)(torch.tensor(x))
    ye, ie = getattr(ember.nn, name)(2, return_indices=True)(ember.tensor(x))
    np.testing.assert_array_equal(_np(ie), _np(it))
    ut, ue = getattr(torch.nn, f"MaxUnpool{nd}d")(2), getattr(ember.nn, f"MaxUnpool{nd}d")(2)
    assert repr(ue) == repr(ut)
    yt.requires_grad_(True)
    ye = ember.tensor(_np(yt), requires_grad=True)
    ot = ut(yt, it, output_size=shape[2:])
    oe = ue(ye, ie, output_size=shape[2:])
    assert tuple(oe.shape) == tuple(ot.shape) == shape
    np.testing.assert_array_equal(_np(oe), _np(ot))
    w = rng.standard_normal(shape)
    (ot * torch.tensor(w)).sum().backward()
    (oe * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(_np(ye.grad), _np(yt.grad))


def test_max_pool_propagates_nan_and_picks_first_max():
    x = np.array([[[1.0, 3.0, 3.0, np.nan, 0.0, 2.0]]])
    yt, it = torch.nn.functional.max_pool1d(torch.tensor(x), 2, return_indices=True)
    ye, ie = ember.nn.functional.max_pool1d(ember.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(_np(ye), _np(yt))
    np.testing.assert_array_equal(_np(ie), _np(it))


def test_pool_errors_match_torch():
    for fn, args in (("max_pool2d", ((1, 3, 2, 2), 3)), ("avg_pool2d", ((1, 3, 5, 5), 3, 1, 2)),
                     ("max_pool2d", ((3,), 2))):
        with pytest.raises(RuntimeError):
            getattr(torch.nn.functional, fn)(torch.ones(args[0]), *args[1:])
        with pytest.raises(RuntimeError):
            getattr(ember.nn.functional, fn)(ember.ones(args[0]), *args[1:])
