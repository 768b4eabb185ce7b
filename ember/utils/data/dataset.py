"""Datasets (torch.utils.data.dataset): the map-style and iterable base classes, tensor,
concatenated, chained, subset and stacked datasets, and ``random_split``."""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

T_co = TypeVar("T_co", covariant=True)

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
    "ChainDataset", "Subset", "random_split",
]


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses implement ``__getitem__`` (and usually ``__len__``).

    A subclass may also define ``__getitems__(indices) -> list`` to fetch a whole batch at
    once; the DataLoader uses it when present.
    """

    def __getitem__(self, index) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """A dataset that is a stream: subclasses implement ``__iter__``.

    With several DataLoader workers every worker iterates its own copy; shard the stream
    with ``get_worker_info()`` inside ``__iter__`` to avoid duplicates.
    """

    def __add__(self, other: Dataset[T_co]) -> ChainDataset:
        return ChainDataset([self, other])


def _inherits_fetching(obj: Dataset, cls: type) -> bool:
    """Whether ``obj`` fetches samples exactly as ``cls`` does (a subclass overriding
    ``__getitem__`` or ``__getitems__`` must not be bypassed by a batched shortcut)."""
    return (type(obj).__getitem__ is cls.__getitem__
            and type(obj).__getitems__ is cls.__getitems__)


class TensorDataset(Dataset):
    """Samples are the ``index``-th rows of each tensor (all share their first dimension)."""

    def __init__(self, *tensors) -> None:
        assert all(tensors[0].size(0) == t.size(0) for t in tensors), \
            "Size mismatch between tensors"
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices: list) -> list:
        """A whole batch with one fancy index per tensor, as a list of sample tuples."""
        if not self._has_collated_path:  # a subclass changed what a sample is
            return [self[i] for i in indices]
        return list(zip(*self._collated(indices)))

    def _collated(self, indices: list) -> list:
        """What ``default_collate(self.__getitems__(indices))`` returns (a list with one
        batch tensor per tensor), computed without per-sample work: the DataLoader's
        fetcher takes this path when the collate_fn is ``default_collate``."""
        index = [int(i) for i in indices]  # indices may be 0-d tensors (a Subset's)
        return [t[index] for t in self.tensors]

    @property
    def _has_collated_path(self) -> bool:
        return _inherits_fetching(self, TensorDataset)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class StackDataset(Dataset):
    """Zips datasets of equal length: samples are tuples (positional datasets) or dicts
    (keyword datasets) of the datasets' samples at the same index."""

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args:
            if kwargs:
                raise ValueError(
                    "Supported either ``tuple``- (via ``args``) or ``dict``- (via ``kwargs``) "
                    "like input/output, but both types are given.")
            self._length = len(args[0])
            if any(self._length != len(d) for d in args):
                raise ValueError("Size mismatch between datasets: lengths "
                                 f"{[len(d) for d in args]}")
            self.datasets: tuple | dict = args
        elif kwargs:
            lengths = {k: len(d) for k, d in kwargs.items()}
            self._length = next(iter(lengths.values()))
            if any(self._length != n for n in lengths.values()):
                raise ValueError(f"Size mismatch between datasets: lengths {lengths}")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list) -> list:
        columns = self.datasets.values() if isinstance(self.datasets, dict) else self.datasets
        fetched = []
        for d in columns:
            if callable(getattr(d, "__getitems__", None)):
                items = d.__getitems__(indices)
                if len(items) != len(indices):
                    raise ValueError("Nested dataset's output size mismatch. "
                                     f"Expected {len(indices)}, got {len(items)}")
                fetched.append(items)
            else:
                fetched.append([d[i] for i in indices])
        if isinstance(self.datasets, dict):
            keys = list(self.datasets)
            return [dict(zip(keys, row)) for row in zip(*fetched)]
        return [tuple(row) for row in zip(*fetched)]

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset[T_co]):
    """The concatenation of map-style datasets; ``cumulative_sizes[i]`` is the total
    length of the first ``i + 1`` datasets."""

    datasets: list[Dataset[T_co]]
    cumulative_sizes: list[int]

    @staticmethod
    def cumsum(sequence: Sequence) -> list[int]:
        out, total = [], 0
        for d in sequence:
            total += len(d)
            out.append(total)
        return out

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        assert len(self.datasets) > 0, "datasets should not be an empty iterable"
        for d in self.datasets:
            assert not isinstance(d, IterableDataset), \
                "ConcatDataset does not support IterableDataset"
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]

    @property
    def cummulative_sizes(self) -> list[int]:
        warnings.warn("cummulative_sizes attribute is renamed to cumulative_sizes",
                      DeprecationWarning, stacklevel=2)
        return self.cumulative_sizes


class ChainDataset(IterableDataset):
    """Iterates the given iterable datasets one after another (lazily)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self) -> Iterator:
        for d in self.datasets:
            assert isinstance(d, IterableDataset), "ChainDataset only supports IterableDataset"
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            assert isinstance(d, IterableDataset), "ChainDataset only supports IterableDataset"
            total += len(d)
        return total


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order."""

    dataset: Dataset[T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list) -> list:
        mapped = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(mapped)
        return [self.dataset[i] for i in mapped]

    def _collated(self, indices: list) -> list:
        # only reachable when the wrapped dataset has it (see _has_collated_path)
        return self.dataset._collated([self.indices[i] for i in indices])

    @property
    def _has_collated_path(self) -> bool:
        return (_inherits_fetching(self, Subset)
                and getattr(self.dataset, "_has_collated_path", False))

    def __len__(self) -> int:
        return len(self.indices)


def _fractions_to_lengths(total: int, fractions: Sequence[float]) -> list[int]:
    """Floor each fraction's share, then hand the remainder out one by one, round-robin
    from the first split (torch's distribution)."""
    lengths = [int(math.floor(total * f)) for f in fractions]
    for i in range(total - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, n in enumerate(lengths):
        if n == 0:
            warnings.warn(f"Length of split at index {i} is 0. "
                          "This might result in an empty dataset.", stacklevel=3)
    return lengths


def random_split(dataset: Dataset[T_co], lengths: Sequence[int | float],
                 generator: Any = None) -> list[Subset[T_co]]:
    """Split ``dataset`` at random into non-overlapping Subsets of the given lengths (or
    fractions of ``len(dataset)`` summing to 1). The permutation comes from ``generator``
    (ember's default generator when None), so the same ember seed gives the same split."""
    from ... import randperm
    from ...random import default_generator

    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths = _fractions_to_lengths(len(dataset), lengths)
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input "
                         f"dataset! (sum {sum(lengths)} vs length {len(dataset)})")
    perm = randperm(sum(lengths), generator=generator or default_generator).tolist()
    splits, offset = [], 0
    for n in lengths:
        splits.append(Subset(dataset, perm[offset:offset + n]))
        offset += n
    return splits
