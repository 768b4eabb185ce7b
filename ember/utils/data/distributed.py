"""DistributedSampler (torch.utils.data.distributed): each of ``num_replicas`` processes
reads a disjoint, equally long share of the dataset."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _default_group_value(what: str) -> int:
    """World size or rank of the default process group; ember has no process groups yet,
    so (like torch before ``init_process_group``) this is an error."""
    try:
        from ... import distributed as dist  # type: ignore[attr-defined]
    except ImportError:
        dist = None
    if dist is None or not getattr(dist, "is_initialized", lambda: False)():
        raise ValueError("Default process group has not been initialized, please make sure to "
                         f"call init_process_group (or pass {what} to DistributedSampler).")
    return dist.get_world_size() if what == "num_replicas" else dist.get_rank()


class DistributedSampler(Sampler):
    """Indices for replica ``rank`` out of ``num_replicas``: the (optionally shuffled, by
    ``seed + epoch``) index list is padded by wrapping around, or truncated with
    ``drop_last``, to a multiple of ``num_replicas``, then every ``num_replicas``-th index
    from ``rank`` on is taken. Call ``set_epoch`` before each epoch to reshuffle."""

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None:
            num_replicas = _default_group_value("num_replicas")
        if rank is None:
            rank = _default_group_value("rank")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            # drop the tail so every replica gets the same count without padding
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            from ... import randperm
            from ...random import Generator
            gen = Generator().manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=gen).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - len(indices)
            reps = math.ceil(padding / len(indices)) if indices else 0
            indices += (indices * reps)[:padding]
        assert len(indices) == self.total_size
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``epoch`` in the shuffle seed (different order each epoch, same on every
        replica)."""
        self.epoch = epoch
