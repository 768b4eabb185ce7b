"""Neural-network primitives: attention (used by ember.nn.functional)."""

from __future__ import annotations

__all__: list = []
