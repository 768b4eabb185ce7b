"""Hypothesis-generated shapes: binary ops broadcast, promote and differentiate like torch,
and shapes that do not broadcast raise torch's RuntimeError."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import ember

torch = pytest.importorskip("torch")

OPS = ["add", "sub", "mul", "div", "maximum", "atan2", "pow"]


@settings(max_examples=40, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
       op=st.sampled_from(OPS), seed=st.integers(0, 2**16))
def test_binary_broadcast_values_and_grads(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, shapes.input_shapes[0])
    b = rng.uniform(0.5, 2.0, shapes.input_shapes[1])
    ea, eb = (ember.tensor(v, requires_grad=True) for v in (a, b))
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a, b))
    e, t = getattr(ember, op)(ea, eb), getattr(torch, op)(ta, tb)
    assert tuple(e.shape) == tuple(t.shape) == shapes.result_shape
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-12)
    e.sum().backward()
    t.sum().backward()
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(eb.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64"]


@settings(max_examples=60, deadline=None)
@given(da=st.sampled_from(DTYPES), db=st.sampled_from(DTYPES),
       zero_dim=st.booleans(), scalar=st.sampled_from([None, 2, 1.5, True]))
def test_type_promotion_matches_torch(da, db, zero_dim, scalar):
    shape_b = () if zero_dim else (2,)
    ea = ember.ones(2, dtype=getattr(ember, da))
    eb = ember.ones(shape_b, dtype=getattr(ember, db))
    ta = torch.ones(2, dtype=getattr(torch, da))
    tb = torch.ones(shape_b, dtype=getattr(torch, db))
    assert str(ember.result_type(ea, eb)) == str(torch.result_type(ta, tb))
    if scalar is not None:
        assert str(ember.result_type(ea, scalar)) == str(torch.result_type(ta, scalar))
    if da != "bool" or db != "bool":
        assert str((ea * eb).dtype) == str((ta * tb).dtype)


@settings(max_examples=30, deadline=None)
@given(a=st.lists(st.integers(2, 4), min_size=1, max_size=3),
       b=st.lists(st.integers(2, 4), min_size=1, max_size=3))
def test_non_broadcastable_shapes_raise_runtime_error(a, b):
    try:
        np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:
        with pytest.raises(RuntimeError):
            torch.ones(a) + torch.ones(b)
        with pytest.raises(RuntimeError, match="must match the size"):
            ember.ones(a) + ember.ones(b)
