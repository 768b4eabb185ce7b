"""ember.training (the loop behind `ember train`): accuracy on Digits, the run directory,
early stopping, and resuming an interrupted run to bit-identical weights."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import ember
from ember import training
from ember.training import TrainConfig, resume, train


def _weights(path):
    return {k: v.numpy().copy() for k, v in ember.load(path)["model"].items()}


def _assert_same_weights(a, b):
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k


def test_default_cnn_reaches_97_percent_and_writes_the_run_dir(tmp_path):
    start = time.perf_counter()
    result = train(TrainConfig(out=str(tmp_path), name="run"), progress=False, log=lambda s: None)
    elapsed = time.perf_counter() - start
    assert result.test_accuracy >= 0.97, result.test_accuracy
    assert elapsed < 120  # the issue asks < 60 s on 2 idle cores; leave room for a busy CI
    run = tmp_path / "run"
    assert sorted(p.name for p in run.iterdir()) == [
        "best.pt", "config.json", "curves.png", "last.pt", "metrics.csv"]
    config = json.loads((run / "config.json").read_text())
    assert config["model"] == "cnn" and config["dataset"] == "digits"
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [int(r["epoch"]) for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == len(result.history)
    assert float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"])
    assert (run / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    best = ember.load(run / "best.pt")
    assert best["epoch"] == result.best_epoch
    assert best["best_val_loss"] == min(float(r["val_loss"]) for r in rows)


def test_early_stopping_on_validation_loss(tmp_path, monkeypatch):
    losses = iter([1.0, 0.9, 0.95, 0.96, 0.97, 0.5])
    real = training.evaluate

    def fake_evaluate(model, loader, device, num_classes=None):
        loss, acc, conf = real(model, loader, device, num_classes)
        if loader.dataset is not None and num_classes is None and len(loader.dataset) < 200:
            return next(losses), acc, conf           # validation set (test set has 360)
        return loss, acc, conf

    monkeypatch.setattr(training, "evaluate", fake_evaluate)
    result = train(TrainConfig(model="mlp", epochs=10, patience=3, out=str(tmp_path),
                               name="es"), progress=False, log=lambda s: None)
    assert result.stopped_early
    assert [r["epoch"] for r in result.history] == [1, 2, 3, 4, 5]
    assert result.best_epoch == 2


def test_resume_after_a_crash_mid_epoch_is_bit_identical(tmp_path, monkeypatch):
    config = dict(model="mlp", epochs=3, out=str(tmp_path), seed=3)
    train(TrainConfig(name="full", **config), progress=False, log=lambda s: None)

    real_step = training._train_one_epoch
    calls = {"n": 0}

    def crashing(model, loader, optimizer, scheduler, device, bar):
        calls["n"] += 1
        if calls["n"] == 2:          # epoch 2: take a few optimizer steps, then "crash"
            for i, (x, y) in enumerate(loader):
                loss = ember.nn.functional.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                scheduler.step()
                if i == 5:
                    raise KeyboardInterrupt
        return real_step(model, loader, optimizer, scheduler, device, bar)

    monkeypatch.setattr(training, "_train_one_epoch", crashing)
    with pytest.raises(KeyboardInterrupt):
        train(TrainConfig(name="crash", **config), progress=False, log=lambda s: None)
    monkeypatch.setattr(training, "_train_one_epoch", real_step)
    assert ember.load(tmp_path / "crash" / "last.pt")["epoch"] == 1
    resume(tmp_path / "crash", progress=False, log=lambda s: None)
    _assert_same_weights(_weights(tmp_path / "crash" / "last.pt"),
                         _weights(tmp_path / "full" / "last.pt"))
    full_rows = (tmp_path / "full" / "metrics.csv").read_text().splitlines()
    crash_rows = (tmp_path / "crash" / "metrics.csv").read_text().splitlines()
    # identical metrics except the last column (seconds)
    assert [r.rsplit(",", 1)[0] for r in crash_rows] == [r.rsplit(",", 1)[0] for r in full_rows]


SLOW_TRAIN = textwrap.dedent("""
    import sys, time
    from ember import training
    real = training._train_one_epoch
    def slow(model, loader, optimizer, scheduler, device, bar):
        class SlowLoader:
            def __len__(self): return len(loader)
            def __iter__(self):
                for batch in loader:
                    time.sleep(0.05)
                    yield batch
        return real(model, SlowLoader(), optimizer, scheduler, device, bar)
    training._train_one_epoch = slow
    training.train(training.TrainConfig(model="mlp", epochs=3, seed=5, out=sys.argv[1],
                                        name="killed"), progress=False)
""")


def test_resume_after_sigkill_is_bit_identical(tmp_path):
    train(TrainConfig(model="mlp", epochs=3, seed=5, out=str(tmp_path), name="full"),
          progress=False, log=lambda s: None)
    proc = subprocess.Popen([sys.executable, "-c", SLOW_TRAIN, str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    metrics = tmp_path / "killed" / "metrics.csv"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if metrics.exists() and len(metrics.read_text().splitlines()) >= 2:
                break
            time.sleep(0.05)
        time.sleep(0.3)                       # well inside epoch 2 (about 1 s per epoch)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert ember.load(tmp_path / "killed" / "last.pt")["epoch"] == 1
    out = subprocess.run([sys.executable, "-m", "ember", "train", "--resume",
                          str(tmp_path / "killed"), "--no-progress"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "resuming" in out.stdout and "test accuracy" in out.stdout
    _assert_same_weights(_weights(tmp_path / "killed" / "last.pt"),
                         _weights(tmp_path / "full" / "last.pt"))


def test_same_seed_same_weights_different_seed_differs(tmp_path):
    kw = dict(model="mlp", epochs=1, out=str(tmp_path))
    train(TrainConfig(name="a", seed=1, **kw), progress=False, log=lambda s: None)
    train(TrainConfig(name="b", seed=1, **kw), progress=False, log=lambda s: None)
    train(TrainConfig(name="c", seed=2, **kw), progress=False, log=lambda s: None)
    a, b, c = (_weights(tmp_path / n / "last.pt") for n in "abc")
    _assert_same_weights(a, b)
    assert not all(np.array_equal(a[k], c[k]) for k in a)


@pytest.mark.parametrize("field,value,message", [
    ("model", "vgg", "unknown model 'vgg'"),
    ("dataset", "imagenet", "unknown dataset 'imagenet'"),
    ("epochs", 0, "epochs must be at least 1"),
    ("lr", -1.0, "lr must be positive"),
    ("val_fraction", 1.5, "val_fraction must be in"),
])
def test_bad_config(field, value, message, tmp_path):
    config = TrainConfig(out=str(tmp_path))
    setattr(config, field, value)
    with pytest.raises(ValueError, match=message):
        train(config, progress=False, log=lambda s: None)
    assert not any(tmp_path.iterdir())      # nothing written for a config that cannot run


def test_resume_missing_run_dir(tmp_path):
    with pytest.raises(FileNotFoundError, match="last.pt does not exist"):
        resume(tmp_path / "nope", log=lambda s: None)


def test_progress_bar_shows_running_loss_and_accuracy(tmp_path, capsys):
    lines = []
    train(TrainConfig(model="mlp", epochs=1, out=str(tmp_path), name="p"), progress=True,
          log=lines.append)
    err = capsys.readouterr().err
    assert "epoch 1/1" in err and "loss=" in err and "acc=" in err and "batch" in err
    summary = [line for line in lines if line.startswith("epoch")]
    assert len(summary) == 1 and "val loss" in summary[0] and "lr" in summary[0]
