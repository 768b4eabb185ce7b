"""Run the same autograd program in ember and torch and compare what it returns."""

from __future__ import annotations

import numpy as np
import pytest

import ember


def as_numpy(x):
    if x is None:
        return None
    if hasattr(x, "detach"):
        x = x.detach()
        return np.asarray(x.numpy() if type(x).__module__.startswith("torch") else
                          x.__array__())
    return np.asarray(x)


def assert_close(e, t, path="result", atol=1e-6, rtol=1e-5):
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{path}: {type(e)}"
        assert len(e) == len(t), f"{path}: length {len(e)} != {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_close(a, b, f"{path}[{i}]", atol, rtol)
        return
    if t is None or e is None:
        assert e is None and t is None, f"{path}: {e!r} vs torch {t!r}"
        return
    if isinstance(t, (str, bool, int)):
        assert e == t, f"{path}: {e!r} != torch {t!r}"
        return
    a, b = as_numpy(e), as_numpy(t)
    assert a.shape == b.shape, f"{path}: shape {a.shape} != torch {b.shape}"
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, err_msg=path)


def same_as_torch(fn, **tol):
    """``fn(lib)`` runs with ``lib`` = ember and = torch; the results must agree."""
    torch = pytest.importorskip("torch")
    expected = fn(torch)
    got = fn(ember)
    assert_close(got, expected, **tol)
    return got


def same_error(fn, match=None):
    """``fn(lib)`` raises the same exception type in ember as in torch."""
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as t_info:
        fn(torch)
    with pytest.raises(t_info.type, match=match) as e_info:
        fn(ember)
    return e_info.value
