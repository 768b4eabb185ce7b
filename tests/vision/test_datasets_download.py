"""download=True against a local HTTP server on 127.0.0.1 (never a real host), MD5 checks,
the unreachable-network message, and safe archive extraction."""

import gzip
import hashlib
import http.server
import io
import pickle
import tarfile
import threading
import zipfile
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from ember.vision import datasets
from ember.vision.datasets import utils as dutils

from .test_datasets import cifar10_tree, idx_bytes

pytest.importorskip("PIL.Image")

DEAD = "http://127.0.0.1:9/"  # the discard port: nothing listens, connection refused at once


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """Serve ``tmp_path / 'www'`` on an ephemeral port; yields (folder, base_url)."""
    www = tmp_path / "www"
    www.mkdir()
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_QuietHandler, directory=str(www)))
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield www, f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def serve_mnist(www: Path) -> tuple[list, np.ndarray]:
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte": np.array([4, 1, 9], np.uint8),
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte": np.array([0, 7], np.uint8)}
    resources = []
    for name, array in arrays.items():
        payload = gzip.compress(idx_bytes(array))
        (www / f"{name}.gz").write_bytes(payload)
        resources.append((f"{name}.gz", md5(payload)))
    return resources, arrays["train-images-idx3-ubyte"]


def test_mnist_download_tries_mirrors_and_checks_md5(tmp_path, server, monkeypatch, capsys):
    www, url = server
    resources, images = serve_mnist(www)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [DEAD, url])
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    root = tmp_path / "data"
    ds = datasets.MNIST(root, download=True)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    assert ds.targets.tolist() == [4, 1, 9]
    raw = root / "MNIST" / "raw"
    assert (raw / "train-images-idx3-ubyte").is_file()  # gunzipped next to the download
    assert (raw / "t10k-labels-idx1-ubyte.gz").is_file()
    assert datasets.MNIST(root, train=False).targets.tolist() == [0, 7]
    assert f"Downloading {url}train-images-idx3-ubyte.gz" in capsys.readouterr().out
    # Present files are not fetched again, even when the server is gone.
    monkeypatch.setattr(datasets.MNIST, "mirrors", [DEAD])
    assert len(datasets.MNIST(root, download=True)) == 3


def test_download_wrong_md5_is_an_error_and_leaves_nothing(tmp_path, server, monkeypatch):
    www, url = server
    resources, _ = serve_mnist(www)
    resources[0] = (resources[0][0], "0" * 32)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [url])
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    with pytest.raises(RuntimeError, match=r"Could not download train-images-idx3-ubyte\.gz\. "
                                           r"URLs tried:\n.*MD5 mismatch: expected 0{32}, got ") as info:
        datasets.MNIST(tmp_path, download=True)
    assert md5((www / "train-images-idx3-ubyte.gz").read_bytes()) in str(info.value)
    assert list((tmp_path / "MNIST" / "raw").iterdir()) == []  # no partial or wrong file


def test_download_unreachable_names_urls_and_manual_location(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.MNIST, "mirrors", [DEAD, "http://127.0.0.1:9/mirror2/"])
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(tmp_path, download=True)
    message = str(info.value)
    assert f"{DEAD}train-images-idx3-ubyte.gz" in message
    assert "http://127.0.0.1:9/mirror2/train-images-idx3-ubyte.gz" in message
    assert "refused" in message.lower()
    dest = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    assert f"put it at {dest} (MD5 f68b3c2dcbeaaa9fbdd348bbdeb94873)" in message
    assert message.endswith(
        f"MNIST needs all of these files in {dest.parent}: train-images-idx3-ubyte.gz, "
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz")


def test_download_http_404_is_reported(tmp_path, server):
    _, url = server
    with pytest.raises(RuntimeError, match=r"missing\.bin: HTTP Error 404: File not found"):
        dutils.download_url(url + "missing.bin", tmp_path)


def test_cifar10_download_and_extract(tmp_path, server, monkeypatch):
    www, url = server
    source = tmp_path / "src"
    batches = cifar10_tree(source)
    archive = www / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    monkeypatch.setattr(datasets.CIFAR10, "url", url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", md5(archive.read_bytes()))
    ds = datasets.CIFAR10(tmp_path / "root", train=False, download=True)
    assert ds.targets == batches["test_batch"]["labels"]
    assert (tmp_path / "root" / "cifar-10-python.tar.gz").is_file()
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", "f" * 32)
    with pytest.raises(RuntimeError, match="MD5 mismatch"):
        datasets.CIFAR10(tmp_path / "other", download=True)


def test_emnist_download_zip(tmp_path, server, monkeypatch):
    www, url = server
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("gzip/emnist-digits-train-images-idx3-ubyte.gz",
                    gzip.compress(idx_bytes(images)))
        zf.writestr("gzip/emnist-digits-train-labels-idx1-ubyte.gz",
                    gzip.compress(idx_bytes(np.array([3, 8], np.uint8))))
    (www / "gzip.zip").write_bytes(buffer.getvalue())
    monkeypatch.setattr(datasets.EMNIST, "url", url + "gzip.zip")
    monkeypatch.setattr(datasets.EMNIST, "md5", md5(buffer.getvalue()))
    ds = datasets.EMNIST(tmp_path, split="digits", download=True)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    assert ds.targets.tolist() == [3, 8]
    assert not (tmp_path / "EMNIST" / "raw" / "gzip").exists()


def test_svhn_download(tmp_path, server, monkeypatch):
    scipy_io = pytest.importorskip("scipy.io")
    www, url = server
    scipy_io.savemat(www / "test_32x32.mat", {"X": np.zeros((32, 32, 3, 2), np.uint8),
                                              "y": np.array([[1], [10]], np.uint8)})
    payload = (www / "test_32x32.mat").read_bytes()
    split_list = dict(datasets.SVHN.split_list)
    split_list["test"] = [url + "test_32x32.mat", "test_32x32.mat", md5(payload)]
    monkeypatch.setattr(datasets.SVHN, "split_list", split_list)
    ds = datasets.SVHN(tmp_path, split="test", download=True)
    assert ds.labels.tolist() == [1, 0]


def test_integrity_helpers(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"ember" * 1000)
    digest = hashlib.md5(b"ember" * 1000).hexdigest()
    assert dutils.calculate_md5(path, chunk_size=7) == digest
    assert dutils.check_integrity(path, digest) and dutils.check_integrity(path)
    assert not dutils.check_integrity(path, "0" * 32)
    assert not dutils.check_integrity(tmp_path / "missing.bin")


def test_extract_refuses_paths_outside_target(tmp_path):
    evil_tar = tmp_path / "evil.tar"
    with tarfile.open(evil_tar, "w") as tar:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(RuntimeError, match=r"refusing to extract '\.\./escaped\.txt'"):
        dutils.extract_archive(evil_tar, tmp_path / "out")
    link_tar = tmp_path / "link.tar"
    with tarfile.open(link_tar, "w") as tar:
        info = tarfile.TarInfo("innocent")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(RuntimeError, match="refusing to extract 'innocent'"):
        dutils.extract_archive(link_tar, tmp_path / "out")
    evil_zip = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil_zip, "w") as zf:
        zf.writestr("../../escaped.txt", "x")
    with pytest.raises(RuntimeError, match="would land outside"):
        dutils.extract_archive(evil_zip, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists()


def test_extract_corrupt_archive(tmp_path):
    good = tmp_path / "a.tar.gz"
    with tarfile.open(good, "w:gz") as tar:
        data = pickle.dumps(list(range(5000)))
        info = tarfile.TarInfo("x.pkl")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    truncated = tmp_path / "b.tar.gz"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(RuntimeError, match="b.tar.gz: the archive is corrupt or truncated"):
        dutils.extract_archive(truncated, tmp_path / "out")
    out = dutils.extract_archive(good, tmp_path / "ok", remove_finished=True)
    assert pickle.loads((Path(out) / "x.pkl").read_bytes()) == list(range(5000))
    assert not good.exists()
