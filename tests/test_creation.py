"""Tensor factories against torch: values, dtypes, shapes, memory sharing, errors."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def outcome(mod, expr):
    """What ``expr`` gives under ``mod``: (dtype, shape, values) of a tensor, a repr, or
    the exception type."""
    try:
        r = eval(expr, {"T": mod, "np": np})
    except Exception as exc:  # noqa: BLE001 - the type is the outcome
        return ("error", type(exc).__name__)
    if isinstance(r, (ember.Tensor, torch.Tensor)):
        vals = r.detach().cpu()
        vals = vals.tolist() if vals.dtype.is_complex else vals.double().tolist()
        if not r.dtype.is_complex:
            vals = np.round(np.asarray(vals, dtype=float), 12).tolist()
        return ("tensor", str(r.dtype), tuple(r.shape), vals)
    return ("value", repr(r))


CASES = """
T.tensor([1, 2.5])
T.tensor([True, 1])
T.tensor([True, False])
T.tensor([[1, 2], [3, 4]])
T.tensor(3.5)
T.tensor(3)
T.tensor((1, 2))
T.tensor([(1, 2), [3, 4]])
T.tensor([T.tensor(1.), T.tensor(2.)])
T.tensor([T.tensor(1), T.tensor(2)])
T.tensor([T.tensor(1, dtype=T.int32), 2])
T.tensor(T.tensor([1, 2], dtype=T.int16))
T.tensor([1, 2], dtype=T.float64)
T.tensor([1.7, -2.7], dtype=T.int64)
T.tensor(np.array([1, 2], dtype=np.int32))
T.tensor(np.array([1., 2.]))
T.tensor(np.array([1., 2.], dtype=np.float16))
T.tensor(np.float64(3.0))
T.tensor(np.int32(3))
T.tensor([np.float32(1.0), 2])
T.tensor([T.tensor(1.5, dtype=T.float64), 2])
T.tensor([T.tensor(1, dtype=T.int8), T.tensor(2, dtype=T.int16)])
T.tensor([T.tensor(True), 2.5])
T.tensor([[T.tensor(1.)], [T.tensor(2.)]])
T.tensor([T.tensor([1., 2.]), T.tensor([3., 4.])])
T.tensor([np.float64(1.5), 2])
T.tensor([np.int32(1), 2])
T.tensor([np.int8(1)])
T.tensor([np.uint8(3)])
T.tensor([np.array([1., 2.]), np.array([3., 4.])])
T.tensor([T.tensor(1.5, dtype=T.float16)])
T.tensor([T.tensor(1 + 1j), 1])
T.tensor([T.tensor(1., dtype=T.bfloat16), 1])
T.tensor([2 ** 63])
T.tensor([2 ** 64])
T.tensor([-2 ** 63])
T.tensor([T.tensor(1), None])
T.tensor(range(3))
T.tensor([range(2), range(2)])
T.tensor([[1, 2], [3]])
T.tensor([[1, 2], 3])
T.tensor("abc")
T.tensor(["a"])
T.tensor([1, None])
T.tensor([1 + 2j])
T.tensor([1, 2j])
T.tensor([])
T.tensor([[], []])
T.full((2,), 3)
T.full((2,), 3.)
T.full((2,), True)
T.full([2, 2], 1 + 1j)
T.full((2,), 3, dtype=T.float64)
T.full((), 7)
T.full((2,), T.tensor(2.5))
T.zeros(2, 3)
T.zeros((2, 3))
T.zeros([2, 3])
T.zeros(T.Size([2, 3]))
T.zeros(())
T.zeros([])
T.zeros(0)
T.zeros(-1)
T.zeros(2.0)
T.zeros(2, -3)
T.zeros(2, dtype=T.complex64)
T.ones(2, dtype=T.int32)
T.ones(2, 3, dtype=T.bool)
T.ones((1, 2), dtype=T.bfloat16)
T.empty(2, 0)
T.empty((3,), dtype=T.int64).shape
T.eye(3)
T.eye(2, 3, dtype=T.int64)
T.eye(3, 2)
T.eye(0)
T.eye(-1)
T.arange(5)
T.arange(0, 1, 0.1)
T.arange(1, 2.5, 0.5)
T.arange(0, 10, 3)
T.arange(10, 0, -3)
T.arange(0.5, 3)
T.arange(0, 1, 0.3, dtype=T.float64)
T.arange(5, dtype=T.float32)
T.arange(0, 5, 0)
T.arange(5, 0)
T.arange(T.tensor(3))
T.arange(-1.0, 1.0, 0.25)
T.arange(0, 0.9, 0.3)
T.arange(1, 4, dtype=T.uint8)
T.arange(3, dtype=T.bool)
T.arange(0, 10, 2.5)
T.arange(5, 5)
T.linspace(0, 1, 5)
T.linspace(0, 10, 4, dtype=T.int64)
T.linspace(-1, 1, 1)
T.linspace(0, 1, 0)
T.linspace(0, 1, -1)
T.linspace(2, -2, 7, dtype=T.float64)
T.logspace(0, 2, 3)
T.logspace(0, 3, 4, base=2)
T.logspace(-1, 1, 3, dtype=T.float64)
T.range(0, 3)
T.range(0, 1, 0.25)
T.range(0, 3, dtype=T.int64)
T.zeros_like(T.tensor([1, 2]))
T.ones_like(T.tensor([1., 2.]), dtype=T.float64)
T.full_like(T.tensor([1, 2]), 2.7)
T.full_like(T.tensor([1., 2]), 7)
T.empty_like(T.tensor([[1, 2]])).shape
T.empty_like(T.tensor([[1, 2]])).dtype
T.zeros_like(T.tensor([[1., 2.]]), dtype=T.int8)
T.tensor([1, 2]).new_tensor([3., 4.])
T.tensor([1., 2]).new_tensor([3, 4])
T.tensor([1, 2]).new_tensor([1.5], dtype=T.float64)
T.tensor([1., 2], dtype=T.float64).new_zeros(2, 3)
T.tensor([1., 2], dtype=T.float64).new_zeros((2, 3))
T.tensor([1, 2]).new_ones(2)
T.tensor([1, 2]).new_ones([2, 1], dtype=T.float32)
T.tensor([1, 2]).new_full((2,), 3.5)
T.tensor([1, 2], dtype=T.int32).new_empty(3).shape
T.tensor([1, 2], dtype=T.int32).new_empty(3).dtype
T.zeros(2).new_zeros(2).requires_grad
T.Tensor(2, 3).shape
T.Tensor([1, 2])
T.Tensor()
T.Tensor(T.Size([2])).shape
T.Tensor(T.Size([])).shape
T.Tensor(3.5)
T.Tensor(T.tensor([1, 2]))
T.Tensor(np.array([1, 2]))
T.Tensor("x")
T.Tensor([[1, 2], [3, 4]])
T.FloatTensor([1, 2])
T.LongTensor([1.7, 2])
T.LongTensor(2).shape
T.DoubleTensor(2, 2).shape
T.BoolTensor([1, 0])
T.IntTensor([[1, 2]])
T.ByteTensor([1, 255])
T.CharTensor([1, -2])
T.ShortTensor([3])
T.HalfTensor([1.5])
T.zeros(2).new(3).shape
T.zeros(2, dtype=T.float64).new([1, 2])
T.as_tensor([1, 2])
T.as_tensor([1., 2], dtype=T.int32)
T.as_tensor(np.array([1, 2], dtype=np.int16))
T.asarray([1, 2.5])
T.asarray(np.array([1., 2.]), dtype=T.float32)
T.from_numpy(np.array([1, 2]))
T.from_numpy(np.array([1 + 0j]))
T.from_numpy(np.array(['a']))
T.from_numpy([1, 2])
T.from_numpy(np.array(1.5, dtype=np.float32))
T.from_numpy(np.array([True]))
T.ones(2, 2, out=T.zeros(1))
T.arange(5, out=T.empty(0))
T.arange(0, 1, 0.25, out=T.empty(0, dtype=T.float64))
T.linspace(0, 1, 3, out=T.empty(0, dtype=T.float64))
T.logspace(0, 1, 2, out=T.empty(1))
T.eye(2, out=T.empty(0, dtype=T.int64))
T.full((2,), 7, out=T.empty(0))
T.rand(3, out=T.empty(0)).shape
T.randint(0, 5, (3,), out=T.empty(0, dtype=T.int64)).shape
T.zeros(3, out=T.ones(3, dtype=T.int64))
T.zeros(2, dtype=T.complex128)
T.scalar_tensor(3)
T.complex(T.tensor([1., 2.]), T.tensor([3., 4.]))
T.complex(T.tensor([1.], dtype=T.float64), T.tensor([3.], dtype=T.float64))
T.complex(T.tensor([[1.]]), T.tensor([2., 3.]))
T.complex(T.tensor([1]), T.tensor([2]))
T.complex(T.tensor([1.]), T.tensor([2.], dtype=T.float64))
T.scalar_tensor(True)
T.scalar_tensor(3, dtype=T.int64)
T.empty_strided((2, 3), (3, 1)).shape
T.empty_strided((2, 3), (1,))
T.frombuffer(bytearray(b'\x01\x02\x03\x04'), dtype=T.uint8)
T.frombuffer(bytearray(b'\x01\x02\x03\x04'), dtype=T.int16, count=1, offset=2)
T.zeros(2, layout=T.strided)
T.empty(2, 3, memory_format=T.contiguous_format).shape
T.ones(2, dtype=T.complex64)
""".strip().splitlines()


@pytest.mark.parametrize("expr", CASES)
def test_factory_matches_torch(expr):
    assert outcome(ember, expr) == outcome(torch, expr)


def test_isinstance_legacy_types():
    assert isinstance(ember.tensor([1.]), ember.FloatTensor)
    assert not isinstance(ember.tensor([1]), ember.FloatTensor)
    assert isinstance(ember.tensor([1]), ember.LongTensor)


def test_tensor_copies_and_as_tensor_shares():
    a = np.array([1., 2.])
    t = ember.tensor(a)
    a[0] = 9
    assert t[0].item() == 1.0
    s = ember.as_tensor(a)
    a[1] = 7
    assert s[1].item() == 7.0
    c = ember.as_tensor(a, dtype=ember.float32)  # a cast must copy
    a[1] = 5
    assert c[1].item() == 7.0
    x = ember.tensor([1., 2.])
    assert ember.as_tensor(x) is x
    assert ember.asarray(x).data_ptr() == x.data_ptr()


def test_from_numpy_shares_memory_both_ways():
    a = np.zeros(3, dtype=np.float32)
    t = ember.from_numpy(a)
    a[0] = 1
    t[1] = 2
    assert t.tolist() == [1., 2., 0.]
    assert a.tolist() == [1., 2., 0.]
    assert t.dtype is ember.float32


def test_from_numpy_error_message():
    with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
        ember.from_numpy(np.array(["a"]))


@pytest.mark.parametrize("dt", ["float16", "bfloat16", "float64", "int32"])
def test_default_dtype_affects_factories(dt):
    try:
        if dt in ("int32",):
            with pytest.raises(TypeError):
                ember.set_default_dtype(getattr(ember, dt))
            with pytest.raises(TypeError):
                torch.set_default_dtype(getattr(torch, dt))
            return
        ember.set_default_dtype(getattr(ember, dt))
        torch.set_default_dtype(getattr(torch, dt))
        for expr in ["T.tensor([1.5])", "T.tensor(2.)", "T.zeros(2)", "T.ones(1)", "T.rand(2).dtype",
                     "T.arange(0., 2.)", "T.arange(3)", "T.full((1,), 2.)", "T.linspace(0, 1, 3)",
                     "T.result_type(T.tensor([1, 2]), 1.5)", "T.Tensor([1])",
                     "T.get_default_dtype()", "T.eye(2)", "T.randn(2).dtype",
                     "T.tensor(np.array([1.5]))"]:
            assert outcome(ember, expr)[:2] == outcome(torch, expr)[:2], expr
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


def test_arange_float_count_and_values():
    for args in [(0, 1, 0.1), (1, 2.2, 0.2), (-3, 3, 0.7), (0, 1.0, 1 / 3), (10, 1, -0.9)]:
        e, t = ember.arange(*args), torch.arange(*args)
        assert e.shape == tuple(t.shape), args
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-6)
        e, t = ember.arange(*args, dtype=ember.float64), torch.arange(*args, dtype=torch.float64)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)


def test_requires_grad_factories():
    for f in (ember.zeros, ember.ones, ember.rand, ember.randn, ember.empty):
        t = f(2, requires_grad=True)
        assert t.requires_grad and t.is_leaf
    assert ember.tensor([1.], requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1], requires_grad=True)


def test_out_writes_into_tensor():
    out = ember.empty(0)
    r = ember.zeros(2, 2, out=out)
    assert r is out and out.shape == (2, 2)
    r = ember.ones(3, out=out)
    assert out.tolist() == [1., 1., 1.]


def test_frombuffer_shares_memory():
    b = bytearray(b"\x01\x02\x03\x04")
    t = ember.frombuffer(b, dtype=ember.uint8)
    b[0] = 9
    assert t.tolist() == [9, 2, 3, 4]


def test_complex_gradient():
    from ember.ops.creation import _ImagPart, _RealPart
    r = ember.tensor([1., 2.], requires_grad=True)
    i = ember.tensor([3., 4.], requires_grad=True)
    z = ember.complex(r, i)
    assert z.grad_fn.name() == "ComplexBackward0"
    loss = (_RealPart.apply(z) * ember.tensor([0.5, 2.])
            + _ImagPart.apply(z) * ember.tensor([3., -1.])).sum()
    loss.backward()
    assert r.grad.tolist() == [0.5, 2.0] and i.grad.tolist() == [3.0, -1.0]


def test_asarray_copy_semantics_match_torch():
    for mod in (ember, torch):
        a = np.array([1., 2.])
        t = mod.asarray(a)
        a[0] = 9
        assert t[0].item() == 9
        c = mod.asarray(a, copy=True)
        a[0] = 8
        assert c[0].item() == 9
        with pytest.raises(ValueError, match="can't alias tensor with dtype 'Double' into "
                                             "dtype 'Float'"):
            mod.asarray(a, dtype=mod.float32, copy=False)
        with pytest.raises(ValueError, match="can't alias arbitrary sequence"):
            mod.asarray([1., 2.], copy=False)
        x = mod.tensor([1., 2.], requires_grad=True)
        assert mod.asarray(x) is x
        y = mod.asarray(x, copy=True)
        assert y.requires_grad and type(y.grad_fn).__name__ == "CloneBackward0"
        assert mod.asarray([1., 2.], requires_grad=True).requires_grad
        assert not mod.asarray(x, requires_grad=False).requires_grad
