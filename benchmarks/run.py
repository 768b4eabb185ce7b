"""Run the same workloads in ember and torch, in one process, and print ember/torch.

Rounds alternate between the two frameworks so machine noise hits both alike; the
reported ratio is the median over rounds. ratio < 1 means ember is faster (for the
matmul workload the ratio is of GFLOP/s, so > 1 means ember is faster).

    python benchmarks/run.py                 # all workloads
    python benchmarks/run.py overhead matmul # some
    python benchmarks/run.py --rounds 9
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

WORKLOADS = {}


def workload(name: str, unit: str = "s", higher_is_better: bool = False):
    def deco(fn):
        WORKLOADS[name] = (fn, unit, higher_is_better)
        return fn
    return deco


def _time(fn, min_time: float = 0.2) -> float:
    """Seconds per call of ``fn`` (best of the repeats within ``min_time``)."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt > min_time / 5:
            break
        n *= 4
    best = dt / n
    for _ in range(4):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


@workload("overhead_add", "us/op")
def overhead_add(lib):
    """a + b on 1-element tensors, no grad: the per-op Python overhead."""
    a, b = lib.ones(1), lib.ones(1)
    return _time(lambda: a + b) * 1e6


@workload("graph10_fwd_bwd", "us/step")
def graph10(lib):
    """A 10-op elementwise graph forward + backward on 16-element tensors."""
    x = lib.rand(16, requires_grad=True)
    w = lib.rand(16, requires_grad=True)

    def step():
        y = x * w
        y = y + x
        y = y.exp()
        y = y * 0.5
        y = y - w
        y = y * y
        y = y / 3.0
        y = y.log1p() if hasattr(y, "log1p") else (y + 1).log()
        y = y + 1
        loss = y.sum()
        loss.backward()
        x.grad = None
        w.grad = None
    return _time(step) * 1e6


@workload("matmul_1024_f32", "GFLOP/s", higher_is_better=True)
def matmul(lib):
    """1024x1024 float32 matmul throughput."""
    a, b = lib.rand(1024, 1024), lib.rand(1024, 1024)
    sec = _time(lambda: a @ b, min_time=0.5)
    return 2 * 1024 ** 3 / sec / 1e9


@workload("conv2d_fwd_bwd", "ms/step")
def conv2d(lib):
    """Conv2d(3->16, 3x3, padding=1) forward + backward on a 32x3x32x32 batch."""
    lib.manual_seed(0)
    conv = lib.nn.Conv2d(3, 16, 3, padding=1)
    x = lib.rand(32, 3, 32, 32, requires_grad=True)

    def step():
        conv(x).sum().backward()
        x.grad = None
        conv.zero_grad()
    return _time(step) * 1e3


def _lenet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def _train_step_timer(lib, model, inputs, loss_fn, unit_scale=1e3):
    def step():
        loss = loss_fn(model(*inputs))
        loss.backward()
        model.zero_grad()
    return _time(step) * unit_scale


@workload("lenet5_fwd_bwd", "ms/step")
def lenet5(lib):
    """LeNet-5 forward + backward + cross-entropy, batch 64 of 1x28x28."""
    lib.manual_seed(0)
    model = _lenet(lib)
    x, y = lib.rand(64, 1, 28, 28), lib.randint(0, 10, (64,))
    return _train_step_timer(lib, model, (x,),
                             lambda out: lib.nn.functional.cross_entropy(out, y))


@workload("transformer2_fwd_bwd", "ms/step")
def transformer(lib):
    """2-layer TransformerEncoder (d_model 128, 4 heads, ff 256), batch 16, seq 64."""
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(128, 4, 256, dropout=0.0, batch_first=True)
    model = lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    x = lib.rand(16, 64, 128)
    return _train_step_timer(lib, model, (x,), lambda out: out.square().mean())


@workload("lstm_fwd_bwd", "ms/step")
def lstm(lib):
    """LSTM (input 64, hidden 128), batch 20, seq 35."""
    lib.manual_seed(0)
    model = lib.nn.LSTM(64, 128)
    x = lib.rand(35, 20, 64)
    return _train_step_timer(lib, model, (x,), lambda out: out[0].square().mean())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="workloads to run (default: all)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, default=None,
                   help="threads for both frameworks (default: torch's default)")
    args = p.parse_args(argv)
    import ember
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        threads = args.threads or torch.get_num_threads()
        torch.set_num_threads(threads)
        ember.set_num_threads(threads)  # BLAS threads, through threadpoolctl
    names = args.names or list(WORKLOADS)
    print(f"ember {ember.__version__}" + (f", torch {torch.__version__} "
                                          f"({torch.get_num_threads()} threads)" if torch else
                                          " (torch not installed: no ratios)"))
    print(f"{'workload':<20} {'unit':>8} {'ember':>10} {'torch':>10} {'ember/torch':>12}")
    for name in names:
        fn, unit, higher = WORKLOADS[name]
        e_vals, t_vals, ratios = [], [], []
        for _ in range(args.rounds):
            e = fn(ember)
            e_vals.append(e)
            if torch is not None:
                t = fn(torch)
                t_vals.append(t)
                ratios.append(e / t)
        e_med = statistics.median(e_vals)
        if torch is None:
            print(f"{name:<20} {unit:>8} {e_med:>10.3f}")
            continue
        print(f"{name:<20} {unit:>8} {e_med:>10.3f} {statistics.median(t_vals):>10.3f} "
              f"{statistics.median(ratios):>12.2f}")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
