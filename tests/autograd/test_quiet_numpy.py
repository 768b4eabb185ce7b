"""torch returns inf/nan silently; ember's ops must too, even when warnings are errors
(``warnings.simplefilter("error")``, pytest's ``-W error``) — NumPy's own RuntimeWarnings
must never reach the user from an op's forward or backward."""

import math
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def test_overflow_divide_invalid_are_silent_even_as_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = ember.tensor([1000.0])
        assert math.isinf(big.exp().item())
        assert ember.log(ember.tensor(0.0)).item() == -math.inf
        assert math.isnan(ember.sqrt(ember.tensor(-1.0)).item())
        assert (ember.tensor([1.0, 0.0]) / 0).tolist()[0] == math.inf
        x = ember.tensor([0.0, 1.0], requires_grad=True)
        ember.log(x).sum().backward()               # 1/0 in the backward too
        assert x.grad.tolist() == [math.inf, 1.0]


def test_same_values_as_torch():
    vals = np.array([-1.0, 0.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("log", "sqrt", "exp", "reciprocal", "rsqrt"):
            e = getattr(ember, name)(ember.tensor(vals)).numpy()
            t = getattr(torch, name)(torch.tensor(vals)).numpy()
            np.testing.assert_array_equal(e, t, err_msg=name)


def test_numpy_outside_ember_keeps_its_own_error_state():
    ember.log(ember.tensor(0.0))
    with pytest.warns(RuntimeWarning):
        np.log(np.array(0.0))
