"""nn modules: linear."""

from __future__ import annotations

__all__: list = []
