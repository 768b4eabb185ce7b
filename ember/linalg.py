"""ember.linalg: torch.linalg's functions (implemented in ember/ops/linalg.py)."""

from __future__ import annotations
