"""LazyBatchNorm*/LazyInstanceNorm*, SyncBatchNorm (single process), CrossMapLRN2d and
DataParallel vs torch."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

LAZY = [("LazyBatchNorm1d", (4, 3, 5)), ("LazyBatchNorm2d", (2, 3, 4, 4)),
        ("LazyBatchNorm3d", (2, 3, 2, 2, 3)), ("LazyInstanceNorm1d", (2, 3, 5)),
        ("LazyInstanceNorm2d", (2, 3, 4, 4)), ("LazyInstanceNorm3d", (2, 3, 2, 3, 2))]


@pytest.mark.parametrize("name,shape", LAZY)
@pytest.mark.parametrize("affine", [True, False])
def test_lazy_norm_materializes_like_torch(name, shape, affine):
    e_mod = getattr(ember.nn, name)(affine=affine, dtype=ember.float64)
    t_mod = getattr(torch.nn, name)(affine=affine, dtype=torch.float64)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert e_mod.has_uninitialized_params()
    x = np.random.default_rng(0).standard_normal(shape)
    for _ in range(2):
        ye, yt = e_mod(ember.tensor(x)), t_mod(torch.tensor(x))
        np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), atol=1e-12)
    assert type(e_mod).__name__ == type(t_mod).__name__ == name[4:]
    assert repr(e_mod) == repr(t_mod)
    for (k, ve), (_, vt) in zip(e_mod.state_dict().items(), t_mod.state_dict().items()):
        np.testing.assert_allclose(ve.numpy(), vt.numpy(), atol=1e-12, err_msg=k)


def test_lazy_batchnorm_loads_state_dict_into_placeholders():
    src = torch.nn.BatchNorm1d(4).double()
    src.running_mean.fill_(0.5)
    e_mod = ember.nn.LazyBatchNorm1d()
    e_mod.load_state_dict({k: ember.tensor(v.numpy()) for k, v in src.state_dict().items()})
    assert tuple(e_mod.running_mean.shape) == (4,)
    np.testing.assert_array_equal(e_mod.running_mean.numpy(), np.full(4, 0.5))


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 2, 2), (2, 3, 2, 1, 2)])
def test_sync_batchnorm_single_process_is_batchnorm(shape):
    rng = np.random.default_rng(1)
    e_mod = ember.nn.SyncBatchNorm(3, momentum=0.3).double()
    t_mod = torch.nn.SyncBatchNorm(3, momentum=0.3).double()
    assert repr(e_mod) == repr(t_mod)
    for train in (True, True, False):
        e_mod.train(train), t_mod.train(train)
        x = rng.standard_normal(shape)
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = e_mod(xe), t_mod(xt)
        np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), atol=1e-12)
        ye.pow(2).sum().backward()
        yt.pow(2).sum().backward()
        np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(e_mod.running_var.numpy(), t_mod.running_var.numpy())
    np.testing.assert_allclose(e_mod.weight.grad.numpy(), t_mod.weight.grad.numpy(), atol=1e-10)


def test_sync_batchnorm_errors():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match=r"expected at least 2D input \(got 1D input\)"):
            lib.nn.SyncBatchNorm(3)(lib.zeros(3))
    with pytest.raises(NotImplementedError, match="no torch.distributed"):
        ember.nn.SyncBatchNorm(3, process_group=object())
    with pytest.raises(NotImplementedError, match="process_group"):
        ember.nn.SyncBatchNorm.convert_sync_batchnorm(ember.nn.BatchNorm1d(2), object())


def test_convert_sync_batchnorm_shares_state_like_torch():
    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(2, 3, 1), lib.nn.BatchNorm2d(3),
                                 lib.nn.Sequential(lib.nn.BatchNorm1d(3, affine=False)))
    te, tt = build(ember), build(torch)
    tt[1].eval(), te[1].eval()
    se = ember.nn.SyncBatchNorm.convert_sync_batchnorm(te)
    st = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tt)
    assert repr(se) == repr(st)
    assert se[1].weight is te[1].weight and se[1].running_mean is te[1].running_mean
    assert se[1].training is False and se[2][0].training is True
    assert isinstance(se[2][0], ember.nn.SyncBatchNorm)
    assert list(se.state_dict()) == list(st.state_dict())


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_cross_map_lrn2d_forward_matches_torch(size):
    x = np.random.default_rng(size).standard_normal((2, 7, 3, 3))
    e_mod = ember.nn.CrossMapLRN2d(size, alpha=0.3, beta=0.6, k=1.5)
    t_mod = torch.nn.CrossMapLRN2d(size, alpha=0.3, beta=0.6, k=1.5)
    assert repr(e_mod) == repr(t_mod)
    np.testing.assert_allclose(e_mod(ember.tensor(x)).numpy(), t_mod(torch.tensor(x)).numpy(),
                               atol=1e-13)


def test_cross_map_lrn2d_gradient_is_exact_and_errors_match():
    # torch's hand-written backward fails its own gradcheck near channel 0; ember's is the
    # exact derivative of the (torch-equal) forward
    x = ember.tensor(np.random.default_rng(0).standard_normal((1, 5, 2, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.nn.CrossMapLRN2d(3, 0.3, 0.6, 1.5)(t), (x,))
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="CrossMapLRN2d: Expected input to be 4D, got 3D"):
            lib.nn.CrossMapLRN2d(3)(lib.zeros(5, 3, 3))


def test_data_parallel_wraps_module_like_torch():
    t_mod = torch.nn.DataParallel(torch.nn.Linear(2, 3).double())
    e_mod = ember.nn.DataParallel(ember.nn.Linear(2, 3).double())
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy())
                           for k, v in t_mod.state_dict().items()})
    assert list(e_mod.state_dict()) == list(t_mod.state_dict()) == ["module.weight",
                                                                     "module.bias"]
    assert repr(e_mod) == repr(t_mod)
    assert isinstance(e_mod.module, ember.nn.Linear)
    x = np.random.default_rng(0).standard_normal((4, 2))
    np.testing.assert_allclose(e_mod(ember.tensor(x)).detach().numpy(),
                               t_mod(torch.tensor(x)).detach().numpy(), atol=1e-13)
    y = ember.nn.parallel.data_parallel(e_mod.module, ember.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), t_mod(torch.tensor(x)).detach().numpy(),
                               atol=1e-13)
    assert e_mod.device_ids == t_mod.device_ids == []


def test_lazy_buffers_stay_placeholders_through_module_casts():
    # Module._apply used to replace a lazy buffer by a plain tensor, so .double() before
    # the first forward broke materialization
    e_mod = ember.nn.LazyBatchNorm1d().double()
    t_mod = torch.nn.LazyBatchNorm1d().double()
    assert type(e_mod.running_mean).__name__ == type(t_mod.running_mean).__name__ \
        == "UninitializedBuffer"
    assert e_mod.running_mean.dtype == ember.float64
    e_mod(ember.randn(4, 3, dtype=ember.float64))
    assert tuple(e_mod.running_var.shape) == (3,) and e_mod.running_var.dtype == ember.float64
