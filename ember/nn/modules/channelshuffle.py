"""ChannelShuffle: regroup channels (ShuffleNet)."""

from __future__ import annotations

from ...ops.vision import channel_shuffle
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """Split C channels into ``groups`` and interleave them: (N, C, *) -> (N, C, *)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
