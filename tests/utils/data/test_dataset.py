"""Datasets and random_split, compared with torch.utils.data."""

import warnings

import numpy as np
import pytest

import ember
from ember.utils import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data


def _pair(n=6):
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n)
    return (data.TensorDataset(ember.from_numpy(x), ember.from_numpy(y)),
            tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)))


def _same(e, t):
    """Recursively equal structure and values (ember tensors vs torch tensors)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor)
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    elif isinstance(t, dict):
        assert isinstance(e, dict) and e.keys() == t.keys()
        for k in t:
            _same(e[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b)
    else:
        assert e == t


class Squares(data.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i


class Stream(data.IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def test_base_dataset_getitem_not_implemented():
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        data.Dataset()[0]


def test_iterable_dataset_is_abstract_like_torch():
    with pytest.raises(TypeError):
        tdata.IterableDataset()
    with pytest.raises(TypeError):
        data.IterableDataset()


def test_tensor_dataset_items_len_and_getitems():
    e, t = _pair()
    assert len(e) == len(t) == 6
    _same(e[2], t[2])
    _same(e[-1], t[-1])
    rows = e.__getitems__([4, 0, 4])
    assert isinstance(rows, list) and len(rows) == 3
    _same(rows, [t[4], t[0], t[4]])


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        tdata.TensorDataset(torch.ones(2), torch.ones(3))
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        data.TensorDataset(ember.ones(2), ember.ones(3))


def test_tensor_dataset_subclass_getitem_is_respected_by_getitems():
    class Doubled(data.TensorDataset):
        def __getitem__(self, i):
            return (self.tensors[0][i] * 2,)

    ds = Doubled(ember.arange(4))
    assert [r[0].item() for r in ds.__getitems__([1, 3])] == [2, 6]
    assert not ds._has_collated_path


def test_concat_dataset_indices_and_cumulative_sizes():
    e = data.ConcatDataset([Squares(3), Squares(2), Squares(4)])
    t = tdata.ConcatDataset([Squares(3), Squares(2), Squares(4)])
    assert e.cumulative_sizes == t.cumulative_sizes == [3, 5, 9]
    assert len(e) == 9
    assert [e[i] for i in range(-9, 9)] == [t[i] for i in range(-9, 9)]
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        e[-10]
    with pytest.raises(IndexError):
        e[9]
    with pytest.warns(DeprecationWarning, match="cumulative_sizes"):
        assert e.cummulative_sizes == [3, 5, 9]


def test_concat_dataset_errors():
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        data.ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        data.ConcatDataset([Stream([1])])


def test_dataset_add_builds_concat_and_chain():
    both = Squares(2) + Squares(3)
    assert isinstance(both, data.ConcatDataset)
    assert [both[i] for i in range(5)] == [0, 1, 0, 1, 4]
    chained = Stream([1, 2]) + Stream([3])
    assert isinstance(chained, data.ChainDataset)
    assert list(chained) == [1, 2, 3]
    assert len(chained) == 3


def test_chain_dataset_rejects_map_style():
    chained = data.ChainDataset([Stream([1]), Squares(2)])
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(chained)
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        len(chained)


def test_subset_getitem_list_and_getitems():
    e, t = _pair()
    es, ts = data.Subset(e, [5, 1, 3]), tdata.Subset(t, [5, 1, 3])
    assert len(es) == len(ts) == 3
    _same(es[0], ts[0])
    _same(es.__getitems__([2, 0]), ts.__getitems__([2, 0]))
    sq = data.Subset(list(range(10, 20)), [3, 4])
    assert sq[1] == 14
    assert sq.__getitems__([1, 0]) == [14, 13]
    assert es._has_collated_path and not sq._has_collated_path


def test_stack_dataset_tuple_and_dict():
    e = data.StackDataset(Squares(3), [10, 11, 12])
    t = tdata.StackDataset(Squares(3), [10, 11, 12])
    assert e[1] == t[1] == (1, 11)
    assert e.__getitems__([2, 0]) == t.__getitems__([2, 0])
    e = data.StackDataset(a=Squares(3), b=[10, 11, 12])
    t = tdata.StackDataset(a=Squares(3), b=[10, 11, 12])
    assert e[2] == t[2] == {"a": 4, "b": 12}
    assert e.__getitems__([0, 1]) == t.__getitems__([0, 1])
    assert len(e) == 3


def test_stack_dataset_errors():
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        data.StackDataset(Squares(3), Squares(4))
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        data.StackDataset(a=Squares(3), b=Squares(4))
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        data.StackDataset()
    with pytest.raises(ValueError, match="both types are given"):
        data.StackDataset(Squares(3), b=Squares(3))


def test_random_split_lengths_partition_and_reproducibility():
    ds = Squares(10)
    g = ember.Generator().manual_seed(3)
    parts = data.random_split(ds, [3, 7], generator=g)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = data.random_split(ds, [3, 7], generator=ember.Generator().manual_seed(3))
    assert [p.indices for p in again] == [p.indices for p in parts]
    other = data.random_split(ds, [3, 7], generator=ember.Generator().manual_seed(4))
    assert [p.indices for p in other] != [p.indices for p in parts]


def test_random_split_uses_default_generator():
    ember.manual_seed(11)
    a = [p.indices for p in data.random_split(Squares(20), [10, 10])]
    ember.manual_seed(11)
    b = [p.indices for p in data.random_split(Squares(20), [10, 10])]
    assert a == b


@pytest.mark.parametrize("n, fractions", [(10, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]),
                                          (7, [0.25, 0.25, 0.25, 0.25]), (5, [0.1, 0.9])])
def test_random_split_fractions_match_torch_lengths(n, fractions):
    e = data.random_split(Squares(n), fractions)
    t = tdata.random_split(Squares(n), fractions)
    assert [len(p) for p in e] == [len(p) for p in t]


def test_random_split_zero_length_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = data.random_split(Squares(1), [0.1, 0.9])
        expected = [len(p) for p in tdata.random_split(range(1), [0.1, 0.9])]
    assert [len(p) for p in parts] == expected == [1, 0]
    assert any("Length of split at index 1 is 0" in str(w.message) for w in caught)


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [11]])
def test_random_split_bad_lengths(lengths):
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        tdata.random_split(range(10), lengths)
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        data.random_split(Squares(10), lengths)


def test_random_split_bad_fraction():
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        tdata.random_split(range(10), [1.5, -0.5])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        data.random_split(Squares(10), [1.5, -0.5])


def test_subset_with_tensor_indices_batches_like_torch():
    e = data.Subset(data.TensorDataset(ember.arange(10) * 2), ember.tensor([3, 1, 4]))
    t = tdata.Subset(tdata.TensorDataset(torch.arange(10) * 2), torch.tensor([3, 1, 4]))
    e_batches = [b[0].tolist() for b in data.DataLoader(e, batch_size=2)]
    t_batches = [b[0].tolist() for b in tdata.DataLoader(t, batch_size=2)]
    assert e_batches == t_batches == [[6, 2], [8]]


def test_batched_shortcut_respects_overridden_getitems():
    class Custom(data.TensorDataset):
        def __getitems__(self, indices):
            return [(ember.tensor(-i),) for i in indices]

    ds = Custom(ember.arange(4))
    assert not ds._has_collated_path
    assert not data.Subset(ds, [0, 1])._has_collated_path
    assert [b[0].tolist() for b in data.DataLoader(ds, batch_size=2)] == [[0, -1], [-2, -3]]
