"""Digits: the bundled UCI 8x8 hand-written digits (facts checked against scikit-learn's
digits.csv.gz when the file was built: 1,797 rows, label counts, pixel sums, first rows)."""

import importlib.util
import sys
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader
from ember.vision import datasets, transforms
from ember.vision.datasets import digits as digits_module

Image = pytest.importorskip("PIL.Image")

# Label counts of the full data set (classes 0..9) and of the stored test split.
ALL_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
TEST_COUNTS = [36, 37, 35, 37, 36, 36, 36, 36, 35, 36]
RAW_PIXEL_SUM = 561718  # sum of all 0..16 values in the CSV
SCALE = np.rint(np.arange(17) * 255 / 16).astype(np.int64)
# CSV row 0 (label 0), the first training image; CSV row 14 (label 4), the first test image.
ROW0 = [[0, 0, 5, 13, 9, 1, 0, 0], [0, 0, 13, 15, 10, 15, 5, 0], [0, 3, 15, 2, 0, 11, 8, 0],
        [0, 4, 12, 0, 0, 8, 8, 0], [0, 5, 8, 0, 0, 9, 8, 0], [0, 4, 11, 0, 1, 12, 7, 0],
        [0, 2, 14, 5, 10, 12, 0, 0], [0, 0, 6, 13, 10, 0, 0, 0]]
ROW14 = [[0, 0, 0, 8, 15, 1, 0, 0], [0, 0, 1, 14, 13, 1, 1, 0], [0, 0, 10, 15, 3, 15, 11, 0],
         [0, 7, 16, 7, 1, 16, 8, 0], [0, 9, 16, 13, 14, 16, 5, 0], [0, 1, 10, 15, 16, 14, 0, 0],
         [0, 0, 0, 1, 16, 10, 0, 0], [0, 0, 0, 10, 15, 4, 0, 0]]


@pytest.fixture(scope="module")
def train():
    return datasets.Digits(train=True)


@pytest.fixture(scope="module")
def test():
    return datasets.Digits(train=False)


def test_sizes_dtypes_and_classes(train, test):
    assert (len(train), len(test)) == (1437, 360)
    assert train.data.dtype == ember.uint8 and tuple(train.data.shape) == (1437, 8, 8)
    assert test.targets.dtype == ember.int64 and tuple(test.targets.shape) == (360,)
    assert train.classes == [str(d) for d in range(10)] and train.class_to_idx["7"] == 7


def test_label_counts_every_class_in_both_splits(train, test):
    train_counts = np.bincount(train.targets.numpy(), minlength=10)
    test_counts = np.bincount(test.targets.numpy(), minlength=10)
    assert test_counts.tolist() == TEST_COUNTS
    assert (train_counts + test_counts).tolist() == ALL_COUNTS
    assert train_counts.min() > 0 and test_counts.min() > 0


def test_split_is_disjoint_and_complete():
    arrays = digits_module._load()
    train_idx, test_idx = arrays["train_idx"], arrays["test_idx"]
    assert len(np.intersect1d(train_idx, test_idx)) == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train_idx, test_idx])), np.arange(1797))


def test_pixels_scaled_from_0_16(train, test):
    both = np.concatenate([train.data.numpy(), test.data.numpy()]).astype(np.int64)
    assert both.min() == 0 and both.max() == 255
    assert set(np.unique(both)) <= set(SCALE.tolist())
    raw = np.searchsorted(SCALE, both)  # SCALE is strictly increasing: exact inverse
    assert raw.sum() == RAW_PIXEL_SUM
    assert SCALE[8] == 128 and SCALE[16] == 255  # round(v * 255 / 16), 127.5 -> 128


def test_known_items(train, test):
    image, target = train[0]
    assert isinstance(image, Image.Image) and image.mode == "L" and image.size == (8, 8)
    np.testing.assert_array_equal(np.asarray(image), SCALE[np.array(ROW0)])
    assert target == 0 and type(target) is int
    image, target = test[0]
    np.testing.assert_array_equal(np.asarray(image), SCALE[np.array(ROW14)])
    assert target == 4


def test_to_tensor_and_target_transform():
    ds = datasets.Digits(transform=transforms.ToTensor(), target_transform=lambda t: t * 10)
    x, y = ds[0]
    assert x.dtype == ember.float32 and tuple(x.shape) == (1, 8, 8)
    np.testing.assert_allclose(x.numpy()[0], SCALE[np.array(ROW0)] / 255.0, rtol=1e-6)
    assert y == 0
    assert ds[5][1] == 10 * int(ds.targets[5])


def test_dataloader_batches(train):
    ds = datasets.Digits(transform=transforms.ToTensor())
    loader = DataLoader(ds, batch_size=500, shuffle=False)
    batches = list(loader)
    assert [len(b[1]) for b in batches] == [500, 500, 437]
    x, y = batches[0]
    assert tuple(x.shape) == (500, 1, 8, 8) and x.dtype == ember.float32
    assert y.dtype == ember.int64
    np.testing.assert_array_equal(y.numpy(), train.targets.numpy()[:500])
    np.testing.assert_allclose(x.numpy()[:, 0], train.data.numpy()[:500] / 255.0, rtol=1e-6)


def test_repr_root_and_download_ignored(tmp_path):
    assert repr(datasets.Digits(train=False)) == (
        "Dataset Digits\n    Number of datapoints: 360\n    Split: Test")
    ds = datasets.Digits(root=tmp_path, download=True)
    assert len(ds) == 1437 and list(tmp_path.iterdir()) == []
    assert f"Root location: {tmp_path}" in repr(ds)


def test_loads_fast_and_cached():
    datasets.Digits()
    start = time.perf_counter()
    for _ in range(10):
        datasets.Digits(train=False)
    assert (time.perf_counter() - start) / 10 < 0.02
    assert digits_module._load() is digits_module._load()
    with pytest.raises(ValueError, match="read-only"):
        digits_module._load()["images"][0, 0, 0] = 1  # the shared cache cannot be corrupted


def test_bundled_files_present():
    data = resources.files("ember.vision.datasets").joinpath("data")
    assert data.joinpath("digits.npz").is_file()
    text = data.joinpath("DIGITS_LICENSE.txt").read_text()
    assert "Alpaydin" in text and "10.24432/C50P49" in text and "BSD 3-Clause" in text


def test_without_pillow_items_raise_but_arrays_work(monkeypatch):
    ds = datasets.Digits(train=False)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"Digits returns PIL images and needs Pillow: "
                                          r"pip install 'ember\[vision\]'"):
        ds[0]
    assert int(ds.targets[0]) == 4 and int(ds.data.sum()) > 0


def test_stored_split_is_what_the_build_script_makes():
    """tools/build_digits.py, rerun on the bundled labels, reproduces the stored split."""
    script = Path(__file__).resolve().parents[2] / "tools" / "build_digits.py"
    spec = importlib.util.spec_from_file_location("build_digits", script)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    arrays = digits_module._load()
    train_idx, test_idx = build.stratified_split(arrays["labels"], build.N_TEST, build.SEED)
    np.testing.assert_array_equal(train_idx, arrays["train_idx"])
    np.testing.assert_array_equal(test_idx, arrays["test_idx"])
    assert (len(train_idx), len(test_idx)) == (digits_module.N_TRAIN, digits_module.N_TEST)
