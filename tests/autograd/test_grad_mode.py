"""no_grad / enable_grad / set_grad_enabled / inference_mode, as context managers and
decorators, against torch."""

from __future__ import annotations

import pytest

import ember

from .helpers import same_as_torch


def x_of(lib):
    return lib.ones(2, requires_grad=True)


def test_no_grad_block():
    def f(lib):
        x = x_of(lib)
        with lib.no_grad():
            y = x * 2
            inside = lib.is_grad_enabled()
        return y.requires_grad, y.grad_fn is None, inside, lib.is_grad_enabled()
    same_as_torch(f)


def test_decorators_with_and_without_parentheses():
    def f(lib):
        x = x_of(lib)

        @lib.no_grad
        def a(t):
            return (t * 2).requires_grad

        @lib.no_grad()
        def b(t):
            return (t * 2).requires_grad

        @lib.enable_grad
        def c(t):
            return (t * 2).requires_grad

        @lib.enable_grad()
        def d(t):
            return (t * 2).requires_grad

        @lib.inference_mode
        def e(t):
            return (t * 2).requires_grad, lib.is_inference_mode_enabled()

        @lib.inference_mode()
        def g(t):
            return (t * 2).requires_grad

        @lib.set_grad_enabled(False)
        def h(t):
            return (t * 2).requires_grad
        after_decorating = lib.is_grad_enabled()
        with lib.no_grad():
            cc = c(x)
        return a(x), b(x), cc, d(x), e(x), g(x), h(x), after_decorating, a.__name__
    same_as_torch(f)


def test_set_grad_enabled_function_and_context():
    def f(lib):
        x = x_of(lib)
        out = []
        lib.set_grad_enabled(False)
        out.append((x * 2).requires_grad)
        lib.set_grad_enabled(True)
        out.append((x * 2).requires_grad)
        with lib.set_grad_enabled(False):
            out.append(lib.is_grad_enabled())
            with lib.set_grad_enabled(True):
                out.append((x * 2).requires_grad)
            out.append(lib.is_grad_enabled())
        out.append(lib.is_grad_enabled())
        return out
    same_as_torch(f)


def test_enable_grad_inside_no_grad():
    def f(lib):
        x = x_of(lib)
        with lib.no_grad():
            with lib.enable_grad():
                y = x * 2
            z = x * 2
        y.sum().backward()
        return y.requires_grad, z.requires_grad, x.grad
    same_as_torch(f)


def test_state_restored_after_exception():
    def f(lib):
        out = []
        for ctx in (lib.no_grad(), lib.set_grad_enabled(False), lib.inference_mode()):
            try:
                with ctx:
                    raise ValueError
            except ValueError:
                pass
            out.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))

        @lib.no_grad()
        def bad():
            raise KeyError
        try:
            bad()
        except KeyError:
            pass
        out.append(lib.is_grad_enabled())
        return out
    same_as_torch(f)


def test_generator_decorated_with_no_grad():
    def f(lib):
        @lib.no_grad()
        def gen():
            for _ in range(3):
                got = yield lib.is_grad_enabled()
                assert got is None
        return [(v, lib.is_grad_enabled()) for v in gen()]
    same_as_torch(f)


def test_generator_send_and_close():
    @ember.no_grad()
    def gen():
        total = 0
        while True:
            v = yield (total, ember.is_grad_enabled())
            total += v

    g = gen()
    assert next(g) == (0, False)
    assert g.send(5) == (5, False)
    assert ember.is_grad_enabled()
    g.close()
    assert ember.is_grad_enabled()


def test_inference_mode_nesting():
    def f(lib):
        x = x_of(lib)
        with lib.inference_mode():
            y = x * 2
            a = (lib.is_grad_enabled(), lib.is_inference_mode_enabled())
            with lib.inference_mode(False):
                z = x * 2
                b = (lib.is_grad_enabled(), lib.is_inference_mode_enabled())
        return y.requires_grad, z.requires_grad, a, b, lib.is_inference_mode_enabled()
    same_as_torch(f)


def test_no_grad_as_object_in_autograd_namespace():
    def f(lib):
        c = lib.no_grad()
        entered = c.__enter__()
        inside = lib.is_grad_enabled()
        c.__exit__(None, None, None)
        return (lib.autograd.no_grad is lib.no_grad, entered is None, inside,
                lib.is_grad_enabled(), type(c).__name__)
    same_as_torch(f)


def test_backward_inside_no_grad_still_works():
    def f(lib):
        x = x_of(lib)
        y = (x * x).sum()
        with lib.no_grad():
            y.backward()
        return x.grad
    same_as_torch(f)


def test_create_graph_inside_no_grad_records():
    def f(lib):
        x = x_of(lib)
        y = (x * x * x).sum()
        with lib.no_grad():
            (g,) = lib.autograd.grad(y, x, create_graph=True)
        return g.requires_grad
    same_as_torch(f)


@pytest.fixture(autouse=True)
def _restore():
    yield
    ember.set_grad_enabled(True)
