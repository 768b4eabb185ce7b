"""Custom autograd.Function: the full ctx API, checked against torch."""

from __future__ import annotations

import pytest

import ember

from .helpers import same_as_torch, same_error


def leaf(lib, data=((0.5, -1.0, 2.0), (1.5, 0.25, -0.75))):
    return lib.tensor(data, dtype=lib.float64, requires_grad=True)


def make(lib):
    """A namespace of custom Functions defined against ``lib``'s Function class."""
    F = lib.autograd.Function

    class Cube(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x  # differentiable ops: double backward works

    class ExpOut(F):  # saves its output
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class MulConst(F):  # non-tensor argument, saved None, needs_input_grad
        @staticmethod
        def forward(ctx, x, k, w):
            ctx.k = k
            ctx.save_for_backward(None, w)
            ctx.record = tuple(ctx.needs_input_grad)
            return x * k * w

        @staticmethod
        def backward(ctx, g):
            none, w = ctx.saved_tensors
            assert none is None
            gx = g * ctx.k * w if ctx.needs_input_grad[0] else None
            return gx, None, None

    class Split(F):  # two outputs
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x * x

        @staticmethod
        def backward(ctx, ga, gb):
            (x,) = ctx.saved_tensors
            return ga * 2 + gb * 2 * x

    class Setup(F):  # forward without ctx + setup_context
        @staticmethod
        def forward(x, y):
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y = inputs
            ctx.save_for_backward(x, y)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    class Double(F):  # in-place: mark_dirty
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class ArgMaxish(F):  # mark_non_differentiable output
        @staticmethod
        def forward(ctx, x):
            idx = (x * 0 + 1).to(lib.int64)
            y = x * 3
            ctx.mark_non_differentiable(idx)
            return y, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * 3

    class NoMaterialize(F):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            ctx_seen.append((ga is None, gb is None))
            out = 0
            if ga is not None:
                out = out + ga * 2
            if gb is not None:
                out = out + gb * 3
            return out

    class Materialize(F):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            ctx_seen.append((ga is None, gb is None, float((gb * gb).sum())))
            return ga * 2 + gb * 3

    class WithInfo(F):  # non-tensor output next to a tensor
        @staticmethod
        def forward(ctx, x):
            return x * 2, "info", 3

        @staticmethod
        def backward(ctx, g, g1, g2):
            return g * 2

    class Identity(F):  # an input returned as output
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    class Once(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    ctx_seen = []
    return dict(locals())


def test_forward_backward_and_node_name():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        y = ns["Cube"].apply(x)
        y.sum().backward()
        return y, x.grad, y.grad_fn.name(), type(y.grad_fn).__name__
    same_as_torch(f)


def test_saved_output_and_double_backward():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        y = ns["ExpOut"].apply(ns["Cube"].apply(x))
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg
    same_as_torch(f)


def test_non_tensor_args_none_saved_needs_input_grad():
    def f(lib):
        ns = make(lib)
        x, w = leaf(lib), leaf(lib).detach()
        y = ns["MulConst"].apply(x, 2.5, w)
        y.sum().backward()
        return x.grad, y.grad_fn.record if hasattr(y.grad_fn, "record") else None
    got = same_as_torch(f)
    assert got[1] == (True, False, False)


def test_multiple_outputs():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        a, b = ns["Split"].apply(x)
        (a * 3 + b).sum().backward()
        return a, b, x.grad, a.grad_fn is b.grad_fn, a.output_nr if hasattr(a, "output_nr") \
            else None, b.output_nr
    same_as_torch(f)


def test_one_of_multiple_outputs_used():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        a, b = ns["Split"].apply(x)
        b.sum().backward()
        return x.grad
    same_as_torch(f)


def test_setup_context_style():
    def f(lib):
        ns = make(lib)
        x, y = leaf(lib), leaf(lib) * 2
        z = ns["Setup"].apply(x, y)
        z.sum().backward()
        return z, x.grad
    same_as_torch(f)


def test_mark_dirty_inplace_function():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        h = x * 1
        v0 = h._version
        out = ns["Double"].apply(h)
        (out * out).sum().backward()
        return out is h, h._version - v0, x.grad, out.grad_fn.name()
    same_as_torch(f)


def test_mark_dirty_on_leaf_raises():
    same_error(lambda lib: make(lib)["Double"].apply(leaf(lib)), match="leaf Variable")


def test_mark_non_differentiable():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        y, idx = ns["ArgMaxish"].apply(x)
        (y * idx).sum().backward()
        return x.grad, idx.requires_grad, y.requires_grad
    same_as_torch(f)


def test_set_materialize_grads_false_gives_none():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        a, b = ns["NoMaterialize"].apply(x)
        a.sum().backward()
        return x.grad, ns["ctx_seen"]
    same_as_torch(f)


def test_materialized_grads_are_zeros():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        a, b = ns["Materialize"].apply(x)
        a.sum().backward()
        return x.grad, ns["ctx_seen"]
    same_as_torch(f)


def test_non_tensor_outputs():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        y, s, n = ns["WithInfo"].apply(x)
        y.sum().backward()
        return x.grad, s, n
    same_as_torch(f)


def test_input_returned_as_output():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        h = x * 1
        y = ns["Identity"].apply(h)
        y.sum().backward()
        return y is h, x.grad, y.grad_fn.name()
    same_as_torch(f)


def test_input_leaf_returned_as_output():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        y = ns["Identity"].apply(x)
        y.sum().backward()
        return y is x, x.grad, y.is_leaf
    same_as_torch(f)


def test_once_differentiable_first_order_and_double_raises():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        y = ns["Once"].apply(x)
        (g,) = lib.autograd.grad(y.sum(), x)
        return g
    same_as_torch(f)

    def g(lib):
        ns = make(lib)
        x = leaf(lib)
        y = ns["Once"].apply(x)
        go = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(y.sum(), x, go, create_graph=True)
        assert g.requires_grad and g.grad_fn.name() == "torch::autograd::Error"
        g.sum().backward()
    same_error(g, match="once_differentiable")


def test_no_grad_input_gives_no_graph():
    def f(lib):
        ns = make(lib)
        x = lib.ones(3, dtype=lib.float64)
        y = ns["Cube"].apply(x)
        with lib.no_grad():
            z = ns["Cube"].apply(leaf(lib))
        return y.requires_grad, y.grad_fn is None, z.requires_grad
    same_as_torch(f)


def test_wrong_number_of_gradients():
    def f(lib):
        F = lib.autograd.Function

        class Bad(F):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return g

        Bad.apply(leaf(lib), leaf(lib)).sum().backward()
    same_error(f, match="incorrect number of gradients")


def test_wrong_gradient_shape():
    def f(lib):
        F = lib.autograd.Function

        class Bad(F):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g.sum(0)[:2]

        Bad.apply(leaf(lib)).sum().backward()
    same_error(f)


def test_saved_tensors_after_backward_raise():
    def f(lib):
        ns = make(lib)
        y = ns["Cube"].apply(leaf(lib))
        y.sum().backward()
        return y.grad_fn.saved_tensors
    same_error(f, match="freed")


def test_saved_input_modified_in_place_raises():
    def f(lib):
        ns = make(lib)
        h = leaf(lib) * 1
        y = ns["Cube"].apply(h)
        h.add_(1)
        y.sum().backward()
    same_error(f, match="modified by an inplace operation")


def test_forward_not_implemented():
    class Empty(ember.autograd.Function):
        pass

    with pytest.raises(NotImplementedError):
        Empty.apply(ember.ones(2))


def test_function_ctx_attributes_and_tensor_on_ctx():
    def f(lib):
        F = lib.autograd.Function

        class Scale(F):
            @staticmethod
            def forward(ctx, x, s):
                ctx.shape = tuple(x.shape)
                ctx.s = s
                return x * s

            @staticmethod
            def backward(ctx, g):
                return g * ctx.s, None

        x = leaf(lib)
        Scale.apply(x, 4.0).sum().backward()
        return x.grad
    same_as_torch(f)


def test_custom_function_hessian_via_differentiable_backward():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        y = ns["Setup"].apply(ns["Cube"].apply(x), x.exp())
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        return g, h
    same_as_torch(f)


def test_vjp_instead_of_backward():
    def f(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def vjp(ctx, g):
                return g * 2

        x = leaf(lib)
        F.apply(x).sum().backward()
        return x.grad
    same_as_torch(f)


def test_mark_dirty_on_view_of_non_leaf():
    def f(lib):
        ns = make(lib)
        x = leaf(lib)
        y = x * 1
        out = ns["Double"].apply(y[0])
        (y * y).sum().backward()
        return y, out, x.grad
    same_as_torch(f)


def test_legacy_variable():
    def f(lib):
        x = lib.ones(2, dtype=lib.float64)
        v = lib.autograd.Variable(x, requires_grad=True)
        (v * 3).sum().backward()
        return (v is x, v.requires_grad, x.requires_grad, isinstance(x, lib.autograd.Variable),
                v.grad, lib.autograd.Variable(v * 2).requires_grad)
    same_as_torch(f)


def test_function_ctx_type_exported():
    def f(lib):
        seen = []

        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                seen.append(isinstance(ctx, lib.autograd.function.FunctionCtx))
                return a * 1

            @staticmethod
            def backward(ctx, g):
                return g

        F.apply(leaf(lib))
        return seen
    same_as_torch(f)


def test_ctx_misuse_errors():
    def dirty_not_returned(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                a.mul_(2)
                ctx.mark_dirty(a)
                return a * 1

            @staticmethod
            def backward(ctx, g):
                return g
        F.apply(leaf(lib) * 1)

    def save_non_tensor(lib):
        class G(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a, 3)
                return a * 1

            @staticmethod
            def backward(ctx, g):
                return g
        G.apply(leaf(lib))
    same_error(dirty_not_returned, match="marked as dirty")
    same_error(save_non_tensor, match="save_for_backward can only save variables")
