"""ember.load reads torch.save files (restricted unpickler, no code runs); ember.save with
format="torch" writes files torch.load(weights_only=True) reads; trained models move
between the two and give the same outputs."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import CheckpointError, UnsafeCheckpointError
from tests.test_serialization import assert_same

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64", "complex64", "complex128"]


def _bits(t) -> bytes:
    if isinstance(t, torch.Tensor):
        t = t.detach().contiguous().reshape(-1)
        return t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
    return np.ascontiguousarray(t.detach()._data).tobytes()


def _torch_bytes(obj) -> io.BytesIO:
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return buf


def _ember_torch_bytes(obj) -> io.BytesIO:
    buf = io.BytesIO()
    ember.save(obj, buf, format="torch")
    buf.seek(0)
    return buf


# ------------------------------------------------------------------------------------------
# Models defined once, built for either library

def resnet(lib):
    nn, F = lib.nn, lib.nn.functional

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c)
            self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c)

        def forward(self, x):
            y = F.relu(self.bn1(self.conv1(x)))
            return F.relu(x + self.bn2(self.conv2(y)))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1),
                                      nn.BatchNorm2d(8), nn.ReLU())
            self.block = Block(8)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(8, 5)

        def forward(self, x):
            return self.fc(lib.flatten(self.pool(self.block(self.stem(x))), 1))

    return Net()


def encoder(lib):
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, dropout=0.0,
                                       batch_first=True)
    return nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)


def _inputs(kind, seed):
    g = np.random.default_rng(seed)
    shape = (4, 3, 12, 12) if kind == "resnet" else (3, 5, 16)
    return g.standard_normal(shape).astype(np.float32)


def _train_torch(model, kind, steps=3):
    torch.manual_seed(0)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for s in range(steps):
        out = model(torch.from_numpy(_inputs(kind, s)))
        loss = out.square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def _train_ember(model, kind, steps=3):
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for s in range(steps):
        out = model(ember.from_numpy(_inputs(kind, s)))
        loss = (out * out).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


@pytest.mark.parametrize("kind, build", [("resnet", resnet), ("encoder", encoder)])
def test_torch_trained_model_loads_into_ember(kind, build, tmp_path):
    torch.manual_seed(0)
    ember.manual_seed(0)
    tm = _train_torch(build(torch), kind)
    path = tmp_path / "model.pth"
    torch.save(tm.state_dict(), path)
    sd = ember.load(path)
    if kind == "resnet":
        assert sd["stem.1.num_batches_tracked"].dtype == ember.int64
        assert sd["stem.1.num_batches_tracked"].item() == 3
    em = build(ember)
    em.load_state_dict(sd)
    tm.eval()
    em.eval()
    x = _inputs(kind, 99)
    with torch.no_grad():
        want = tm(torch.from_numpy(x)).numpy()
    got = em(ember.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind, build", [("resnet", resnet), ("encoder", encoder)])
def test_ember_trained_model_loads_into_torch(kind, build, tmp_path):
    torch.manual_seed(0)
    ember.manual_seed(0)
    em = _train_ember(build(ember), kind)
    path = tmp_path / "model.pt"
    ember.save(em.state_dict(), path, format="torch")
    sd = torch.load(path, weights_only=True)
    tm = build(torch)
    tm.load_state_dict(sd)
    if kind == "resnet":
        assert tm.stem[1].num_batches_tracked.item() == 3
    tm.eval()
    em.eval()
    x = _inputs(kind, 7)
    with torch.no_grad():
        want = tm(torch.from_numpy(x)).numpy()
    got = em(ember.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_torch_adam_state_dict_keeps_key_types(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(2):
        opt.zero_grad()
        model(torch.randn(4, 3)).sum().backward()
        opt.step()
    path = tmp_path / "opt.pt"
    torch.save(opt.state_dict(), path)
    want = opt.state_dict()
    got = ember.load(path)
    assert list(got["state"]) == [0, 1] and all(type(k) is int for k in got["state"])
    assert list(got["state"][0]) == list(want["state"][0])  # step, exp_avg, exp_avg_sq
    step = got["state"][0]["step"]
    assert step.dtype == ember.float32 and step.shape == () and step.item() == 2.0
    for k in ("exp_avg", "exp_avg_sq"):
        assert _bits(got["state"][1][k]) == _bits(want["state"][1][k])
    group, tgroup = got["param_groups"][0], want["param_groups"][0]
    assert list(group) == list(tgroup)
    assert {k: v for k, v in group.items()} == {k: v for k, v in tgroup.items()}
    assert type(group["betas"]) is tuple and group["params"] == [0, 1]
    # ember's Adam resumes from it
    em = ember.nn.Linear(3, 2)
    eopt = ember.optim.Adam(em.parameters(), lr=1e-3)
    eopt.load_state_dict(got)
    assert eopt.state_dict()["state"][0]["step"].item() == 2.0


# ------------------------------------------------------------------------------------------
# Tensors both ways: every dtype, shapes, views and shared storage

@pytest.mark.parametrize("name", DTYPES)
def test_dtypes_from_torch(name):
    dt = getattr(torch, name)
    g = torch.Generator().manual_seed(0)
    src = (torch.randn(2, 3, generator=g, dtype=torch.float64) * 40)
    tensors = {"m": src.to(dt), "s": torch.tensor(3).to(dt), "e": torch.zeros(0, 2, dtype=dt)}
    got = ember.load(_torch_bytes(tensors))
    for k, t in tensors.items():
        assert got[k].dtype == getattr(ember, name) and tuple(got[k].shape) == tuple(t.shape)
        assert _bits(got[k]) == _bits(t)


@pytest.mark.parametrize("name", DTYPES)
def test_dtypes_to_torch(name):
    dt = getattr(ember, name)
    t = (ember.arange(6, dtype=ember.float64).reshape(2, 3) * 3.7 - 5).to(dt)
    got = torch.load(_ember_torch_bytes({"t": t, "0d": t[1, 2], "e": t[:0]}),
                     weights_only=True)
    assert got["t"].dtype == getattr(torch, name)
    assert _bits(got["t"]) == _bits(t) and _bits(got["0d"]) == _bits(t[1, 2])
    assert got["0d"].shape == () and got["e"].shape == (0, 3)


def test_views_and_shared_storage_from_torch():
    base = torch.arange(24.0).reshape(4, 6)
    w = torch.nn.Parameter(torch.randn(3, 3))
    obj = {"base": base, "rows": base[1:3], "t": base.t(), "cols": base[:, ::2],
           "tied_a": w, "tied_b": w}
    got = ember.load(_torch_bytes(obj))
    for k in ("base", "rows", "t", "cols"):
        assert got[k].tolist() == obj[k].tolist()
    assert got["tied_a"] is got["tied_b"] and isinstance(got["tied_a"], ember.nn.Parameter)
    got["base"][2, 4] = -1.0
    assert got["rows"][1, 4].item() == -1.0 and got["t"][4, 2].item() == -1.0
    assert got["cols"][2, 2].item() == -1.0


def test_views_and_shared_storage_to_torch():
    base = ember.arange(24.0).reshape(4, 6)
    lin = ember.nn.Linear(3, 3)
    obj = {"base": base, "rows": base[1:3], "t": base.t(), "cols": base[:, ::2],
           "w": lin.weight, "w2": lin.weight, "p": (1, 2.5, "x", None, True, [3])}
    got = torch.load(_ember_torch_bytes(obj), weights_only=True)
    for k in ("base", "rows", "t", "cols"):
        assert got[k].tolist() == obj[k].tolist() and got[k].stride() == obj[k].stride()
    assert got["w"] is got["w2"] and isinstance(got["w"], torch.nn.Parameter)
    assert got["p"] == (1, 2.5, "x", None, True, [3])
    got["base"][2, 4] = -1.0
    assert got["rows"][1, 4].item() == -1.0 and got["cols"][2, 2].item() == -1.0


def test_torch_format_round_trip_through_ember_is_exact():
    ember.manual_seed(0)
    m = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.BatchNorm1d(3))
    obj = {"sd": m.state_dict(), "rg": ember.randn(2).requires_grad_(),
           "keys": {0: 1, (1, "a"): 2, None: [ember.Size([2]), ember.float16]},
           "big": 2**80, "neg": -(2**40), "f": [float("inf"), -0.0]}
    got = ember.load(_ember_torch_bytes(obj))
    assert_same(got, obj)
    tgot = torch.load(_ember_torch_bytes(obj), weights_only=True)
    assert tgot["sd"]._metadata == m.state_dict()._metadata
    assert tgot["rg"].requires_grad and tgot["keys"][None] == [torch.Size([2]), torch.float16]
    assert tgot["big"] == 2**80 and tgot["neg"] == -(2**40)


def test_torch_format_refuses_numpy_and_modules():
    with pytest.raises(TypeError, match=r"NumPy array at obj\['a'\] with format='torch'"):
        ember.save({"a": np.zeros(2)}, io.BytesIO(), format="torch")
    with pytest.raises(TypeError, match=r"state_dict\(\)"):
        ember.save([ember.nn.Linear(1, 1)], io.BytesIO(), format="torch")


def test_torch_format_save_is_atomic(tmp_path, monkeypatch):
    from ember import serialization

    path = tmp_path / "t.pt"
    ember.save({"x": ember.ones(2)}, path, format="torch")
    before = path.read_bytes()

    def crash(fh, data):
        fh.write(data[:10])
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization, "_write_bytes", crash)
    with pytest.raises(KeyboardInterrupt):
        ember.save({"x": ember.zeros(100)}, path, format="torch")
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["t.pt"]
    assert torch.load(path, weights_only=True)["x"].tolist() == [1.0, 1.0]


def test_top_folder_name_and_extension_do_not_matter(tmp_path):
    src = _torch_bytes({"w": torch.arange(3.0)})
    renamed = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(renamed, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename.replace("archive/", "my_model/", 1), zin.read(info))
    path = tmp_path / "weights.safetensors"  # misleading extension: content decides
    path.write_bytes(renamed.getvalue())
    assert ember.load(path)["w"].tolist() == [0.0, 1.0, 2.0]


def test_map_location_applies_to_torch_files():
    buf = _torch_bytes({"w": torch.ones(2)})
    seen = []
    got = ember.load(buf, map_location=lambda t, loc: seen.append(loc))
    assert seen == ["cpu"] and got["w"].tolist() == [1.0, 1.0]
    buf.seek(0)
    got = ember.load(buf, map_location=torch.device("cpu"))  # torch code passes these
    assert got["w"].tolist() == [1.0, 1.0]


# ------------------------------------------------------------------------------------------
# Refusing code

class _Evil:
    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return (self.func, (self.arg,))


@pytest.mark.parametrize("make", [
    lambda marker: _Evil(os.system, f"touch {marker}"),
    lambda marker: _Evil(eval, f"open({str(marker)!r}, 'w')"),
    lambda marker: _Evil(subprocess.call, ["touch", str(marker)]),
])
@pytest.mark.parametrize("weights_only", [True, False])
def test_pickle_that_runs_code_is_refused(make, weights_only, tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"x": torch.ones(1), "payload": make(marker)}, path)
    with pytest.raises(UnsafeCheckpointError, match=r"refusing to load '.*evil\.pt'.*global"):
        ember.load(path, weights_only=weights_only)
    assert not marker.exists()
    # torch's safe loader refuses it with the same exception type
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    assert not marker.exists()


def test_corrupted_torch_archive_is_a_checkpoint_error(tmp_path):
    data = _torch_bytes({"w": torch.arange(100.0)}).getvalue()
    path = tmp_path / "bad.pt"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"'.*bad\.pt' is not a valid checkpoint"):
        ember.load(path)
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zout:
        zout.writestr("notes.txt", "hello")
    with pytest.raises(CheckpointError, match="data.pkl"):
        ember.load(io.BytesIO(z.getvalue()))


def test_plain_values_torch_accepts_load_too():
    import collections

    p = torch.nn.Parameter(torch.ones(2))
    p.note = "frozen at epoch 3"  # torch saves it with _rebuild_parameter_with_state
    obj = {"set": {1, 2}, "bytes": b"ab\xff", "c": 1 + 2j, "ba": bytearray(b"x"),
           "cnt": collections.Counter("aab"), "p": p, "dt": torch.int8,
           "dev": torch.device("cpu")}
    got = ember.load(_torch_bytes(obj))
    want = torch.load(_torch_bytes(obj), weights_only=True)
    for k in ("set", "bytes", "c", "ba", "cnt"):
        assert type(got[k]) is type(want[k]) and got[k] == want[k]
    assert isinstance(got["p"], ember.nn.Parameter) and got["p"].note == want["p"].note
    assert got["dt"] is ember.int8 and got["dev"] == ember.device("cpu")


def test_pickle_names_only_the_expected_globals():
    import pickletools

    obj = {"p": ember.nn.Parameter(ember.ones(2)), "od": ember.nn.Linear(1, 1).state_dict(),
           "s": ember.Size([1]), "d": ember.float16, "dev": ember.device("cpu")}
    with zipfile.ZipFile(_ember_torch_bytes(obj)) as z:
        assert sorted(z.namelist()) == sorted(
            ["archive/data.pkl", "archive/.format_version", "archive/byteorder",
             "archive/version", "archive/data/0", "archive/data/1", "archive/data/2"])
        ops = list(pickletools.genops(z.read("archive/data.pkl")))
    globals_ = {arg for op, arg, _ in ops if op.name == "GLOBAL"}
    assert globals_ == {"torch._utils _rebuild_tensor_v2", "torch._utils _rebuild_parameter",
                        "torch FloatStorage", "collections OrderedDict", "torch Size",
                        "torch float16", "torch device"}


def test_save_and_load_torch_files_without_torch(tmp_path):
    """ember never imports torch: both directions work with torch made unimportable."""
    torch.save({"w": torch.arange(4.0), "sd": torch.nn.Linear(2, 1).state_dict()},
               tmp_path / "from_torch.pt")
    script = (
        "import sys; sys.modules['torch'] = None\n"
        "import ember\n"
        "d = ember.load(sys.argv[1] + '/from_torch.pt')\n"
        "assert d['w'].tolist() == [0.0, 1.0, 2.0, 3.0], d\n"
        "ember.save({'x': ember.ones(3), 'sd': d['sd']}, sys.argv[1] + '/to_torch.pt',"
        " format='torch')\n"
        "assert 'torch' not in [m.split('.')[0] for m in sys.modules if sys.modules[m]]\n")
    root = os.path.dirname(os.path.dirname(ember.__file__))
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, cwd=root)
    got = torch.load(tmp_path / "to_torch.pt", weights_only=True)
    assert got["x"].tolist() == [1.0, 1.0, 1.0] and list(got["sd"]) == ["weight", "bias"]


def test_big_endian_archives_are_byteswapped():
    src = _torch_bytes({"w": torch.arange(3.0), "i": torch.tensor([1, -2], dtype=torch.int16)})
    swapped = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(swapped, "w") as zout:
        for info in zin.infolist():
            raw = zin.read(info)
            if info.filename == "archive/byteorder":
                raw = b"big"
            elif info.filename == "archive/data/0":
                raw = np.frombuffer(raw, "<f4").astype(">f4").tobytes()
            elif info.filename == "archive/data/1":
                raw = np.frombuffer(raw, "<i2").astype(">i2").tobytes()
            zout.writestr(info.filename, raw)
    swapped.seek(0)
    got = ember.load(swapped)
    assert got["w"].tolist() == [0.0, 1.0, 2.0] and got["i"].tolist() == [1, -2]
    assert got["w"].dtype == ember.float32 and got["i"].dtype == ember.int16


def test_multisteplr_counter_both_ways():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    sd = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 2, 5]).state_dict()
    got = ember.load(_torch_bytes(sd))
    assert type(got["milestones"]) is type(sd["milestones"]) and got == sd
    back = torch.load(_ember_torch_bytes(got), weights_only=True)
    assert type(back["milestones"]) is type(sd["milestones"]) and back == sd
