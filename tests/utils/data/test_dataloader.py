"""DataLoader in the main process (num_workers=0): arguments, batching, len(), errors,
reproducibility. Worker processes are tested in test_workers.py."""

import sys
import warnings

import numpy as np
import pytest

import ember
from ember.utils import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data


def _to_py(batch):
    """A batch as plain Python values, for comparing ember's with torch's."""
    if hasattr(batch, "tolist") and hasattr(batch, "dtype"):
        return ("tensor", str(batch.dtype).replace("torch.", ""), batch.tolist())
    if isinstance(batch, dict):
        return {k: _to_py(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch).__name__, [_to_py(b) for b in batch]
    return batch


class Squares(data.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        return {"i": i, "sq": float(i * i)}


class TorchSquares(tdata.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        return {"i": i, "sq": float(i * i)}


class Count(data.IterableDataset):
    def __init__(self, n, length=None):
        self.n, self.length = n, length

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        if self.length is None:
            raise TypeError("no len")
        return self.length


class TorchCount(tdata.IterableDataset):
    def __init__(self, n, length=None):
        self.n, self.length = n, length

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        if self.length is None:
            raise TypeError("no len")
        return self.length


def _tensors(lib, n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    return lib.utils.data.TensorDataset(lib.from_numpy(x), lib.from_numpy(np.arange(n)))


@pytest.mark.parametrize("kwargs", [
    {}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None},
    {"batch_size": 4, "sampler": [9, 0, 5, 5, 1]}, {"batch_sampler": [[3, 1], [0], [7, 8, 9]]},
])
def test_map_style_batches_match_torch(kwargs):
    e = list(data.DataLoader(Squares(), **kwargs))
    t = list(tdata.DataLoader(TorchSquares(), **kwargs))
    assert _to_py(e) == _to_py(t)
    assert len(data.DataLoader(Squares(), **kwargs)) == len(tdata.DataLoader(TorchSquares(),
                                                                             **kwargs))


@pytest.mark.parametrize("kwargs", [{"batch_size": 4}, {"batch_size": 4, "drop_last": True},
                                    {"batch_size": None}])
def test_tensor_dataset_batches_match_torch(kwargs):
    e = list(data.DataLoader(_tensors(ember), **kwargs))
    t = list(tdata.DataLoader(_tensors(torch), **kwargs))
    assert _to_py(e) == _to_py(t)


def test_tensor_dataset_uses_batched_fetch():
    calls = []

    class Spy(data.TensorDataset):
        def _collated(self, indices):
            calls.append(list(indices))
            return super()._collated(indices)

    ds = Spy(ember.arange(6), ember.arange(6) * 10)
    batches = list(data.DataLoader(ds, batch_size=4))
    assert calls == [[0, 1, 2, 3], [4, 5]]
    assert batches[1][1].tolist() == [40, 50]


def test_getitems_used_with_custom_collate():
    class Batched(data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            raise AssertionError("per-sample path must not be used")

        def __getitems__(self, indices):
            return [i * 2 for i in indices]

    out = list(data.DataLoader(Batched(), batch_size=2, collate_fn=lambda b: b))
    assert out == [[0, 2], [4, 6], [8]]


def test_custom_collate_receives_samples():
    out = list(data.DataLoader(_tensors(ember, 4), batch_size=3, collate_fn=len))
    assert out == [3, 1]
    rows = next(iter(data.DataLoader(_tensors(ember, 4), batch_size=2, collate_fn=list)))
    assert [r[1].item() for r in rows] == [0, 1]


@pytest.mark.parametrize("kwargs", [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
                                    {"batch_size": None}])
def test_iterable_dataset_matches_torch(kwargs):
    e = list(data.DataLoader(Count(7), **kwargs))
    t = list(tdata.DataLoader(TorchCount(7), **kwargs))
    assert _to_py(e) == _to_py(t)


@pytest.mark.parametrize("kwargs", [{"batch_size": 2}, {"batch_size": 2, "drop_last": True},
                                    {"batch_size": None}])
def test_iterable_dataset_len_matches_torch(kwargs):
    assert len(data.DataLoader(Count(7, 5), **kwargs)) == len(tdata.DataLoader(TorchCount(7, 5),
                                                                               **kwargs))
    with pytest.raises(TypeError):
        len(data.DataLoader(Count(7)))


def test_iterable_dataset_len_warning():
    loader = data.DataLoader(Count(7, 3), batch_size=None)
    assert len(loader) == 3
    with pytest.warns(UserWarning, match="was reported to be 3"):
        assert list(loader) == list(range(7))


def test_shuffle_reproducible_with_manual_seed():
    def epoch():
        return [b.tolist() for b in data.DataLoader(list(range(20)), batch_size=5,
                                                   shuffle=True)]
    ember.manual_seed(0)
    a = [epoch(), epoch()]
    ember.manual_seed(0)
    b = [epoch(), epoch()]
    assert a == b and a[0] != a[1]
    assert sorted(sum(a[0], [])) == list(range(20))


def test_shuffle_with_generator():
    def run(seed):
        g = ember.Generator().manual_seed(seed)
        loader = data.DataLoader(list(range(20)), batch_size=5, shuffle=True, generator=g)
        return [b.tolist() for b in loader]
    assert run(1) == run(1) != run(2)


def test_pin_memory_is_a_noop_with_warning_like_torch():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        t = list(tdata.DataLoader(range(3), pin_memory=True))
    with pytest.warns(UserWarning, match="no accelerator is found"):
        e = list(data.DataLoader(range(3), pin_memory=True))
    assert _to_py(e) == _to_py(t)


def test_get_worker_info_is_none_in_main_process():
    seen = []

    class Probe(data.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            seen.append(data.get_worker_info())
            return i

    list(data.DataLoader(Probe()))
    assert seen == [None, None]
    assert data.get_worker_info() is None


ARG_ERRORS = [
    ({"num_workers": -1}, ValueError, "num_workers option should be non-negative"),
    ({"timeout": -1}, ValueError, "timeout option should be non-negative"),
    ({"prefetch_factor": 2}, ValueError, "prefetch_factor option could only be specified in "
                                         "multiprocessing"),
    ({"num_workers": 1, "prefetch_factor": -1}, ValueError, "prefetch_factor option should be "
                                                            "non-negative"),
    ({"persistent_workers": True}, ValueError, "persistent_workers option needs num_workers > 0"),
    ({"multiprocessing_context": "fork"}, ValueError, "multiprocessing_context can only be used "
                                                      "with multi-process loading"),
    ({"num_workers": 1, "multiprocessing_context": "bad"}, ValueError,
     "multiprocessing_context option should specify a valid start method in"),
    ({"num_workers": 1, "multiprocessing_context": 3}, TypeError,
     "multiprocessing_context option should be a valid context object or a string"),
    ({"sampler": [0, 1], "shuffle": True}, ValueError,
     "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0, 1]], "batch_size": 2}, ValueError,
     "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
     "drop_last"),
    ({"batch_sampler": [[0, 1]], "drop_last": True}, ValueError,
     "batch_sampler option is mutually exclusive"),
    ({"batch_sampler": [[0, 1]], "shuffle": True}, ValueError,
     "batch_sampler option is mutually exclusive"),
    ({"batch_size": None, "drop_last": True}, ValueError,
     "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
    ({"batch_size": 0}, ValueError, "batch_size should be a positive integer value"),
]


@pytest.mark.parametrize("kwargs, exc, msg", ARG_ERRORS)
def test_argument_errors_match_torch(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        tdata.DataLoader(range(4), **kwargs)
    with pytest.raises(exc, match=msg):
        data.DataLoader(Squares(), **kwargs)


@pytest.mark.parametrize("name, value", [("shuffle", True), ("sampler", [1]),
                                         ("batch_sampler", [[1]])])
def test_iterable_dataset_rejects_index_options(name, value):
    msg = (f"DataLoader with IterableDataset: expected unspecified {name} option, but got "
           f"{name}=")
    with pytest.raises(ValueError, match=msg):
        tdata.DataLoader(TorchCount(3), **{name: value})
    with pytest.raises(ValueError, match=msg):
        data.DataLoader(Count(3), **{name: value})


def test_multiprocessing_context_object_accepted():
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    loader = data.DataLoader(Squares(), num_workers=1, multiprocessing_context=ctx)
    assert loader.multiprocessing_context is ctx
    loader = data.DataLoader(Squares(), num_workers=1, multiprocessing_context="spawn")
    assert loader.multiprocessing_context.get_start_method() == "spawn"


def test_attributes_frozen_after_init():
    loader = data.DataLoader(Squares(), batch_size=2)
    for name in ("batch_size", "sampler", "dataset", "drop_last", "batch_sampler"):
        with pytest.raises(ValueError, match=f"{name} attribute should not be set after "
                                             "DataLoader is initialized"):
            setattr(loader, name, None)
    loader.num_workers = 0  # not frozen, as in torch
    assert loader.num_workers == 0


def test_default_sampler_types():
    assert isinstance(data.DataLoader(Squares()).sampler, data.SequentialSampler)
    shuffled = data.DataLoader(Squares(), shuffle=True, batch_size=3)
    assert isinstance(shuffled.sampler, data.RandomSampler)
    assert isinstance(shuffled.batch_sampler, data.BatchSampler)
    assert shuffled.batch_sampler.batch_size == 3
    assert data.DataLoader(Squares(), batch_size=None).batch_sampler is None


def test_too_many_workers_warns():
    import os
    n = len(os.sched_getaffinity(0)) + 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data.DataLoader(Squares(), num_workers=n)
    assert any(f"will create {n} worker processes" in str(w.message) for w in caught)


def test_dataset_error_propagates_unchanged():
    class Broken(data.Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            raise KeyError(f"missing {i}")

    with pytest.raises(KeyError, match="missing 0"):
        next(iter(data.DataLoader(Broken())))


def test_pin_memory_helper_walks_containers():
    import collections

    from ember.utils.data.dataloader import pin_memory

    class Batch:
        def __init__(self):
            self.pinned = False

        def pin_memory(self):
            self.pinned = True
            return self

    P = collections.namedtuple("P", "a b")
    out = pin_memory({"x": [Batch(), ("s", Batch())], "p": P(Batch(), 3)})
    assert out["x"][0].pinned and out["x"][1][1].pinned and out["x"][1][0] == "s"
    assert isinstance(out["p"], P) and out["p"].a.pinned and out["p"].b == 3
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="accelerator"):
            pin_memory([ember.ones(2)])


def test_public_names_match_torch():
    # torch's names, less the deprecated DataPipe machinery
    names = {n for n in tdata.__all__ if not n.startswith("_") and "DataPipe" not in n
             and "datapipe" not in n and "validation" not in n
             and n not in ("DataChunk", "argument_validation", "non_deterministic")}
    assert names <= set(data.__all__)
    for name in names:
        assert hasattr(data, name), name
    for module in ("dataset", "sampler", "dataloader", "distributed"):
        assert hasattr(data, module)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork default is Linux's")
def test_default_start_method_is_fork_on_linux():
    from ember.utils.data.dataloader import _default_context
    assert _default_context().get_start_method() == "fork"
