"""Digits: the UCI optical hand-written digits (8x8), bundled with ember, no download needed.

1,797 grey 8x8 images of the digits 0..9 (Alpaydin & Kaynak, UCI Machine Learning
Repository, CC BY 4.0; packaged from scikit-learn's copy, BSD-3; see
``data/DIGITS_LICENSE.txt``). The file ``data/digits.npz`` is made by
``tools/build_digits.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

import ember

from .utils import as_numpy, require_pil
from .vision import VisionDataset

__all__ = ["Digits"]

N_TRAIN, N_TEST = 1437, 360


@functools.lru_cache(maxsize=1)
def _load() -> dict[str, np.ndarray]:
    """The bundled arrays, read once per process (pixels already scaled to 0..255)."""
    with resources.files(__package__).joinpath("data/digits.npz").open("rb") as f, \
            np.load(f) as z:
        raw = {k: z[k] for k in ("images", "labels", "train_idx", "test_idx")}
    # Stored values are 0..16; scale as round(v * 255 / 16). That rule is unambiguous here:
    # only v = 8 gives an exact .5 (127.5) and both half-up and half-even round it to 128.
    table = np.rint(np.arange(17) * 255 / 16).astype(np.uint8)
    raw["images"] = table[raw["images"]]
    for array in raw.values():
        array.flags.writeable = False  # shared by every Digits instance
    return raw


class Digits(VisionDataset):
    """UCI hand-written digits, 8x8 grey, 10 classes; bundled, so it never downloads.

    The split is fixed and stored in the file: a stratified split of the 1,797 images into
    1,437 training and 360 test images (about 80/20; 35..37 test images per class, rows
    drawn once with a seeded generator by ``tools/build_digits.py``), so it never depends on
    a random-number generator version.

    Items are ``(PIL image mode 'L' 8x8, int target)`` like MNIST, so
    ``transforms.ToTensor()`` works; pixel values are the original 0..16 scaled to 0..255
    as ``round(v * 255 / 16)``. ``data`` is a uint8 tensor (N, 8, 8) of those values,
    ``targets`` an int64 tensor (N,), ``classes`` is ``['0', ..., '9']``. ``root`` and
    ``download`` are accepted for a uniform signature and ignored. Pillow is needed for the
    items (``pip install 'ember[vision]'``); ``data``/``targets`` work without it.
    """

    classes = [str(d) for d in range(10)]

    def __init__(
        self,
        root: str | Path | None = None,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        arrays = _load()
        rows = arrays["train_idx"] if train else arrays["test_idx"]
        self.data = ember.from_numpy(arrays["images"][rows])
        self.targets = ember.from_numpy(arrays["labels"][rows].astype(np.int64))

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image = require_pil("Digits").fromarray(as_numpy(self.data)[index])
        target = int(as_numpy(self.targets)[index])
        return self._apply_transforms(image, target)

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"
