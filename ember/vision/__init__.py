"""ember.vision: datasets, transforms and image utilities, in the role torchvision plays.

``from torchvision import datasets, transforms`` becomes ``from ember.vision import
datasets, transforms``. Pillow is needed for PIL-image transforms and image folders
(``pip install 'ember[vision]'``); everything else works without it.
"""

from . import datasets, models, transforms, utils

__all__ = ["datasets", "models", "transforms", "utils"]
