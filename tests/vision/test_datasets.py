"""ember.vision.datasets read tiny files written here in the real distribution formats."""

import gzip
import os
import pickle
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

import ember
from ember.vision import datasets, transforms
from ember.vision.datasets.mnist import read_idx

Image = pytest.importorskip("PIL.Image")

IDX_CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype(">i2"): 0x0B,
             np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    array = array.astype(array.dtype.newbyteorder(">")) if array.dtype.itemsize > 1 else array
    header = bytes([0, 0, IDX_CODES[array.dtype], array.ndim])
    return header + struct.pack(f">{array.ndim}i", *array.shape) + array.tobytes()


def write_idx(path: Path, array: np.ndarray, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = idx_bytes(array)
    if gz:
        path = path.with_name(path.name + ".gz")
        payload = gzip.compress(payload)
    path.write_bytes(payload)
    return path


def mnist_split(raw: Path, prefix: str, n: int, seed: int, gz: bool = False):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    write_idx(raw / f"{prefix}-images-idx3-ubyte", images, gz)
    write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels, gz)
    return images, labels


class Named:
    """A transform with a fixed repr, to check how datasets print their transforms."""

    def __init__(self, text):
        self.text = text

    def __call__(self, x):
        return x

    def __repr__(self):
        return self.text


# ---------------------------------------------------------------- MNIST family


def test_mnist_raw_files(tmp_path):
    images, labels = mnist_split(tmp_path / "MNIST" / "raw", "train", 5, 0)
    ds = datasets.MNIST(tmp_path, train=True)
    assert len(ds) == 5
    assert ds.data.dtype == ember.uint8 and tuple(ds.data.shape) == (5, 28, 28)
    assert ds.targets.dtype == ember.int64
    np.testing.assert_array_equal(ds.data.numpy(), images)
    np.testing.assert_array_equal(ds.targets.numpy(), labels.astype(np.int64))
    image, target = ds[3]
    assert isinstance(image, Image.Image) and image.mode == "L" and image.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(image), images[3])
    assert type(target) is int and target == labels[3]
    assert ds.classes[0] == "0 - zero" and ds.class_to_idx["9 - nine"] == 9
    with pytest.warns(UserWarning, match="train_labels has been renamed targets"):
        assert ds.train_labels is ds.targets
    with pytest.warns(UserWarning, match="test_data has been renamed data"):
        assert ds.test_data is ds.data
    assert repr(ds) == f"Dataset MNIST\n    Number of datapoints: 5\n    Root location: {tmp_path}\n    Split: Train"


def test_mnist_gz_test_split_and_str_root(tmp_path):
    images, labels = mnist_split(tmp_path / "MNIST" / "raw", "t10k", 4, 1, gz=True)
    ds = datasets.MNIST(str(tmp_path), train=False)
    assert ds.root == str(tmp_path)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    assert [ds[i][1] for i in range(4)] == labels.tolist()
    assert repr(ds).endswith("Split: Test")


def test_mnist_transforms_and_repr(tmp_path):
    images, labels = mnist_split(tmp_path / "MNIST" / "raw", "train", 3, 2)
    ds = datasets.MNIST(tmp_path, transform=transforms.ToTensor(),
                        target_transform=lambda t: t + 100)
    x, y = ds[1]
    assert x.dtype == ember.float32 and tuple(x.shape) == (1, 28, 28)
    np.testing.assert_allclose(x.numpy()[0], images[1] / 255.0, rtol=1e-6)
    assert y == labels[1] + 100
    ds.transform, ds.target_transform = None, None  # reassigned afterwards: takes effect
    assert isinstance(ds[1][0], Image.Image) and ds[1][1] == labels[1]
    named = datasets.MNIST(tmp_path, transform=Named("Compose(\n    A()\n)"),
                           target_transform=Named("T()"))
    assert repr(named).splitlines()[4:] == [
        "    StandardTransform", "Transform: Compose(", "               A()",
        "           )", "Target transform: T()",
    ]


def test_mnist_subset_by_assigning_data_and_targets(tmp_path):
    images, labels = mnist_split(tmp_path / "MNIST" / "raw", "train", 6, 3)
    ds = datasets.MNIST(tmp_path)
    ds.data, ds.targets = ds.data[4:], ds.targets[4:]
    assert len(ds) == 2
    np.testing.assert_array_equal(np.asarray(ds[0][0]), images[4])
    assert ds[1][1] == labels[5]


@pytest.mark.parametrize("cls,first,last", [
    (datasets.FashionMNIST, "T-shirt/top", "Ankle boot"),
    (datasets.KMNIST, "o", "wo"),
])
def test_fashion_and_kmnist_folders_and_classes(tmp_path, cls, first, last):
    images, _ = mnist_split(tmp_path / cls.__name__ / "raw", "train", 2, 4, gz=True)
    ds = cls(tmp_path)
    assert (ds.classes[0], ds.classes[-1], len(ds.classes)) == (first, last, 10)
    np.testing.assert_array_equal(np.asarray(ds[1][0]), images[1])
    assert repr(ds).startswith(f"Dataset {cls.__name__}\n")


def test_emnist_split_files_and_classes(tmp_path):
    images, labels = mnist_split(tmp_path / "EMNIST" / "raw", "emnist-letters-test", 3, 5)
    ds = datasets.EMNIST(tmp_path, split="letters", train=False)
    np.testing.assert_array_equal(ds.data.numpy(), images)  # stored orientation, as torchvision
    assert ds.classes[:3] == ["N/A", "a", "b"] and len(ds.classes) == 27
    assert len(datasets.EMNIST.classes_split_dict["byclass"]) == 62
    assert len(datasets.EMNIST.classes_split_dict["balanced"]) == 47
    with pytest.raises(ValueError, match=r"Unknown value 'bogus' for argument split\. Valid values "
                                         r"are \{'byclass', 'bymerge', .*'mnist'\}"):
        datasets.EMNIST(tmp_path, split="bogus")


def test_mnist_missing_files_message(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True to "
                                           "download it") as info:
        datasets.MNIST(tmp_path)
    assert str(tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte") in str(info.value)


def test_idx_bad_magic(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    mnist_split(raw, "train", 2, 6)
    path = raw / "train-images-idx3-ubyte"
    path.write_bytes(b"\x12\x34\x08\x03" + path.read_bytes()[4:])
    with pytest.raises(RuntimeError, match="not an IDX file .*magic number 12340803"):
        datasets.MNIST(tmp_path)


def test_idx_truncated_raw_and_gz(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    mnist_split(raw, "train", 2, 7)
    path = raw / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(RuntimeError, match=r"shape \(2, 28, 28\) .* holds 1558 bytes: it is "
                                           r"truncated"):
        datasets.MNIST(tmp_path)
    gz = tmp_path / "x-idx1-ubyte.gz"
    gz.write_bytes(gzip.compress(idx_bytes(np.arange(50, dtype=np.uint8)))[:-12])
    with pytest.raises(RuntimeError, match="gzip stream is truncated or corrupt"):
        read_idx(gz)


def test_mnist_wrong_dtype_and_count(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    mnist_split(raw, "train", 3, 8)
    write_idx(raw / "train-labels-idx1-ubyte", np.arange(3, dtype=">i4"))
    with pytest.raises(RuntimeError, match=r"expected uint8 labels .* got int32"):
        datasets.MNIST(tmp_path)
    write_idx(raw / "train-labels-idx1-ubyte", np.arange(2, dtype=np.uint8))
    with pytest.raises(RuntimeError, match="3 images but 2 labels"):
        datasets.MNIST(tmp_path)


@pytest.mark.parametrize("dtype", ["u1", "i1", ">i2", ">i4", ">f4", ">f8"])
def test_read_idx_all_types(tmp_path, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    got = read_idx(write_idx(tmp_path / "a-idx3-ubyte", array))
    assert got.shape == (2, 3, 4) and got.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(got, array)


# ---------------------------------------------------------------- CIFAR


def cifar_files(folder: Path, batches: dict, meta_name: str, meta: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, entry in batches.items():
        (folder / name).write_bytes(pickle.dumps(entry, protocol=2))
    (folder / meta_name).write_bytes(pickle.dumps(meta, protocol=2))


def cifar10_tree(root: Path, per_batch: int = 2):
    rng = np.random.default_rng(9)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {
        name: {"batch_label": name, "data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
               "labels": rng.integers(0, 10, per_batch).tolist(),
               "filenames": [f"img{i}.png" for i in range(per_batch)]}
        for name in names
    }
    labels = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
              "truck"]
    cifar_files(root / "cifar-10-batches-py", batches, "batches.meta",
                {"label_names": labels, "num_cases_per_batch": per_batch, "num_vis": 3072})
    return batches


def test_cifar10_train_and_test(tmp_path):
    batches = cifar10_tree(tmp_path)
    ds = datasets.CIFAR10(tmp_path)
    assert len(ds) == 10 and ds.data.shape == (10, 32, 32, 3) and ds.data.dtype == np.uint8
    expected = batches["data_batch_2"]["data"][1].reshape(3, 32, 32).transpose(1, 2, 0)
    image, target = ds[3]
    assert image.mode == "RGB" and image.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(image), expected)
    assert target == batches["data_batch_2"]["labels"][1] and type(target) is int
    assert isinstance(ds.targets, list) and len(ds.targets) == 10
    assert ds.classes[9] == "truck" and ds.class_to_idx["cat"] == 3
    test = datasets.CIFAR10(tmp_path, train=False, transform=transforms.ToTensor())
    assert len(test) == 2 and test.targets == batches["test_batch"]["labels"]
    x, _ = test[0]
    np.testing.assert_allclose(
        x.numpy(), batches["test_batch"]["data"][0].reshape(3, 32, 32) / 255.0, rtol=1e-6)
    assert repr(test).splitlines()[:4] == [
        "Dataset CIFAR10", "    Number of datapoints: 2", f"    Root location: {tmp_path}",
        "    Split: Test"]


def test_cifar_numpy1_global_names(tmp_path):
    """The original batches were written by NumPy 1 (``numpy.core.multiarray``)."""
    cifar10_tree(tmp_path)
    path = tmp_path / "cifar-10-batches-py" / "test_batch"
    payload = path.read_bytes()
    assert b"numpy._core.multiarray" in payload
    path.write_bytes(payload.replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))
    assert len(datasets.CIFAR10(tmp_path, train=False)) == 2


def test_cifar100_fine_labels(tmp_path):
    rng = np.random.default_rng(10)
    train = {"data": rng.integers(0, 256, (4, 3072), dtype=np.uint8),
             "fine_labels": [5, 99, 0, 42], "coarse_labels": [1, 2, 3, 4]}
    test = {"data": rng.integers(0, 256, (1, 3072), dtype=np.uint8), "fine_labels": [7],
            "coarse_labels": [0]}
    fine = [f"class{i}" for i in range(100)]
    cifar_files(tmp_path / "cifar-100-python", {"train": train, "test": test}, "meta",
                {"fine_label_names": fine, "coarse_label_names": ["c"] * 20})
    ds = datasets.CIFAR100(tmp_path)
    assert len(ds) == 4 and ds.targets == [5, 99, 0, 42] and ds[1][1] == 99
    assert len(ds.classes) == 100 and ds.classes[42] == "class42"
    assert datasets.CIFAR100(tmp_path, train=False).targets == [7]


class _System:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _Mkdir:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


@pytest.mark.parametrize("payload", [_System, _Mkdir])
def test_cifar_malicious_pickle_is_refused_and_not_run(tmp_path, payload):
    cifar10_tree(tmp_path)
    marker = tmp_path / "pwned"
    evil = {"data": np.zeros((1, 3072), np.uint8), "labels": [0], "x": payload(marker)}
    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(pickle.dumps(evil, protocol=2))
    with pytest.raises(RuntimeError, match=r"test_batch: cannot load this pickle safely: refusing "
                                           r"to load global '(posix|os|nt)\.(system|mkdir)'"):
        datasets.CIFAR10(tmp_path, train=False)
    assert not marker.exists()


def test_restricted_unpickler_argument_checks(tmp_path):
    from ember.vision.datasets._pickle import safe_load

    # _reconstruct asked to build something other than a plain ndarray.
    bad_subtype = (b"\x80\x02cnumpy._core.multiarray\n_reconstruct\ncnumpy\ndtype\n"
                   b"K\x00\x85U\x01b\x87R.")
    (tmp_path / "a").write_bytes(bad_subtype)
    with pytest.raises(RuntimeError, match="refusing to rebuild an array of type"):
        safe_load(tmp_path / "a")
    # _codecs.encode with a codec other than latin-1.
    (tmp_path / "b").write_bytes(b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x05\x00\x00"
                                 b"\x00rot13\x86R.")
    with pytest.raises(RuntimeError, match="refusing _codecs.encode"):
        safe_load(tmp_path / "b")
    # Plain data round-trips, including bytes (protocol 2 stores them via _codecs.encode).
    data = {"a": [1, 2.5, "x", b"\x00\xff", None, True], "t": (1,), "n": np.arange(3.0)}
    (tmp_path / "c").write_bytes(pickle.dumps(data, protocol=2))
    got = safe_load(tmp_path / "c")
    assert got["a"] == data["a"] and got["t"] == (1,)
    np.testing.assert_array_equal(got["n"], data["n"])


def test_cifar_truncated_and_malformed_batches(tmp_path):
    cifar10_tree(tmp_path)
    path = tmp_path / "cifar-10-batches-py" / "test_batch"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(RuntimeError, match="test_batch: the file is truncated or corrupt"):
        datasets.CIFAR10(tmp_path, train=False)
    path.write_bytes(pickle.dumps({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}, 2))
    with pytest.raises(RuntimeError, match=r"'data' must be a uint8 array of shape \(N, 3072\), "
                                           r"got ndarray uint8 \(2, 100\)"):
        datasets.CIFAR10(tmp_path, train=False)


def test_cifar_missing_files_message(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True") as e:
        datasets.CIFAR10(tmp_path)
    assert str(tmp_path / "cifar-10-batches-py" / "data_batch_1") in str(e.value)


# ---------------------------------------------------------------- SVHN


def write_svhn(root: Path, split: str, n: int = 3):
    scipy_io = pytest.importorskip("scipy.io")
    rng = np.random.default_rng(11)
    x = rng.integers(0, 256, (32, 32, 3, n), dtype=np.uint8)
    y = np.array([[10], [3], [7]][:n], dtype=np.uint8)
    scipy_io.savemat(root / f"{split}_32x32.mat", {"X": x, "y": y})
    return x, y


def test_svhn_reads_mat(tmp_path):
    x, _ = write_svhn(tmp_path, "test")
    ds = datasets.SVHN(tmp_path, split="test")
    assert ds.data.shape == (3, 3, 32, 32) and ds.data.dtype == np.uint8
    assert ds.labels.tolist() == [0, 3, 7] and ds.labels.dtype == np.int64  # 10 means digit 0
    image, target = ds[2]
    assert image.mode == "RGB" and target == 7
    np.testing.assert_array_equal(np.asarray(image), x[..., 2])
    assert repr(ds).endswith("Split: test")


def test_svhn_errors(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"Unknown value 'val' for argument split. Valid values "
                                         r"are \{'train', 'test', 'extra'\}\."):
        datasets.SVHN(tmp_path, split="val")
    with pytest.raises(RuntimeError, match="Dataset not found") as e:
        datasets.SVHN(tmp_path)
    assert str(tmp_path / "train_32x32.mat") in str(e.value)
    write_svhn(tmp_path, "train")
    good = (tmp_path / "train_32x32.mat").read_bytes()
    for cut in (10, len(good) // 2):
        (tmp_path / "train_32x32.mat").write_bytes(good[:cut])
        with pytest.raises(RuntimeError, match="train_32x32.mat: not a readable .mat file, "
                                               "truncated or corrupt"):
            datasets.SVHN(tmp_path)
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.io", None)
    with pytest.raises(ImportError, match="SVHN reads .mat files with SciPy: pip install scipy"):
        datasets.SVHN(tmp_path)


# ---------------------------------------------------------------- folders


@pytest.fixture
def image_tree(tmp_path):
    (tmp_path / "dog" / "sub").mkdir(parents=True)
    (tmp_path / "cat").mkdir()
    (tmp_path / "empty_not_a_class.txt").write_text("x")
    Image.fromarray(np.full((4, 5), 10, np.uint8)).save(tmp_path / "cat" / "b.png")
    Image.fromarray(np.full((4, 5, 3), 20, np.uint8)).save(tmp_path / "cat" / "A.PNG")
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    Image.fromarray(np.full((2, 3, 3), 30, np.uint8)).save(tmp_path / "dog" / "sub" / "c.bmp")
    return tmp_path


def test_image_folder(image_tree):
    ds = datasets.ImageFolder(image_tree, transform=transforms.ToTensor())
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert ds.samples == [
        (os.path.join(image_tree, "cat", "A.PNG"), 0),
        (os.path.join(image_tree, "cat", "b.png"), 0),
        (os.path.join(image_tree, "dog", "sub", "c.bmp"), 1),
    ]
    assert ds.imgs is ds.samples and ds.targets == [0, 0, 1] and len(ds) == 3
    assert ds.extensions == datasets.folder.IMG_EXTENSIONS
    x, y = ds[1]  # grey PNG, converted to RGB by the default loader
    assert tuple(x.shape) == (3, 4, 5) and y == 0
    np.testing.assert_allclose(x.numpy(), np.full((3, 4, 5), 10 / 255), rtol=1e-6)
    raw = datasets.ImageFolder(image_tree)
    assert raw[2][0].mode == "RGB" and raw[2][0].size == (3, 2)


def test_image_folder_is_valid_file_and_loader(image_tree):
    ds = datasets.ImageFolder(image_tree, is_valid_file=lambda p: p.endswith(".txt"),
                              allow_empty=True, loader=lambda p: Path(p).read_text())
    assert ds.samples == [(os.path.join(image_tree, "cat", "notes.txt"), 0)]
    assert ds[0] == ("not an image", 0) and ds.extensions is None


def test_dataset_folder_custom_loader(tmp_path):
    for cls, value in (("b", 2.0), ("a", 1.0)):
        (tmp_path / cls).mkdir()
        np.save(tmp_path / cls / "x.npy", np.full(3, value))
    ds = datasets.DatasetFolder(tmp_path, loader=np.load, extensions=(".npy",),
                                target_transform=lambda t: -t)
    assert ds.classes == ["a", "b"] and len(ds) == 2
    sample, target = ds[1]
    np.testing.assert_array_equal(sample, [2.0, 2.0, 2.0])
    assert target == -1
    assert repr(ds).splitlines()[:3] == [
        "Dataset DatasetFolder", "    Number of datapoints: 2", f"    Root location: {tmp_path}"]


def test_folder_errors(image_tree, tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(FileNotFoundError, match=f"Couldn't find any class folder in {empty}"):
        datasets.ImageFolder(empty)
    (image_tree / "zebra").mkdir()
    with pytest.raises(FileNotFoundError, match=r"Found no valid file for the classes zebra\. "
                                                r"Supported extensions are: \.jpg, \.jpeg"):
        datasets.ImageFolder(image_tree)
    assert len(datasets.ImageFolder(image_tree, allow_empty=True)) == 3
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or "
                                         "not None at the same time"):
        datasets.folder.make_dataset(image_tree, extensions=(".png",), is_valid_file=bool)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(image_tree, loader=str)


def test_find_classes_and_make_dataset_functions(image_tree):
    classes, mapping = datasets.folder.find_classes(image_tree)
    assert classes == ["cat", "dog"] and mapping == {"cat": 0, "dog": 1}
    only_dog = datasets.folder.make_dataset(image_tree, {"dog": 7}, extensions=".bmp")
    assert only_dog == [(os.path.join(image_tree, "dog", "sub", "c.bmp"), 7)]
    assert datasets.folder.is_image_file("X.JPEG") and not datasets.folder.is_image_file("x.gif")


# ---------------------------------------------------------------- FakeData / base class


def test_fake_data_deterministic_per_index():
    ds = datasets.FakeData(size=6, image_size=(3, 5, 4), num_classes=3, random_offset=2)
    assert len(ds) == 6
    image, target = ds[1]
    assert image.mode == "RGB" and image.size == (4, 5) and 0 <= target < 3
    again, target_again = ds[1]
    np.testing.assert_array_equal(np.asarray(image), np.asarray(again))
    assert target == target_again
    # Item i is seeded with i + random_offset: item 1 here equals item 3 with no offset.
    other = datasets.FakeData(size=6, image_size=(3, 5, 4), num_classes=3)
    np.testing.assert_array_equal(np.asarray(other[3][0]), np.asarray(image))
    assert other[3][1] == target
    assert not np.array_equal(np.asarray(ds[2][0]), np.asarray(image))
    gen = ember.Generator().manual_seed(3)
    expected = (ember.randn(3, 5, 4, generator=gen) * 255).byte().numpy().transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(image), expected)


def test_fake_data_leaves_global_rng_and_bounds():
    ds = datasets.FakeData(size=2, image_size=(1, 3, 3), transform=transforms.ToTensor())
    ember.manual_seed(123)
    first = ember.rand(4)
    ember.manual_seed(123)
    x, _ = ds[0]
    assert tuple(x.shape) == (1, 3, 3)
    assert ember.equal(ember.rand(4), first)
    assert ds[-1][1] == ds[1][1]
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[2]
    assert repr(ds).splitlines()[:2] == ["Dataset FakeData", "    Number of datapoints: 2"]


def test_vision_dataset_root_and_transforms_arguments(tmp_path):
    base = datasets.VisionDataset("~/somewhere")
    assert base.root == os.path.expanduser("~/somewhere")
    assert datasets.VisionDataset(tmp_path).root == tmp_path
    with pytest.raises(ValueError, match="Only transforms or transform/target_transform can be "
                                         "passed as argument"):
        datasets.VisionDataset(tmp_path, transforms=Named("x"), transform=Named("y"))
    joint = datasets.VisionDataset(tmp_path, transforms=lambda a, b: (b, a))
    assert joint.transforms(1, 2) == (2, 1)
    assert isinstance(datasets.VisionDataset(None), ember.utils.data.Dataset)
