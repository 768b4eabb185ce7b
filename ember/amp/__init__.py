"""ember.amp: automatic mixed precision (autocast + GradScaler), torch.amp's API."""

from .autocast_mode import autocast, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_available"]
