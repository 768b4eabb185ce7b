"""ember.vision.transforms.v2 (torchvision.transforms.v2): the v1 transforms under their
v2 names, the batch transforms MixUp and CutMix, and ToImage / ToDtype."""

from ..autoaugment import *  # noqa: F401,F403
from ..autoaugment import __all__ as _autoaugment_all
from ..transforms import *  # noqa: F401,F403
from ..transforms import __all__ as _v1_all
from . import functional
from ._transforms import *  # noqa: F401,F403
from ._transforms import __all__ as _v2_all

__all__ = [*_v1_all, *_autoaugment_all, *_v2_all, "functional"]
