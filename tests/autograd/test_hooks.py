"""Tensor hooks, node hooks and post-accumulate hooks, against torch."""

from __future__ import annotations

import ember

from .helpers import same_as_torch, same_error


def leaf(lib):
    return lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)


def test_leaf_hook_sees_and_replaces_grad():
    def f(lib):
        x = leaf(lib)
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()))
        x.register_hook(lambda g: g * 10)
        (x * x).sum().backward()
        return seen, x.grad
    same_as_torch(f)


def test_non_leaf_hook_changes_upstream_gradient():
    def f(lib):
        x = leaf(lib)
        h = x * 2
        seen = []
        h.register_hook(lambda g: seen.append(g.clone()))
        h.register_hook(lambda g: g + 1)
        (h * h).sum().backward()
        return seen, x.grad
    same_as_torch(f)


def test_hook_handle_remove():
    def f(lib):
        x = leaf(lib)
        h = x * 2
        handle = h.register_hook(lambda g: g * 0)
        handle2 = x.register_hook(lambda g: g * 100)
        handle.remove()
        handle2.remove()
        (h * h).sum().backward()
        return x.grad
    same_as_torch(f)


def test_hook_and_retain_grad_order():
    def f(lib):
        x = leaf(lib)
        h = x * 2
        h.retain_grad()
        h.register_hook(lambda g: g * 3)
        h.exp().sum().backward()
        return h.grad, x.grad
    same_as_torch(f)


def test_hook_on_tensor_not_requiring_grad_raises():
    same_error(lambda lib: lib.ones(2).register_hook(lambda g: g),
               match="doesn't require gradient")


def test_hooks_run_in_autograd_grad():
    def f(lib):
        x = leaf(lib)
        h = x.exp()
        calls = []
        h.register_hook(lambda g: calls.append(1) or g * 2)
        (g,) = lib.autograd.grad(h.sum(), x)
        return g, len(calls)
    same_as_torch(f)


def test_leaf_hook_not_run_by_grad_but_result_seen():
    def f(lib):
        x = leaf(lib)
        calls = []
        x.register_hook(lambda g: calls.append(1) or g * 2)
        (g,) = lib.autograd.grad((x * x).sum(), x)
        return g, len(calls)
    same_as_torch(f)


def test_node_hooks():
    def f(lib):
        x = leaf(lib)
        w = leaf(lib)
        y = x * w
        seen = []
        y.grad_fn.register_hook(lambda gi, go: seen.append((len(gi), len(go))))
        y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        y.sum().backward()
        return seen, x.grad, w.grad
    same_as_torch(f)


def test_node_hook_can_replace_grad_inputs():
    def f(lib):
        x = leaf(lib)
        y = x * lib.full((3,), 3.0, dtype=lib.float64)
        y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, gi[1]))
        y.sum().backward()
        return x.grad
    same_as_torch(f)


def test_post_accumulate_grad_hook():
    def f(lib):
        x = leaf(lib)
        seen = []
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return seen
    same_as_torch(f)


def test_post_accumulate_hook_on_non_leaf_raises():
    same_error(lambda lib: (leaf(lib) * 2).register_post_accumulate_grad_hook(lambda t: None))


def test_hook_handle_context_manager():
    x = ember.ones(2, requires_grad=True)
    with x.register_hook(lambda g: g * 0):
        pass
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_accumulate_grad_node_hooks():
    def f(lib):
        x = leaf(lib)
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        seen = []
        acc.register_prehook(lambda go: seen.append(("pre", go[0].clone())))
        acc.register_hook(lambda gi, go: seen.append(("post", len(gi), go[0].clone())))
        y.sum().backward()
        return seen, x.grad
    same_as_torch(f)
