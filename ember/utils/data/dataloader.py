"""DataLoader (torch.utils.data.dataloader): batches from a dataset, in the main process
or in worker processes started with ``multiprocessing``.

With workers, the main process owns the sampler: it sends each batch's indices to one
worker (round-robin, at most ``prefetch_factor`` tasks per worker in flight), and puts
answers back in order (unless ``in_order=False``). The order of batches is therefore
the sampler's, whatever the number of workers. Every blocking wait has a timeout, so a
dead worker is reported as an error instead of a hang.
"""

from __future__ import annotations

import collections.abc as abc
import itertools
import math
import multiprocessing as mp
import os
import queue
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from multiprocessing.context import BaseContext
from typing import Any

from . import _worker
from ._collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]

get_worker_info = _worker.get_worker_info

# How often the main process checks its workers while waiting for a batch (seconds).
_STATUS_CHECK_INTERVAL = 0.25
# How long shutdown waits for a worker to exit before terminating it (seconds).
_JOIN_TIMEOUT = 2.0


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the 'indices' for an IterableDataset (only their count matters)."""

    def __iter__(self):
        while True:
            yield None


def _default_context() -> BaseContext:
    # fork (like torch on Linux): fast start, and datasets need not be picklable
    if sys.platform.startswith("linux"):
        return mp.get_context("fork")
    return mp.get_context()


def _suggested_max_workers() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


class DataLoader:
    """Iterates over ``dataset`` in batches, with torch's arguments and semantics.

    ``batch_size=None`` disables batching (each sample goes through ``default_convert``);
    ``shuffle``/``sampler``/``batch_sampler`` choose the indices; ``num_workers > 0``
    loads in that many processes (``multiprocessing_context``: 'fork' by default on
    Linux, or 'spawn'/'forkserver'/a context object); ``timeout`` bounds each wait for a
    worker's batch; ``generator`` drives shuffling and the workers' base seed;
    ``persistent_workers`` keeps workers between epochs; ``in_order=False`` yields
    batches as soon as they arrive. ``pin_memory`` is accepted; without CUDA it does
    nothing (with a warning, like torch).
    """

    _frozen_after_init = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                          "persistent_workers")
    __initialized = False

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: str | BaseContext | None = None,
                 generator: Any = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value}")
        else:
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator: _BaseIter | None = None
        self._IterableDataset_len_called: int | None = None
        self._check_worker_number()
        self.__initialized = True

    # --- configuration -------------------------------------------------------------

    @property
    def multiprocessing_context(self) -> BaseContext | None:
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context: str | BaseContext | None) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 "loading (num_workers > 0), but got "
                                 f"num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = mp.get_all_start_methods()
                if context not in methods:
                    raise ValueError("multiprocessing_context option should specify a valid "
                                     f"start method in {methods!r}, but got "
                                     f"multiprocessing_context={context!r}")
                context = mp.get_context(context)
            elif not isinstance(context, BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context "
                                "object or a string specifying the start method, but got "
                                f"multiprocessing_context={context}")
        self.__multiprocessing_context = context

    def __setattr__(self, name: str, value: Any) -> None:
        if self.__initialized and name in self._frozen_after_init:
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What the iterator draws from: index lists when batching, single indices
        otherwise."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def _check_worker_number(self) -> None:
        suggested = _suggested_max_workers()
        if self.num_workers > 0 and suggested is not None and self.num_workers > suggested:
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                          f"total. Our suggested max number of worker in current system is "
                          f"{suggested}, which is smaller than what this DataLoader is going "
                          "to create. Please be aware that excessive worker creation might get "
                          "DataLoader running slow or even freeze, lower the worker number to "
                          "avoid potential slowness/freeze if necessary.", stacklevel=3)

    # --- iteration -----------------------------------------------------------------

    def _get_iterator(self) -> _BaseIter:
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        return _MultiProcessIter(self)

    def __iter__(self) -> _BaseIter:
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self) -> int:
        if self._is_iterable:
            # the dataset's own length, in batches (may be wrong with several workers that
            # each iterate a full copy; the user must shard, as in torch)
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)


def _accelerator_available() -> bool:
    from ... import accelerator
    return accelerator.is_available()


def pin_memory(data: Any) -> Any:
    """``data`` with every tensor (and every object with a ``pin_memory()`` method, such as
    a custom batch class) replaced by its page-locked copy, through mappings,
    namedtuples, tuples and lists."""
    if hasattr(data, "pin_memory") and not isinstance(data, type):
        return data.pin_memory()
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, abc.Mapping):
        pinned = {k: pin_memory(v) for k, v in data.items()}
        try:
            return type(data)(pinned)
        except TypeError:  # a mapping type that cannot be built from a dict
            return pinned
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(pin_memory(v) for v in data))
    if isinstance(data, tuple):
        return tuple(pin_memory(v) for v in data)
    if isinstance(data, list):
        return [pin_memory(v) for v in data]
    return data


def _draw_base_seed(generator: Any) -> int:
    """The workers' base seed: one int64 draw from the loader's generator (or ember's
    default generator), made at the start of every epoch."""
    from ... import empty, int64
    return int(empty((), dtype=int64).random_(generator=generator).item())


class _BaseIter:
    """State shared by both iterators: the sampler iterator, the base seed and the
    count of yielded batches."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._is_iterable = loader._is_iterable
        self._index_sampler = loader._index_sampler
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._collate_fn = loader.collate_fn
        self._timeout = loader.timeout
        self._pin_memory = loader.pin_memory and _accelerator_available()
        if loader.pin_memory and not self._pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=3)
        # drawn once per iterator, i.e. per epoch unless workers are persistent (as in
        # torch, persistent workers keep the seeds they started with)
        self._base_seed = _draw_base_seed(loader.generator)
        self._start(loader)
        self._reset(loader, first_iter=True)

    def _start(self, loader: DataLoader) -> None:
        """Set-up that happens once per iterator (starting workers)."""

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        """Start an epoch."""
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def __iter__(self) -> _BaseIter:
        return self

    def __next__(self) -> Any:
        data = self._next_data()
        if self._pin_memory:
            data = pin_memory(data)
        self._num_yielded += 1
        expected = self._IterableDataset_len_called
        if self._is_iterable and expected is not None and self._num_yielded > expected:
            warnings.warn(f"Length of IterableDataset {self._dataset} was reported to be "
                          f"{expected} (when accessing len(dataloader)), but "
                          f"{self._num_yielded} samples have been fetched. For multiprocessing "
                          "data-loading, this could be caused by not properly configuring the "
                          "IterableDataset replica at each worker.", stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def _next_data(self) -> Any:
        raise NotImplementedError


class _SingleProcessIter(_BaseIter):
    """Loads in the calling process."""

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._fetcher = _worker.create_fetcher(self._is_iterable, self._dataset,
                                               self._auto_collation, self._collate_fn,
                                               self._drop_last)

    def _next_data(self) -> Any:
        return self._fetcher.fetch(self._next_index())


class _MultiProcessIter(_BaseIter):
    """Loads in ``num_workers`` worker processes (see the module docstring)."""

    def _start(self, loader: DataLoader) -> None:
        if not loader.prefetch_factor > 0:  # 0 would never ask a worker for anything
            raise AssertionError("prefetch_factor must be greater than 0 for "
                                 "MultiProcessingDataLoaderIter")
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._persistent_workers = loader.persistent_workers
        self._in_order = loader.in_order
        ctx = loader.multiprocessing_context or _default_context()
        self._worker_result_queue = ctx.Queue()
        self._workers_done_event = ctx.Event()
        self._index_queues, self._workers = [], []
        self._shutdown = False
        try:
            for worker_id in range(self._num_workers):
                index_queue = ctx.Queue()
                index_queue.cancel_join_thread()  # never block our exit on unread requests
                w = ctx.Process(
                    target=_worker.worker_loop,
                    args=(loader._is_iterable, loader.dataset, index_queue,
                          self._worker_result_queue, self._workers_done_event,
                          loader._auto_collation, loader.collate_fn, loader.drop_last,
                          self._base_seed, loader.worker_init_fn, worker_id,
                          self._num_workers, os.getpid()),
                    daemon=True)
                w.start()
                self._index_queues.append(index_queue)
                self._workers.append(w)
        except BaseException:
            self._shutdown_workers()
            raise

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0  # next task to send
        self._rcvd_idx = 0  # next task to yield (in order)
        self._task_info: dict[int, int] = {}  # task idx -> worker, while unanswered
        self._reorder: dict[int, Any] = {}  # answers that arrived ahead of their turn
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers  # False: stream exhausted
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # persistent workers: start a new epoch, discarding answers from the last one
            for q in self._index_queues:
                q.put(_worker._ResumeIteration())
            remaining = self._num_workers
            while remaining > 0:
                idx, _ = self._get_data()
                if isinstance(idx, _worker._ResumeIteration):
                    remaining -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self) -> None:
        if self._tasks_outstanding >= self._prefetch_factor * self._num_workers:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return  # every worker's stream is exhausted
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = worker_id
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _check_workers(self) -> None:
        """Raise if a worker died (instead of waiting for an answer that never comes)."""
        dead = [w for w in self._workers if not w.is_alive()]
        if not dead:
            return
        self._shutdown_workers()
        killed = [w for w in dead if w.exitcode is not None and w.exitcode < 0]
        if len(dead) == 1 and killed:
            w = dead[0]
            raise RuntimeError(f"DataLoader worker (pid {w.pid}) is killed by signal: "
                               f"{signal.strsignal(-w.exitcode)}. ")
        pids = ", ".join(str(w.pid) for w in dead)
        codes = ", ".join(str(w.exitcode) for w in dead)
        raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly "
                           f"(exit code(s) {codes})")

    def _get_data(self) -> tuple[Any, Any]:
        """The next answer from any worker, within ``timeout`` seconds when one is set;
        checks the workers' health every _STATUS_CHECK_INTERVAL seconds."""
        if self._shutdown:
            raise RuntimeError("this DataLoader iterator's workers were shut down after an "
                               "earlier failure; start a new iteration over the DataLoader")
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = _STATUS_CHECK_INTERVAL
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._shutdown_workers()
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
                wait = min(wait, left)
            try:
                payload = self._worker_result_queue.get(timeout=wait)
            except queue.Empty:
                self._check_workers()
                continue
            return _worker.unpickle(payload)

    def _next_data(self) -> Any:
        while True:
            # skip tasks already yielded out of order and tasks of exhausted workers
            while self._rcvd_idx < self._send_idx:
                if self._rcvd_idx in self._reorder:
                    return self._process(self._rcvd_idx, self._reorder.pop(self._rcvd_idx))
                if self._rcvd_idx in self._task_info:
                    break
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            idx, data = self._get_data()
            if isinstance(idx, _worker._ResumeIteration):
                continue  # a stale acknowledgement; cannot happen mid-epoch, but harmless
            self._tasks_outstanding -= 1
            if isinstance(data, _worker._IterableDatasetStopIteration):
                self._retire_worker(data.worker_id)
                self._try_put_index()
                continue
            if idx == self._rcvd_idx or not self._in_order:
                return self._process(idx, data)
            self._reorder[idx] = data

    def _retire_worker(self, worker_id: int) -> None:
        """A worker's stream ended: its unanswered tasks will never be answered."""
        self._workers_status[worker_id] = False
        for idx in [i for i, w in self._task_info.items() if w == worker_id]:
            del self._task_info[idx]
            self._tasks_outstanding -= 1

    def _process(self, idx: int, data: Any) -> Any:
        self._task_info.pop(idx, None)
        if idx == self._rcvd_idx:
            self._rcvd_idx += 1
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    def _shutdown_workers(self) -> None:
        """Stop the workers (asking first, terminating those that do not exit in time).
        Safe to call more than once and during interpreter shutdown."""
        if getattr(self, "_shutdown", True):
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for q in self._index_queues:
                q.put(None)
            for w in self._workers:
                w.join(timeout=_JOIN_TIMEOUT)
            for q in self._index_queues:
                q.close()
            self._worker_result_queue.cancel_join_thread()
            self._worker_result_queue.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_JOIN_TIMEOUT)

    def __del__(self) -> None:
        try:
            self._shutdown_workers()
        except Exception:  # noqa: S110 - interpreter shutdown may have torn modules down
            pass
