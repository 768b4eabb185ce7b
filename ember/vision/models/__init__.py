"""Small reference classifiers, sized for 8x8 to 32x32 images (the `ember` command's models).

Each builder takes the input shape ``(channels, height, width)`` and the number of
classes, and returns an ordinary ``ember.nn.Module`` whose definition runs unchanged in
torch (``build_model(name, ..., nn=torch.nn)``), so weights move between the two.
"""

from __future__ import annotations

from .small import MODELS, SmallCNN, SmallResNet, build_model, mlp

__all__ = ["MODELS", "SmallCNN", "SmallResNet", "build_model", "mlp"]
