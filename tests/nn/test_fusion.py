"""nn.utils.fusion (conv/linear + BatchNorm folding) and the deprecated nn.init aliases
eye/dirac, compared with torch."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(name, *args, **kwargs):
    t = getattr(torch.nn, name)(*args, **kwargs).double()
    e = getattr(ember.nn, name)(*args, **kwargs).double()
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return e, t


def _trained_bn(name, c, shape, rng):
    """A BatchNorm pair with non-trivial affine params and running stats, in eval mode."""
    e, t = _pair(name, c)
    with torch.no_grad():
        t.weight.copy_(torch.tensor(rng.uniform(0.5, 2, c)))
        t.bias.copy_(torch.tensor(rng.standard_normal(c)))
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    x = rng.standard_normal(shape)
    e(ember.tensor(x))
    t(torch.tensor(x))
    return e.eval(), t.eval()


@pytest.mark.parametrize("conv,bn,args,shape,transpose", [
    ("Conv2d", "BatchNorm2d", (2, 3, 3), (2, 2, 5, 5), False),
    ("Conv1d", "BatchNorm1d", (2, 4, 2), (3, 2, 6), False),
    ("ConvTranspose2d", "BatchNorm2d", (2, 3, 2), (2, 2, 4, 4), True),
])
def test_fuse_conv_bn_eval_matches_torch_and_unfused(conv, bn, args, shape, transpose):
    rng = np.random.default_rng(0)
    ce, ct = _pair(conv, *args)
    ce.eval(), ct.eval()
    x = rng.standard_normal(shape)
    bshape = (4,) + ct(torch.tensor(x)).shape[1:]
    be, bt = _trained_bn(bn, args[1], bshape, rng)
    fe = ember.nn.utils.fuse_conv_bn_eval(ce, be, transpose=transpose)
    ft = torch.nn.utils.fuse_conv_bn_eval(ct, bt, transpose=transpose)
    assert fe is not ce and isinstance(fe.weight, ember.nn.Parameter)
    np.testing.assert_allclose(fe.weight.detach().numpy(), ft.weight.detach().numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(fe.bias.detach().numpy(), ft.bias.detach().numpy(), rtol=1e-12,
                               atol=1e-14)
    unfused = be(ce(ember.tensor(x))).detach().numpy()
    np.testing.assert_allclose(fe(ember.tensor(x)).detach().numpy(), unfused, atol=1e-12)


def test_fuse_linear_bn_eval_matches_torch():
    rng = np.random.default_rng(1)
    le, lt = _pair("Linear", 3, 4)
    le.eval(), lt.eval()
    be, bt = _trained_bn("BatchNorm1d", 4, (5, 4), rng)
    fe = ember.nn.utils.fuse_linear_bn_eval(le, be)
    ft = torch.nn.utils.fuse_linear_bn_eval(lt, bt)
    np.testing.assert_allclose(fe.weight.detach().numpy(), ft.weight.detach().numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(fe.bias.detach().numpy(), ft.bias.detach().numpy(), rtol=1e-12)
    w, b = ember.nn.utils.fusion.fuse_linear_bn_weights(
        le.weight, None, be.running_mean, be.running_var, be.eps, be.weight, be.bias)
    wt, bt2 = torch.nn.utils.fusion.fuse_linear_bn_weights(
        lt.weight, None, bt.running_mean, bt.running_var, bt.eps, bt.weight, bt.bias)
    np.testing.assert_allclose(b.detach().numpy(), bt2.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("make,msg", [
    (lambda L: (L.nn.Conv2d(2, 3, 1), L.nn.BatchNorm2d(3), L.nn.utils.fuse_conv_bn_eval),
     "Fusion only for eval!"),
    (lambda L: (L.nn.Conv2d(2, 3, 1).eval(),
                L.nn.BatchNorm2d(3, track_running_stats=False).eval(),
                L.nn.utils.fuse_conv_bn_eval),
     "bn.running_mean and bn.running_var must not be None"),
    (lambda L: (L.nn.Linear(2, 3).eval(), L.nn.BatchNorm1d(4).eval(),
                L.nn.utils.fuse_linear_bn_eval),
     "linear.out_features=3 and bn.num_features=4"),
])
def test_fusion_errors_match_torch(make, msg):
    for lib in (ember, torch):
        m, bn, fn = make(lib)
        with pytest.raises(AssertionError, match=msg):
            fn(m, bn)


@pytest.mark.parametrize("shape,groups", [((4, 2, 3), 1), ((6, 3, 3, 3), 2),
                                          ((4, 4, 1, 2, 3), 4), ((3, 5, 2), 1)])
def test_dirac_and_deprecated_aliases_match_torch(shape, groups):
    te, ee = torch.empty(shape), ember.empty(shape)
    torch.nn.init.dirac_(te, groups)
    ember.nn.init.dirac_(ee, groups)
    np.testing.assert_array_equal(ee.numpy(), te.numpy())
    e2 = ember.empty(shape)
    with pytest.warns(FutureWarning, match="`nn.init.dirac` is now deprecated in favor of "
                                           "`nn.init.dirac_`"):
        ember.nn.init.dirac(e2, groups)
    np.testing.assert_array_equal(e2.numpy(), te.numpy())
    e3 = ember.empty(3, 4)
    with pytest.warns(FutureWarning, match="`nn.init.eye` is now deprecated"):
        ember.nn.init.eye(e3)
    np.testing.assert_array_equal(e3.numpy(), np.eye(3, 4))
