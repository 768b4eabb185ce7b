"""The lecture-notes examples (examples/*.py) run end to end with tiny settings and do what
they claim: they learn, checkpoint, check gradients, meta-learn and load data in workers.
Where torch has the same thing, the example's building block is compared with torch."""

import gzip
import importlib.util
import struct
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _to_torch(t):
    return torch.from_numpy(np.array(t.detach().numpy()))


def _mean(values):
    return sum(values) / len(values)


# ---------------------------------------------------------------- mnist_mlp

def test_mnist_mlp_digits_learns_checkpoints_and_plots(tmp_path, capsys):
    out = tmp_path / "run"
    result = _load("mnist_mlp").main(["--epochs", "5", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "1222 train, 215 validation, 360 test images" in printed
    assert result["test_acc"] >= 0.93, result["test_acc"]
    history = result["history"]
    assert len(history["train_loss"]) == 5 and len(history["val_acc"]) == 5
    assert history["train_loss"][-1] < history["train_loss"][0] / 3
    # the cosine schedule lowered the learning rate every epoch
    assert history["lr"][0] == pytest.approx(3e-3)
    assert all(a > b for a, b in zip(history["lr"], history["lr"][1:]))
    # the checkpoint holds the best-validation epoch, and it is what was tested
    checkpoint = ember.load(out / "best.pt")
    best = int(np.argmin(history["val_loss"])) + 1
    assert checkpoint["epoch"] == result["best_epoch"] == best
    assert checkpoint["val_loss"] == pytest.approx(min(history["val_loss"]))
    assert "net.1.weight" in checkpoint["model_state_dict"]
    assert (out / "curves.png").stat().st_size > 1000
    assert result["curves"] == str(out / "curves.png")


def test_mnist_mlp_early_stopping(tmp_path, capsys):
    # lr 0: the model never changes, so validation never improves after epoch 1
    result = _load("mnist_mlp").main(["--epochs", "10", "--optimizer", "sgd", "--lr", "0",
                                      "--patience", "2", "--out", str(tmp_path)])
    assert "early stopping: no validation improvement for 2 epochs" in capsys.readouterr().out
    assert len(result["history"]["val_loss"]) == 3
    assert result["best_epoch"] == 1


def test_mnist_mlp_plateau_scheduler_matches_torch(tmp_path):
    result = _load("mnist_mlp").main(["--epochs", "6", "--scheduler", "plateau", "--lr", "0.01",
                                      "--patience", "6", "--out", str(tmp_path)])
    history = result["history"]
    # replay the validation losses into torch's ReduceLROnPlateau: same learning rates
    optimizer = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=0.01)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
    expected = []
    for val_loss in history["val_loss"]:
        expected.append(optimizer.param_groups[0]["lr"])
        scheduler.step(val_loss)
    assert history["lr"] == pytest.approx(expected)
    assert min(expected) < 0.01  # the validation loss did stall at least once


def _write_idx(path, array):
    """Write ``array`` (uint8) as a gzip'd IDX file: magic 0x0000 0x08 ndim, dims, data."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_mnist_mlp_reads_mnist_idx_files(tmp_path, capsys):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 60), ("t10k", 20)):
        labels = np.arange(n) % 10
        images = rng.integers(0, 50, (n, 28, 28))
        images[np.arange(n), labels * 2 + 4, :] = 255  # a bright row that encodes the label
        _write_idx(raw / f"{prefix}-images-idx3-ubyte.gz", images)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte.gz", labels)
    # the files really are in IDX format with MNIST's magic numbers
    with gzip.open(raw / "train-labels-idx1-ubyte.gz") as f:
        assert struct.unpack(">I", f.read(4))[0] == 2049
    with gzip.open(raw / "train-images-idx3-ubyte.gz") as f:
        assert struct.unpack(">I", f.read(4))[0] == 2051

    result = _load("mnist_mlp").main(["--dataset", "mnist", "--data-dir", str(tmp_path),
                                      "--epochs", "1", "--batch-size", "16", "--num-workers", "2",
                                      "--out", str(tmp_path / "run")])
    assert "mnist: 51 train, 9 validation, 20 test images" in capsys.readouterr().out
    assert len(result["history"]["train_loss"]) == 1
    # the bright row gives the label away: only images read in step with their labels
    # (through two worker processes) can be classified this well after one epoch
    assert result["test_acc"] >= 0.9, result["test_acc"]
    assert ember.load(tmp_path / "run" / "best.pt")["model_state_dict"][
        "net.1.weight"].shape == (128, 28 * 28)


# ---------------------------------------------------------------- resnet_blocks

def _torch_basic_block(in_channels, out_channels, stride):
    nn = torch.nn

    class BasicBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(out_channels)
            self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(out_channels)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_channels != out_channels:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                    nn.BatchNorm2d(out_channels))

        def forward(self, x):
            out = torch.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += self.shortcut(x)
            return torch.relu(out)

    return BasicBlock()


@pytest.mark.parametrize("in_channels,out_channels,stride", [(4, 4, 1), (4, 8, 2)])
def test_resnet_basic_block_matches_torch(in_channels, out_channels, stride):
    mod = _load("resnet_blocks")
    ember.manual_seed(0)
    block = mod.BasicBlock(in_channels, out_channels, stride)
    reference = _torch_basic_block(in_channels, out_channels, stride).double()
    reference.load_state_dict({k: _to_torch(v) for k, v in block.state_dict().items()})
    block.double()
    assert (len(block.shortcut) > 0) == (stride != 1 or in_channels != out_channels)

    x = ember.randn(3, in_channels, 8, 8, dtype=ember.float64, requires_grad=True)
    x_ref = _to_torch(x).requires_grad_()
    out, out_ref = block(x), reference(x_ref)
    assert out.shape == (3, out_channels, 8 // stride, 8 // stride)
    np.testing.assert_allclose(out.detach().numpy(), out_ref.detach().numpy(), atol=1e-10)
    weights = ember.randn(*out.shape, dtype=ember.float64)
    (out * weights).sum().backward()
    (out_ref * _to_torch(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), x_ref.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(block.conv1.weight.grad.numpy(),
                               reference.conv1.weight.grad.numpy(), atol=1e-9)
    # BatchNorm running statistics were updated the same way
    np.testing.assert_allclose(block.bn2.running_var.numpy(),
                               reference.bn2.running_var.numpy(), atol=1e-12)


def test_resnet_blocks_trains_on_digits(capsys):
    result = _load("resnet_blocks").main(["--epochs", "3", "--seed", "0"])
    losses = result["train_losses"]
    assert len(losses) == 3 and result["final_train_loss"] == losses[-1]
    assert losses[-1] < losses[0] / 3, losses
    assert result["test_acc"] >= 0.95, result["test_acc"]
    assert capsys.readouterr().out.count("test acc") == 3


# ---------------------------------------------------------------- custom_function

def test_custom_function_checks_and_training(capsys):
    result = _load("custom_function").main(["--steps", "30"])
    assert result["checks"] == {"logsumexp_gradcheck": True, "logsumexp_gradgradcheck": True,
                                "logsumexp_dim0_gradgradcheck": True,
                                "round_ste_gradcheck": False}
    np.testing.assert_allclose(result["stable"], [1000 + np.log(2), -1000 + np.log(2)],
                               rtol=1e-6)
    losses = result["losses"]
    assert losses[0] == pytest.approx(np.log(10), rel=1e-5)  # zero weights: uniform
    assert losses[-1] < losses[0] / 4, losses


def test_custom_logsumexp_matches_torch_to_second_order():
    mod = _load("custom_function")
    x = ember.randn(3, 5, dtype=ember.float64) * 50
    x.requires_grad_()
    x_ref = _to_torch(x).requires_grad_()
    for dim in (0, 1, -1):
        out, out_ref = mod.logsumexp(x, dim), torch.logsumexp(x_ref, dim)
        np.testing.assert_allclose(out.detach().numpy(), out_ref.detach().numpy(), rtol=1e-12)
        (g,) = ember.autograd.grad(out.sum(), x, create_graph=True)
        (g_ref,) = torch.autograd.grad(out_ref.sum(), x_ref, create_graph=True)
        np.testing.assert_allclose(g.detach().numpy(), g_ref.detach().numpy(), atol=1e-12)
        (gg,) = ember.autograd.grad((g ** 2).sum(), x)
        (gg_ref,) = torch.autograd.grad((g_ref ** 2).sum(), x_ref)
        np.testing.assert_allclose(gg.numpy(), gg_ref.numpy(), atol=1e-12)
    # an input that needs no gradient: no graph is recorded
    assert mod.logsumexp(ember.ones(2, 3), 1).grad_fn is None


def test_custom_function_training_matches_torch():
    """The same training written with torch.logsumexp and a detach() straight-through
    estimator gives the example's losses."""
    mod = _load("custom_function")
    steps, lr, step_size = 15, 0.5, 1 / 16
    losses = mod.main(["--steps", str(steps), "--lr", str(lr)])["losses"]

    digits = mod.datasets.Digits(train=True)
    x = torch.from_numpy(digits.data.numpy()).flatten(1).float() / 255.0
    y = torch.from_numpy(digits.targets.numpy())
    weight = torch.zeros(64, 10, requires_grad=True)
    bias = torch.zeros(10, requires_grad=True)
    optimizer = torch.optim.SGD([weight, bias], lr=lr, momentum=0.9)
    expected = []
    for _ in range(steps):
        optimizer.zero_grad()
        quantized = weight + (torch.round(weight / step_size) * step_size - weight).detach()
        logits = x @ quantized + bias
        loss = (torch.logsumexp(logits, 1) - logits.gather(1, y.unsqueeze(1)).squeeze(1)).mean()
        loss.backward()
        optimizer.step()
        expected.append(loss.item())
    np.testing.assert_allclose(losses, expected, rtol=1e-4)


# ---------------------------------------------------------------- maml

def test_maml_meta_learns(capsys):
    result = _load("maml").main(["--iterations", "200", "--meta-batch", "4", "--seed", "0"])
    post, pre = result["meta_losses"], result["pre_adaptation_losses"]
    assert len(post) == len(pre) == 200
    assert _mean(post[-50:]) < 0.8 * _mean(post[:10]), (_mean(post[:10]), _mean(post[-50:]))
    # on fixed held-out tasks: adapted loss fell by a clear margin with meta-training ...
    (_, post_before), (pre_after, post_after) = result["eval_before"], result["eval_after"]
    assert post_after < 0.8 * post_before, (post_before, post_after)
    # ... and after meta-training one inner step clearly helps
    assert post_after < 0.95 * pre_after, (pre_after, post_after)


def _torch_meta_gradient(model, tasks, inner_lr, inner_steps):
    """Second-order MAML meta-gradient in torch (torch.func.functional_call)."""
    params = dict(model.named_parameters())
    losses = []
    for x_s, y_s, x_q, y_q in tasks:
        fast = params
        for _ in range(inner_steps):
            loss = torch.nn.functional.mse_loss(
                torch.func.functional_call(model, fast, (x_s,)), y_s)
            grads = torch.autograd.grad(loss, list(fast.values()), create_graph=True)
            fast = {n: w - inner_lr * g for (n, w), g in zip(fast.items(), grads)}
        losses.append(torch.nn.functional.mse_loss(
            torch.func.functional_call(model, fast, (x_q,)), y_q))
    return torch.autograd.grad(torch.stack(losses).mean(), list(params.values()))


@pytest.mark.parametrize("inner_steps", [1, 2])
def test_maml_second_order_meta_gradient_matches_torch_and_differs_from_first_order(
        inner_steps):
    mod = _load("maml")
    args = mod.parse_args(["--meta-batch", "3", "--shots", "5", "--inner-lr", "0.05",
                           "--inner-steps", str(inner_steps)])
    ember.manual_seed(1)
    model = mod.make_model(args.hidden)
    second = mod.meta_gradient(model, args, seed=7, first_order=False)
    first = mod.meta_gradient(model, args, seed=7, first_order=True)
    diff = max(float((a - b).abs().max()) for a, b in zip(second, first))
    scale = max(float(a.abs().max()) for a in second)
    assert diff > 1e-3 * scale, (diff, scale)  # the second-order terms are not negligible

    # the same tasks and points, replayed in torch from the same generator draws
    gen = ember.Generator().manual_seed(7)
    tasks = [mod.sample_task(gen) for _ in range(args.meta_batch)]
    data = []
    for task in tasks:
        support = mod.sample_points(task, args.shots, gen)
        query = mod.sample_points(task, args.shots, gen)
        data.append(tuple(_to_torch(t).double() for t in (*support, *query)))
    reference = torch.nn.Sequential(torch.nn.Linear(1, 40), torch.nn.ReLU(),
                                    torch.nn.Linear(40, 40), torch.nn.ReLU(),
                                    torch.nn.Linear(40, 1)).double()
    reference.load_state_dict({k: _to_torch(v).double() for k, v in model.state_dict().items()})
    expected = _torch_meta_gradient(reference, data, args.inner_lr, inner_steps)
    for got, want in zip(second, expected):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-3, atol=1e-5)


# ---------------------------------------------------------------- custom_dataset

def test_custom_dataset_every_index_once_and_same_order_with_workers(capsys):
    result = _load("custom_dataset").main(["--size", "50", "--delay", "0", "--epochs", "2",
                                           "--batch-size", "8", "--workers", "2"])
    results = result["results"]
    assert set(results) == {0, 2}
    for epochs in results.values():
        assert len(epochs) == 2
        for stats in epochs:
            assert sorted(stats["order"]) == list(range(50))  # each index exactly once
            assert sum(stats["labels"].values()) == 50
        # shuffled, and differently in each epoch
        assert epochs[0]["order"] != list(range(50))
        assert epochs[0]["order"] != epochs[1]["order"]
    assert results[0][0]["per_worker"] == {-1: 50}  # loaded in the main process
    for stats in results[2]:
        # both worker processes loaded whole batches: 7 batches of 8 (the last holds 2)
        assert set(stats["per_worker"]) == {0, 1}
        assert sorted(stats["per_worker"].values()) == [24, 26]
    assert result["same_order"] is True
    assert [s["order"] for s in results[0]] == [s["order"] for s in results[2]]
    assert capsys.readouterr().out.count("every sample exactly once: True") == 4


def test_custom_dataset_workers_load_in_parallel(capsys):
    # 0.02 s per sample: the sleeps dominate, so two workers take clearly less time
    result = _load("custom_dataset").main(["--size", "48", "--delay", "0.02", "--epochs", "1",
                                           "--batch-size", "4"])
    serial = result["results"][0][0]["seconds"]
    assert serial >= 48 * 0.02
    assert result["speedup"] > 1.2, result["speedup"]


def test_custom_dataset_items_are_deterministic_and_bounds_checked():
    mod = _load("custom_dataset")
    dataset = mod.SyntheticSignals(10, length=6, seed=3)
    signal, label, index, worker = dataset[4]
    again = dataset[4]
    assert signal.shape == (6,) and index == 4 and worker == -1
    assert ember.equal(signal, again[0]) and label == again[1] == int(signal.mean() > 0)
    assert not ember.equal(signal, dataset[5][0])
    assert len(dataset) == 10
    with pytest.raises(IndexError, match="index 10 is out of range for a dataset of size 10"):
        dataset[10]
    labels = Counter(int(dataset[i][1]) for i in range(10))
    assert set(labels) <= {0, 1}


def test_custom_dataset_worker_seeding_makes_augmentations_repeatable():
    mod = _load("custom_dataset")
    augmented = mod.SyntheticSignals(24, length=4, augment=True)
    plain = mod.SyntheticSignals(24, length=4)
    first = mod.run_epoch(augmented, workers=2, batch_size=4, seed=5)["sums"]
    again = mod.run_epoch(augmented, workers=2, batch_size=4, seed=5)["sums"]
    other = mod.run_epoch(augmented, workers=2, batch_size=4, seed=6)["sums"]
    assert sorted(first) == list(range(24))
    # same loader seed -> same worker seeds (seed_worker) -> the same random gains
    assert first == again
    # another loader seed -> other worker seeds -> other gains for the same samples
    assert sum(first[i] != pytest.approx(other[i]) for i in range(24)) >= 20
    # without augmentation a sample never depends on the worker or the seed
    plain_a = mod.run_epoch(plain, workers=2, batch_size=4, seed=5)["sums"]
    plain_b = mod.run_epoch(plain, workers=0, batch_size=4, seed=6)["sums"]
    assert plain_a == pytest.approx(plain_b)
    gains = [first[i] / plain_a[i] for i in range(24)]
    assert all(0.499 <= g < 1.501 for g in gains)  # float32 rounding of the sums


def test_mnist_mlp_curves_skipped_without_matplotlib(tmp_path, monkeypatch, capsys):
    mod = _load("mnist_mlp")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    history = {k: [1.0, 0.5] for k in ("train_loss", "train_acc", "val_loss", "val_acc")}
    assert mod.plot_curves(history, str(tmp_path / "curves.png")) is False
    assert "matplotlib is not installed: skipping the learning curves" in capsys.readouterr().out
    assert not (tmp_path / "curves.png").exists()
