"""A small ResNet built from hand-written residual blocks, trained on the 8x8 Digits.

``BasicBlock`` is the block from the lecture notes: conv3x3-BN-ReLU-conv3x3-BN on the main
path, plus a shortcut that is the identity, or a strided 1x1 conv + BN when the block
changes the resolution or the number of channels; the two are added and passed through
a ReLU. ``ResNet`` stacks a stem and stages of such blocks (8x8 -> 4x4 -> 2x2 here, all
3x3 convs with padding=1), then global average pooling and a linear classifier.

Prints the training loss and the test accuracy after each epoch.

    python examples/resnet_blocks.py [--epochs 5] [--width 16] [--blocks 1] [--seed 0]

The same file runs on PyTorch after replacing the ember imports with ``import torch``
and ``from torchvision import datasets, transforms``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, Subset
from ember.vision import datasets, transforms


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers with a residual shortcut (1x1 conv-BN when shapes change)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        # Main path; the convs need no bias since a BatchNorm follows each of them.
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride,
                               padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1,
                               padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)

        # Shortcut path: identity unless the output shape differs from the input's.
        self.shortcut = nn.Sequential()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)  # the skip connection
        return F.relu(out)


class ResNet(nn.Module):
    """Stem conv, then stages of ``BasicBlock``s (the first of each later stage halves the
    resolution and doubles the width), global average pooling and a linear head."""

    def __init__(self, blocks_per_stage: tuple[int, ...] = (1, 1, 1), width: int = 16,
                 n_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(1, width, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        )
        stages, channels = [], width
        for i, n_blocks in enumerate(blocks_per_stage):
            out_channels, stride = (width, 1) if i == 0 else (channels * 2, 2)
            layers = [BasicBlock(channels, out_channels, stride)]
            layers += [BasicBlock(out_channels, out_channels) for _ in range(n_blocks - 1)]
            stages.append(nn.Sequential(*layers))
            channels = out_channels
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, n_classes)

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.fc(torch.flatten(self.pool(x), 1))


@torch.no_grad()
def accuracy(model: nn.Module, loader: DataLoader) -> float:
    """Fraction of correctly classified images in ``loader`` (eval mode: BN running stats)."""
    model.eval()
    correct = total = 0
    for images, labels in loader:
        correct += (model(images).argmax(1) == labels).sum().item()
        total += labels.numel()
    return correct / total


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train the ResNet; returns per-epoch train losses, final train loss, test accuracy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--width", type=int, default=16, help="channels of the first stage")
    parser.add_argument("--blocks", type=int, default=1, help="blocks per stage")
    parser.add_argument("--train-size", type=int, default=None,
                        help="use only the first N training images (quick runs)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.3055,), (0.3760,))])
    train_set = datasets.Digits(train=True, transform=transform)
    if args.train_size is not None:
        train_set = Subset(train_set, range(min(args.train_size, len(train_set))))
    test_set = datasets.Digits(train=False, transform=transform)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              drop_last=True)  # BatchNorm needs more than one sample
    test_loader = DataLoader(test_set, batch_size=256)

    model = ResNet((args.blocks,) * 3, width=args.width)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"ResNet with {n_params} parameters; {len(train_set)} training images")
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9,
                                weight_decay=5e-4, nesterov=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=len(train_loader))
    criterion = nn.CrossEntropyLoss()

    train_losses: list[float] = []
    test_acc = 0.0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        running, batches = 0.0, 0
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            scheduler.step()  # OneCycleLR steps once per batch
            running += loss.item()
            batches += 1
        train_losses.append(running / batches)
        test_acc = accuracy(model, test_loader)
        print(f"epoch {epoch:2d}  train loss {train_losses[-1]:.4f}  test acc {test_acc:.3f}  "
              f"({time.perf_counter() - start:.1f}s)")
    return {"train_losses": train_losses, "final_train_loss": train_losses[-1],
            "test_acc": test_acc}


if __name__ == "__main__":
    main()
