"""Samplers and DistributedSampler, compared with torch.utils.data where the result does
not depend on the random stream (ember's generator is not torch's)."""

import collections
import itertools

import pytest

import ember
from ember.utils import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data


def _gen(seed):
    return ember.Generator().manual_seed(seed)


def test_sampler_base_iter_not_implemented():
    with pytest.raises(NotImplementedError):
        iter(data.Sampler())


def test_sequential_sampler():
    s = data.SequentialSampler(range(5))
    assert list(s) == list(tdata.SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    assert len(s) == 5


def test_random_sampler_is_a_permutation_and_reproducible():
    s = data.RandomSampler(range(50), generator=_gen(0))
    first = list(s)
    assert sorted(first) == list(range(50)) and first != list(range(50))
    assert len(s) == 50
    assert list(data.RandomSampler(range(50), generator=_gen(0))) == first
    # the same generator object keeps advancing: the next epoch differs
    assert list(s) != first


def test_random_sampler_default_generator_follows_manual_seed():
    ember.manual_seed(5)
    a = [list(data.RandomSampler(range(20))) for _ in range(2)]
    ember.manual_seed(5)
    b = [list(data.RandomSampler(range(20))) for _ in range(2)]
    assert a == b and a[0] != a[1]


def test_random_sampler_num_samples_without_replacement():
    s = data.RandomSampler(range(4), num_samples=10, generator=_gen(1))
    out = list(s)
    assert len(out) == len(s) == 10
    # two full permutations, then 2 more distinct indices
    assert sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3]
    assert len(set(out[8:])) == 2


def test_random_sampler_with_replacement():
    out = list(data.RandomSampler(range(3), replacement=True, num_samples=100,
                                  generator=_gen(2)))
    assert len(out) == 100 and set(out) == {0, 1, 2}


@pytest.mark.parametrize("kwargs, exc, msg", [
    ({"replacement": 1}, TypeError, "replacement should be a boolean value, but got "
                                    "replacement=1"),
    ({"num_samples": 0}, ValueError, "num_samples should be a positive integer value, but got "
                                     "num_samples=0"),
    ({"num_samples": 2.5}, ValueError, "num_samples=2.5"),
])
def test_random_sampler_errors(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        tdata.RandomSampler(range(3), **kwargs)
    with pytest.raises(exc, match=msg):
        data.RandomSampler(range(3), **kwargs)


def test_random_sampler_empty_dataset():
    with pytest.raises(ValueError, match="num_samples=0"):
        tdata.RandomSampler(range(0))
    with pytest.raises(ValueError, match="num_samples=0"):
        data.RandomSampler(range(0))


def test_subset_random_sampler():
    indices = [10, 20, 30, 40]
    s = data.SubsetRandomSampler(indices, generator=_gen(0))
    out = list(s)
    assert sorted(out) == indices and len(s) == 4
    assert list(data.SubsetRandomSampler(indices, generator=_gen(0))) == out


def test_weighted_random_sampler_follows_weights():
    s = data.WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=_gen(0))
    counts = collections.Counter(s)
    assert len(s) == 4000 and counts[0] == 0
    assert 2.6 < counts[2] / counts[1] < 3.4


def test_weighted_random_sampler_without_replacement():
    out = list(data.WeightedRandomSampler([1.0, 1.0, 5.0, 0.5], 4, replacement=False,
                                          generator=_gen(0)))
    assert sorted(out) == [0, 1, 2, 3]


@pytest.mark.parametrize("args, kwargs, exc, msg", [
    (([[1.0]], 3), {}, ValueError, r"weights should be a 1d sequence but given weights have "
                                   r"shape \(1, 1\)"),
    (([1.0], 0), {}, ValueError, "num_samples should be a positive integer value, but got "
                                 "num_samples=0"),
    (([1.0], True), {}, ValueError, "num_samples=True"),
    (([1.0], 3), {"replacement": 0}, ValueError, "replacement should be a boolean value, but "
                                                 "got replacement=0"),
])
def test_weighted_random_sampler_errors(args, kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        tdata.WeightedRandomSampler(*args, **kwargs)
    with pytest.raises(exc, match=msg):
        data.WeightedRandomSampler(*args, **kwargs)


def test_weighted_random_sampler_too_many_without_replacement():
    with pytest.raises(RuntimeError):
        list(tdata.WeightedRandomSampler([1.0, 2.0], 3, replacement=False))
    with pytest.raises(RuntimeError):
        list(data.WeightedRandomSampler([1.0, 2.0], 3, replacement=False))


@pytest.mark.parametrize("n, bs, drop_last", list(itertools.product([0, 1, 7, 8], [1, 3, 8],
                                                                    [False, True])))
def test_batch_sampler_matches_torch(n, bs, drop_last):
    e = data.BatchSampler(data.SequentialSampler(range(n)), bs, drop_last)
    t = tdata.BatchSampler(tdata.SequentialSampler(range(n)), bs, drop_last)
    assert list(e) == list(t)
    assert len(e) == len(t)


@pytest.mark.parametrize("bs, drop_last, msg", [
    (0, False, "batch_size should be a positive integer value, but got batch_size=0"),
    (True, False, "batch_size=True"),
    (2, 1, "drop_last should be a boolean value, but got drop_last=1"),
])
def test_batch_sampler_errors(bs, drop_last, msg):
    with pytest.raises(ValueError, match=msg):
        tdata.BatchSampler(range(3), bs, drop_last)
    with pytest.raises(ValueError, match=msg):
        data.BatchSampler(range(3), bs, drop_last)


@pytest.mark.parametrize("n, replicas, drop_last", list(itertools.product(
    [1, 2, 10, 11], [1, 3, 4, 5], [False, True])))
def test_distributed_sampler_matches_torch_without_shuffle(n, replicas, drop_last):
    for rank in range(replicas):
        e = data.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                    drop_last=drop_last)
        t = tdata.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                     drop_last=drop_last)
        assert list(e) == list(t)
        assert len(e) == len(t) == e.num_samples
        assert e.total_size == t.total_size


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True),
                                                     (12, 4, False), (3, 5, False)])
def test_distributed_sampler_shuffle_partition(n, replicas, drop_last):
    shares = [list(data.DistributedSampler(range(n), replicas, r, seed=7,
                                           drop_last=drop_last)) for r in range(replicas)]
    lengths = {len(s) for s in shares}
    assert len(lengths) == 1  # every replica gets the same number of indices
    everything = [i for s in shares for i in s]
    if drop_last:
        assert len(set(everything)) == len(everything)  # disjoint
    else:
        assert set(everything) == set(range(n))  # covers the dataset (padded by repeats)
    expected_len = len(tdata.DistributedSampler(range(n), replicas, 0, drop_last=drop_last))
    assert lengths == {expected_len}


def test_distributed_sampler_set_epoch_and_seed():
    s = data.DistributedSampler(range(20), 2, 0, seed=1)
    e0 = list(s)
    assert list(s) == e0  # same epoch, same order
    s.set_epoch(1)
    assert s.epoch == 1 and list(s) != e0
    other_seed = data.DistributedSampler(range(20), 2, 0, seed=2)
    assert list(other_seed) != e0
    # all replicas agree on the permutation of an epoch: their shares are disjoint
    r1 = data.DistributedSampler(range(20), 2, 1, seed=1)
    assert set(e0).isdisjoint(r1)


def test_distributed_sampler_errors():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval "
                                         r"\[0, 1\]"):
        tdata.DistributedSampler(range(3), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval "
                                         r"\[0, 1\]"):
        data.DistributedSampler(range(3), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        data.DistributedSampler(range(3), num_replicas=2, rank=-1)
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        data.DistributedSampler(range(3))


def test_distributed_sampler_importable_like_torch():
    from ember.utils.data.distributed import DistributedSampler
    assert DistributedSampler is data.DistributedSampler
