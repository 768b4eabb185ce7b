"""CIFAR-10 and CIFAR-100 from the "python version" pickle batches.

The batches are pickles; they are read with a restricted unpickler (``_pickle.safe_load``)
that builds only plain containers and NumPy arrays, so a tampered file cannot run code.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ._pickle import safe_load
from .utils import check_integrity, dataset_not_found, download_and_extract_archive, require_pil
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]


class CIFAR10(VisionDataset):
    """CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes.

    Reads ``root/cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta}``. Items
    are ``(PIL RGB image, int target)``; ``data`` is a uint8 NumPy array (N, 32, 32, 3)
    and ``targets`` a list of int, as in torchvision. MD5s are checked when downloading
    (``download=True``), not on every load.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {
        "filename": "batches.meta",
        "key": "label_names",
        "md5": "5ff9c542aee3614f3951f8cda6e48888",
    }
    _label_keys = ("labels", "fine_labels")

    def __init__(
        self,
        root: str | Path,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        missing = [p for p in self._paths() if not os.path.isfile(p)]
        if missing:
            raise dataset_not_found(type(self).__name__, missing)
        images, self.targets = [], []
        for name, _ in self.train_list if train else self.test_list:
            batch_images, batch_labels = self._read_batch(self._path(name))
            images.append(batch_images)
            self.targets.extend(batch_labels)
        self.data = np.concatenate(images).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self._load_meta()

    def _path(self, name: str) -> str:
        return os.path.join(self.root, self.base_folder, name)

    def _paths(self) -> list[str]:
        files = [name for name, _ in (self.train_list if self.train else self.test_list)]
        return [self._path(name) for name in files + [self.meta["filename"]]]

    def _read_batch(self, path: str) -> tuple[np.ndarray, list[int]]:
        entry = safe_load(path)
        if not isinstance(entry, dict) or "data" not in entry:
            raise RuntimeError(f"{path}: expected a dict with a 'data' array, got {type(entry)}")
        key = next((k for k in self._label_keys if k in entry), None)
        data = entry["data"]
        if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
                or data.shape[1] != 3 * 32 * 32:
            shape = getattr(data, "shape", None)
            raise RuntimeError(
                f"{path}: 'data' must be a uint8 array of shape (N, 3072), got "
                f"{type(data).__name__} {getattr(data, 'dtype', '')} {shape}"
            )
        if key is None:
            raise RuntimeError(f"{path}: no labels (looked for keys {self._label_keys})")
        labels = [int(t) for t in entry[key]]
        if len(labels) != len(data):
            raise RuntimeError(f"{path}: {len(data)} images but {len(labels)} labels")
        return data, labels

    def _load_meta(self) -> None:
        path = self._path(self.meta["filename"])
        meta = safe_load(path)
        if not isinstance(meta, dict) or self.meta["key"] not in meta:
            raise RuntimeError(f"{path}: no '{self.meta['key']}' in the metadata file")
        self.classes = [str(c) for c in meta[self.meta["key"]]]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _check_integrity(self) -> bool:
        files = self.train_list + self.test_list + [[self.meta["filename"], self.meta["md5"]]]
        return all(check_integrity(self._path(name), md5) for name, md5 in files)

    def download(self) -> None:
        """Fetch the archive, check its MD5 and extract it (skipped when files are intact)."""
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image = require_pil(type(self).__name__).fromarray(self.data[index])
        target = self.targets[index]
        return self._apply_transforms(image, target)

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: CIFAR-10's layout with 100 fine classes (targets are the fine labels)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {
        "filename": "meta",
        "key": "fine_label_names",
        "md5": "7973b15100ade9c7d40fb424638fde48",
    }
    _label_keys = ("fine_labels",)
