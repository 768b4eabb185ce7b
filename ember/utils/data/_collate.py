"""Turning a list of samples into a batch (``default_collate``) and converting single
samples to tensors (``default_convert``), with torch's rules: tensors are stacked, NumPy
arrays and numbers become tensors, strings stay as they are, and containers (dicts,
namedtuples, tuples, lists) are collated element by element."""

from __future__ import annotations

import collections.abc as abc
import copy
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..._tensor import Tensor, _wrap
from ...device import xp_of

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map"]

_NUMPY_TEXT_DTYPE = re.compile(r"[SaUO]")  # dtypes that have no tensor equivalent
_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays and scalars in ``data`` (recursively through mappings,
    namedtuples and sequences; tuples become lists) to ember tensors; the collate step of
    a DataLoader with ``batch_size=None``."""
    from ... import as_tensor
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)) and not isinstance(data, (np.str_, np.bytes_)):
        if isinstance(data, np.ndarray) and _NUMPY_TEXT_DTYPE.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        return _rebuild_mapping(data, converted)
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, abc.Sequence) and not isinstance(data, (str, bytes)):
        converted_list = [default_convert(d) for d in data]
        try:
            return type(data)(converted_list)
        except TypeError:  # the sequence type cannot be built from a list
            return converted_list
    return data


def _rebuild_mapping(template: abc.Mapping, values: dict) -> Any:
    """A mapping of ``template``'s type holding ``values`` (a plain dict when the type
    cannot be rebuilt)."""
    if isinstance(template, abc.MutableMapping):
        clone = copy.copy(template)
        clone.update(values)
        return clone
    try:
        return type(template)(values)
    except TypeError:
        return values


def _collate_tensor(batch: list, *, collate_fn_map=None):
    first = batch[0]._data
    if all(type(t._data) is type(first) and t._data.shape == first.shape
           and t._data.dtype == first.dtype and not t.requires_grad for t in batch):
        # the common case (same shape, dtype and device, no autograd): one array stack,
        # skipping the op machinery that ember.stack goes through
        return _wrap(xp_of(first).stack([t._data for t in batch]))
    from ... import stack  # promotion, graph recording and torch's errors
    return stack(batch, 0)


def _collate_numpy_array(batch: list, *, collate_fn_map=None):
    if _NUMPY_TEXT_DTYPE.search(batch[0].dtype.str):
        raise TypeError(_ERR.format(batch[0].dtype))
    from ... import as_tensor
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def _collate_numpy_scalar(batch: list, *, collate_fn_map=None):
    from ... import as_tensor
    return as_tensor(np.asarray(batch))


def _collate_float(batch: list, *, collate_fn_map=None):
    from ... import float64, tensor
    return tensor(batch, dtype=float64)


def _collate_int(batch: list, *, collate_fn_map=None):
    from ... import tensor
    return tensor(batch)  # int64, or bool for a batch of bools


def _collate_str(batch: list, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: _collate_tensor,
    np.ndarray: _collate_numpy_array,
    # NumPy scalars (np.float32(1), np.int64(2), np.bool_(True), ...); text scalars excluded
    (np.number, np.bool_): _collate_numpy_scalar,
    float: _collate_float,
    int: _collate_int,
    str: _collate_str,
    bytes: _collate_str,
}


def collate(batch: list, *, collate_fn_map: dict | None = None) -> Any:
    """Collate ``batch`` using ``collate_fn_map`` (type -> function) for leaves, and
    recursing through mappings, namedtuples and sequences; extend torch-style by passing
    ``{**default_collate_fn_map, MyType: fn}``."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for key in collate_fn_map:
            if isinstance(elem, key):
                return collate_fn_map[key](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, abc.Mapping):
        collated = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
        return _rebuild_mapping(elem, collated)
    if _is_namedtuple(elem):
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # torch returns a list for tuples (kept for compatibility)
        if isinstance(elem, abc.MutableSequence):
            clone = copy.copy(elem)
            for i, column in enumerate(columns):
                clone[i] = column
            return clone
        try:
            return elem_type(columns)
        except TypeError:
            return columns
    raise TypeError(_ERR.format(elem_type))


def default_collate(batch: list) -> Any:
    """torch's default_collate: stack tensors, make tensors of NumPy arrays and numbers
    (int -> int64, float -> float64, bool -> bool), keep strings as a list, recurse into
    dicts, namedtuples, tuples (-> lists) and lists; mismatched sequence lengths raise
    RuntimeError."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
