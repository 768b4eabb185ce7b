"""Generic op tests driven by the registry in tests/opinfo.py (one entry per op, defined
in tests/ops/defs_*.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from tests.opinfo import REGISTRY
from tests.ops import registry  # noqa: F401 - fills REGISTRY

torch = pytest.importorskip("torch")


# ----- conversion between the two frameworks ------------------------------------------

def _to_framework(x, lib, requires_grad: bool):
    if isinstance(x, np.ndarray):
        t = lib.tensor(x)
        if requires_grad and x.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    if isinstance(x, list) and x and all(isinstance(e, np.ndarray) for e in x):
        return [_to_framework(e, lib, requires_grad) for e in x]
    if isinstance(x, tuple) and x and all(isinstance(e, np.ndarray) for e in x):
        return tuple(_to_framework(e, lib, requires_grad) for e in x)
    if isinstance(x, str) and x.startswith("dtype:"):
        return getattr(lib, x[6:])
    return x


def _build(sample, lib, requires_grad=False):
    args = [_to_framework(a, lib, requires_grad) for a in sample.args]
    kwargs = {k: _to_framework(v, lib, requires_grad) for k, v in sample.kwargs.items()}
    return args, kwargs


def _leaves(args, kwargs):
    out = []
    for a in list(args) + list(kwargs.values()):
        items = a if isinstance(a, (list, tuple)) else [a]
        for t in items:
            if hasattr(t, "requires_grad") and t.requires_grad:
                out.append(t)
    return out


def to_numpy(x):
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.numpy()
    if isinstance(x, ember.Tensor):
        return np.asarray(x.detach().__array__())
    return x


def assert_same(e_out, t_out, atol, rtol, path="output"):
    """Same structure, shapes, dtypes and values (NaNs in the same places)."""
    if isinstance(t_out, torch.Tensor):
        assert isinstance(e_out, ember.Tensor), f"{path}: expected a Tensor, got {type(e_out)}"
        assert tuple(e_out.shape) == tuple(t_out.shape), \
            f"{path}: shape {tuple(e_out.shape)} != torch {tuple(t_out.shape)}"
        assert str(e_out.dtype) == str(t_out.dtype), \
            f"{path}: dtype {e_out.dtype} != torch {t_out.dtype}"
        e, t = to_numpy(e_out), to_numpy(t_out)
        if t.dtype.kind in "fc":
            np.testing.assert_allclose(e, t, atol=atol, rtol=rtol, equal_nan=True, err_msg=path)
        else:
            np.testing.assert_array_equal(e, t, err_msg=path)
    elif isinstance(t_out, (tuple, list)):
        assert isinstance(e_out, (tuple, list)), f"{path}: expected a sequence, got {e_out!r}"
        assert len(e_out) == len(t_out), f"{path}: length {len(e_out)} != {len(t_out)}"
        for i, (a, b) in enumerate(zip(e_out, t_out)):
            assert_same(a, b, atol, rtol, f"{path}[{i}]")
        if hasattr(t_out, "_fields"):
            for f in t_out._fields:
                assert_same(getattr(e_out, f), getattr(t_out, f), atol, rtol, f"{path}.{f}")
    elif isinstance(t_out, float):
        assert abs(e_out - t_out) <= atol + rtol * abs(t_out) or (np.isnan(e_out) and
                                                                   np.isnan(t_out)), path
    else:
        assert e_out == t_out, f"{path}: {e_out!r} != torch {t_out!r}"


def _float_outputs(out):
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _float_outputs(x)]
    if hasattr(out, "dtype") and getattr(out, "requires_grad", False):
        return [out]
    return []


# ----- parametrization ----------------------------------------------------------------

def _cases(kind):
    out = []
    for op in REGISTRY:
        if kind == "forward":
            for dt in op.dtypes:
                out.append(pytest.param(op, dt, id=f"{op.name}-{dt}"))
        elif kind == "errors":
            if op.errors is not None:
                out.append(pytest.param(op, id=op.name))
        elif getattr(op, kind):
            out.append(pytest.param(op, id=op.name))
    return out


@pytest.mark.parametrize("op,dtype", _cases("forward"))
def test_forward_matches_torch(op, dtype):
    rng = np.random.default_rng(1234)
    for sample in op.samples(dtype, rng):
        e_args, e_kwargs = _build(sample, ember)
        t_args, t_kwargs = _build(sample, torch)
        t_out = op.get_torch()(*t_args, **t_kwargs)
        e_out = op.get_ember()(*e_args, **e_kwargs)
        if op.compare is not None:
            op.compare(e_out, t_out)
        else:
            assert_same(e_out, t_out, op.atol, op.rtol, f"{op.name}({sample.desc or sample.args})")


@pytest.mark.parametrize("op", _cases("grad"))
def test_grad_matches_torch(op):
    rng = np.random.default_rng(99)
    for sample in op.samples("float64", rng):
        e_args, e_kwargs = _build(sample, ember, True)
        t_args, t_kwargs = _build(sample, torch, True)
        t_leaves, e_leaves = _leaves(t_args, t_kwargs), _leaves(e_args, e_kwargs)
        if not t_leaves:
            continue
        t_outs = _float_outputs(op.get_torch()(*t_args, **t_kwargs))
        e_outs = _float_outputs(op.get_ember()(*e_args, **e_kwargs))
        assert len(e_outs) == len(t_outs), "number of differentiable outputs differs"
        if not t_outs:
            continue
        w = [rng.standard_normal(tuple(o.shape)) for o in t_outs]
        t_loss = sum((o * torch.tensor(wi)).sum() for o, wi in zip(t_outs, w))
        e_loss = sum((o * ember.tensor(wi)).sum() for o, wi in zip(e_outs, w))
        t_grads = torch.autograd.grad(t_loss, t_leaves, allow_unused=True)
        e_grads = ember.autograd.grad(e_loss, e_leaves, allow_unused=True)
        for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
            if tg is None:
                assert eg is None or not np.any(to_numpy(eg)), f"grad {i}: expected None"
                continue
            assert eg is not None, f"{op.name}: grad of input {i} is None, torch has one"
            assert_same(eg, tg, op.grad_atol, 1e-5, f"{op.name} grad[{i}]")


def _gradcheck_fn(op, sample):
    e_args, e_kwargs = _build(sample, ember, True)
    leaves = _leaves(e_args, e_kwargs)
    ids = [id(x) for x in leaves]

    def fn(*vals):
        mapping = dict(zip(ids, vals))
        args = [_swap(a, mapping) for a in e_args]
        kwargs = {k: _swap(v, mapping) for k, v in e_kwargs.items()}
        return tuple(_float_outputs_any(op.get_ember()(*args, **kwargs)))
    return fn, leaves


def _swap(a, mapping):
    if isinstance(a, (list, tuple)):
        return type(a)(_swap(x, mapping) for x in a)
    return mapping.get(id(a), a)


def _float_outputs_any(out):
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _float_outputs_any(x)]
    if isinstance(out, ember.Tensor) and out.dtype.is_floating_point:
        return [out]
    return []


@pytest.mark.parametrize("op", _cases("gradcheck"))
def test_gradcheck(op):
    rng = np.random.default_rng(7)
    for sample in op.samples("float64", rng):
        fn, leaves = _gradcheck_fn(op, sample)
        if leaves:
            assert ember.autograd.gradcheck(fn, tuple(leaves), atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("op", _cases("gradgrad"))
def test_gradgradcheck(op):
    rng = np.random.default_rng(8)
    for sample in op.samples("float64", rng):
        fn, leaves = _gradcheck_fn(op, sample)
        if leaves:
            assert ember.autograd.gradgradcheck(fn, tuple(leaves), atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize("op", _cases("errors"))
def test_error_inputs(op):
    for sample, exc_type in op.errors():
        t_args, t_kwargs = _build(sample, torch)
        with pytest.raises(exc_type):
            op.get_torch()(*t_args, **t_kwargs)
        e_args, e_kwargs = _build(sample, ember)
        with pytest.raises(exc_type):
            op.get_ember()(*e_args, **e_kwargs)
