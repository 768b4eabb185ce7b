"""LinearCrossEntropyLoss / F.linear_cross_entropy (torch 2.13) vs torch: loss and
gradients for class-index and probability targets, K-dimensional logits, options."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(*args, **kwargs):
    t = torch.nn.LinearCrossEntropyLoss(*args, dtype=torch.float64, **kwargs)
    ekw = {k: (ember.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v)
           for k, v in kwargs.items()}
    e = ember.nn.LinearCrossEntropyLoss(*args, dtype=ember.float64, **ekw)
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return e, t


CASES = [
    ({}, (5, 4), "index"),
    ({"bias": True, "reduction": "sum", "label_smoothing": 0.2}, (5, 4), "index"),
    ({"ignore_index": 2, "weight": torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0],
                                                dtype=torch.float64)}, (6, 4), "index"),
    ({"out_features": (3,), "bias": True, "reduction": "none"}, (2, 4), "kdim"),
    ({"label_smoothing": 0.1}, (3, 4), "probs"),
    ({}, (4,), "scalar"),
]


@pytest.mark.parametrize("kwargs,xshape,kind", CASES)
def test_linear_cross_entropy_matches_torch(kwargs, xshape, kind):
    rng = np.random.default_rng(len(kwargs))
    e_mod, t_mod = _pair(4, 5, **kwargs)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    x = rng.standard_normal(xshape)
    if kind == "probs":
        target = rng.dirichlet(np.ones(5), size=xshape[0])
    elif kind == "kdim":
        target = rng.integers(0, 5, (xshape[0], 3))
    elif kind == "scalar":
        target = np.array(3)
    else:
        target = rng.integers(0, 5, xshape[0])
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    le, lt = e_mod(xe, ember.tensor(target)), t_mod(xt, torch.tensor(target))
    assert tuple(le.shape) == tuple(lt.shape)
    np.testing.assert_allclose(le.detach().numpy(), lt.detach().numpy(), atol=1e-12)
    le.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-12)
    for (n, pe), (_, pt) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), atol=1e-12, err_msg=n)


def test_options_are_accepted_and_do_not_change_the_loss():
    e_plain, _ = _pair(4, 5)
    opts = ember.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
    assert repr(opts) == repr(torch.nn.LinearCrossEntropyOptions(batch_chunk_size=2))
    x = ember.randn(6, 4, dtype=ember.float64)
    t = ember.tensor([0, 1, 2, 3, 4, 0])
    w = e_plain.linear.weight
    a = ember.nn.functional.linear_cross_entropy(x, w, t)
    b = ember.nn.functional.linear_cross_entropy(x, w, t, options=opts)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_linear_cross_entropy_errors_match_torch():
    for lib in (ember, torch):
        F = lib.nn.functional
        with pytest.raises(RuntimeError, match="expected equal input and linear_weight last "
                                               "dimensions"):
            F.linear_cross_entropy(lib.zeros(3, 4), lib.zeros(5, 3), lib.tensor([1, 2, 3]))
        with pytest.raises(RuntimeError, match="ignore_index cannot be specified when target "
                                               "contains probabilities"):
            F.linear_cross_entropy(lib.zeros(3, 4), lib.zeros(5, 4), lib.zeros(3, 5),
                                   ignore_index=1)
