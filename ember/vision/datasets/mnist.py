"""MNIST and its drop-in relatives (FashionMNIST, KMNIST, EMNIST), read from IDX files.

The files live where torchvision puts them, ``root/<ClassName>/raw/``, either gunzipped
(``train-images-idx3-ubyte``) or as downloaded (``train-images-idx3-ubyte.gz``).
"""

from __future__ import annotations

import gzip
import os
import shutil
import string
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import ember

from .utils import (
    as_numpy,
    dataset_not_found,
    download_file,
    extract_archive,
    require_pil,
    verify_str_arg,
)
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "read_idx"]

# IDX type byte -> element type (multi-byte values are big-endian in the file).
_IDX_DTYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":  # gzip magic: the file was not gunzipped yet
            raw = gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, OSError) as e:
        raise RuntimeError(f"{path}: the gzip stream is truncated or corrupt ({e})") from e
    return raw


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a NumPy array of its stored type and shape.

    The header is two zero bytes, a type byte (0x08 uint8 ... 0x0E float64), the number of
    dimensions, then one big-endian int32 per dimension. Wrong magic numbers and sizes that
    do not match the header raise RuntimeError naming the file.
    """
    path = os.fspath(path)
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        magic = raw[:4].hex() or "empty file"
        raise RuntimeError(
            f"{path}: not an IDX file (magic number {magic}; expected 0000 followed by a "
            f"type byte in {sorted(hex(t) for t in _IDX_DTYPES)} and the number of dims)"
        )
    dtype, ndim = np.dtype(_IDX_DTYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise RuntimeError(f"{path}: truncated IDX header ({len(raw)} bytes)")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">i4", ndim, 4))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise RuntimeError(
            f"{path}: IDX header says shape {shape} of {dtype} ({expected} bytes of data) but "
            f"the file holds {len(raw) - header} bytes: it is truncated or corrupt"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _renamed(old: str, new: str) -> property:
    def get(self: Any) -> Any:
        warnings.warn(f"{old} has been renamed {new}", UserWarning, stacklevel=2)
        return getattr(self, new)

    return property(get, doc=f"Deprecated alias of ``{new}``.")


class MNIST(VisionDataset):
    """The MNIST digits: 60,000 training and 10,000 test 28x28 grey images.

    Items are ``(PIL image mode 'L', int target)``. ``data`` is a uint8 tensor (N, 28, 28)
    and ``targets`` an int64 tensor (N,), as in torchvision. ``download=True`` fetches the
    four ``.gz`` files from the mirrors in order, checks their MD5 and gunzips them.
    """

    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]

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
        images, labels = self._load_data()
        self.data = ember.from_numpy(images)
        self.targets = ember.from_numpy(labels.astype(np.int64))

    @property
    def raw_folder(self) -> str:
        """Where the IDX files are: ``root/<ClassName>/raw``."""
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def processed_folder(self) -> str:
        """``root/<ClassName>/processed`` (torchvision's legacy ``.pt`` cache; unused here)."""
        return os.path.join(self.root, type(self).__name__, "processed")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    # The pre-2019 torchvision names, still found in course notes.
    train_data = _renamed("train_data", "data")
    test_data = _renamed("test_data", "data")
    train_labels = _renamed("train_labels", "targets")
    test_labels = _renamed("test_labels", "targets")

    @property
    def _file_prefix(self) -> str:
        return "train" if self.train else "t10k"

    def _split_files(self) -> tuple[str, str]:
        """The (images, labels) file names of this split, without ``.gz``."""
        return (f"{self._file_prefix}-images-idx3-ubyte", f"{self._file_prefix}-labels-idx1-ubyte")

    def _find(self, name: str) -> str | None:
        for candidate in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _check_exists(self) -> bool:
        return all(self._find(name) for name in self._split_files())

    def _load_data(self) -> tuple[np.ndarray, np.ndarray]:
        names = self._split_files()
        paths = [self._find(name) for name in names]
        if None in paths:
            looked = [os.path.join(self.raw_folder, n + ext) for n in names for ext in ("", ".gz")]
            raise dataset_not_found(type(self).__name__, looked)
        images, labels = read_idx(paths[0]), read_idx(paths[1])
        if images.dtype != np.uint8 or images.ndim != 3:
            raise RuntimeError(
                f"{paths[0]}: expected uint8 images of 3 dims (N, H, W), got {images.dtype} "
                f"with shape {images.shape}"
            )
        if labels.dtype != np.uint8 or labels.ndim != 1:
            raise RuntimeError(
                f"{paths[1]}: expected uint8 labels of 1 dim (N,), got {labels.dtype} with "
                f"shape {labels.shape}"
            )
        if len(images) != len(labels):
            raise RuntimeError(
                f"{type(self).__name__}: {len(images)} images but {len(labels)} labels "
                f"({paths[0]}, {paths[1]})"
            )
        return images, labels

    def download(self) -> None:
        """Fetch and gunzip the distribution files unless they are already present."""
        if self._check_exists():
            return
        for filename, md5 in self.resources:
            urls = [mirror + filename for mirror in self.mirrors]
            try:
                archive = download_file(urls, self.raw_folder, filename, md5)
            except RuntimeError as e:
                names = ", ".join(name for name, _ in self.resources)
                raise RuntimeError(
                    f"{e}\n{type(self).__name__} needs all of these files in "
                    f"{self.raw_folder}: {names}"
                ) from e
            extract_archive(archive, self.raw_folder)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image = require_pil(type(self).__name__).fromarray(as_numpy(self.data)[index])
        target = int(as_numpy(self.targets)[index])
        return self._apply_transforms(image, target)

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: MNIST's format and sizes, ten kinds of clothing."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: MNIST's format and sizes, ten cursive Japanese characters."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


_EMNIST_MERGED = set("cijklmopsuvwxyz")  # lower-case letters folded into their capitals
_EMNIST_ALL = set(string.digits + string.ascii_letters)


class EMNIST(MNIST):
    """Extended MNIST, one of six ``split``s: byclass, bymerge, balanced, letters, digits, mnist.

    Files are ``root/EMNIST/raw/emnist-<split>-<train|test>-{images-idx3,labels-idx1}-ubyte``
    (or ``.gz``). As in torchvision the images are returned as stored in the files, which
    are transposed relative to MNIST; ``letters`` labels run 1..26 (class 0 is 'N/A').
    """

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    classes_split_dict = {
        "byclass": sorted(_EMNIST_ALL),
        "bymerge": sorted(_EMNIST_ALL - _EMNIST_MERGED),
        "balanced": sorted(_EMNIST_ALL - _EMNIST_MERGED),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root: str | Path, split: str, **kwargs: Any) -> None:
        self.split = verify_str_arg(split, "split", self.splits)
        self.classes = self.classes_split_dict[self.split]
        super().__init__(root, **kwargs)

    @property
    def _file_prefix(self) -> str:
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    def download(self) -> None:
        """Fetch the EMNIST zip (all splits), check its MD5 and unpack the IDX files."""
        if self._check_exists():
            return
        archive = download_file([self.url], self.raw_folder, "gzip.zip", self.md5)
        extract_archive(archive, self.raw_folder)
        unpacked = os.path.join(self.raw_folder, "gzip")
        for name in sorted(os.listdir(unpacked)):
            if name.endswith(".gz"):
                extract_archive(os.path.join(unpacked, name), self.raw_folder)
        shutil.rmtree(unpacked)
