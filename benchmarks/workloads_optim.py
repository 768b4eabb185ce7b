"""Optimizer workloads: one ``step()`` over a model of about a million parameters."""

from __future__ import annotations

from harness import time_call, workload

# ~1M float32 parameters in 20 tensors (weights and biases of a 10-layer MLP-like stack)
_SHAPES = [(316, 316), (316,)] * 10


def _params(lib):
    lib.manual_seed(0)
    params = [lib.nn.Parameter(lib.randn(*s)) for s in _SHAPES]
    for p in params:
        p.grad = lib.randn(*p.shape)  # gradients set once; only the update is timed
    return params


@workload("adam_step_1M", "ms/step")
def adam_step(lib):
    """Adam.step() over ~1M float32 parameters in 20 tensors."""
    opt = lib.optim.Adam(_params(lib), lr=1e-3)
    return time_call(opt.step) * 1e3


@workload("sgd_momentum_step_1M", "ms/step")
def sgd_momentum_step(lib):
    """SGD(momentum=0.9).step() over ~1M float32 parameters in 20 tensors."""
    opt = lib.optim.SGD(_params(lib), lr=1e-3, momentum=0.9)
    return time_call(opt.step) * 1e3
