"""A small, reusable image-classification training loop (what `ember train` runs).

    from ember.training import TrainConfig, train
    result = train(TrainConfig(model="cnn", dataset="digits", epochs=20))
    print(result.test_accuracy, result.run_dir)

One call builds the data splits (train / validation / test), the model, AdamW with a
OneCycle or cosine schedule, and trains with early stopping on validation loss. A run
directory ``<out>/<name>/`` receives ``config.json``, ``metrics.csv``, ``last.pt`` (the
state after every epoch: model, optimizer, scheduler, random-number states, history),
``best.pt`` (lowest validation loss) and ``curves.png`` (needs matplotlib).

``resume(run_dir)`` continues an interrupted run from ``last.pt``: every source of
randomness (ember's default generator, the loader's shuffling generator) is restored,
so the final weights are bit-identical to a run that was never interrupted.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import ember
import ember.nn.functional as F
from ember import optim
from ember.optim import lr_scheduler
from ember.utils.data import DataLoader, TensorDataset

DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10")
SCHEDULES = ("onecycle", "cosine")
CHECKPOINT_FORMAT = "ember-train/1"


@dataclass
class TrainConfig:
    """Everything a training run depends on; saved as ``config.json`` in the run directory."""

    model: str = "cnn"
    dataset: str = "digits"
    data_dir: str = "data"
    download: bool = False
    epochs: int = 30
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 1e-4
    schedule: str = "onecycle"
    val_fraction: float = 0.1
    patience: int = 5
    device: str = "cpu"
    num_workers: int = 0
    seed: int = 0
    out: str = "runs"
    name: str | None = None

    def validate(self) -> None:
        """Raise ValueError naming the first bad field."""
        from ember.vision.models import MODELS
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; choose one of {sorted(MODELS)}")
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose one of {list(DATASETS)}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.schedule!r}; choose one of "
                             f"{list(SCHEDULES)}")
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.lr <= 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay}")
        if not 0 < self.val_fraction < 1:
            raise ValueError(f"val_fraction must be in (0, 1), got {self.val_fraction}")
        if self.patience < 1:
            raise ValueError(f"patience must be at least 1, got {self.patience}")
        if self.num_workers < 0:
            raise ValueError(f"num_workers must be >= 0, got {self.num_workers}")
        ember.device(self.device)  # raises on a malformed device string


@dataclass
class Splits:
    """The three datasets of a run, with what the model needs to know about them."""

    train: TensorDataset
    val: TensorDataset
    test: TensorDataset
    in_shape: tuple[int, int, int]
    classes: list[str]


@dataclass
class TrainResult:
    """What ``train``/``resume`` return."""

    run_dir: Path
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    test_loss: float = float("nan")
    test_accuracy: float = float("nan")
    stopped_early: bool = False


# --------------------------------------------------------------------------- data

def _images_as_float(data, channels_last: bool = False) -> ember.Tensor:
    """uint8 images (N,H,W) or (N,H,W,C) (tensor or array) -> float32 (N,C,H,W) in [0, 1]."""
    x = data if isinstance(data, ember.Tensor) else ember.from_numpy(data)
    if x.dim() == 3:
        x = x.unsqueeze(1)
    elif channels_last:
        x = x.permute(0, 3, 1, 2)
    return x.float().div(255.0).contiguous()


def _read_dataset(config: TrainConfig, train: bool):
    from ember.vision import datasets
    kwargs = dict(root=config.data_dir, train=train, download=config.download)
    if config.dataset == "digits":
        ds = datasets.Digits(train=train)
    elif config.dataset == "mnist":
        ds = datasets.MNIST(**kwargs)
    elif config.dataset == "fashion-mnist":
        ds = datasets.FashionMNIST(**kwargs)
    else:
        ds = datasets.CIFAR10(**kwargs)
    images = _images_as_float(ds.data, channels_last=config.dataset == "cifar10")
    targets = ember.as_tensor(ds.targets, dtype=ember.int64)
    return images, targets, [str(c) for c in ds.classes]


def load_splits(config: TrainConfig) -> Splits:
    """Train/validation/test tensors: the dataset's test split is the test set, and a fixed
    ``val_fraction`` of its training split (chosen with ``config.seed``) is held out for
    validation and early stopping. Images are standardised with the training mean/std."""
    x_train, y_train, classes = _read_dataset(config, train=True)
    x_test, y_test, _ = _read_dataset(config, train=False)
    n_val = max(1, round(len(x_train) * config.val_fraction))
    order = ember.randperm(len(x_train), generator=ember.Generator().manual_seed(config.seed))
    val_idx, train_idx = order[:n_val], order[n_val:]
    x_val, y_val = x_train[val_idx], y_train[val_idx]
    x_train, y_train = x_train[train_idx], y_train[train_idx]
    mean = x_train.mean(dim=(0, 2, 3), keepdim=True)
    std = x_train.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)

    def standardise(x):
        return ((x - mean) / std).contiguous()

    return Splits(TensorDataset(standardise(x_train), y_train),
                  TensorDataset(standardise(x_val), y_val),
                  TensorDataset(standardise(x_test), y_test),
                  tuple(x_train.shape[1:]), classes)


# --------------------------------------------------------------------------- steps

def evaluate(model, loader, device, num_classes: int | None = None):
    """Mean loss and accuracy of ``model`` over ``loader`` (and the confusion matrix,
    rows = true class, when ``num_classes`` is given)."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    confusion = ember.zeros(num_classes, num_classes, dtype=ember.int64) if num_classes else None
    with ember.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            logits = model(x)
            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            pred = logits.argmax(1)
            correct += (pred == y).sum().item()
            count += len(y)
            if confusion is not None:
                pairs = (y * num_classes + pred).cpu()
                confusion += ember.bincount(pairs, minlength=num_classes ** 2).view(
                    num_classes, num_classes)
    return total_loss / max(count, 1), correct / max(count, 1), confusion


def _train_one_epoch(model, loader, optimizer, scheduler, device, bar):
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        count += len(y)
        bar.update(1)
        bar.set_postfix(loss=f"{total_loss / count:.4f}", acc=f"{correct / count:.2%}")
    return total_loss / count, correct / count


# --------------------------------------------------------------------------- run files

def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; give the usual mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


METRIC_FIELDS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds")


def _write_metrics(run_dir: Path, history: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=METRIC_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(history)
    _write_atomic(run_dir / "metrics.csv", buf.getvalue().encode())


def plot_curves(history: list[dict], path: Path) -> bool:
    """Write train/validation loss and accuracy per epoch to ``path`` (PNG). Returns False
    (and writes nothing) when matplotlib is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return False
    epochs = [row["epoch"] for row in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (("train_loss", "train"), ("val_loss", "validation")):
        ax_loss.plot(epochs, [row[key] for row in history], marker="o", label=label)
    for key, label in (("train_acc", "train"), ("val_acc", "validation")):
        ax_acc.plot(epochs, [100 * row[key] for row in history], marker="o", label=label)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="Loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    _write_atomic(path, buf.getvalue())
    return True


def _new_run_dir(config: TrainConfig) -> Path:
    out = Path(config.out)
    name = config.name or f"{config.model}-{config.dataset}-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir = out / name
    suffix = 1
    while config.name is None and run_dir.exists():
        suffix += 1
        run_dir = out / f"{name}-{suffix}"
    run_dir.mkdir(parents=True, exist_ok=config.name is not None)
    return run_dir


# --------------------------------------------------------------------------- the loop

class _Run:
    """The live objects of one training run, and how they go to and from a checkpoint."""

    def __init__(self, config: TrainConfig, run_dir: Path | None = None):
        config.validate()
        self.config, self.run_dir = config, run_dir
        self.device = ember.device(config.device)
        ember.manual_seed(config.seed)
        from ember.vision.models import build_model
        self.splits = load_splits(config)
        self.model = build_model(config.model, self.splits.in_shape,
                                 len(self.splits.classes)).to(self.device)
        self.loader_generator = ember.Generator().manual_seed(config.seed)
        self.train_loader = DataLoader(self.splits.train, batch_size=config.batch_size,
                                       shuffle=True, generator=self.loader_generator,
                                       num_workers=config.num_workers)
        self.val_loader = DataLoader(self.splits.val, batch_size=256)
        self.test_loader = DataLoader(self.splits.test, batch_size=256)
        self.optimizer = optim.AdamW(self.model.parameters(), lr=config.lr,
                                     weight_decay=config.weight_decay)
        steps = config.epochs * len(self.train_loader)
        if config.schedule == "onecycle":
            self.scheduler = lr_scheduler.OneCycleLR(self.optimizer, max_lr=config.lr,
                                                     total_steps=steps)
        else:
            self.scheduler = lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=steps)
        self.epoch, self.history = 0, []
        self.best_val_loss, self.best_epoch, self.bad_epochs = float("inf"), 0, 0

    def checkpoint(self) -> dict:
        return {
            "format": CHECKPOINT_FORMAT,
            "config": dataclasses.asdict(self.config),
            "in_shape": list(self.splits.in_shape),
            "classes": list(self.splits.classes),
            "epoch": self.epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "rng": {"ember": ember.get_rng_state(), "loader": self.loader_generator.get_state()},
            "best_val_loss": self.best_val_loss,
            "best_epoch": self.best_epoch,
            "bad_epochs": self.bad_epochs,
            "history": self.history,
        }

    def restore(self, ckpt: dict) -> None:
        self.model.load_state_dict(ckpt["model"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.scheduler.load_state_dict(ckpt["scheduler"])
        ember.set_rng_state(ckpt["rng"]["ember"])
        self.loader_generator.set_state(ckpt["rng"]["loader"])
        self.epoch = ckpt["epoch"]
        self.history = [dict(row) for row in ckpt["history"]]
        self.best_val_loss = ckpt["best_val_loss"]
        self.best_epoch, self.bad_epochs = ckpt["best_epoch"], ckpt["bad_epochs"]

    def fit(self, progress: bool, log) -> TrainResult:
        from tqdm import tqdm
        config = self.config
        result = TrainResult(self.run_dir)
        while self.epoch < config.epochs and self.bad_epochs < config.patience:
            self.epoch += 1
            start = time.perf_counter()
            lr = self.optimizer.param_groups[0]["lr"]
            with tqdm(total=len(self.train_loader), desc=f"epoch {self.epoch}/{config.epochs}",
                      leave=False, disable=not progress, unit="batch") as bar:
                train_loss, train_acc = _train_one_epoch(self.model, self.train_loader,
                                                         self.optimizer, self.scheduler,
                                                         self.device, bar)
            val_loss, val_acc, _ = evaluate(self.model, self.val_loader, self.device)
            row = {"epoch": self.epoch, "train_loss": train_loss, "train_acc": train_acc,
                   "val_loss": val_loss, "val_acc": val_acc, "lr": lr,
                   "seconds": round(time.perf_counter() - start, 3)}
            self.history.append(row)
            improved = val_loss < self.best_val_loss
            if improved:
                self.best_val_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            else:
                self.bad_epochs += 1
            ckpt = self.checkpoint()
            ember.save(ckpt, self.run_dir / "last.pt")
            if improved:
                ember.save(ckpt, self.run_dir / "best.pt")
            _write_metrics(self.run_dir, self.history)
            log(f"epoch {self.epoch:>3}/{config.epochs}  train loss {train_loss:.4f} "
                f"acc {train_acc:6.2%}  val loss {val_loss:.4f} acc {val_acc:6.2%}  "
                f"lr {lr:.2e}  {row['seconds']:.1f}s" + ("  new best" if improved else ""))
        result.stopped_early = self.epoch < config.epochs
        if result.stopped_early:
            log(f"early stopping: no validation improvement for {config.patience} epochs")
        best = ember.load(self.run_dir / "best.pt")
        self.model.load_state_dict(best["model"])
        result.test_loss, result.test_accuracy, _ = evaluate(self.model, self.test_loader,
                                                             self.device)
        result.history, result.best_epoch = self.history, self.best_epoch
        if not plot_curves(self.history, self.run_dir / "curves.png"):
            log("curves.png not written: matplotlib is not installed "
                "(pip install 'ember[plot]')")
        log(f"best epoch {self.best_epoch}: test loss {result.test_loss:.4f}, "
            f"test accuracy {result.test_accuracy:.2%}  ({self.run_dir})")
        return result


def train(config: TrainConfig, *, progress: bool = True, log=print) -> TrainResult:
    """Train a model as ``config`` says, in a new run directory; see the module docstring."""
    run = _Run(config)  # data and model first: a config that cannot run leaves no files
    run.run_dir = _new_run_dir(config)
    _write_atomic(run.run_dir / "config.json",
                  json.dumps(dataclasses.asdict(config), indent=2).encode())
    log(f"training {config.model} on {config.dataset} -> {run.run_dir}")
    return run.fit(progress, log)


def resume(run_dir: str | os.PathLike, *, progress: bool = True, log=print) -> TrainResult:
    """Continue the run in ``run_dir`` from its ``last.pt`` checkpoint."""
    run_dir = Path(run_dir)
    last = run_dir / "last.pt"
    if not last.is_file():
        raise FileNotFoundError(f"cannot resume: {last} does not exist (is {run_dir} a run "
                                f"directory written by `ember train`?)")
    ckpt = load_checkpoint(last)
    config = TrainConfig(**ckpt["config"])
    run = _Run(config, run_dir)
    run.restore(ckpt)
    log(f"resuming {run_dir} after epoch {run.epoch}")
    return run.fit(progress, log)


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Load a checkpoint written by ``train`` and check that it is one."""
    ckpt = ember.load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not a checkpoint written by `ember train`")
    return ckpt


def evaluate_checkpoint(path: str | os.PathLike, *, data_dir: str | None = None,
                        device: str = "cpu"):
    """Test loss, accuracy and confusion matrix of the model saved in checkpoint ``path``."""
    from ember.vision.models import build_model
    ckpt = load_checkpoint(path)
    config = TrainConfig(**ckpt["config"])
    if data_dir is not None:
        config.data_dir = data_dir
    splits = load_splits(config)
    model = build_model(config.model, tuple(ckpt["in_shape"]), len(ckpt["classes"]))
    model.load_state_dict(ckpt["model"])
    model.to(device)
    loader = DataLoader(splits.test, batch_size=256)
    loss, acc, confusion = evaluate(model, loader, ember.device(device), len(ckpt["classes"]))
    return loss, acc, confusion, ckpt["classes"]
