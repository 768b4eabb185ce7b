"""ember.vision.transforms.v2.functional: the v1 functional ops, plus the names that
torchvision.transforms.v2.functional gives some of them."""

from __future__ import annotations

import numpy as np

import ember

from ...._tensor import Tensor
from ..functional import *  # noqa: F401,F403
from ..functional import __all__ as _v1_all
from ..functional import convert_image_dtype, get_dimensions, hflip, pil_to_tensor, vflip

__all__ = [*_v1_all, "horizontal_flip", "vertical_flip", "get_size", "get_num_channels",
           "to_image", "to_dtype"]

horizontal_flip = hflip
vertical_flip = vflip


def get_size(inpt) -> list[int]:
    """[height, width] (v1's get_image_size returns [width, height])."""
    return get_dimensions(inpt)[1:]


def get_num_channels(inpt) -> int:
    """Number of channels of a PIL image or tensor image."""
    return get_dimensions(inpt)[0]


def to_image(inpt) -> Tensor:
    """PIL image / HWC ndarray / tensor -> tensor image (C, H, W), values unchanged."""
    if isinstance(inpt, Tensor):
        return inpt.unsqueeze(0) if inpt.dim() == 2 else inpt
    if isinstance(inpt, np.ndarray):
        arr = inpt[:, :, None] if inpt.ndim == 2 else inpt
        return ember.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))
    return pil_to_tensor(inpt)


def to_dtype(inpt: Tensor, dtype=ember.float32, scale: bool = False) -> Tensor:
    """Cast a tensor image; scale=True rescales values like convert_image_dtype."""
    return convert_image_dtype(inpt, dtype) if scale else inpt.to(dtype)
