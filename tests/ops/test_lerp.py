"""lerp uses torch's two-sided formula: weights >= 0.5 interpolate from ``end``, so weight
1 returns ``end`` exactly (the one-sided ``a + w*(b-a)`` does not, in floating point)."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("weight", [0.0, 0.25, 0.5, 0.75, 1.0, -0.5, 1.5])
def test_lerp_scalar_and_tensor_weight_match_torch(weight):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(500).astype(np.float32) * 1e3 for _ in range(2))
    w = np.full(500, weight, dtype=np.float32)
    for wt_e, wt_t in ((weight, weight), (ember.tensor(w), torch.tensor(w))):
        e = ember.lerp(ember.tensor(a), ember.tensor(b), wt_e).numpy()
        t = torch.lerp(torch.tensor(a), torch.tensor(b), wt_t).numpy()
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-3)
        if weight == 1.0:
            assert np.array_equal(e, b)      # exact, like torch
        if weight == 0.0:
            assert np.array_equal(e, a)
