"""Differentiable primitives by family. Importing this package attaches every op to
Tensor as a method; ``ember/__init__.py`` re-exports the functions."""

from . import conversion, creation, elementwise, index, linalg, reduce, sampling, shape  # noqa: F401
