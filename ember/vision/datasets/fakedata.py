"""FakeData: random images, the same ones for the same index every time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import ember

from .utils import require_pil
from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """``size`` random images of ``image_size`` (C, H, W) as PIL images, with int targets.

    Item ``i`` is drawn from a generator seeded with ``i + random_offset`` (a standard-normal
    image, then a target in ``[0, num_classes)``), so it is the same on every access and the
    global random state is left alone. The float image becomes a PIL image the way
    ``ToPILImage`` does it: ``img.mul(255).byte()``.
    """

    def __init__(
        self,
        size: int = 1000,
        image_size: tuple[int, int, int] = (3, 224, 224),
        num_classes: int = 10,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        random_offset: int = 0,
    ) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if index >= len(self) or index < -len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        index %= len(self)
        gen = ember.Generator().manual_seed(index + self.random_offset)
        image = ember.randn(*self.image_size, generator=gen)
        target = int(ember.randint(0, self.num_classes, (1,), generator=gen, dtype=ember.long)[0])
        pixels = np.moveaxis(image.mul(255).byte().numpy(), 0, -1)
        if pixels.shape[-1] == 1:
            pixels = pixels[..., 0]
        sample = require_pil("FakeData").fromarray(np.ascontiguousarray(pixels))
        return self._apply_transforms(sample, target)

    def __len__(self) -> int:
        return self.size
