"""ember.vision.transforms: image transforms for PIL images and tensors, in the role
torchvision.transforms plays (``from ember.vision import transforms``)."""

from . import functional, v2
from .autoaugment import *  # noqa: F401,F403
from .autoaugment import __all__ as _autoaugment_all
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _transforms_all

__all__ = [*_transforms_all, *_autoaugment_all, "functional", "v2"]
