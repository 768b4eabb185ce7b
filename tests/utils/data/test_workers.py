"""DataLoader with worker processes: results, ordering, seeding, worker info, errors,
dead and slow workers, shutdown. Every loader here has a ``timeout`` so that a bug fails
the test instead of hanging the suite."""

import gc
import os
import random
import signal
import time

import numpy as np
import pytest

import ember
from ember.utils import data

T = 10  # seconds: the longest any single batch may take here


def _loader(dataset, **kwargs):
    kwargs.setdefault("timeout", T)
    kwargs.setdefault("num_workers", 2)
    return data.DataLoader(dataset, **kwargs)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pids, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


class Probe(data.Dataset):
    """Sample i: (i, worker id, pid, worker seed, ember/random/numpy draws)."""

    def __init__(self, n=12):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = data.get_worker_info()
        return {"i": i, "wid": info.id, "nw": info.num_workers, "pid": os.getpid(),
                "seed": info.seed, "ds_is_probe": isinstance(info.dataset, Probe),
                "threads": ember.get_num_threads(),
                "ember": ember.rand(1).item(), "random": random.random(),
                "numpy": float(np.random.rand())}


class Failing(data.Dataset):
    def __init__(self, exc):
        self.exc = exc

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise self.exc
        return i


class Killing(data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class Sleepy(data.Dataset):
    """Sample i sleeps ``delays.get(i, default)`` seconds."""

    def __init__(self, n, default=0.0, delays=None):
        self.n, self.default, self.delays = n, default, delays or {}

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        time.sleep(self.delays.get(i, self.default))
        return i


class Shard(data.IterableDataset):
    """0..n-1, split between workers when ``shard``."""

    def __init__(self, n, shard=True):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = data.get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def _flat(batches, key):
    return [v for b in batches for v in b[key].tolist()]


def test_same_batches_as_single_process():
    x = ember.arange(60.0).reshape(20, 3)
    ds = data.TensorDataset(x, ember.arange(20))
    for kwargs in ({"batch_size": 3}, {"batch_size": 4, "drop_last": True},
                   {"batch_size": None}):
        single = list(data.DataLoader(ds, **kwargs))
        multi = list(_loader(ds, **kwargs))
        assert len(single) == len(multi)
        for s, m in zip(single, multi):
            for a, b in zip(s, m):
                assert a.dtype == b.dtype and a.tolist() == b.tolist()


@pytest.mark.parametrize("num_workers", [1, 2])
def test_generator_seed_gives_same_order_for_any_worker_count(num_workers):
    def order(nw):
        g = ember.Generator().manual_seed(123)
        loader = data.DataLoader(list(range(30)), batch_size=4, shuffle=True, generator=g,
                                 num_workers=nw, timeout=T if nw else 0)
        return [b.tolist() for b in loader]
    expected = order(0)
    assert sorted(sum(expected, [])) == list(range(30))
    assert order(num_workers) == expected


def test_worker_info_inside_workers():
    batches = list(_loader(Probe(12), batch_size=2))
    assert _flat(batches, "i") == list(range(12))
    # round-robin assignment of batches to workers
    assert [b["wid"].tolist() for b in batches] == [[k % 2] * 2 for k in range(6)]
    assert set(_flat(batches, "nw")) == {2}
    assert set(_flat(batches, "threads")) == {1}  # one BLAS thread per worker, as in torch
    assert all(_flat(batches, "ds_is_probe"))
    pids = {w: {p for b in batches for p, i in zip(b["pid"].tolist(), b["wid"].tolist())
                if i == w} for w in (0, 1)}
    assert len(pids[0]) == len(pids[1]) == 1 and pids[0] != pids[1]
    assert os.getpid() not in pids[0] | pids[1]
    seeds = {i: s for b in batches for i, s in zip(b["wid"].tolist(), b["seed"].tolist())}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker_id


def test_worker_info_is_read_only():
    info = data.WorkerInfo(id=0, num_workers=1, seed=5, dataset=None)
    assert "id=0" in repr(info) and "seed=5" in repr(info)
    with pytest.raises(RuntimeError, match="Cannot assign attributes to WorkerInfo objects"):
        info.id = 3


def test_worker_seeds_distinct_per_worker_and_epoch_and_reproducible():
    def epoch(loader):
        batches = list(loader)
        per_worker = {}
        for b in batches:
            for w, e, r, n in zip(b["wid"].tolist(), b["ember"].tolist(), b["random"].tolist(),
                                  b["numpy"].tolist()):
                per_worker.setdefault(w, (e, r, n))  # each worker's first draws
        return per_worker

    g = ember.Generator().manual_seed(7)
    loader = _loader(Probe(4), batch_size=1, generator=g)
    first, second = epoch(loader), epoch(loader)
    for draws in (first, second):
        for k in range(3):  # ember, random, numpy streams differ between workers
            assert draws[0][k] != draws[1][k]
    assert first != second  # a new base seed every epoch
    again = epoch(_loader(Probe(4), batch_size=1, generator=ember.Generator().manual_seed(7)))
    assert again == first


def test_worker_seed_follows_manual_seed():
    def seeds():
        return _flat(list(_loader(Probe(4), batch_size=2)), "seed")
    ember.manual_seed(3)
    a = seeds()
    ember.manual_seed(3)
    assert seeds() == a


def _record_init(worker_id):
    os.environ["EMBER_TEST_INIT"] = f"init-{worker_id}"


class InitProbe(data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return os.environ.get("EMBER_TEST_INIT", "none")


def test_worker_init_fn_runs_in_each_worker():
    out = list(_loader(InitProbe(), batch_size=2, worker_init_fn=_record_init))
    assert out == [["init-0", "init-0"], ["init-1", "init-1"]]
    assert "EMBER_TEST_INIT" not in os.environ


def test_iterable_dataset_sharding():
    batches = list(_loader(Shard(10), batch_size=3))
    items = sorted(v for b in batches for v in b.tolist())
    assert items == list(range(10))
    # without sharding every worker yields the whole stream (as in torch)
    dup = sorted(v for b in _loader(Shard(5, shard=False), batch_size=2) for v in b.tolist())
    assert dup == sorted(list(range(5)) * 2)


def test_iterable_dataset_drop_last_with_workers():
    # each worker drops its own incomplete last batch (0,2,4 | 6,8 and 1,3,5 | 7,9)
    batches = [b.tolist() for b in _loader(Shard(10), batch_size=3, drop_last=True)]
    assert batches == [[0, 2, 4], [1, 3, 5]]


def test_exception_in_worker_reraised_with_traceback():
    with pytest.raises(ValueError) as err:
        list(_loader(Failing(ValueError("bad sample 5")), batch_size=2))
    msg = str(err.value)
    assert "Caught ValueError in DataLoader worker process 0." in msg
    assert "Original Traceback (most recent call last):" in msg
    assert "bad sample 5" in msg and "__getitem__" in msg


def test_key_error_in_worker_keeps_type_and_readable_message():
    with pytest.raises(KeyError) as err:
        list(_loader(Failing(KeyError("no such key")), batch_size=2))
    assert "Caught KeyError in DataLoader worker process 0." in str(err.value)
    assert "\\n" not in str(err.value)  # not shown as a repr


def _bad_init(worker_id):
    raise RuntimeError(f"init failed in {worker_id}")


def test_exception_in_worker_init_fn():
    with pytest.raises(RuntimeError, match="(?s)Caught RuntimeError in DataLoader worker process "
                                           "0.*init failed in 0"):
        list(_loader(Probe(4), batch_size=1, worker_init_fn=_bad_init))


class Unpicklable(data.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return lambda: i


def test_unpicklable_batch_is_an_error_not_a_hang():
    t0 = time.monotonic()
    with pytest.raises(Exception, match="(?s)Caught .* in DataLoader worker process.*pickle"):
        list(_loader(Unpicklable(), batch_size=None, collate_fn=lambda x: x))
    assert time.monotonic() - t0 < T


def test_killed_worker_raises_runtime_error():
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) is killed by "
                                           r"signal: Killed"):
        list(data.DataLoader(Killing(), batch_size=2, num_workers=2))  # no timeout set
    assert time.monotonic() - t0 < 5


def test_timeout():
    it = iter(_loader(Sleepy(4, default=0.6), batch_size=1, timeout=0.2))
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        next(it)
    with pytest.raises(RuntimeError, match="workers were shut down after an earlier failure"):
        next(it)


def test_iteration_continues_after_a_worker_exception():
    it = iter(_loader(Failing(ValueError("bad sample 5")), batch_size=2))
    assert [next(it).tolist() for _ in range(2)] == [[0, 1], [2, 3]]
    with pytest.raises(ValueError, match="bad sample 5"):
        next(it)
    assert next(it).tolist() == [6, 7]
    with pytest.raises(StopIteration):
        next(it)


def test_workers_shut_down_when_iterator_dropped():
    it = iter(_loader(Probe(40), batch_size=2))
    first = next(it)
    pids = set(first["pid"].tolist()) | set(next(it)["pid"].tolist())
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    del it, first
    gc.collect()
    assert _wait_gone(pids) == []


def test_workers_shut_down_after_break_and_after_full_epoch():
    pids = set()
    for b in _loader(Probe(40), batch_size=2):
        pids.update(b["pid"].tolist())
        if len(pids) == 2:
            break
    gc.collect()
    assert _wait_gone(pids) == []
    loader = _loader(Probe(6), batch_size=2)
    pids = {p for b in loader for p in b["pid"].tolist()}
    assert _wait_gone(pids) == []


def test_persistent_workers_reused_across_epochs():
    loader = _loader(Probe(8), batch_size=2, persistent_workers=True)
    epochs = [list(loader) for _ in range(3)]
    for batches in epochs:
        assert _flat(batches, "i") == list(range(8))
    pids = [set(_flat(b, "pid")) for b in epochs]
    assert pids[0] == pids[1] == pids[2] and len(pids[0]) == 2
    # a broken-off epoch does not leak stale batches into the next one
    it = iter(loader)
    next(it)
    assert _flat(list(loader), "i") == list(range(8))
    del loader, it
    gc.collect()
    assert _wait_gone(pids[0]) == []


def test_persistent_workers_iterable_dataset():
    loader = _loader(Shard(6), batch_size=2, persistent_workers=True)
    for _ in range(2):
        assert sorted(v for b in loader for v in b.tolist()) == list(range(6))


def test_in_order_false_yields_ready_batches_first():
    ds = Sleepy(8, delays={0: 0.5})
    ordered = [b.tolist() for b in _loader(ds, batch_size=2)]
    assert ordered == [[0, 1], [2, 3], [4, 5], [6, 7]]
    unordered = [b.tolist() for b in _loader(ds, batch_size=2, in_order=False)]
    assert sorted(unordered) == ordered
    assert unordered[0] != [0, 1]  # the slow first batch did not hold the others back


def test_workers_speed_up_slow_getitem():
    ds = Sleepy(16, default=0.03)  # sleeping, so the timing holds on a busy machine
    t0 = time.monotonic()
    list(data.DataLoader(ds, batch_size=2))
    serial = time.monotonic() - t0
    loader = _loader(ds, batch_size=2, persistent_workers=True)
    list(loader)  # start-up excluded: time the second epoch
    t0 = time.monotonic()
    list(loader)
    parallel = time.monotonic() - t0
    assert parallel < 0.75 * serial, (serial, parallel)


def test_spawn_context():
    loader = _loader(Shard(5), batch_size=2, num_workers=1, multiprocessing_context="spawn")
    assert sorted(v for b in loader for v in b.tolist()) == list(range(5))


def test_prefetch_factor_zero_rejected_at_iteration_like_torch():
    loader = _loader(Probe(4), prefetch_factor=0)
    with pytest.raises(AssertionError, match="prefetch_factor must be greater than 0"):
        iter(loader)


def test_prefetch_factor_bounds_tasks_in_flight():
    it = iter(_loader(Probe(40), batch_size=1, prefetch_factor=3))
    assert it._tasks_outstanding == 6 and it._send_idx == 6  # 3 per worker, sent up front
    next(it)
    assert it._send_idx == 7  # one new task per batch taken


class BrokenStream(data.IterableDataset):
    def __iter__(self):
        raise OSError("stream unavailable")


def test_iterable_dataset_iter_error_reraised():
    with pytest.raises(OSError, match="(?s)Caught OSError in DataLoader worker process 0.*"
                                      "stream unavailable"):
        list(_loader(BrokenStream(), batch_size=2))


_ORPHAN_SCRIPT = """
import os, signal, sys
sys.path.insert(0, {root!r})
from tests.utils.data.test_workers import Probe, _loader
it = iter(_loader(Probe(40), batch_size=2))
pids = set(next(it)["pid"].tolist()) | set(next(it)["pid"].tolist())
print(" ".join(map(str, sorted(pids))), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no clean-up at all in the main process
"""


def test_workers_exit_when_main_process_is_killed():
    import pathlib
    import subprocess
    import sys

    root = str(pathlib.Path(__file__).resolve().parents[3])
    proc = subprocess.run([sys.executable, "-c", _ORPHAN_SCRIPT.format(root=root)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pids = [int(p) for p in proc.stdout.split()]
    assert len(pids) == 2
    assert _wait_gone(pids) == []
