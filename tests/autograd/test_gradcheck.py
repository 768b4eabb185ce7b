"""gradcheck / gradgradcheck pass on correct gradients and fail on wrong ones."""

from __future__ import annotations

import pytest

import ember
from ember.autograd import Function, GradcheckError, gradcheck, gradgradcheck


def x64(*data):
    return ember.tensor(list(data), dtype=ember.float64, requires_grad=True)


class GoodCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


class WrongCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x * x  # wrong factor


class FirstOrderOnlyCube(Function):
    """Right first derivative, but its backward cuts the graph: second derivative is 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xd = x.detach()
        return g * 3 * xd * xd


def test_gradcheck_passes_on_builtin_ops():
    x, y = x64(0.5, -1.0, 2.0), x64(1.5, 0.25, -0.75)
    assert gradcheck(lambda a, b: (a * b.exp() / (b * b + 1)).sum(0), (x, y))
    assert gradcheck(lambda a: (a.exp().log() * a, a - 1), (x,))


def test_gradgradcheck_passes_on_builtin_ops():
    x, y = x64(0.5, -1.0, 2.0), x64(1.5, 0.25, -0.75)
    assert gradgradcheck(lambda a, b: a * b.exp() / (b * b + 1), (x, y))


def test_gradcheck_passes_on_correct_custom_function():
    assert gradcheck(GoodCube.apply, (x64(0.5, -1.0, 2.0),))
    assert gradgradcheck(GoodCube.apply, (x64(0.5, -1.0, 2.0),))


def test_gradcheck_fails_on_wrong_backward():
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect "
                                             "to input 0"):
        gradcheck(WrongCube.apply, (x64(0.5, -1.0, 2.0),))
    assert gradcheck(WrongCube.apply, (x64(0.5, -1.0, 2.0),), raise_exception=False) is False


def test_gradcheck_error_is_a_runtime_error():
    with pytest.raises(RuntimeError):
        gradcheck(WrongCube.apply, (x64(1.0, 2.0),))


def test_gradgradcheck_fails_on_wrong_second_derivative():
    x = x64(0.5, -1.0, 2.0)
    assert gradcheck(FirstOrderOnlyCube.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(FirstOrderOnlyCube.apply, (x,))
    assert gradgradcheck(FirstOrderOnlyCube.apply, (x,), raise_exception=False) is False


def test_gradcheck_names_the_failing_output_and_input():
    def f(a, b):
        return GoodCube.apply(a), WrongCube.apply(b)
    with pytest.raises(GradcheckError, match="output 1 with respect to input 1"):
        gradcheck(f, (x64(0.5, 1.0), x64(2.0, -1.0)))


def test_gradcheck_needs_an_input_requiring_grad():
    with pytest.raises(ValueError):
        gradcheck(lambda a: a * 2, (ember.ones(2, dtype=ember.float64),))


def test_gradcheck_warns_for_single_precision():
    with pytest.warns(UserWarning, match="double precision"):
        gradcheck(lambda a: a * 2, (ember.ones(2, requires_grad=True),), eps=1e-3,
                  atol=1e-2, rtol=1e-2)


def test_gradcheck_accepts_single_tensor_input():
    assert gradcheck(lambda a: a.exp(), x64(0.5, 1.0))


def test_gradcheck_through_inplace_and_copyslices():
    def f(a, w):
        y = a * 1
        y[:, 0].mul_(w[0])
        y.t()[1].add_(w * w)
        y.exp_()
        return y * a

    a = ember.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [0.1, 0.2, 0.3]],
                     dtype=ember.float64, requires_grad=True)
    w = x64(0.3, -0.6, 0.9)
    assert gradcheck(f, (a, w))
    assert gradgradcheck(f, (a, w))
