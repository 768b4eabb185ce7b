"""Deprecated `ember.cpu.amp.autocast`: use `ember.amp.autocast("cpu", ...)`."""

from ..amp.autocast_mode import _deprecated_alias

autocast = _deprecated_alias("cpu")

__all__ = ["autocast"]
