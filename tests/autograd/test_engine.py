"""The backward engine: Tensor.backward, autograd.backward/grad, accumulation, higher-order
gradients, graph node names, and torch's errors -- each checked against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

from .helpers import same_as_torch, same_error

X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]


def leaf(lib, data=X, dtype=None):
    return lib.tensor(data, dtype=dtype or lib.float64, requires_grad=True)


# ----- Tensor.backward ------------------------------------------------------------------

def test_backward_scalar():
    def f(lib):
        x = leaf(lib)
        ((x * x).sum() * 3).backward()
        return x.grad
    same_as_torch(f)


def test_backward_with_gradient_argument():
    def f(lib):
        x = leaf(lib)
        y = x.exp() * x
        y.backward(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]], dtype=lib.float64))
        return x.grad
    same_as_torch(f)


def test_gradient_is_accumulated_across_calls():
    def f(lib):
        x = leaf(lib)
        for _ in range(3):
            (x * x).sum().backward()
        return x.grad
    same_as_torch(f)


def test_retain_graph_allows_second_backward():
    def f(lib):
        x = leaf(lib)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    same_as_torch(f)


def test_backward_inputs_restricts_accumulation():
    def f(lib):
        x, w = leaf(lib), leaf(lib)
        (x * w * w).sum().backward(inputs=[w])
        return x.grad, w.grad
    same_as_torch(f)


def test_backward_inputs_non_leaf():
    def f(lib):
        x = leaf(lib)
        h = x * 2
        (h * h).sum().backward(inputs=[h])
        return x.grad, h.grad
    same_as_torch(f)


def test_autograd_backward_several_roots():
    def f(lib):
        x = leaf(lib)
        a, b = (x * x).sum(), (x * 3).sum()
        lib.autograd.backward([a, b], [lib.tensor(2.0, dtype=lib.float64), None])
        return x.grad
    same_as_torch(f)


def test_shared_subexpression_and_diamond():
    def f(lib):
        x = leaf(lib)
        h = x.exp()
        y = (h * h + h / (x + 3) - h.log()).sum()
        y.backward()
        return x.grad
    same_as_torch(f)


def test_broadcast_gradients_reduced_to_input_shape():
    def f(lib):
        x = leaf(lib)
        b = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        s = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        ((x * b + s) * s).sum().backward()
        return x.grad, b.grad, s.grad
    same_as_torch(f)


def test_grad_of_views_and_shapes():
    def f(lib):
        x = leaf(lib)
        y = x.view(3, 2).transpose(0, 1).reshape(6).expand(2, 6).permute(1, 0)
        (y * y.exp()).sum().backward()
        return x.grad
    same_as_torch(f)


# ----- autograd.grad ------------------------------------------------------------------

def test_grad_returns_and_does_not_accumulate():
    def f(lib):
        x = leaf(lib)
        (g,) = lib.autograd.grad((x * x).sum(), x)
        return g, x.grad
    same_as_torch(f)


def test_grad_with_grad_outputs_and_several_inputs():
    def f(lib):
        x, w = leaf(lib), leaf(lib)
        y = x * w.exp()
        go = lib.ones(2, 3, dtype=lib.float64) * 0.5
        return lib.autograd.grad([y], [x, w], grad_outputs=[go])
    same_as_torch(f)


def test_grad_allow_unused_and_materialize():
    def f(lib):
        x, u = leaf(lib), leaf(lib)
        y = (x * 2).sum()
        a = lib.autograd.grad(y, [x, u], allow_unused=True, retain_graph=True)
        b = lib.autograd.grad(y, [x, u], materialize_grads=True)
        return a, b
    same_as_torch(f)


def test_grad_unused_input_raises():
    def f(lib):
        x, u = leaf(lib), leaf(lib)
        lib.autograd.grad((x * 2).sum(), [x, u])
    same_error(f, match="The differentiated Tensor at index 1 appears to not have been used")


def test_grad_non_leaf_input():
    def f(lib):
        x = leaf(lib)
        h = x.exp()
        y = (h * h).sum()
        return lib.autograd.grad(y, [h, x])
    same_as_torch(f)


def test_grad_input_reached_through_several_paths():
    def f(lib):
        x = leaf(lib)
        h = x * 3
        y = (h * x + h.exp() + h).sum()
        return lib.autograd.grad(y, [x, h])
    same_as_torch(f)


def test_grad_same_input_twice():
    def f(lib):
        x = leaf(lib)
        return lib.autograd.grad((x * x).sum(), [x, x])
    same_as_torch(f)


def test_grad_multiple_outputs_summed():
    def f(lib):
        x = leaf(lib)
        return lib.autograd.grad([(x * x).sum(), x.exp().sum()], x)
    same_as_torch(f)


# ----- higher order --------------------------------------------------------------------

def test_third_derivative_of_cube():
    def f(lib):
        x = lib.tensor([1.5, -2.0], dtype=lib.float64, requires_grad=True)
        y = (x * x * x).sum()
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x)
        return g1, g2, g3
    g1, g2, g3 = same_as_torch(f)
    np.testing.assert_allclose(g3.numpy(), [6.0, 6.0])


def test_double_backward_via_backward_create_graph():
    def f(lib):
        x = leaf(lib)
        y = (x.exp() * x).sum()
        y.backward(create_graph=True)
        g = x.grad
        x.grad = None
        (g * g).sum().backward()
        return g, x.grad
    same_as_torch(f)


def test_gradient_penalty():
    def f(lib):
        w = leaf(lib)
        x = lib.tensor([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]], dtype=lib.float64,
                       requires_grad=True)
        out = (x.transpose(0, 1).exp() * w).sum()
        (gx,) = lib.autograd.grad(out, x, create_graph=True)
        penalty = ((gx * gx).sum() - 1.0) * ((gx * gx).sum() - 1.0)
        (penalty + out).backward()
        return w.grad, x.grad
    same_as_torch(f)


def test_hessian_vector_product():
    def f(lib):
        x = leaf(lib)
        v = lib.tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]], dtype=lib.float64)
        y = (x.exp() * x * x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (hv,) = lib.autograd.grad(g, x, grad_outputs=v)
        return hv
    same_as_torch(f)


def test_first_grad_not_differentiable_without_create_graph():
    def f(lib):
        x = leaf(lib)
        (g,) = lib.autograd.grad((x * x).sum(), x)
        return g.requires_grad, g.grad_fn is None
    same_as_torch(f)


# ----- .grad of non-leaves, retain_grad ---------------------------------------------------

def test_non_leaf_grad_warns_and_is_none():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is not None


def test_retain_grad():
    def f(lib):
        x = leaf(lib)
        h = x * x
        h.retain_grad()
        z = h.exp()
        z.retain_grad()
        (z * 2).sum().backward(retain_graph=True)
        (z * 2).sum().backward()
        return h.grad, z.grad, x.grad, h.retains_grad, x.retains_grad
    same_as_torch(f)


def test_retain_grad_after_inplace():
    def f(lib):
        x = leaf(lib)
        h = x * 1
        h.retain_grad()
        h.mul_(3)
        (h * h).sum().backward()
        return h.grad, x.grad
    same_as_torch(f)


def test_leaf_properties():
    def f(lib):
        x = leaf(lib)
        c = lib.ones(2)
        y = x * 2
        return (x.is_leaf, c.is_leaf, y.is_leaf, y.requires_grad, (c * 2).requires_grad,
                x.detach().requires_grad, x.detach().is_leaf)
    same_as_torch(f)


# ----- node names and graph structure ------------------------------------------------------

def _names(lib, fn):
    out = []
    stack, seen = [fn], set()
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n.name())
        stack.extend(m for m, _ in n.next_functions)
    return sorted(n.replace('torch::autograd::', '') for n in out)


def test_node_names_and_next_functions():
    def f(lib):
        x = leaf(lib)
        w = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = ((x * w + x - w) / 2).exp().log().sum()
        z = (-(x.mean()) + x.clone().sum(1).sum())
        return (y.grad_fn.name(), _names(lib, y.grad_fn), _names(lib, z.grad_fn),
                [n.name() for n, _ in y.grad_fn.next_functions],
                [nr for _, nr in y.grad_fn.next_functions])
    same_as_torch(f)


def test_accumulate_grad_node():
    def f(lib):
        x = leaf(lib)
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        y2 = x * 3
        return (acc.name(), type(acc).__name__, acc.variable is x, acc.next_functions == (),
                y2.grad_fn.next_functions[0][0] is acc)
    same_as_torch(f)


def test_constant_input_edge_is_none():
    def f(lib):
        x = leaf(lib)
        c = lib.ones(2, 3, dtype=lib.float64)
        y = x + c
        return y.grad_fn.next_functions[1][0] is None, len(y.grad_fn.next_functions)
    same_as_torch(f)


def test_grad_fn_callable_directly():
    def f(lib):
        x = leaf(lib)
        w = leaf(lib)
        y = x * w.exp()
        return y.grad_fn(lib.ones(2, 3, dtype=lib.float64))
    same_as_torch(f)


# ----- errors --------------------------------------------------------------------------

def test_backward_without_grad_fn():
    same_error(lambda lib: lib.ones(2).sum().backward(),
               match="element 0 of tensors does not require grad and does not have a grad_fn")


def test_grad_without_grad_fn():
    same_error(lambda lib: lib.autograd.grad(lib.ones(2).sum(), [leaf(lib)]),
               match="does not require grad")


def test_implicit_grad_of_non_scalar():
    same_error(lambda lib: (leaf(lib) * 2).backward(),
               match="grad can be implicitly created only for scalar outputs")


def test_second_backward_through_freed_graph():
    def f(lib):
        x = leaf(lib)
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()
    same_error(f, match="backward through the graph a second time")


def test_second_grad_through_freed_graph():
    def f(lib):
        x = leaf(lib)
        y = (x * x).sum()
        lib.autograd.grad(y, x)
        lib.autograd.grad(y, x)
    same_error(f, match="second time")


def test_mismatched_gradient_shape():
    same_error(lambda lib: (leaf(lib) * 2).backward(lib.ones(3, dtype=lib.float64)),
               match="Mismatch in shape")


def test_requires_grad_on_integer_tensor():
    same_error(lambda lib: lib.tensor([1, 2]).requires_grad_(),
               match="only Tensors of floating point")
    same_error(lambda lib: lib.tensor([1, 2], requires_grad=True),
               match="only Tensors of floating point")


def test_changing_requires_grad_of_non_leaf():
    def f(lib):
        y = leaf(lib) * 2
        y.requires_grad = False
    same_error(f, match="you can only change requires_grad flags of leaf variables")


def test_setting_requires_grad_true_on_non_leaf_is_fine():
    def f(lib):
        y = leaf(lib) * 2
        y.requires_grad_(True)
        return y.requires_grad
    same_as_torch(f)


def test_grad_setter_checks():
    same_error(lambda lib: setattr(leaf(lib), "grad", lib.ones(3, dtype=lib.float64)))
    same_error(lambda lib: setattr(leaf(lib), "grad", lib.ones(2, 3)))


def test_backward_empty_inputs():
    same_error(lambda lib: (leaf(lib) * 2).sum().backward(inputs=[]))


def test_grad_of_int_output():
    def f(lib):
        x = lib.tensor(2.0, requires_grad=True)
        (x * 2).to(lib.int64).backward()
    same_error(f)


def test_backward_of_leaf_and_grad_of_output_wrt_itself():
    def f(lib):
        x = leaf(lib)
        x.backward(lib.ones(2, 3, dtype=lib.float64))
        y = x * 2
        return x.grad, lib.autograd.grad(y, y, lib.ones(2, 3, dtype=lib.float64))
    same_as_torch(f)


def test_second_backward_without_saved_tensors_is_allowed():
    def f(lib):
        x = leaf(lib)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    same_as_torch(f)


def test_is_grads_batched():
    def f(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x * x
        eye = lib.eye(3, dtype=lib.float64)
        return lib.autograd.grad(y, x, eye, is_grads_batched=True)
    same_as_torch(f)


def test_non_tensor_gradient_is_a_type_error():
    same_error(lambda lib: (leaf(lib) * 2).sum().backward(2.0))
    same_error(lambda lib: lib.autograd.backward([(leaf(lib) * 2).sum()], [2.0]),
               match="gradients can be either Tensors or None")


def test_detach_():
    def f(lib):
        y = leaf(lib) * 2
        y.detach_()
        return y.requires_grad, y.grad_fn is None, y.is_leaf
    same_as_torch(f)
    same_error(lambda lib: (leaf(lib) * 2)[0].detach_(), match="Can't detach views in-place")


def test_grads_of_two_leaves_are_independent_tensors():
    def f(lib):
        a, b = leaf(lib), leaf(lib)
        (a + b).sum().backward(create_graph=True)
        same = a.grad is b.grad
        a.grad.mul_(3)
        c, d = leaf(lib), leaf(lib)
        (c * d).exp().sum().backward(create_graph=True)
        return same, a.grad, b.grad, c.grad.requires_grad, c.grad is d.grad
    same_as_torch(f)


def test_calling_nodes_directly():
    def f(lib):
        x = leaf(lib)
        one = lib.ones(2, 3, dtype=lib.float64)
        g_exp = x.exp().grad_fn(one)
        g_mul = (x * x).grad_fn(one)
        acc = (x * 2).grad_fn.next_functions[0][0]
        r = acc(one)
        return g_exp, g_mul, r, x.grad
    same_as_torch(f)


def test_grad_results_are_writable():
    # (torch hands back an expanded tensor here and refuses the in-place add; ember copies
    # the read-only broadcast so the result can be used like any tensor)
    x = ember.ones(2, 3, requires_grad=True)
    (g,) = ember.autograd.grad(x.sum(), x)
    g.add_(1)
    assert g.tolist() == [[2.0] * 3] * 2
    (h,) = ember.autograd.grad((x * x).sum(), x, create_graph=True)
    assert h.requires_grad


def test_error_names_the_element_without_grad():
    same_error(lambda lib: lib.autograd.backward([(leaf(lib) * 2).sum(), lib.ones(())]),
               match="element 1 of tensors does not require grad")
