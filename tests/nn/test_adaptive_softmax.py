"""AdaptiveLogSoftmaxWithLoss vs torch with the same weights: forward output and loss,
gradients of input and every parameter, log_prob, predict, repr/state_dict, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(*args, **kwargs):
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs).double()
    e = ember.nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs).double()
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return e, t


CONFIGS = [((8, 10, [4, 8]), {}), ((16, 20, [3, 9, 15]), {"div_value": 2.0, "head_bias": True}),
           ((6, 5, [2]), {"div_value": 1.0})]


@pytest.mark.parametrize("args,kwargs", CONFIGS)
def test_forward_and_gradients_match_torch(args, kwargs):
    rng = np.random.default_rng(args[1])
    e_mod, t_mod = _pair(*args, **kwargs)
    assert repr(e_mod) == repr(t_mod)
    e_sd, t_sd = e_mod.state_dict(), t_mod.state_dict()
    assert list(e_sd) == list(t_sd)
    assert all(tuple(e_sd[k].shape) == tuple(t_sd[k].shape) for k in t_sd)
    assert e_mod.cutoffs == t_mod.cutoffs and e_mod.head_size == t_mod.head_size
    x = rng.standard_normal((7, args[0]))
    target = rng.integers(0, args[1], 7)
    target[:2] = [0, args[1] - 1]  # shortlist and last cluster both present
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oe, ot = e_mod(xe, ember.tensor(target)), t_mod(xt, torch.tensor(target))
    assert type(oe).__name__ == "_ASMoutput" and oe._fields == ("output", "loss")
    np.testing.assert_allclose(oe.output.detach().numpy(), ot.output.detach().numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(oe.loss.item(), ot.loss.item(), atol=1e-12)
    (oe.loss + oe.output[1]).backward()
    (ot.loss + ot.output[1]).backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-12)
    for (n, pe), (_, pt) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), atol=1e-12, err_msg=n)
    lpe, lpt = e_mod.log_prob(ember.tensor(x)), t_mod.log_prob(torch.tensor(x))
    np.testing.assert_allclose(lpe.detach().numpy(), lpt.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(np.exp(lpe.detach().numpy()).sum(1), 1.0, atol=1e-12)
    xb = rng.standard_normal((40, args[0])) * 3
    np.testing.assert_array_equal(e_mod.predict(ember.tensor(xb)).numpy(),
                                  t_mod.predict(torch.tensor(xb)).numpy())


def test_unbatched_forward_matches_torch():
    e_mod, t_mod = _pair(8, 10, [4, 8])
    x = np.random.default_rng(0).standard_normal(8)
    oe = e_mod(ember.tensor(x), ember.tensor(5))
    ot = t_mod(torch.tensor(x), torch.tensor(5))
    assert tuple(oe.output.shape) == () == tuple(ot.output.shape)
    np.testing.assert_allclose(oe.output.item(), ot.output.item(), atol=1e-12)


def test_predict_covers_all_branches():
    e_mod, t_mod = _pair(4, 6, [2])
    for bias in (10.0, -10.0):  # all rows to the shortlist, then all to the cluster
        with torch.no_grad():
            t_mod.head.weight.zero_()
            t_mod.head.weight[2].fill_(bias)
        e_mod.load_state_dict({k: ember.tensor(v.detach().numpy())
                               for k, v in t_mod.state_dict().items()})
        x = np.abs(np.random.default_rng(1).standard_normal((5, 4)))
        np.testing.assert_array_equal(e_mod.predict(ember.tensor(x)).numpy(),
                                      t_mod.predict(torch.tensor(x)).numpy())


@pytest.mark.parametrize("xshape,target,msg", [
    ((3, 8), [0, 5, 12], r"Target values should be in \[0, 9\], but values in range \[0, 12\]"),
    ((3, 8), [0, 5, -1], r"Target values should be in \[0, 9\], but values in range \[-1, 5\]"),
    ((3, 8), [[0]], "0D or 1D target tensor expected, multi-target not supported"),
    ((8,), [1, 2], "Input and target should have the same size in the batch dimension"),
    ((3, 8), 1, "0D target tensor expects 1D input tensors"),
    ((3, 8), [1, 2], "Input and target should have the same size in the batch dimension"),
])
def test_forward_errors_match_torch(xshape, target, msg):
    for lib in (ember, torch):
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 8])
        with pytest.raises(RuntimeError, match=msg):
            m(lib.zeros(xshape), lib.tensor(target))


@pytest.mark.parametrize("cutoffs", [[4, 4], [4, 10], [0, 3], [5, 3]])
def test_bad_cutoffs_raise_value_error(cutoffs):
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="cutoffs should be a sequence of unique, positive"):
            lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs)
