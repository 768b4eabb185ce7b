"""Fused-op workloads: LayerNorm, grid_sample and GRU forward + backward."""

from __future__ import annotations

from harness import time_call, workload


def _fwd_bwd_timer(lib, fn, inputs, params=()) -> float:
    """ms per ``fn(*inputs).square().mean().backward()``, grads cleared between steps."""
    leaves = [t for t in (*inputs, *params) if t.requires_grad]

    def step():
        fn(*inputs).square().mean().backward()
        for t in leaves:
            t.grad = None
    return time_call(step) * 1e3


@workload("layernorm_fwd_bwd", "ms/step")
def layernorm(lib):
    """F.layer_norm over the last dim (512) with weight and bias, input (32, 128, 512)."""
    lib.manual_seed(0)
    x = lib.randn(32, 128, 512, requires_grad=True)
    w = lib.randn(512, requires_grad=True)
    b = lib.randn(512, requires_grad=True)
    F = lib.nn.functional
    return _fwd_bwd_timer(lib, lambda x: F.layer_norm(x, (512,), w, b), (x,), (w, b))


def _grid_sample(lib, mode: str) -> float:
    lib.manual_seed(0)
    x = lib.randn(8, 16, 64, 64, requires_grad=True)
    grid = (lib.rand(8, 64, 64, 2) * 2.2 - 1.1).requires_grad_()
    F = lib.nn.functional
    return _fwd_bwd_timer(
        lib, lambda x, g: F.grid_sample(x, g, mode=mode, align_corners=False), (x, grid))


@workload("grid_sample_fwd_bwd", "ms/step")
def grid_sample_bilinear(lib):
    """F.grid_sample bilinear, zeros padding, input (8, 16, 64, 64), grid (8, 64, 64, 2)."""
    return _grid_sample(lib, "bilinear")


@workload("grid_sample_bicubic_fwd_bwd", "ms/step")
def grid_sample_bicubic(lib):
    """F.grid_sample bicubic, zeros padding, input (8, 16, 64, 64), grid (8, 64, 64, 2)."""
    return _grid_sample(lib, "bicubic")


@workload("gru_fwd_bwd", "ms/step")
def gru(lib):
    """GRU (input 64, hidden 128) forward + backward, batch 20, seq 35."""
    lib.manual_seed(0)
    model = lib.nn.GRU(64, 128)
    x = lib.rand(35, 20, 64)

    def step():
        model(x)[0].square().mean().backward()
        model.zero_grad()
    return time_call(step) * 1e3
