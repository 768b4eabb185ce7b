"""Neural-network primitives: dropout (used by ember.nn.functional)."""

from __future__ import annotations

__all__: list = []
