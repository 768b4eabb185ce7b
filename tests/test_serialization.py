"""ember.save / ember.load: exact round trips, shared memory, map_location, refusals,
atomic writes and plain-language errors for broken files."""

from __future__ import annotations

import io
import json
import os
import pathlib
import pickle
import random
import signal
import subprocess
import sys
import textwrap
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import serialization
from ember.serialization import CheckpointError


def assert_same(got, want, path="obj"):
    """Structural, bitwise equality: container and key types, order, scalar types, tensor
    dtype/shape/bits/requires_grad/class, NumPy arrays as NumPy arrays."""
    assert type(got) is type(want), f"{path}: {type(got)} != {type(want)}"
    if isinstance(want, ember.Tensor):
        assert got.dtype == want.dtype and got.shape == want.shape, path
        assert got.requires_grad == want.requires_grad, path
        g, w = np.asarray(got.detach()._data), np.asarray(want.detach()._data)
        assert g.tobytes() == w.tobytes(), f"{path}: values differ"
    elif isinstance(want, (np.ndarray, np.generic)):
        assert got.dtype == want.dtype and np.shape(got) == np.shape(want), path
        assert np.asarray(got).tobytes() == np.asarray(want).tobytes(), path
    elif isinstance(want, dict):
        assert list(map(type, got)) == list(map(type, want)), f"{path}: key types"
        assert list(got) == list(want), f"{path}: keys/order"
        assert getattr(got, "_metadata", None) == getattr(want, "_metadata", None), path
        for k in want:
            assert_same(got[k], want[k], f"{path}[{k!r}]")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and want != want:
        assert got != got, path
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"
        if isinstance(want, float):
            assert np.copysign(1, got) == np.copysign(1, want), path


def roundtrip(obj, **load_kwargs):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **load_kwargs)


def full_checkpoint():
    """A realistic training checkpoint with every kind of value ember.save accepts."""
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4))
    sd = model.state_dict()
    return {
        "epoch": 7,
        "model": sd,
        "optimizer": {"state": {0: {"step": ember.tensor(3.0),
                                    "exp_avg": ember.randn(4, 3)},
                                1: {"step": ember.tensor(3.0), "exp_avg": ember.zeros(4)}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                                        "weight_decay": 0, "amsgrad": False, "foreach": None,
                                        "params": [0, 1]}]},
        "scheduler": {"last_epoch": 7, "_last_lr": [0.001], "milestones": {3: 1, 6: 2}},
        "metrics": OrderedDict([("loss", 0.25), ("acc", 1.0), ("best", float("inf"))]),
        "rng": {"ember": ember.get_rng_state(), "python": random.getstate(),
                "numpy": np.random.get_state()},
        "param": ember.nn.Parameter(ember.randn(2, 2)),
        "frozen": ember.nn.Parameter(ember.randn(2), requires_grad=False),
        "leaf_rg": ember.randn(3).requires_grad_(),
        "scalars": [ember.tensor(1), ember.tensor(True), ember.tensor(2.5, dtype=ember.float64)],
        "shape": ember.Size([2, 3]),
        "view_shape": ember.Size([-1, 4]),
        "dtype": ember.bfloat16,
        "device": ember.device("cpu"),
        "np": np.arange(6, dtype=np.uint16).reshape(2, 3),
        "npscalars": (np.float32(1.5), np.int64(-3), np.bool_(True)),
        "keys": {None: 1, True: 2, 3: 3, 2.5: 4, "s": 5, (1, "a"): 6},
        "floats": [0.1, -0.0, float("nan"), float("-inf"), 1e308, 5e-324],
        "ints": [0, -1, 2**63, -(2**100)],
        "strings": ["", "ünïcødé ✓", "quote\"back\\slash\n", "\ud800"],
        "empty": ([], (), {}, OrderedDict()),
    }


# ------------------------------------------------------------------------------------------
# Round trips

def test_full_checkpoint_round_trip_is_exact():
    ckpt = full_checkpoint()
    got = roundtrip(ckpt)
    assert_same(got, ckpt)
    assert isinstance(got["param"], ember.nn.Parameter) and got["param"].requires_grad
    assert got["frozen"].requires_grad is False


@pytest.mark.parametrize("dtype", [d for d in ember.dtypes.ALL])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (2, 3, 4)])
def test_every_dtype_and_shape(dtype, shape):
    rng = np.random.default_rng(0)
    if dtype.is_complex:
        a = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    elif dtype is ember.bool:
        a = rng.random(shape) > 0.5
    else:
        a = rng.standard_normal(shape) * 50
    t = ember.tensor(a).to(dtype)
    assert_same(roundtrip(t), t)
    assert_same(roundtrip({"x": t})["x"], t)


def test_special_float_bits_survive():
    bits = np.array([0x7FC00001, 0xFF800000, 0x80000000, 0x00000001], dtype=np.uint32)
    t = ember.from_numpy(bits.view(np.float32).copy())
    got = roundtrip(t)
    assert np.asarray(got._data).view(np.uint32).tolist() == bits.tolist()


def test_complex_is_stored_as_real_with_metadata(tmp_path):
    from safetensors import safe_open

    t = ember.tensor([1 + 2j, -3j], dtype=ember.complex128)
    path = tmp_path / "c.pt"
    ember.save({"c": t}, path)
    with safe_open(path, "np") as f:
        real = f.get_tensor("c")
        doc = json.loads(f.metadata()["ember"])
    assert real.dtype == np.float64 and real.shape == (2, 2)
    assert real.tolist() == [[1.0, 2.0], [0.0, -3.0]]
    assert doc["storages"][0]["dtype"] == "complex128"
    assert_same(ember.load(path)["c"], t)


def test_noncontiguous_and_negative_stride_views():
    base = ember.arange(24.0).reshape(2, 3, 4)
    obj = {"t": base.transpose(0, 2), "s": base[:, 1:, ::2], "n": ember.from_numpy(
        np.arange(10.0)[::-3])}
    got = roundtrip(obj)
    assert_same(got, obj)


def test_shared_memory_is_restored():
    base = ember.arange(12.0).reshape(3, 4)
    w = ember.nn.Parameter(ember.randn(3, 3))
    obj = {"base": base, "tail": base[1:], "col": base[:, 2], "same": base,
           "tied": [w, w], "as_int": base.view(ember.int32)}
    got = roundtrip(obj)
    assert_same(got, obj)
    assert got["same"] is got["base"] and got["tied"][0] is got["tied"][1]
    got["base"][2, 2] = 100.0  # one write shows through every view, as before saving
    assert got["tail"][1, 2].item() == 100.0 and got["col"][2].item() == 100.0
    assert got["as_int"][2, 2].item() == np.float32(100.0).view(np.int32)


def test_views_share_one_stored_copy(tmp_path):
    big = ember.zeros(1000)
    path = tmp_path / "v.pt"
    ember.save({"a": big, "b": big[10:], "c": big[:5]}, path)
    alone = tmp_path / "alone.pt"
    ember.save({"a": big}, alone)
    assert abs(path.stat().st_size - alone.stat().st_size) < 1000  # not 3x 4000 bytes


def test_fortran_ordered_memory_is_shared():
    f = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    obj = {"f": f, "row": f[1]}
    got = roundtrip(obj)
    assert_same(got, obj)
    got["f"][1, 1] = -1.0
    assert got["row"][1] == -1.0


def test_rng_states_restore_the_same_streams():
    ember.manual_seed(123)
    random.seed(5)
    np.random.seed(7)
    state = {"ember": ember.get_rng_state(), "py": random.getstate(),
             "np": np.random.get_state()}
    expect = (ember.rand(4), random.random(), np.random.rand(3))
    got = roundtrip(state)
    ember.set_rng_state(got["ember"])
    random.setstate(got["py"])
    np.random.set_state(got["np"])
    assert_same(ember.rand(4), expect[0])
    assert random.random() == expect[1]
    assert np.random.rand(3).tolist() == expect[2].tolist()


def test_state_dict_round_trip_loads_into_a_model():
    ember.manual_seed(1)
    m = ember.nn.Sequential(ember.nn.Conv2d(1, 2, 3), ember.nn.BatchNorm2d(2))
    m(ember.randn(2, 1, 5, 5))
    sd = roundtrip(m.state_dict())
    assert isinstance(sd, OrderedDict) and sd._metadata == m.state_dict()._metadata
    m2 = ember.nn.Sequential(ember.nn.Conv2d(1, 2, 3), ember.nn.BatchNorm2d(2))
    m2.load_state_dict(sd)
    assert_same(m2.state_dict(), m.state_dict())


def test_paths_pathlike_and_file_objects(tmp_path):
    obj = {"x": ember.arange(3)}
    ember.save(obj, str(tmp_path / "a.pt"))
    ember.save(obj, tmp_path / "b.pt")
    with open(tmp_path / "c.bin", "wb") as fh:
        ember.save(obj, fh)
    for name in ("a.pt", "b.pt", "c.bin"):
        assert_same(ember.load(tmp_path / name), obj)
        assert_same(ember.load(str(tmp_path / name)), obj)
        with open(tmp_path / name, "rb") as fh:
            assert_same(ember.load(fh), obj)


def test_file_is_plain_safetensors_with_named_tensors(tmp_path):
    st = pytest.importorskip("safetensors.torch")
    torch = pytest.importorskip("torch")
    m = ember.nn.Linear(3, 2)
    path = tmp_path / "m.safetensors"
    ember.save(m.state_dict(), path)
    loaded = st.load_file(str(path))
    assert sorted(loaded) == ["bias", "weight"]
    torch.testing.assert_close(loaded["weight"], torch.from_numpy(m.weight.detach().numpy()))


def test_weights_only_false_and_map_location():
    obj = {"x": ember.arange(4.0), "p": ember.nn.Parameter(ember.ones(2))}
    for kw in ({"weights_only": False}, {"map_location": "cpu"},
               {"map_location": ember.device("cpu")}, {"map_location": {"cuda:0": "cpu"}}):
        assert_same(roundtrip(obj, **kw), obj)
    seen = []

    def to_double(t, location):
        seen.append(location)
        return t * 2

    got = roundtrip(obj, map_location=to_double)
    assert seen == ["cpu", "cpu"]
    assert got["x"].tolist() == [0.0, 2.0, 4.0, 6.0]
    assert isinstance(got["p"], ember.nn.Parameter)


def test_map_location_errors_match_torch():
    torch = pytest.importorskip("torch")
    buf, tbuf = io.BytesIO(), io.BytesIO()
    ember.save(ember.ones(2), buf)
    torch.save(torch.ones(2), tbuf)
    for b, lib in ((buf, ember), (tbuf, torch)):
        b.seek(0)
        if lib is ember and ember.cuda.is_available():
            continue
        with pytest.raises(RuntimeError, match="CUDA"):
            lib.load(b, map_location="cuda")
    buf.seek(0)
    with pytest.raises(TypeError, match="map_location"):
        ember.load(buf, map_location=3)


# ------------------------------------------------------------------------------------------
# Refusals at save time

class _Thing:
    pass


@pytest.mark.parametrize("bad, where, hint", [
    ({"model": {"fn": lambda x: x}}, "obj['model']['fn']", "never code"),
    ({"net": ember.nn.Linear(2, 2)}, "obj['net']", r"model\.state_dict\(\)"),
    ([1, {2, 3}], "obj[1]", "list or a tuple"),
    ({"a": [0, _Thing()]}, "obj['a'][1]", "tensors, NumPy arrays"),
    ({"z": 1 + 2j}, "obj['z']", "tensors, NumPy arrays"),
    ({"b": b"raw"}, "obj['b']", "tensors, NumPy arrays"),
    (ember.nn.ReLU(), "obj", "state_dict"),
])
def test_unsavable_objects_are_refused_with_their_path(bad, where, hint, tmp_path):
    path = tmp_path / "old.pt"
    ember.save({"ok": 1}, path)
    with pytest.raises(TypeError, match="cannot save object of type") as e:
        ember.save(bad, path)
    assert where in str(e.value)
    assert e.match(hint)
    assert ember.load(path) == {"ok": 1}  # nothing was written
    assert os.listdir(tmp_path) == ["old.pt"]


def test_optimizer_hint_and_bad_keys_and_arrays():
    opt = ember.optim.SGD([ember.nn.Parameter(ember.ones(1))], lr=0.1)
    with pytest.raises(TypeError, match=r"save sgd\.state_dict\(\) instead"):
        ember.save({"opt": opt}, io.BytesIO())
    with pytest.raises(TypeError, match=r"dict key of type 'Tensor' at obj\['d'\]"):
        ember.save({"d": {ember.ones(1): 1}}, io.BytesIO())
    with pytest.raises(TypeError, match="NumPy array of dtype object at obj"):
        ember.save(np.array([None]), io.BytesIO())
    with pytest.raises(ValueError, match="unknown format 'pickle'"):
        ember.save({}, io.BytesIO(), format="pickle")
    with pytest.raises(TypeError, match="pickle_protocol"):
        ember.save({}, io.BytesIO(), pickle_protocol=4)
    with pytest.raises(TypeError, match="writable binary file"):
        ember.save({}, 42)


# ------------------------------------------------------------------------------------------
# Atomic writes

def test_failure_half_way_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    old = {"w": ember.arange(5.0)}
    ember.save(old, path)
    before = path.read_bytes()

    def crash_half_way(fh, data):
        fh.write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(serialization, "_write_bytes", crash_half_way)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"w": ember.zeros(10000)}, path)
    assert path.read_bytes() == before
    assert_same(ember.load(path), old)
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_new_file_mode_follows_umask(tmp_path):
    path = tmp_path / "m.pt"
    ember.save({}, path)
    with open(tmp_path / "ref", "wb"):
        pass
    assert path.stat().st_mode == (tmp_path / "ref").stat().st_mode


_SLOW_SAVER = textwrap.dedent("""
    import sys, time
    import ember
    from ember import serialization
    real = serialization._write_bytes
    def slow(fh, data):
        step = len(data) // 20
        for i in range(0, len(data), step):
            fh.write(data[i:i + step]); fh.flush()
            if i == step:
                print("writing", flush=True)
            time.sleep(0.2)
    serialization._write_bytes = slow
    ember.save({"w": ember.ones(200000)}, sys.argv[1])
""")


def test_sigkill_during_save_leaves_old_file_intact(tmp_path):
    path = tmp_path / "ckpt.pt"
    old = {"w": ember.arange(7.0), "epoch": 1}
    ember.save(old, path)
    before = path.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_SAVER, str(path)],
                            stdout=subprocess.PIPE, cwd=pathlib.Path(ember.__file__).parents[1])
    try:
        assert proc.stdout.readline().strip() == b"writing"
        temps = [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
        assert len(temps) == 1 and temps[0].startswith(".ckpt.pt.")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert_same(ember.load(path), old)


# ------------------------------------------------------------------------------------------
# Broken files

def _saved_bytes(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    return buf.getvalue()


def test_truncated_file_names_file_and_sizes(tmp_path):
    data = _saved_bytes({"w": ember.zeros(100)})
    path = tmp_path / "model.pt"
    path.write_bytes(data[:-40])
    with pytest.raises(CheckpointError, match=r"'.*model\.pt' is not a valid checkpoint: the "
                       r"file is truncated \(expected 400 bytes of tensor data, found 360\)"):
        ember.load(path)
    path.write_bytes(data[:5])
    with pytest.raises(CheckpointError, match="truncated"):
        ember.load(path)
    path.write_bytes(data[:100])
    with pytest.raises(CheckpointError, match=r"truncated \(header of \d+ bytes"):
        ember.load(path)


def test_flipped_data_byte_fails_the_checksum():
    data = bytearray(_saved_bytes({"w": ember.zeros(100)}))
    data[-7] ^= 0x10
    with pytest.raises(CheckpointError, match="checksum does not match"):
        ember.load(io.BytesIO(bytes(data)))


@pytest.mark.parametrize("content, why", [
    (b"", "the file is empty"),
    (b"hello world, not a checkpoint", "unrecognised format"),
    (pickle.dumps({"a": 1}, protocol=2), "legacy"),
    (b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}", "not valid JSON"),
    (b"\x08\x00\x00\x00\x00\x00\x00\x00{\"a\": 1}", "malformed header entry for tensor 'a'"),
    (b"\x13\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\": 5}", "string-to-string"),
])
def test_garbage_gets_a_plain_language_error(content, why):
    with pytest.raises(CheckpointError, match=why):
        ember.load(io.BytesIO(content))


def test_checkpoint_error_is_a_runtime_error():
    assert issubclass(CheckpointError, RuntimeError)
    assert ember.serialization.UnsafeCheckpointError.__mro__[1] is CheckpointError
    assert issubclass(ember.serialization.UnsafeCheckpointError, pickle.UnpicklingError)


def test_tampered_tree_with_valid_checksum_is_validated():
    """Even a file whose checksum matches (e.g. written by a buggy tool) is checked."""
    import zlib

    import safetensors

    def forge(doc):
        text = json.dumps(doc)
        arr = np.zeros(4, np.float32)
        spec = {"s": safetensors.TensorSpec(dtype="float32", shape=[4],
                                             data_ptr=arr.ctypes.data, data_len=16)}
        crc = zlib.crc32(arr.tobytes(), zlib.crc32(text.encode()))
        return bytes(safetensors.serialize(spec, metadata={"ember": text,
                                                           "ember_crc32": f"{crc:08x}"}))

    good = {"version": 1, "storages": [{"name": "s", "dtype": "float32", "shape": [4]}],
            "tensors": [{"kind": "tensor", "storage": 0, "dtype": "float32", "shape": [4],
                         "strides": [4], "offset": 0, "requires_grad": False,
                         "device": "cpu"}],
            "tree": {"t": "tensor", "i": 0}}
    assert ember.load(io.BytesIO(forge(good))).tolist() == [0.0] * 4
    cases = [
        ({"version": 2}, "unsupported ember format version 2"),
        ({"tree": {"t": "tensor", "i": 5}}, "reference to tensor 5"),
        ({"tree": {"t": "eval", "v": "os.system"}}, "unexpected node"),
        ({"tree": {"t": "dict", "k": [[1]], "v": [1]}}, "unhashable dict key"),
        ({"tensors": [dict(good["tensors"][0], shape=[5])]}, "reaches outside its storage"),
        ({"tensors": [dict(good["tensors"][0], strides=[-4])]}, "reaches outside"),
        ({"tensors": [dict(good["tensors"][0], dtype="object")]}, "malformed tensor record"),
        ({"tensors": [dict(good["tensors"][0], requires_grad=1)]}, "malformed tensor"),
        ({"storages": [{"name": "s", "dtype": "float64", "shape": [2]}]}, "does not match"),
        ({"storages": [{"name": "zz", "dtype": "float32", "shape": [4]}]}, "does not match"),
    ]
    for change, why in cases:
        with pytest.raises(CheckpointError, match=why):
            ember.load(io.BytesIO(forge(dict(good, **change))))


def test_plain_safetensors_file_loads_as_flat_dict(tmp_path):
    st_np = pytest.importorskip("safetensors.numpy")
    st_torch = pytest.importorskip("safetensors.torch")
    torch = pytest.importorskip("torch")
    tensors = {"b.weight": torch.randn(3, 2).to(torch.bfloat16), "a": torch.arange(5),
               "mask": torch.tensor([True, False]), "h": torch.randn(2, dtype=torch.float16)}
    path = tmp_path / "hf.bin"  # the extension does not matter
    st_torch.save_file(tensors, str(path))
    got = ember.load(path)
    ref = st_torch.load_file(str(path))
    assert list(got) == list(ref) == sorted(tensors)
    for k, v in ref.items():
        assert str(got[k].dtype) == str(v.dtype) and tuple(got[k].shape) == tuple(v.shape)
        assert np.asarray(got[k]._data).tobytes() == v.view(-1).view(torch.uint8).numpy().tobytes()
    st_np.save_file({"u": np.arange(3, dtype=np.uint32)}, str(path))
    with pytest.raises(CheckpointError, match="dtype U32"):
        ember.load(path)


def test_storage_names_stay_unique_and_missing_folder_errors_like_torch(tmp_path):
    torch = pytest.importorskip("torch")
    obj = {"a": ember.ones(1), "a#2": ember.zeros(1), 0: {"": ember.ones(2)},
           "0": {"": ember.zeros(2)}}
    assert_same(roundtrip(obj), obj)
    missing = tmp_path / "nope" / "x.pt"
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match=r"Parent directory .*nope does not exist"):
            lib.save({}, missing)


def test_lazy_parameter_hint():
    lazy = ember.nn.LazyLinear(3)
    with pytest.raises(TypeError, match="run a forward pass first"):
        ember.save({"w": lazy.weight}, io.BytesIO())


@pytest.mark.parametrize("name, kwargs", [
    ("MultiStepLR", {"milestones": [2, 4]}), ("StepLR", {"step_size": 2}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10}), ("ReduceLROnPlateau", {}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3}), ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1}),
])
def test_scheduler_and_optimizer_state_dicts_round_trip(name, kwargs):
    p = ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    sched = getattr(ember.optim.lr_scheduler, name)(opt, **kwargs)
    for _ in range(3):
        p.grad = ember.ones(2)
        opt.step()
        sched.step(*([1.0] if name == "ReduceLROnPlateau" else []))
    ckpt = {"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}
    got = roundtrip(ckpt)
    assert_same(got, ckpt)
    opt2 = ember.optim.SGD([ember.nn.Parameter(ember.ones(2))], lr=0.1, momentum=0.9)
    sched2 = getattr(ember.optim.lr_scheduler, name)(opt2, **kwargs)
    opt2.load_state_dict(got["optimizer"])
    sched2.load_state_dict(got["scheduler"])
    assert sched2.state_dict() == sched.state_dict()
