"""Train an MLP digit classifier with a full train / validation / test loop.

This is the loop from the lecture notes, written as a PyTorch user writes it:

* data: the bundled 8x8 ``Digits`` (default, no download) or MNIST read from IDX files
  (``--dataset mnist --data-dir DIR``, files in ``DIR/MNIST/raw/``); the training split is
  cut into train/validation with ``random_split`` and a seeded generator, the test split
  is kept for the end; ``transforms.Compose([ToTensor(), Normalize(...)])``; DataLoaders;
* model: ``nn.Sequential`` MLP with dropout; AdamW (default) or SGD with momentum; a
  learning-rate schedule stepped once per epoch: cosine annealing (default) or
  ``ReduceLROnPlateau`` on the validation loss (``--scheduler plateau``);
* per-epoch train/validation loss and accuracy; early stopping when the validation loss
  has not improved for ``--patience`` epochs; the best model is checkpointed with
  ``torch.save({...})`` to ``--out/best.pt`` and reloaded for the final test evaluation;
* learning curves in ``--out/curves.png`` (skipped, with a note, without matplotlib).

    python examples/mnist_mlp.py [--epochs 20] [--optimizer adamw|sgd]
                                 [--scheduler cosine|plateau] [--out runs/mlp]
    python examples/mnist_mlp.py --dataset mnist --data-dir ./data

The same file runs on PyTorch after replacing the two ember imports with
``import torch`` and ``from torchvision import datasets, transforms``.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, random_split
from ember.vision import datasets, transforms

# Per-dataset (mean, std) of the pixel values after ToTensor(), and the flattened size.
_STATS = {"digits": ((0.3055,), (0.3760,)), "mnist": ((0.1307,), (0.3081,))}
_SIZES = {"digits": 8 * 8, "mnist": 28 * 28}


def build_datasets(name: str, data_dir: str, val_fraction: float, seed: int):
    """(train, validation, test) datasets; the train/val cut is seeded, so repeatable."""
    mean, std = _STATS[name]
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean, std)])
    if name == "digits":
        full_train = datasets.Digits(train=True, transform=transform)
        test = datasets.Digits(train=False, transform=transform)
    else:
        full_train = datasets.MNIST(data_dir, train=True, transform=transform)
        test = datasets.MNIST(data_dir, train=False, transform=transform)
    n_val = max(1, int(len(full_train) * val_fraction))
    generator = torch.Generator().manual_seed(seed)
    train, val = random_split(full_train, [len(full_train) - n_val, n_val], generator=generator)
    return train, val, test


class MLP(nn.Module):
    """Flatten -> [Linear -> ReLU -> Dropout] x 2 -> Linear (logits)."""

    def __init__(self, in_features: int, hidden: int, n_classes: int = 10,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.net(x)


def train_one_epoch(model: nn.Module, loader: DataLoader, optimizer) -> tuple[float, float]:
    """One pass over ``loader`` in training mode; returns (mean loss, accuracy)."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        logits = model(images)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * labels.size(0)
        correct += (logits.argmax(dim=1) == labels).sum().item()
        seen += labels.size(0)
    return total_loss / seen, correct / seen


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader) -> tuple[float, float]:
    """Mean loss and accuracy over ``loader`` in eval mode (dropout off, no graph)."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        logits = model(images)
        total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
        correct += (logits.argmax(dim=1) == labels).sum().item()
        seen += labels.size(0)
    return total_loss / seen, correct / seen


def plot_curves(history: dict[str, list[float]], path: str) -> bool:
    """Write loss/accuracy curves to ``path``; False (and a note) without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")  # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: skipping the learning curves")
        return False
    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
    for split in ("train", "val"):
        ax_loss.plot(epochs, history[f"{split}_loss"], label=split)
        ax_acc.plot(epochs, history[f"{split}_acc"], label=split)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    ax_loss.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train, early-stop, checkpoint, test. Returns test metrics, history and file paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(_STATS), default="digits")
    parser.add_argument("--data-dir", default="./data", help="root holding MNIST/raw/")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--optimizer", choices=["adamw", "sgd"], default="adamw")
    parser.add_argument("--lr", type=float, default=None,
                        help="default 3e-3 for AdamW, 0.05 for SGD")
    parser.add_argument("--weight-decay", type=float, default=1e-2)
    parser.add_argument("--scheduler", choices=["cosine", "plateau"], default="cosine")
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--patience", type=int, default=3,
                        help="epochs without validation improvement before stopping")
    parser.add_argument("--num-workers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/mnist_mlp")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    train_set, val_set, test_set = build_datasets(
        args.dataset, args.data_dir, args.val_fraction, args.seed)
    print(f"{args.dataset}: {len(train_set)} train, {len(val_set)} validation, "
          f"{len(test_set)} test images")
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              num_workers=args.num_workers)
    val_loader = DataLoader(val_set, batch_size=256, num_workers=args.num_workers)
    test_loader = DataLoader(test_set, batch_size=256, num_workers=args.num_workers)

    model = MLP(_SIZES[args.dataset], args.hidden)
    if args.optimizer == "adamw":
        lr = 3e-3 if args.lr is None else args.lr
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=args.weight_decay)
    else:
        lr = 0.05 if args.lr is None else args.lr
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9,
                                    weight_decay=args.weight_decay)
    if args.scheduler == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    else:  # halve the learning rate as soon as the validation loss stops improving
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min",
                                                               factor=0.5, patience=0)

    checkpoint_path = os.path.join(args.out, "best.pt")
    history: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "val_loss": [],
                                       "val_acc": [], "lr": []}
    best_val, bad_epochs = float("inf"), 0
    for epoch in range(1, args.epochs + 1):
        train_loss, train_acc = train_one_epoch(model, train_loader, optimizer)
        val_loss, val_acc = evaluate(model, val_loader)
        history["lr"].append(optimizer.param_groups[0]["lr"])
        if args.scheduler == "plateau":
            scheduler.step(val_loss)
        else:
            scheduler.step()
        for key, value in zip(("train_loss", "train_acc", "val_loss", "val_acc"),
                              (train_loss, train_acc, val_loss, val_acc)):
            history[key].append(value)
        print(f"epoch {epoch:3d}  lr {history['lr'][-1]:.2e}  train loss {train_loss:.4f} "
              f"acc {train_acc:.3f}  val loss {val_loss:.4f} acc {val_acc:.3f}")
        if val_loss < best_val:
            best_val, bad_epochs = val_loss, 0
            torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                        "optimizer_state_dict": optimizer.state_dict(),
                        "val_loss": val_loss, "args": vars(args)}, checkpoint_path)
        else:
            bad_epochs += 1
            if bad_epochs >= args.patience:
                print(f"early stopping: no validation improvement for {args.patience} epochs")
                break

    checkpoint = torch.load(checkpoint_path)
    model.load_state_dict(checkpoint["model_state_dict"])
    test_loss, test_acc = evaluate(model, test_loader)
    print(f"best epoch {checkpoint['epoch']} (val loss {checkpoint['val_loss']:.4f}); "
          f"test loss {test_loss:.4f} acc {test_acc:.3f}")

    curves_path = os.path.join(args.out, "curves.png")
    if not plot_curves(history, curves_path):
        curves_path = None
    return {"test_loss": test_loss, "test_acc": test_acc, "best_epoch": checkpoint["epoch"],
            "history": history, "checkpoint": checkpoint_path, "curves": curves_path}


if __name__ == "__main__":
    main()
