"""ember.backends: torch.backends' flags, as harmless stand-ins so device-agnostic
torch code runs unchanged."""

from . import cuda, cudnn, mps  # noqa: F401
