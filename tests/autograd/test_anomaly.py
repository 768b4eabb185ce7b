"""Anomaly mode: errors in backward point at the forward line; NaN gradients raise."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import ember

from .helpers import same_as_torch

THIS_FILE = os.path.basename(__file__)


class Boom(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        raise ValueError("boom in backward")


def _line_of(marker: str) -> int:
    with open(__file__) as f:
        for i, line in enumerate(f, 1):
            if marker in line and "_line_of" not in line:
                return i
    raise AssertionError(marker)


def test_error_in_backward_names_forward_line():
    x = ember.ones(3, requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        ctx = ember.autograd.detect_anomaly()
    with ctx:
        y = Boom.apply(x * 3)  # FORWARD-LINE-1
        with pytest.raises(ValueError, match="boom in backward") as info, \
                pytest.warns(UserWarning, match="Error detected in BoomBackward"):
            y.sum().backward()
    notes = "\n".join(getattr(info.value, "__notes__", [])) or str(info.value)
    assert "Error detected in BoomBackward. Traceback of forward call" in notes
    assert f'{THIS_FILE}", line {_line_of("FORWARD-LINE-1")}' in notes
    assert "y = Boom.apply(x * 3)" in notes
    assert not ember.autograd.is_anomaly_enabled()


def test_nan_in_backward_raises_with_forward_line():
    x = ember.zeros(3, requires_grad=True)
    ember.autograd.set_detect_anomaly(True)
    try:
        with np.errstate(all="ignore"):
            z = x.log() * 0  # FORWARD-LINE-2
        with pytest.raises(RuntimeError, match="Function 'LogBackward0' returned nan values "
                                               r"in its 0th output\.") as info, \
                pytest.warns(UserWarning), np.errstate(all="ignore"):
            z.sum().backward()
    finally:
        ember.autograd.set_detect_anomaly(False)
    notes = "\n".join(getattr(info.value, "__notes__", [])) or str(info.value)
    assert f'{THIS_FILE}", line {_line_of("FORWARD-LINE-2")}' in notes


def test_nan_without_anomaly_mode_is_silent():
    def f(lib):
        x = lib.zeros(3, requires_grad=True)
        (x.log() * 0).sum().backward()
        return x.grad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_as_torch(f)


def test_check_nan_false_skips_the_nan_check():
    x = ember.zeros(3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly(check_nan=False):
            assert ember.autograd.anomaly_mode.is_anomaly_check_nan_enabled() is False
            (x.log() * 0).sum().backward()
    assert ember.autograd.anomaly_mode.is_anomaly_check_nan_enabled() is True


def test_set_detect_anomaly_context_and_nesting():
    assert not ember.autograd.is_anomaly_enabled()
    with ember.autograd.set_detect_anomaly(True):
        assert ember.autograd.is_anomaly_enabled()
        with ember.autograd.set_detect_anomaly(False):
            assert not ember.autograd.is_anomaly_enabled()
        assert ember.autograd.is_anomaly_enabled()
    assert not ember.autograd.is_anomaly_enabled()


def test_state_restored_after_exception():
    with pytest.raises(KeyError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly():
            raise KeyError
    assert not ember.autograd.is_anomaly_enabled()


def test_detect_anomaly_as_decorator():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        @ember.autograd.detect_anomaly()
        def f():
            return ember.autograd.is_anomaly_enabled()
    assert f() is True and not ember.autograd.is_anomaly_enabled()


def test_error_without_anomaly_has_no_forward_trace():
    x = ember.ones(3, requires_grad=True)
    y = Boom.apply(x)
    with pytest.raises(ValueError) as info:
        y.sum().backward()
    assert not getattr(info.value, "__notes__", None)
