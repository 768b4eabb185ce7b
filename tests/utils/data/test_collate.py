"""default_collate / default_convert against torch's."""

import collections

import numpy as np
import pytest

import ember
from ember.utils import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data

Point = collections.namedtuple("Point", "x y")


def _same(e, t):
    """Recursively equal: same container types, tensors of the same dtype/shape/values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), type(e)
        assert str(e.dtype) == str(t.dtype)
        assert tuple(e.shape) == tuple(t.shape)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    elif isinstance(t, dict):
        assert type(e) is type(t) and e.keys() == t.keys()
        for k in t:
            _same(e[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b)
    elif isinstance(t, np.ndarray):
        assert isinstance(e, np.ndarray)
        np.testing.assert_array_equal(e, t)
    else:
        assert type(e) is type(t) and e == t


def _both(make):
    """make(lib) builds a batch with lib's tensors; returns (ember batch, torch batch)."""
    return make(ember), make(torch)


BATCHES = {
    "ints": lambda lib: [1, 2, 3],
    "floats": lambda lib: [1.0, 2.5],
    "bools": lambda lib: [True, False],
    "strings": lambda lib: ["a", "bc"],
    "bytes": lambda lib: [b"a", b"b"],
    "np_float32_scalars": lambda lib: [np.float32(1), np.float32(2)],
    "np_int32_scalars": lambda lib: [np.int32(1), np.int32(2)],
    "np_bool_scalars": lambda lib: [np.bool_(True), np.bool_(False)],
    "np_arrays": lambda lib: [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)],
    "np_0d": lambda lib: [np.array(1.0), np.array(2.0)],
    "tensors": lambda lib: [lib.arange(3), lib.arange(3) * 2],
    "float_tensors": lambda lib: [lib.ones(2, 2), lib.zeros(2, 2)],
    "tensor_0d": lambda lib: [lib.tensor(1.5), lib.tensor(2.5)],
    "tuples": lambda lib: [(lib.ones(2), 1, "a"), (lib.zeros(2), 2, "b")],
    "lists": lambda lib: [[1, 2.0], [3, 4.0]],
    "dicts": lambda lib: [{"x": lib.ones(2), "y": 1}, {"x": lib.zeros(2), "y": 2}],
    "namedtuples": lambda lib: [Point(1, 2.0), Point(3, 4.0)],
    "nested": lambda lib: [{"a": (np.ones(2), [1, 2])}, {"a": (np.zeros(2), [3, 4])}],
    "ordered_dict": lambda lib: [collections.OrderedDict(a=1), collections.OrderedDict(a=2)],
}


@pytest.mark.parametrize("name", sorted(BATCHES))
def test_default_collate_matches_torch(name):
    e, t = _both(BATCHES[name])
    _same(data.default_collate(e), tdata.default_collate(t))


@pytest.mark.parametrize("sample", [
    np.ones(3), np.float32(2), np.array(["a"]), "abc", 5, (np.ones(2), 1),
    [np.ones(2), 1], {"a": np.ones(1)}, Point(np.ones(1), 2), np.int64(4),
])
def test_default_convert_matches_torch(sample):
    _same(data.default_convert(sample), tdata.default_convert(sample))


def test_default_convert_keeps_tensors():
    t = ember.ones(2)
    assert data.default_convert(t) is t


def test_collate_unequal_sequence_lengths():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal "
                                           "size"):
        tdata.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal "
                                           "size"):
        data.default_collate([[1, 2], [3]])


def test_collate_unequal_tensor_shapes():
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        tdata.default_collate([torch.ones(2), torch.ones(3)])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        data.default_collate([ember.ones(2), ember.ones(3)])


@pytest.mark.parametrize("batch, found", [
    ([np.array(["a"]), np.array(["b"])], "<U1"),
    ([None, None], "<class 'NoneType'>"),
    ([object(), object()], "<class 'object'>"),
])
def test_collate_unsupported_types(batch, found):
    msg = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists"
    with pytest.raises(TypeError, match=msg) as t_err:
        tdata.default_collate(batch)
    with pytest.raises(TypeError, match=msg) as e_err:
        data.default_collate(batch)
    assert str(e_err.value) == str(t_err.value)
    assert found in str(e_err.value)


def test_collate_extensible_through_fn_map():
    from ember.utils.data._collate import collate, default_collate_fn_map

    class Box:
        def __init__(self, v):
            self.v = v

    fn_map = {**default_collate_fn_map, Box: lambda batch, *, collate_fn_map: sum(
        b.v for b in batch)}
    assert collate([(Box(1), 2), (Box(3), 4)], collate_fn_map=fn_map)[0] == 4


def test_tensor_dataset_collated_path_equals_default_collate():
    x = ember.arange(20.0).reshape(10, 2)
    y = ember.arange(10)
    ds = data.TensorDataset(x, y)
    idx = [7, 2, 2, 9]
    fast = ds._collated(idx)
    slow = data.default_collate([ds[i] for i in idx])
    assert isinstance(fast, list) and len(fast) == len(slow) == 2
    for a, b in zip(fast, slow):
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_collate_tensors_with_grad_and_mixed_dtypes_like_torch():
    e = data.default_collate([ember.ones(2, requires_grad=True), ember.zeros(2)])
    t = tdata.default_collate([torch.ones(2, requires_grad=True), torch.zeros(2)])
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__ == "StackBackward0"
    e = data.default_collate([ember.ones(2, dtype=ember.int32), ember.zeros(2)])
    t = tdata.default_collate([torch.ones(2, dtype=torch.int32), torch.zeros(2)])
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
