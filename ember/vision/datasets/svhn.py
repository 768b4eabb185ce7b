"""SVHN (Street View House Numbers), cropped-digits format: ``{train,test,extra}_32x32.mat``."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .utils import check_integrity, dataset_not_found, download_url, require_pil, verify_str_arg
from .vision import VisionDataset

__all__ = ["SVHN"]


def _loadmat(path: str) -> dict:
    try:
        import scipy.io
    except ImportError as e:
        raise ImportError("SVHN reads .mat files with SciPy: pip install scipy") from e
    try:
        return scipy.io.loadmat(path)
    except (ValueError, OSError, TypeError, scipy.io.matlab.MatReadError) as e:
        raise RuntimeError(f"{path}: not a readable .mat file, truncated or corrupt ({e})") from e


class SVHN(VisionDataset):
    """SVHN digits as torchvision reads them: ``root/<split>_32x32.mat`` (SciPy needed).

    ``data`` is a uint8 NumPy array (N, 3, 32, 32) and ``labels`` an int64 array with the
    file's label 10 (the digit zero) mapped to 0. Items are ``(PIL RGB image, int target)``.
    """

    split_list = {
        "train": ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat",
                  "train_32x32.mat", "e26dedcc434d2e4c54c9b2d4a06d8373"],
        "test": ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat",
                 "test_32x32.mat", "eb5a983be6a315427106f1b164d9cef3"],
        "extra": ["http://ufldl.stanford.edu/housenumbers/extra_32x32.mat",
                  "extra_32x32.mat", "a93ce644f1a588dc4d68dda5feec44a7"],
    }

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", tuple(self.split_list))
        self.url, self.filename, self.file_md5 = self.split_list[split]
        path = os.path.join(self.root, self.filename)
        if download and not check_integrity(path, self.file_md5):
            download_url(self.url, self.root, self.filename, self.file_md5)
        if not os.path.isfile(path):
            raise dataset_not_found(type(self).__name__, [path])
        mat = _loadmat(path)
        if "X" not in mat or "y" not in mat:
            raise RuntimeError(f"{path}: expected variables 'X' and 'y' in the .mat file")
        images, labels = np.asarray(mat["X"]), np.asarray(mat["y"]).astype(np.int64).reshape(-1)
        if images.ndim != 4 or images.shape[2] != 3 or images.shape[3] != len(labels):
            raise RuntimeError(
                f"{path}: 'X' must be (H, W, 3, N) with N = {len(labels)} labels, got "
                f"{images.shape}"
            )
        self.labels = np.where(labels == 10, 0, labels)
        # The .mat stores (H, W, C, N); torchvision exposes (N, C, H, W).
        self.data = np.ascontiguousarray(images.transpose(3, 2, 0, 1)).astype(np.uint8)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image = require_pil("SVHN").fromarray(np.transpose(self.data[index], (1, 2, 0)))
        target = int(self.labels[index])
        return self._apply_transforms(image, target)

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {self.split}"
