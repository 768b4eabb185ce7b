"""nn.utils.rnn: padding and packing variable-length sequences (PackedSequence)."""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

from ..._tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]


def _ops():
    import ember
    return ember


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation undoing ``permutation``."""
    if permutation is None:
        return None
    return permutation.argsort()


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Time-major packed data: step t holds ``batch_sizes[t]`` rows (longest sequences
    first); ``sorted_indices`` maps back to the original batch order."""

    __slots__ = ()

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        idx = [None if t is None else t.to(dev)
               for t in (self.sorted_indices, self.unsorted_indices)]
        return type(self)(data, self.batch_sizes, *idx)

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self.to("cuda")

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self.to("cpu")

    def double(self) -> PackedSequence:
        return self.to(dtype=_ops().float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=_ops().float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=_ops().float16)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def _lengths_tensor(lengths) -> Tensor:
    e = _ops()
    if isinstance(lengths, Tensor):
        return lengths.to("cpu", e.int64)
    return e.as_tensor(list(lengths), dtype=e.int64)


def pack_padded_sequence(input: Tensor, lengths: Tensor | list, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T x B x * or B x T x *) given each sequence's length."""
    e = _ops()
    lengths = _lengths_tensor(lengths)
    if enforce_sorted:
        ls = lengths.tolist()
        if any(a < b for a, b in zip(ls, ls[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        lengths, sorted_indices = e.sort(lengths, descending=True)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    ls = lengths.tolist()
    if ls and min(ls) <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if ls and ls[0] > input.size(0):
        raise RuntimeError(f"Expected sequence length to be smaller or equal than "
                           f"{input.size(0)}, but got {ls[0]}")
    batch_sizes = [sum(1 for n in ls if n > t) for t in range(ls[0] if ls else 0)]
    data = e.cat([input[t, :bs] for t, bs in enumerate(batch_sizes)])
    return PackedSequence(data, e.tensor(batch_sizes, dtype=e.int64), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Inverse of :func:`pack_padded_sequence`: (padded batch, lengths)."""
    e = _ops()
    data, sizes = sequence.data, sequence.batch_sizes.tolist()
    max_len, batch = len(sizes), sizes[0]
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_len}")
    else:
        total_length = max_len
    trailing = tuple(data.shape[1:])
    steps, offset = [], 0
    for bs in sizes:
        chunk = data[offset:offset + bs]
        offset += bs
        if bs < batch:
            fill = e.full((batch - bs,) + trailing, padding_value, dtype=data.dtype,
                          device=data.device)
            chunk = e.cat([chunk, fill])
        steps.append(chunk)
    for _ in range(total_length - max_len):
        steps.append(e.full((batch,) + trailing, padding_value, dtype=data.dtype,
                            device=data.device))
    out = e.stack(steps, 1 if batch_first else 0)
    lengths = e.tensor([sum(1 for bs in sizes if bs > b) for b in range(batch)], dtype=e.int64)
    if sequence.unsorted_indices is not None:
        out = out.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.to("cpu")]
    return out, lengths


def pad_sequence(sequences: Tensor | Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of different lengths, padding them to the longest."""
    e = _ops()
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    max_len = max(s.size(0) for s in sequences)
    padded = []
    for s in sequences:
        n = max_len - s.size(0)
        if n:
            fill = e.full((n,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype,
                          device=s.device)
            s = e.cat([s, fill] if padding_side == "right" else [fill, s])
        padded.append(s)
    return e.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> list[Tensor]:
    """Split a padded batch back into its sequences."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _lengths_tensor(lengths).tolist())]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of variable-length sequences."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Inverse of :func:`pack_sequence`."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
