"""Download, checksum and extraction helpers for the datasets (torchvision.datasets.utils).

Everything written to disk goes through a temporary file in the destination directory and
``os.replace``, so an interrupted download never leaves a half-written file under the
final name. Archives are extracted with path checks: a member that would land outside the
target directory (absolute path, ``..``, links) is refused.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

__all__ = [
    "calculate_md5", "check_md5", "check_integrity", "download_url", "download_file",
    "extract_archive", "download_and_extract_archive", "verify_str_arg",
    "dataset_not_found", "require_pil", "as_numpy",
]

PathLike = str | os.PathLike
_CHUNK = 1024 * 1024
_TIMEOUT_S = 30.0
_USER_AGENT = "ember (https://github.com/ember)"


def calculate_md5(fpath: PathLike, chunk_size: int = _CHUNK) -> str:
    """Hex MD5 digest of a file, read in chunks."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath: PathLike, md5: str, chunk_size: int = _CHUNK) -> bool:
    """Whether the file's MD5 digest equals ``md5``."""
    return calculate_md5(fpath, chunk_size) == md5


def check_integrity(fpath: PathLike, md5: str | None = None) -> bool:
    """Whether ``fpath`` is a file and, when ``md5`` is given, has that digest."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def verify_str_arg(value: str, arg: str, valid_values: Iterable[str]) -> str:
    """Return ``value`` when it is one of ``valid_values``; raise ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"Expected type str for argument {arg}, but got type {type(value)}.")
    valid = list(valid_values)
    if value not in valid:
        listed = ", ".join(f"'{v}'" for v in valid)
        raise ValueError(
            f"Unknown value '{value}' for argument {arg}. Valid values are {{{listed}}}."
        )
    return value


def dataset_not_found(name: str, looked_for: Sequence[PathLike]) -> RuntimeError:
    """torchvision's 'Dataset not found' error, plus the files ember looked for."""
    paths = "\n".join(f"  {p}" for p in looked_for)
    return RuntimeError(
        f"Dataset not found. You can use download=True to download it.\n"
        f"{name}: ember looked for these files and did not find them:\n{paths}"
    )


def _fetch(url: str, dest: str, md5: str | None) -> None:
    """Download ``url`` to ``dest`` atomically; raise on network errors or a wrong MD5."""
    folder = os.path.dirname(dest) or "."
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".download-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=_TIMEOUT_S) as r:
            shutil.copyfileobj(r, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        if md5 is not None:
            got = calculate_md5(tmp)
            if got != md5:
                raise RuntimeError(f"MD5 mismatch: expected {md5}, got {got}")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def download_file(
    urls: Sequence[str], root: PathLike, filename: str, md5: str | None = None
) -> str:
    """Fetch ``filename`` into ``root`` from the first of ``urls`` (mirrors) that works.

    A file already present with the right checksum is kept. When every mirror fails
    (unreachable network, HTTP error, wrong MD5) a RuntimeError names each URL with its
    failure and says where to put the file by hand. Returns the file's path.
    """
    root = os.path.expanduser(os.fspath(root))
    os.makedirs(root, exist_ok=True)
    dest = os.path.join(root, filename)
    if check_integrity(dest, md5):
        return dest
    failures = []
    for url in urls:
        print(f"Downloading {url} to {dest}")
        try:
            _fetch(url, dest, md5)
            return dest
        except (urllib.error.URLError, OSError, RuntimeError, ValueError) as e:
            # A bare URLError wraps the socket error; HTTPError's str has the status code.
            reason = e.reason if type(e) is urllib.error.URLError else e
            failures.append(f"  {url}: {reason}")
    tried = "\n".join(failures)
    checksum = f" (MD5 {md5})" if md5 else ""
    raise RuntimeError(
        f"Could not download {filename}. URLs tried:\n{tried}\n"
        f"If this machine has no internet access, download the file elsewhere and put it "
        f"at {dest}{checksum}."
    )


def download_url(
    url: str, root: PathLike, filename: str | None = None, md5: str | None = None
) -> str:
    """Download one URL into ``root`` (as ``filename``, default the URL's basename)."""
    return download_file([url], root, filename or os.path.basename(url), md5)


def _inside(root: str, member: str) -> bool:
    target = os.path.realpath(os.path.join(root, member))
    return os.path.commonpath([os.path.realpath(root), target]) == os.path.realpath(root)


def _extract_tar(path: str, to_path: str) -> None:
    with tarfile.open(path, "r:*") as tar:
        for m in tar.getmembers():
            if not (m.isfile() or m.isdir()) or not _inside(to_path, m.name):
                raise RuntimeError(
                    f"refusing to extract {m.name!r} from {path}: archive members must be "
                    f"plain files or folders inside the target directory"
                )
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 / 3.10.12
            tar.extractall(to_path, filter="data")
        else:
            tar.extractall(to_path)  # noqa: S202 - members were checked above


def _extract_zip(path: str, to_path: str) -> None:
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not _inside(to_path, name):
                raise RuntimeError(
                    f"refusing to extract {name!r} from {path}: it would land outside "
                    f"{to_path}"
                )
        zf.extractall(to_path)


def _gunzip(path: str, to_path: str) -> str:
    dest = os.path.join(to_path, os.path.basename(path)[: -len(".gz")])
    fd, tmp = tempfile.mkstemp(dir=to_path, prefix=".extract-")
    try:
        with gzip.open(path, "rb") as src, os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(src, out, _CHUNK)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return dest


def extract_archive(
    from_path: PathLike, to_path: PathLike | None = None, remove_finished: bool = False
) -> str:
    """Extract a .tar(.gz/.bz2/.xz), .tgz, .zip or single-file .gz archive; return to_path.

    Corrupt or truncated archives raise RuntimeError naming the file.
    """
    path = os.fspath(from_path)
    to = os.fspath(to_path) if to_path is not None else os.path.dirname(path)
    os.makedirs(to, exist_ok=True)
    name = path.lower()
    try:
        if name.endswith(".zip"):
            _extract_zip(path, to)
        elif tarfile.is_tarfile(path):
            _extract_tar(path, to)
        elif name.endswith(".gz"):
            _gunzip(path, to)
        else:
            raise RuntimeError(f"{path}: unsupported archive type (expected tar, zip or gz)")
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, gzip.BadGzipFile) as e:
        raise RuntimeError(f"{path}: the archive is corrupt or truncated ({e})") from e
    if remove_finished:
        os.remove(path)
    return to


def download_and_extract_archive(
    urls: str | Sequence[str],
    download_root: PathLike,
    extract_root: PathLike | None = None,
    filename: str | None = None,
    md5: str | None = None,
    remove_finished: bool = False,
) -> None:
    """Download an archive (trying mirrors in order), verify its MD5 and extract it."""
    urls = [urls] if isinstance(urls, str) else list(urls)
    filename = filename or os.path.basename(urls[0])
    archive = download_file(urls, download_root, filename, md5)
    extract_archive(archive, extract_root or download_root, remove_finished)


def as_path(root: PathLike) -> Path:
    """``root`` as a Path with ``~`` expanded."""
    return Path(os.path.expanduser(os.fspath(root)))


def require_pil(what: str) -> ModuleType:
    """Return ``PIL.Image``, or raise an ImportError saying how to install Pillow."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError(
            f"{what} returns PIL images and needs Pillow: pip install 'ember[vision]'"
        ) from e
    return Image


def as_numpy(x: Any) -> np.ndarray:
    """A tensor's array (no copy), or ``np.asarray(x)`` for arrays and lists."""
    numpy = getattr(x, "numpy", None)
    return numpy() if callable(numpy) else np.asarray(x)
