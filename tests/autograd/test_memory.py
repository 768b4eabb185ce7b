"""Graph memory: no reference cycles, graphs freed with their outputs, saved tensors freed
by backward, and a long training loop that does not grow."""

from __future__ import annotations

import gc
import os
import sys
import weakref

import pytest

import ember


@pytest.fixture
def gc_disabled():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _model():
    g = ember.Generator().manual_seed(0) if hasattr(ember.Generator(), "manual_seed") else None
    kw = {"generator": g} if g is not None else {}
    w1 = ember.randn(32, 32, **kw).requires_grad_()
    w2 = ember.randn(32, 32, **kw).requires_grad_()
    x = ember.randn(32, 32, **kw)
    mm = getattr(ember, "matmul", None)

    def step():
        a = mm(x, w1) if mm is not None else x * w1
        h = (a * 0.01).exp() + w2
        h2 = h.transpose(0, 1).reshape(1024).view(32, 32) / (h * h + 1)
        y = h.clone()
        y[:, 0].mul_(2)            # CopySlices
        z = h2.exp()               # saves its output
        z.retain_grad()
        loss = h2.mean() + (z - 1).sum() * 0.001 + y.sum() * 0.01
        loss.backward()
        with ember.no_grad():
            w1.sub_(w1.grad * 1e-4)
            w2.sub_(w2.grad * 1e-4)
        w1.grad = None
        w2.grad = None
        return loss.item()
    return step


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_training_loop_memory_is_flat(gc_disabled):
    step = _model()
    for _ in range(300):  # warm-up: allocator pools, caches
        step()
    gc.collect()  # (garbage that earlier tests left behind may surface only now)
    before = _rss()
    for _ in range(5000):
        step()
    grown = _rss() - before
    assert gc.collect() == 0, "the training step created reference cycles"
    assert grown < 2 * 1024 * 1024, f"RSS grew by {grown / 1024:.0f} KiB over 5000 steps"


def test_no_cycles_from_common_patterns(gc_disabled):
    x = ember.ones(4, 4, requires_grad=True)
    w = ember.ones(4, requires_grad=True)
    for i in range(21):
        if i == 1:
            gc.collect()  # the first round may release garbage left by earlier tests
        h = x * 2
        h.retain_grad()
        h.register_hook(lambda g: g * 1)
        y = h.clone()
        y[0].mul_(w)
        v = y[1]
        y.exp_()
        e = (v * v).exp()
        (g,) = ember.autograd.grad(e.sum() + y.sum(), x, create_graph=True)
        (g * g).sum().backward()
        x.grad = None
        w.grad = None
    assert gc.collect() == 0


def test_graph_freed_when_output_dropped(gc_disabled):
    x = ember.ones(3, requires_grad=True)
    y = (x * 2).exp() * x
    node = weakref.ref(y.grad_fn)
    inner = weakref.ref(y.grad_fn.next_functions[0][0])
    del y
    assert node() is None and inner() is None


def test_saved_tensors_freed_by_backward(gc_disabled):
    x = ember.ones(3, requires_grad=True)
    h = x * 2
    ref = weakref.ref(h)
    y = (h * h).sum()   # MulBackward saves h
    del h
    assert ref() is not None
    y.backward()
    assert ref() is None
    assert y.grad_fn is not None  # the node stays, its saved tensors are gone


def test_saved_output_does_not_keep_itself_alive(gc_disabled):
    x = ember.ones(3, requires_grad=True)
    y = x.exp()      # ExpBackward saves its output y
    ref = weakref.ref(y)
    node = weakref.ref(y.grad_fn)
    del y
    assert ref() is None and node() is None


def test_custom_function_ctx_freed(gc_disabled):
    class Sq(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            out = a * a
            ctx.save_for_backward(a, out)
            return out

        @staticmethod
        def backward(ctx, g):
            a, _ = ctx.saved_tensors
            return 2 * a * g

    x = ember.ones(3, requires_grad=True)
    y = Sq.apply(x)
    node = weakref.ref(y.grad_fn)
    y.sum().backward()
    del y
    assert node() is None
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_accumulate_grad_node_not_kept_by_leaf(gc_disabled):
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    acc = weakref.ref(y.grad_fn.next_functions[0][0])
    del y
    assert acc() is None
    assert (x * 3).grad_fn.next_functions[0][0].variable is x
