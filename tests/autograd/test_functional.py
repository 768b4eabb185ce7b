"""autograd.functional (jacobian, hessian, vjp, jvp, vhp, hvp) and autograd.graph
(saved_tensors_hooks, Node), against torch."""

from __future__ import annotations

import pytest

import ember

from .helpers import same_as_torch, same_error


def inp(lib, data=(0.5, -1.0, 2.0)):
    return lib.tensor(data, dtype=lib.float64)


def f1(x):
    return x.exp() * x


def f2(x, y):
    return (x * y.exp()).sum() + (x * x * y).sum()


def f_multi(x, y):
    return x * y, (x * x).sum() + y.sum()


def test_jacobian_single():
    same_as_torch(lambda lib: lib.autograd.functional.jacobian(f1, inp(lib)))


def test_jacobian_matrix_input_and_output():
    def f(lib):
        x = lib.tensor([[1.0, 2.0], [0.5, -1.0], [0.0, 3.0]], dtype=lib.float64)
        return lib.autograd.functional.jacobian(lambda a: a.t().exp() * 2, x)
    same_as_torch(f)


def test_jacobian_tuple_inputs_and_outputs():
    same_as_torch(lambda lib: lib.autograd.functional.jacobian(
        f_multi, (inp(lib), inp(lib, (1.0, 2.0, 3.0)))))
    same_as_torch(lambda lib: lib.autograd.functional.jacobian(f2, (inp(lib), inp(lib))))


def test_jacobian_unused_input_zeros_and_strict():
    same_as_torch(lambda lib: lib.autograd.functional.jacobian(
        lambda x, y: x * 2, (inp(lib), inp(lib))))
    same_error(lambda lib: lib.autograd.functional.jacobian(
        lambda x, y: x * 2, (inp(lib), inp(lib)), strict=True), match="independent")


def test_jacobian_create_graph():
    def f(lib):
        x = inp(lib).requires_grad_()
        j = lib.autograd.functional.jacobian(f1, x, create_graph=True)
        j.sum().backward()
        return j, x.grad, j.requires_grad
    same_as_torch(f)


def test_jacobian_without_create_graph_is_detached():
    def f(lib):
        j = lib.autograd.functional.jacobian(f1, inp(lib).requires_grad_())
        return j.requires_grad
    same_as_torch(f)


def test_hessian():
    same_as_torch(lambda lib: lib.autograd.functional.hessian(
        lambda x: (x.exp() * x * x).sum(), inp(lib)))
    same_as_torch(lambda lib: lib.autograd.functional.hessian(f2, (inp(lib), inp(lib))))


def test_hessian_of_non_scalar_raises():
    same_error(lambda lib: lib.autograd.functional.hessian(f1, inp(lib)))


def test_vjp():
    def f(lib):
        v = inp(lib, (1.0, 0.5, -2.0))
        return lib.autograd.functional.vjp(f1, inp(lib), v)
    same_as_torch(f)
    same_as_torch(lambda lib: lib.autograd.functional.vjp(f2, (inp(lib), inp(lib))))


def test_vjp_none_v_needs_scalar_output():
    same_error(lambda lib: lib.autograd.functional.vjp(f1, inp(lib)), match="v can only be None")


def test_jvp():
    def f(lib):
        v = inp(lib, (1.0, 0.5, -2.0))
        return lib.autograd.functional.jvp(f1, inp(lib), v)
    same_as_torch(f)

    def g(lib):
        v = (inp(lib, (1.0, 0.5, -2.0)), inp(lib, (0.0, 1.0, 1.0)))
        return lib.autograd.functional.jvp(f_multi, (inp(lib), inp(lib)), v)
    same_as_torch(g)


def test_hvp_and_vhp():
    def f(lib):
        v = inp(lib, (1.0, 0.5, -2.0))
        fn = lambda x: (x.exp() * x * x).sum()  # noqa: E731
        return (lib.autograd.functional.hvp(fn, inp(lib), v),
                lib.autograd.functional.vhp(fn, inp(lib), v))
    same_as_torch(f)

    def g(lib):
        v = (inp(lib, (1.0, 0.5, -2.0)), inp(lib, (0.0, 1.0, 1.0)))
        return lib.autograd.functional.vhp(f2, (inp(lib), inp(lib)), v)
    same_as_torch(g)


def test_hvp_create_graph():
    def f(lib):
        x = inp(lib).requires_grad_()
        v = inp(lib, (1.0, 0.5, -2.0))
        out, hv = lib.autograd.functional.hvp(lambda a: (a * a * a).sum(), x, v,
                                              create_graph=True)
        hv.sum().backward()
        return out, hv, x.grad
    same_as_torch(f)


def test_bad_input_type():
    same_error(lambda lib: lib.autograd.functional.jacobian(f1, [1.0, 2.0]))


# ----- autograd.graph --------------------------------------------------------------------

def test_saved_tensors_hooks_pack_and_unpack():
    def f(lib):
        packed, unpacked = [], []

        def pack(t):
            packed.append(tuple(t.shape))
            return t * 1  # a copy: the graph must still be used through the original

        def unpack(t):
            unpacked.append(tuple(t.shape))
            return t

        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = x * x
            z = y.exp()
        (z * 2).sum().backward()
        assert sorted(packed) == sorted(unpacked) and len(packed) >= 2
        return x.grad
    same_as_torch(f)  # (which tensors an op saves may differ from torch)


def test_saved_tensors_hooks_double_backward():
    def f(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach() * 1, lambda t: t):
            y = (x * x * x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg
    same_as_torch(f)


def test_saved_tensors_hooks_custom_function():
    def f(lib):
        calls = []

        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * a

            @staticmethod
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                return 2 * a * g

        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: calls.append("p") or t,
                                                    lambda t: calls.append("u") or t):
            y = Sq.apply(x)
        y.sum().backward()
        return x.grad, calls
    same_as_torch(f)


def test_saved_tensors_hooks_inactive_outside_block():
    calls = []
    x = ember.ones(2, requires_grad=True)
    with ember.autograd.graph.saved_tensors_hooks(lambda t: calls.append(1) or t, lambda t: t):
        pass
    (x * x).sum().backward()
    assert calls == []


def test_unpack_hook_must_return_tensor():
    x = ember.ones(2, requires_grad=True)
    with ember.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: 3):
        y = (x * x).sum()
    with pytest.raises(TypeError):
        y.backward()


def test_graph_node_isinstance():
    def f(lib):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        return (isinstance(y.grad_fn, lib.autograd.graph.Node),
                isinstance(y.grad_fn.next_functions[0][0], lib.autograd.graph.Node))
    same_as_torch(f)
