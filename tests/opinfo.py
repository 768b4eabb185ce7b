"""The op registry that drives the generic op tests (see DESIGN.md, "Tests").

Each ``OpInfo`` describes one public op once: how to build sample inputs, which dtypes
it takes, whether it supports grad and grad-of-grad, and inputs that must fail. The
generic tests in ``tests/ops/test_opinfo.py`` then check, for every entry:

* forward values, shapes and dtypes against torch, for every dtype listed;
* gradients of every floating input against torch (float64);
* float64 ``gradcheck`` and ``gradgradcheck`` with ember's own checker;
* error inputs raise the same exception type in ember and in torch.

Sample inputs are written with NumPy arrays; the harness turns each array into an
ember tensor and a torch tensor holding the same values.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

REGISTRY: list[OpInfo] = []

FLOATS = ("float32", "float64")
INTS = ("int64", "int32")
ALL_NUMERIC = ("float32", "float64", "int64", "int32", "bool")


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    desc: str = ""


def S(*args, **kwargs) -> Sample:
    """A sample call: positional args and keyword args (arrays become tensors)."""
    return Sample(args, kwargs)


def arr(shape, dtype="float64", rng=None, low=-2.0, high=2.0):
    """A random array of ``shape`` and ``dtype`` (ints in [low, high), bools at random)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.asarray(rng.random(shape) > 0.5)
    if dtype.kind in "iu":
        return np.asarray(rng.integers(int(low), int(high) + 1, size=shape), dtype=dtype)
    return np.asarray(rng.uniform(low, high, size=shape), dtype=dtype)


def positive(shape, dtype="float64", rng=None, low=0.5, high=2.0):
    return arr(shape, dtype, rng, low, high)


@dataclasses.dataclass
class OpInfo:
    """One op's description. ``samples(dtype: str, rng) -> list[Sample]``."""

    name: str
    samples: Callable[[str, np.random.Generator], list]
    ember_fn: Callable | None = None      # default: ember.<name>
    torch_fn: Callable | None = None      # default: torch.<name>
    dtypes: tuple = FLOATS
    grad: bool = True                     # compare gradients with torch
    gradcheck: bool = True                # float64 gradcheck
    gradgrad: bool = True                 # float64 gradgradcheck
    errors: Callable[[], list] | None = None  # -> [(Sample, ExceptionType)]
    atol: float = 1e-5
    rtol: float = 1e-4
    compare: Callable[[Any, Any], None] | None = None  # custom output comparison
    method: bool = False                  # also compare Tensor.<name>(*args)
    grad_atol: float = 1e-6
    skip_reason: str = ""

    def __post_init__(self):
        REGISTRY.append(self)

    def get_ember(self):
        import ember
        if self.ember_fn is not None:
            return self.ember_fn
        return _lookup(ember, self.name)

    def get_torch(self):
        import torch
        if self.torch_fn is not None:
            return self.torch_fn
        return _lookup(torch, self.name)


def _lookup(mod, name):
    obj = mod
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def method_of(name: str):
    """A function calling ``tensor.<name>(*args)`` (works for both frameworks)."""
    def call(self, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)
    call.__name__ = name
    return call
