"""Normalization layers vs torch: outputs, gradients, running statistics over several
training steps, eval behaviour, repr and state_dict."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from tests.nn.test_conv import _np, check_module, pair

torch = pytest.importorskip("torch")

CASES = [
    ("BatchNorm1d", (3,), {}, (5, 3)),
    ("BatchNorm1d", (3,), dict(momentum=None), (4, 3, 6)),
    ("BatchNorm1d", (3,), dict(affine=False), (4, 3)),
    ("BatchNorm2d", (3,), dict(eps=1e-3, momentum=0.3), (4, 3, 5, 4)),
    ("BatchNorm2d", (3,), dict(bias=False), (4, 3, 5, 4)),
    ("BatchNorm2d", (3,), dict(track_running_stats=False), (4, 3, 5, 4)),
    ("BatchNorm3d", (2,), {}, (2, 2, 3, 4, 3)),
    ("InstanceNorm1d", (3,), {}, (2, 3, 7)),
    ("InstanceNorm1d", (3,), dict(affine=True), (3, 7)),  # unbatched
    ("InstanceNorm2d", (3,), dict(affine=True, track_running_stats=True), (2, 3, 5, 4)),
    ("InstanceNorm3d", (2,), dict(momentum=0.5, track_running_stats=True), (2, 2, 3, 4, 3)),
    ("LayerNorm", (4,), {}, (2, 3, 4)),
    ("LayerNorm", ((3, 4),), dict(eps=1e-3, bias=False), (2, 3, 4)),
    ("LayerNorm", ([4],), dict(elementwise_affine=False), (5, 4)),
    ("GroupNorm", (2, 6), {}, (3, 6, 4, 2)),
    ("GroupNorm", (3, 6), dict(affine=False), (3, 6, 5)),
    ("GroupNorm", (1, 4), dict(bias=False), (2, 4)),
    ("RMSNorm", (4,), {}, (2, 3, 4)),
    ("RMSNorm", ((3, 4),), dict(eps=1e-4, elementwise_affine=False), (2, 3, 4)),
    ("LocalResponseNorm", (3,), dict(alpha=0.1, k=2.0), (2, 5, 4, 3)),
    ("LocalResponseNorm", (2,), {}, (2, 5, 4)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_torch_train_and_eval(name, args, kwargs, shape):
    check_module(name, args, kwargs, shape, steps=3, eval_too=True)


def test_batchnorm_num_batches_tracked_and_cumulative_average():
    e, t = pair("BatchNorm1d", 2, momentum=None)
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal((6, 2)) * (i + 1) + i for i in range(4)]
    for x in xs:
        t(torch.tensor(x))
        e(ember.tensor(x))
    assert int(e.num_batches_tracked.item()) == 4
    assert e.num_batches_tracked.dtype == ember.int64
    # cumulative average of the batch means and unbiased variances (the first batch has
    # factor 1, so the initial statistics drop out)
    np.testing.assert_allclose(_np(e.running_mean), np.mean([x.mean(0) for x in xs], 0))
    np.testing.assert_allclose(_np(e.running_var), np.mean([x.var(0, ddof=1) for x in xs], 0))
    np.testing.assert_allclose(_np(e.running_var), _np(t.running_var))


def test_batchnorm_errors():
    m = ember.nn.BatchNorm2d(3)
    with pytest.raises(ValueError, match="expected 4D input"):
        m(ember.ones(2, 3, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        ember.nn.BatchNorm1d(3)(ember.ones(1, 3))
    with pytest.raises(ValueError):
        ember.nn.GroupNorm(4, 6)
    m.eval()
    out = m(ember.ones(1, 3, 2, 2))  # eval mode uses running stats: one sample is fine
    np.testing.assert_allclose(_np(out), np.ones((1, 3, 2, 2)) / np.sqrt(1 + 1e-5), rtol=1e-6)


def test_load_state_dict_without_num_batches_tracked():
    e = ember.nn.BatchNorm1d(2)
    sd = {k: v for k, v in e.state_dict().items() if k != "num_batches_tracked"}
    e.load_state_dict(sd)
    assert int(e.num_batches_tracked.item()) == 0
