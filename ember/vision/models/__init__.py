"""Image classifiers: torchvision's ResNet family (same module names, so its checkpoints
load), and small classifiers for 8x8 to 32x32 images (the `ember` command's models).

Each small-model builder takes the input shape ``(channels, height, width)`` and the number of
classes, and returns an ordinary ``ember.nn.Module`` whose definition runs unchanged in
torch (``build_model(name, ..., nn=torch.nn)``), so weights move between the two.
"""

from __future__ import annotations

from .resnet import (
    BasicBlock,
    Bottleneck,
    ResNet,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
    resnext50_32x4d,
    wide_resnet50_2,
)
from .small import MODELS, SmallCNN, SmallResNet, build_model, mlp

__all__ = ["MODELS", "SmallCNN", "SmallResNet", "build_model", "mlp", "BasicBlock",
           "Bottleneck", "ResNet", "resnet18", "resnet34", "resnet50", "resnet101",
           "resnet152", "resnext50_32x4d", "wide_resnet50_2"]
