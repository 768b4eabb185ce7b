"""A custom ``Dataset`` loaded by a multi-process ``DataLoader``.

``SyntheticSignals`` implements the three methods from the lecture notes (``__init__``,
``__len__``, ``__getitem__``). Each sample is generated from its index with its own seeded
generator (so it is the same whichever process makes it), and ``--delay`` makes
``__getitem__`` deliberately slow, standing in for reading and decoding a file.

The dataset goes into ``DataLoader(..., shuffle=True, num_workers=N,
worker_init_fn=seed_worker, generator=g)``:

* ``seed_worker`` runs once in each worker process and uses
  ``torch.utils.data.get_worker_info()`` (id, number of workers, per-worker seed) to seed
  NumPy and Python's ``random`` differently in every worker -- the usual recipe, so that
  random augmentations (``--augment``: a random gain drawn with NumPy) differ between
  workers but repeat from run to run with the same loader generator seed;
* every sample reports which worker made it, so the script can show that each index is
  seen exactly once per epoch and how the work was shared;
* the shuffled order comes from the sampler in the main process, so with the same
  generator seed it is the same with 0 and with N workers;
* the epoch is timed with 0 workers and with N: with a slow ``__getitem__`` the workers
  load in parallel and the epoch gets faster.

    python examples/custom_dataset.py [--size 256] [--delay 0.002] [--workers 2] [--augment]

The same file runs on PyTorch after replacing the ember imports with ``import torch``.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from typing import Any

import numpy as np

import ember as torch
from ember.utils.data import DataLoader, Dataset, get_worker_info


class SyntheticSignals(Dataset):
    """``size`` noisy signals of ``length`` samples; the label says whether the signal's
    mean is positive. ``__getitem__`` returns ``(signal, label, index, worker_id)``
    (``worker_id`` is -1 in the main process). With ``augment`` the signal is scaled by
    a random gain in [0.5, 1.5) drawn from NumPy's global generator."""

    def __init__(self, size: int, length: int = 16, delay: float = 0.0, seed: int = 0,
                 augment: bool = False) -> None:
        self.size = size
        self.length = length
        self.delay = delay
        self.seed = seed
        self.augment = augment

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, idx: int):
        if not 0 <= idx < self.size:
            raise IndexError(f"index {idx} is out of range for a dataset of size {self.size}")
        if self.delay:
            time.sleep(self.delay)  # pretend to read and decode a file
        # One generator per sample: the sample depends on its index only, not on which
        # worker makes it or in what order.
        gen = torch.Generator().manual_seed(self.seed * 1_000_003 + idx)
        signal = torch.randn(self.length, generator=gen) + (torch.rand(1, generator=gen) - 0.5)
        label = int(signal.mean().item() > 0)
        if self.augment:  # the label does not change with a positive gain
            signal = signal * float(np.random.uniform(0.5, 1.5))
        info = get_worker_info()
        worker_id = -1 if info is None else info.id
        return signal, label, idx, worker_id


def seed_worker(worker_id: int) -> None:
    """Seed NumPy and Python's ``random`` in each worker from the per-worker seed the
    DataLoader drew (``base_seed + worker_id``), so augmentations differ per worker yet
    repeat. (torch seeds only itself and ``random`` in workers, hence this recipe.)"""
    info = get_worker_info()
    assert info is not None and info.id == worker_id  # only ever called inside a worker
    worker_seed = info.seed % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


def run_epoch(dataset: Dataset, workers: int, batch_size: int, seed: int) -> dict[str, Any]:
    """Load one shuffled epoch; returns the index order, per-worker and per-label counts,
    each sample's sum (``sums[index]``, to compare augmentations) and the time."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=workers,
                        worker_init_fn=seed_worker if workers else None,
                        generator=torch.Generator().manual_seed(seed))
    start = time.perf_counter()
    order: list[int] = []
    per_worker: Counter[int] = Counter()
    labels: Counter[int] = Counter()
    sums: dict[int, float] = {}
    for signals, batch_labels, indices, worker_ids in loader:
        assert signals.shape[1:] == (dataset.length,)
        order += indices.tolist()
        sums.update(zip(indices.tolist(), signals.sum(dim=1).tolist()))
        per_worker.update(worker_ids.tolist())
        labels.update(batch_labels.tolist())
    return {"order": order, "per_worker": dict(per_worker), "labels": dict(labels),
            "sums": sums, "seconds": time.perf_counter() - start}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Load ``--epochs`` epochs with 0 and with ``--workers`` workers; returns, for each
    number of workers, the epochs' index orders, per-worker counts and timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--delay", type=float, default=0.002,
                        help="seconds __getitem__ sleeps per sample")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--augment", action="store_true", help="random gain per sample")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    dataset = SyntheticSignals(args.size, delay=args.delay, seed=args.seed,
                               augment=args.augment)
    results: dict[int, list[dict[str, Any]]] = {}
    for workers in (0, args.workers):
        results[workers] = []
        for epoch in range(args.epochs):
            # A different seed per epoch (as a fresh epoch of one loader would draw);
            # the same seeds for both worker counts, so their orders can be compared.
            stats = run_epoch(dataset, workers, args.batch_size, seed=args.seed + epoch)
            counts = Counter(stats["order"])
            once = len(counts) == len(dataset) and set(counts.values()) == {1}
            print(f"{workers} workers, epoch {epoch}: {stats['seconds']:.3f}s, "
                  f"every sample exactly once: {once}, samples per worker "
                  f"{dict(sorted(stats['per_worker'].items()))}, first indices "
                  f"{stats['order'][:6]}")
            results[workers].append(stats)
    same = all(a["order"] == b["order"] for a, b in zip(results[0], results[args.workers]))
    print(f"same shuffled order with 0 and {args.workers} workers: {same}")
    serial = sum(s["seconds"] for s in results[0])
    parallel = sum(s["seconds"] for s in results[args.workers])
    print(f"total: {serial:.3f}s with 0 workers, {parallel:.3f}s with {args.workers} "
          f"(speed-up x{serial / parallel:.2f})")
    return {"results": results, "same_order": same, "speedup": serial / parallel}


if __name__ == "__main__":
    main()
