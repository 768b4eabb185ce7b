"""nn.init: weight initialization (torch.nn.init)."""

from __future__ import annotations
