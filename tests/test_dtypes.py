"""dtype objects, promotion tables and the default dtype, against torch."""

import itertools
import pickle

import pytest

import ember

torch = pytest.importorskip("torch")

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
         "float64", "complex64", "complex128"]


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert repr(e) == repr(t) == str(e)
    assert e.is_floating_point == t.is_floating_point
    assert e.is_complex == t.is_complex
    assert e.is_signed == t.is_signed
    assert e.itemsize == t.itemsize
    assert pickle.loads(pickle.dumps(e)) is e
    assert ember.dtypes.to_dtype(t) is e
    if e.is_complex:
        assert repr(e.to_real()) == repr(t.to_real())


def test_aliases():
    for a, b in [("float", "float32"), ("double", "float64"), ("half", "float16"),
                 ("long", "int64"), ("int", "int32"), ("short", "int16"),
                 ("cfloat", "complex64"), ("cdouble", "complex128")]:
        assert getattr(ember, a) is getattr(ember, b)
        assert getattr(torch, a) is getattr(torch, b)


def test_promote_types_table():
    for a, b in itertools.product(NAMES, NAMES):
        e = ember.promote_types(getattr(ember, a), getattr(ember, b))
        t = torch.promote_types(getattr(torch, a), getattr(torch, b))
        assert repr(e) == repr(t), (a, b)


def test_can_cast_table():
    for a, b in itertools.product(NAMES, NAMES):
        e = ember.can_cast(getattr(ember, a), getattr(ember, b))
        t = torch.can_cast(getattr(torch, a), getattr(torch, b))
        assert e == t, (a, b)


@pytest.mark.parametrize("scalar", [1, 1.5, True, 2j])
@pytest.mark.parametrize("name", NAMES)
def test_result_type_with_scalars(name, scalar):
    e = ember.result_type(ember.ones(2, dtype=getattr(ember, name)), scalar)
    t = torch.result_type(torch.ones(2, dtype=getattr(torch, name)), scalar)
    if t == torch.complex32:  # ember has no complex32: the next complex type instead
        assert e is ember.complex64
    else:
        assert repr(e) == repr(t)
    e = ember.result_type(ember.ones((), dtype=getattr(ember, name)), ember.ones(2, dtype=ember.int8))
    t = torch.result_type(torch.ones((), dtype=getattr(torch, name)), torch.ones(2, dtype=torch.int8))
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_finfo(name):
    e, t = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    assert repr(e) == repr(t)
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert ember.finfo().dtype == torch.finfo().dtype


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    e, t = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    assert repr(e) == repr(t) and (e.min, e.max, e.bits) == (t.min, t.max, t.bits)


def test_info_errors():
    with pytest.raises(TypeError):
        ember.finfo(ember.int32)
    with pytest.raises(TypeError):
        ember.iinfo(ember.float32)
    with pytest.raises(TypeError):
        ember.iinfo(ember.bool)


def test_set_default_dtype():
    assert ember.get_default_dtype() is ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.tensor([1.5]).dtype is ember.float64
        assert ember.tensor([1j]).dtype is ember.complex128
        assert ember.zeros(1).dtype is ember.float64
        assert (ember.tensor([1, 2]) / 2).dtype is ember.float64
        assert ember.tensor([1.5], dtype=ember.float32).dtype is ember.float32
        with pytest.raises(TypeError):
            ember.set_default_dtype(ember.int64)
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.5]).dtype is ember.float32


def test_dtype_of_python_types():
    assert ember.zeros(2, dtype=float).dtype is ember.float64
    assert ember.zeros(2, dtype=int).dtype is ember.int64
    assert ember.zeros(2, dtype=bool).dtype is ember.bool
    assert ember.tensor([1, 2]).to(float).dtype is ember.float64


def test_deterministic_and_threads_switches():
    assert ember.are_deterministic_algorithms_enabled() is False
    try:
        ember.use_deterministic_algorithms(True)
        assert ember.are_deterministic_algorithms_enabled() is True
        assert ember.is_deterministic_algorithms_warn_only_enabled() is False
        ember.use_deterministic_algorithms(True, warn_only=True)
        assert ember.is_deterministic_algorithms_warn_only_enabled() is True
    finally:
        ember.use_deterministic_algorithms(False)
    assert ember.is_deterministic_algorithms_warn_only_enabled() is False
    n = ember.get_num_threads()
    assert isinstance(n, int) and n >= 1
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    ember.set_num_threads(n)
    with pytest.raises(RuntimeError):
        ember.set_num_threads(0)


def test_layout_and_memory_format_tags():
    for name in ("strided", "sparse_coo", "contiguous_format", "channels_last",
                 "preserve_format", "channels_last_3d"):
        assert repr(getattr(ember, name)) == repr(getattr(torch, name))
        assert pickle.loads(pickle.dumps(getattr(ember, name))) is getattr(ember, name)
    assert repr(ember.zeros(1).layout) == repr(torch.zeros(1).layout)
    assert isinstance(ember.strided, ember.layout)
    assert isinstance(ember.channels_last, ember.memory_format)


def test_typename_and_default_tensor_type():
    for expr in ["T.zeros(2)", "T.zeros(2, dtype=T.int64)", "3", "'a'", "T.zeros(1, dtype=T.bool)"]:
        assert ember.typename(eval(expr, {"T": ember})) == torch.typename(eval(expr, {"T": torch}))
    try:
        ember.set_default_tensor_type(ember.DoubleTensor)
        assert ember.get_default_dtype() is ember.float64
        ember.set_default_tensor_type("torch.FloatTensor")
        assert ember.get_default_dtype() is ember.float32
    finally:
        ember.set_default_dtype(ember.float32)


def test_matmul_precision_switch():
    assert ember.get_float32_matmul_precision() == "highest"
    ember.set_float32_matmul_precision("high")
    assert ember.get_float32_matmul_precision() == "high"
    ember.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError):
        ember.set_float32_matmul_precision("bogus")


def test_bfloat16_with_python_scalars_stays_bfloat16_like_torch():
    import torch as _torch

    import ember
    for expr in ("x * 1.5", "1.5 * x", "x / 3", "x - 0.5", "x + 1"):
        e = eval(expr, {"x": ember.tensor([1., 2.]).bfloat16()})
        t = eval(expr, {"x": _torch.tensor([1., 2.]).bfloat16()})
        assert str(e.dtype) == str(t.dtype) == "torch.bfloat16", expr
        assert e.float().tolist() == t.float().tolist(), expr
