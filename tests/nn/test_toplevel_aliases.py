"""torch's top-level aliases of nn.functional ops (torch.conv2d, torch.softmax, ...)."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 8, 8))
W = RNG.standard_normal((4, 3, 3, 3))

CASES = [
    ("conv2d", lambda lib: lib.conv2d(lib.tensor(X), lib.tensor(W), None, 1, 1)),
    ("softmax", lambda lib: lib.softmax(lib.tensor(X), 1)),
    ("log_softmax", lambda lib: lib.log_softmax(lib.tensor(X), -1)),
    ("max_pool2d", lambda lib: lib.max_pool2d(lib.tensor(X), 2)),
    ("avg_pool1d", lambda lib: lib.avg_pool1d(lib.tensor(X[0]), 2)),
    ("layer_norm", lambda lib: lib.layer_norm(lib.tensor(X), (8,))),
    ("group_norm", lambda lib: lib.group_norm(lib.tensor(X), 3)),
    ("pixel_shuffle", lambda lib: lib.pixel_shuffle(lib.tensor(X[:, :1].repeat(4, 1)), 2)),
    ("selu", lambda lib: lib.selu(lib.tensor(X))),
    ("threshold", lambda lib: lib.threshold(lib.tensor(X), 0.1, 20.0)),
    ("cosine_similarity", lambda lib: lib.cosine_similarity(lib.tensor(X), lib.tensor(-X))),
    ("dropout_eval", lambda lib: lib.dropout(lib.tensor(X), 0.5, False)),
]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_toplevel_alias_matches_torch(name, fn):
    e, t = fn(ember), fn(torch)
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-10, atol=1e-12)
