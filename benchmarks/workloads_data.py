"""Data-loading workloads (ember.utils.data vs torch.utils.data): an in-memory
TensorDataset epoch slice in the main process, and a slow-``__getitem__`` dataset with and
without worker processes."""

from __future__ import annotations

import time

import numpy as np
from harness import workload

_N, _D, _BATCH = 60_000, 784, 64
_X = np.random.default_rng(0).standard_normal((_N, _D), dtype=np.float32)
_Y = np.random.default_rng(1).integers(0, 10, _N)


def _time_batches(loader, n_batches: int) -> float:
    """Seconds per batch over the first ``n_batches`` of one pass (best of 3 passes)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for i, _batch in enumerate(loader, 1):
            if i == n_batches:
                break
        best = min(best, (time.perf_counter() - t0) / n_batches)
    return best


@workload("data_tensor_shuffle", "us/batch")
def tensor_dataset_shuffle(lib):
    """DataLoader(TensorDataset(60000x784 float32, labels), batch 64, shuffle=True)."""
    data = lib.utils.data
    ds = data.TensorDataset(lib.from_numpy(_X), lib.from_numpy(_Y))
    loader = data.DataLoader(ds, batch_size=_BATCH, shuffle=True)
    return _time_batches(loader, 300) * 1e6


def _slow_dataset(lib, n: int, delay: float):
    class SlowDataset(lib.utils.data.Dataset):
        """Each sample takes ``delay`` seconds (I/O or decoding stand-in)."""

        def __len__(self):
            return n

        def __getitem__(self, i):
            time.sleep(delay)
            return lib.full((8,), float(i))
    return SlowDataset()


def _slow_epoch(lib, num_workers: int) -> float:
    ds = _slow_dataset(lib, 256, 0.002)
    loader = lib.utils.data.DataLoader(ds, batch_size=16, num_workers=num_workers)
    t0 = time.perf_counter()
    for _batch in loader:
        pass
    return time.perf_counter() - t0


@workload("data_slow_getitem_w0", "s/epoch")
def slow_getitem_w0(lib):
    """256 samples of 2 ms each, batch 16, num_workers=0."""
    return _slow_epoch(lib, 0)


@workload("data_slow_getitem_w2", "s/epoch")
def slow_getitem_w2(lib):
    """The same with num_workers=2 (worker start-up included)."""
    return _slow_epoch(lib, 2)


@workload("data_slow_getitem_w2_steady", "s/epoch")
def slow_getitem_w2_steady(lib):
    """The same with 2 persistent workers, timing the second epoch (no start-up)."""
    ds = _slow_dataset(lib, 256, 0.002)
    loader = lib.utils.data.DataLoader(ds, batch_size=16, num_workers=2,
                                       persistent_workers=True)
    for _batch in loader:
        pass
    t0 = time.perf_counter()
    for _batch in loader:
        pass
    return time.perf_counter() - t0
