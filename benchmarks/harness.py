"""The benchmark registry and timer shared by every workload file.

A workload is a function ``fn(lib)`` that runs one workload in ``lib`` (the ``ember`` or
the ``torch`` module) and returns a time (or a rate) in its unit. Workload files are
``benchmarks/workloads_*.py``; ``run.py`` imports them all.
"""

from __future__ import annotations

import time

WORKLOADS = {}


def workload(name: str, unit: str = "s", higher_is_better: bool = False):
    def deco(fn):
        WORKLOADS[name] = (fn, unit, higher_is_better)
        return fn
    return deco


def time_call(fn, min_time: float = 0.2) -> float:
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
