"""ember.save / ember.load: safe checkpoints (being built; see issue 6)."""

from __future__ import annotations


def save(obj, f, **kwargs) -> None:
    """Save ``obj`` to ``f`` (not built yet)."""
    raise NotImplementedError("ember.save is being built (issue 6)")


def load(f, map_location=None, weights_only: bool = True, **kwargs):
    """Load an object saved by ``save`` (not built yet)."""
    raise NotImplementedError("ember.load is being built (issue 6)")
