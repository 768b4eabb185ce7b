"""Linear algebra: matmul family, einsum, decompositions and ember.linalg functions."""

from __future__ import annotations

__all__: list = []
