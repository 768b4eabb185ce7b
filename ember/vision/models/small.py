"""An MLP, a small CNN and a small ResNet for image classification.

The definitions take the ``nn`` namespace as an argument (``ember.nn`` by default) so
that the very same architecture can be built in torch for interop tests.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import ember.nn as ember_nn


def mlp(in_shape: tuple[int, int, int], num_classes: int, *, hidden: int = 256,
        nn: ModuleType = ember_nn):
    """Flatten, two hidden layers with ReLU and dropout, a linear classifier."""
    c, h, w = in_shape
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(c * h * w, hidden), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(hidden // 2, num_classes),
    )


def _conv_bn_relu(nn, c_in: int, c_out: int):
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]


def SmallCNN(in_shape: tuple[int, int, int], num_classes: int, *, width: int = 32,
             nn: ModuleType = ember_nn):
    """Two conv-BN-ReLU blocks, each followed by 2x2 max pooling, then a classifier.

    A block is skipped in pooling when the image is already 4 pixels or smaller, so the
    same model fits 8x8 digits and 32x32 CIFAR images.
    """
    c, h, w = in_shape
    layers: list = []
    size, c_in = min(h, w), c
    for c_out in (width, 2 * width):
        layers += _conv_bn_relu(nn, c_in, c_out)
        if size > 4:
            layers.append(nn.MaxPool2d(2))
            size //= 2
        c_in = c_out
    layers += [nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Dropout(0.25),
               nn.Linear(c_in * 4, 128), nn.ReLU(), nn.Linear(128, num_classes)]
    return nn.Sequential(*layers)


def SmallResNet(in_shape: tuple[int, int, int], num_classes: int, *, width: int = 32,
                blocks: int = 2, nn: ModuleType = ember_nn):
    """A stem convolution, ``blocks`` residual blocks, global average pooling, a linear head."""

    class BasicBlock(nn.Module):
        def __init__(self, channels: int):
            super().__init__()
            self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)
            self.relu = nn.ReLU()

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + x)

    c = in_shape[0]
    return nn.Sequential(
        *_conv_bn_relu(nn, c, width),
        *[BasicBlock(width) for _ in range(blocks)],
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, num_classes),
    )


MODELS: dict[str, Callable] = {"mlp": mlp, "cnn": SmallCNN, "resnet": SmallResNet}


def build_model(name: str, in_shape: tuple[int, int, int], num_classes: int,
                nn: ModuleType = ember_nn):
    """Build the model called ``name`` (one of ``MODELS``) for the given input shape."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
    return MODELS[name](tuple(in_shape), num_classes, nn=nn)
