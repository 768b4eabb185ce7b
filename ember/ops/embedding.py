"""Neural-network primitives: embedding (used by ember.nn.functional)."""

from __future__ import annotations

__all__: list = []
