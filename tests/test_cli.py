"""The `ember` command: train / eval / info, and one-line errors for bad input."""

from __future__ import annotations

import importlib.metadata as md
import pathlib
import shutil
import subprocess
import sys

import pytest

import ember
from ember.cli import main


def test_info(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"ember       {ember.__version__}" in out
    assert "BLAS" in out and "threads" in out and "cuda" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "train" in capsys.readouterr().out


@pytest.mark.parametrize("argv,message", [
    (["train", "--epochs", "x"], "argument --epochs: invalid int value: 'x'"),
    (["train", "--model", "vgg"], "argument --model: invalid choice: 'vgg'"),
    (["bogus"], "invalid choice: 'bogus'"),
])
def test_bad_arguments_give_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv,message", [
    (["train", "--epochs", "0"], "epochs must be at least 1"),
    (["eval", "no/such/checkpoint.pt"], "no/such/checkpoint.pt"),
    (["train", "--resume", "no/such/run"], "last.pt does not exist"),
    (["train", "--dataset", "mnist", "--data-dir", "DATA_DIR"], "Dataset not found"),
])
def test_runtime_errors_give_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = [a.replace("DATA_DIR", str(tmp_path / "empty")) for a in argv]
    assert main(argv + (["--out", str(tmp_path / "runs")] if argv[0] == "train" else [])) == 1
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_train_then_eval(tmp_path, capsys):
    assert main(["train", "--model", "mlp", "--epochs", "2", "--out", str(tmp_path),
                 "--name", "r", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "epoch   1/2" in out and "epoch   2/2" in out and "test accuracy" in out
    assert main(["eval", str(tmp_path / "r" / "best.pt")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "test accuracy" in out[0] and "(360 images)" in out[0]
    assert out[1].split() == ["true\\pred"] + [str(i) for i in range(10)]
    rows = [list(map(int, line.split()[1:])) for line in out[2:12]]
    assert sum(map(sum, rows)) == 360
    acc = float(out[0].split("test accuracy ")[1].split("%")[0]) / 100
    assert abs(sum(rows[i][i] for i in range(10)) / 360 - acc) < 1e-3


def test_python_dash_m_and_console_script():
    out = subprocess.run([sys.executable, "-m", "ember", "info"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("ember ")
    entry = [ep for ep in md.entry_points(group="console_scripts") if ep.name == "ember"]
    assert [ep.value for ep in entry] == ["ember.cli:main"]
    script = shutil.which("ember", path=str(pathlib.Path(sys.executable).parent))
    assert script is not None, "pip install -e . puts the ember script beside python"
    out = subprocess.run([script, "info"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("ember ")


@pytest.mark.parametrize("dataset,in_shape", [("mnist", (1, 28, 28)),
                                              ("fashion-mnist", (1, 28, 28)),
                                              ("cifar10", (3, 32, 32))])
def test_train_on_downloaded_style_datasets(dataset, in_shape, tmp_path, capsys):
    # tiny files in the real formats, where `--download` would have put them
    from tests.vision.test_datasets import cifar10_tree, mnist_split
    if dataset == "cifar10":
        cifar10_tree(tmp_path / "data", per_batch=12)
    else:
        raw = tmp_path / "data" / ("MNIST" if dataset == "mnist" else "FashionMNIST") / "raw"
        mnist_split(raw, "train", 60, seed=0, gz=True)
        mnist_split(raw, "t10k", 20, seed=1)
    assert main(["train", "--dataset", dataset, "--data-dir", str(tmp_path / "data"),
                 "--model", "cnn", "--epochs", "1", "--out", str(tmp_path / "runs"),
                 "--name", "r", "--no-progress"]) == 0
    checkpoint = ember.load(tmp_path / "runs" / "r" / "best.pt")
    assert checkpoint["in_shape"] == list(in_shape)
    assert checkpoint["config"]["dataset"] == dataset and len(checkpoint["classes"]) == 10
    capsys.readouterr()
    assert main(["eval", str(tmp_path / "runs" / "r" / "best.pt")]) == 0
    n_test = 12 if dataset == "cifar10" else 20
    assert f"({n_test} images)" in capsys.readouterr().out
