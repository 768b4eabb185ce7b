"""What runs inside a DataLoader worker process: seeding, ``get_worker_info()``, the
fetchers that turn indices into batches, and the loop that serves index requests.

Protocol (all through ``multiprocessing`` queues): the main process sends
``(task_idx, index)`` to a worker's own index queue, ``_ResumeIteration`` to start a new
epoch on persistent workers, and ``None`` to stop; every worker answers on one shared
result queue with ``(task_idx, batch)``, where ``batch`` may be an ``ExceptionWrapper``
(re-raised in the main process) or ``_IterableDatasetStopIteration``.
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info"]

# How often an idle worker checks that the main process still exists and has not asked it
# to stop (seconds). The stop request ``None`` alone is not enough: when the main process
# drops its iterator inside a garbage cycle, the queue's own finalizer may already have
# stopped the thread that would send it.
_STATUS_CHECK_INTERVAL = 0.1


class WorkerInfo:
    """Read-only description of the current worker: ``id``, ``num_workers``, ``seed`` and
    ``dataset`` (the worker's own copy)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    __initialized = False

    def __init__(self, **kwargs: Any) -> None:
        for name, value in kwargs.items():
            setattr(self, name, value)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key: str, value: Any) -> None:
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")
        super().__setattr__(key, value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{type(self).__name__}({fields})"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The WorkerInfo of this DataLoader worker process, or None in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as its type and the
    formatted original traceback (tracebacks themselves cannot be pickled)."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        exc_type, exc, tb = exc_info if exc_info is not None else sys.exc_info()
        self.exc_name = exc_type.__name__
        try:  # the type travels to the main process by reference (module + name)
            pickle.dumps(exc_type)
        except Exception:
            exc_type = RuntimeError
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self) -> None:
        """Raise an exception of the original type whose message holds the original
        traceback (a RuntimeError when that type cannot be built from a message)."""
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)  # KeyError would show the message's repr
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's IterableDataset copy is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Start another epoch (persistent workers)."""


class _MapDatasetFetcher:
    """Batches from a map-style dataset: per-sample ``dataset[i]``, or one
    ``__getitems__(indices)`` call when the dataset has it."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        from ._collate import default_collate
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        self._getitems = getitems if callable(getitems) else None
        # TensorDataset (and Subsets of it) can produce default_collate's result directly
        self._collated = (collate_fn is default_collate
                          and getattr(dataset, "_has_collated_path", False))

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self._collated:
            return self.dataset._collated(index)
        if self._getitems is not None:
            data = self._getitems(index)
        else:
            data = [self.dataset[i] for i in index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    """Batches from an iterator over an IterableDataset; ``index`` only gives the size."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def create_fetcher(is_iterable: bool, dataset, auto_collation: bool, collate_fn,
                   drop_last: bool):
    """The fetcher for this kind of dataset."""
    cls = _IterableDatasetFetcher if is_iterable else _MapDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def _numpy_seed(base_seed: int, worker_id: int) -> int:
    """A 32-bit NumPy legacy seed derived from both numbers (distinct per worker, and
    well mixed so neighbouring base seeds do not give correlated streams)."""
    return int(np.random.SeedSequence([base_seed, worker_id]).generate_state(1)[0])


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed ember, ``random`` and NumPy's legacy global generator for this worker; returns
    the worker's seed (``base_seed + worker_id``)."""
    from ... import manual_seed
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(_numpy_seed(base_seed, worker_id))
    return seed


def _pickled(task_idx: int, data: Any, where: str) -> bytes:
    """The answer to one task, pickled here rather than in the queue's feeder thread: a
    batch that cannot be pickled then becomes an error for the main process instead of
    an answer silently lost (which would leave the main process waiting)."""
    try:
        return pickle.dumps((task_idx, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps((task_idx, ExceptionWrapper(where=where)))


def unpickle(payload: bytes) -> Any:
    """Inverse of ``_pickled`` (in the main process)."""
    return pickle.loads(payload)


def worker_loop(is_iterable: bool, dataset, index_queue, result_queue, done_event,
                auto_collation: bool, collate_fn, drop_last: bool, base_seed: int,
                init_fn, worker_id: int, num_workers: int, parent_pid: int) -> None:
    """Body of a worker process (see the module docstring for the protocol)."""
    global _worker_info
    try:
        from ... import set_num_threads
        set_num_threads(1)  # as torch: N workers with N BLAS threads each would oversubscribe
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"

        def new_fetcher():
            """(fetcher, None), or (None, the error to send as the next answer)."""
            try:
                return create_fetcher(is_iterable, dataset, auto_collation, collate_fn,
                                      drop_last), None
            except Exception:
                return None, ExceptionWrapper(where=where)

        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher, init_error = new_fetcher()
        except Exception:
            fetcher, init_error = None, ExceptionWrapper(where=where)

        iteration_end = False
        while os.getppid() == parent_pid:  # orphaned workers stop by themselves
            try:
                request = index_queue.get(timeout=_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    break
                continue
            if isinstance(request, _ResumeIteration):
                result_queue.put(pickle.dumps((request, None)))
                iteration_end = False
                if is_iterable and fetcher is not None:  # a fresh pass over the stream
                    fetcher, init_error = new_fetcher()
                continue
            if request is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # drain requests we will not answer
            task_idx, index = request
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not is_iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            result_queue.put(_pickled(task_idx, data, where))
            del data, index, request  # drop references before blocking again
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C; just exit quietly
    if done_event.is_set():
        # unsent results would block this process's exit; nobody will read them
        result_queue.cancel_join_thread()
        result_queue.close()
