"""Image utilities: ``make_grid`` and ``save_image`` (torchvision.utils semantics).

Both work on detached CPU copies of the data: the grid is for looking at, not for
differentiating through (``make_grid`` returns a tensor without grad history, on the input's
device).
"""

from __future__ import annotations

import math
import os
import tempfile
from typing import Any, BinaryIO

import numpy as np

import ember

__all__ = ["make_grid", "save_image"]


def _image_batch(tensor: Any) -> tuple[np.ndarray, ember.Tensor]:
    """The input as an (N, C, H, W) array (one-channel images repeated to three) + tensor."""
    if isinstance(tensor, (list, tuple)):
        for t in tensor:
            if not isinstance(t, ember.Tensor):
                raise TypeError(
                    f"tensor or list of tensors expected, got a list containing {type(t)}"
                )
        tensor = ember.stack(list(tensor), dim=0)
    elif not isinstance(tensor, ember.Tensor):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    arr = tensor.detach().cpu().numpy()
    if arr.ndim == 2:  # one H x W image
        arr = arr[None]
    if arr.ndim == 3:  # one C x H x W image
        arr = arr[None]
    if arr.ndim != 4:
        raise ValueError(
            f"make_grid expects an image (H, W) or (C, H, W), a batch (N, C, H, W) or a list "
            f"of (C, H, W) images; got shape {tuple(tensor.shape)}"
        )
    if arr.shape[1] == 1:
        arr = np.repeat(arr, 3, axis=1)
    return arr, tensor


def _normalize(arr: np.ndarray, value_range: tuple | None) -> np.ndarray:
    """Clamp to ``value_range`` (default: the array's own min/max) and map it onto [0, 1]."""
    low, high = value_range if value_range is not None else (float(arr.min()), float(arr.max()))
    # Python-float bounds keep float32 data float32 (as torch's scalar ops do).
    scaled = (np.clip(arr, low, high) - low) / max(high - low, 1e-5)
    return scaled.astype(arr.dtype, copy=False)


def make_grid(
    tensor: Any,
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> ember.Tensor:
    """Tile a batch of images into one (C, H', W') image, ``nrow`` images per row.

    Images are placed row by row with ``padding`` pixels of ``pad_value`` around and between
    them. A single image is returned unpadded. One-channel images become three channels.
    With ``normalize=True`` values are clamped to ``value_range`` (a tuple; default the
    min/max of the whole batch, or of each image with ``scale_each``) and shifted/scaled to
    [0, 1]; this needs a floating-point tensor.
    """
    arr, tensor = _image_batch(tensor)
    device = tensor.device
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError(
                "value_range has to be a tuple (min, max) if specified. min and max are numbers"
            )
        if not tensor.dtype.is_floating_point:
            raise RuntimeError(
                f"make_grid(normalize=True) needs a floating-point tensor, got {tensor.dtype}: "
                f"result type Float can't be cast to the desired output type"
            )
        if scale_each:
            arr = np.stack([_normalize(image, value_range) for image in arr])
        else:
            arr = _normalize(arr, value_range)
    n, channels, height, width = arr.shape
    if n == 1:
        return ember.from_numpy(np.ascontiguousarray(arr[0])).to(device)
    cols = min(nrow, n)
    rows = math.ceil(n / cols)
    cell_h, cell_w = height + padding, width + padding
    grid = np.full((channels, rows * cell_h + padding, cols * cell_w + padding), pad_value,
                   dtype=arr.dtype)
    for k in range(n):
        top, left = (k // cols) * cell_h + padding, (k % cols) * cell_w + padding
        grid[:, top:top + height, left:left + width] = arr[k]
    return ember.from_numpy(grid).to(device)


def _to_pil(grid: ember.Tensor) -> Any:
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("save_image needs Pillow: pip install 'ember[vision]'") from e
    arr = grid.numpy()
    if not grid.dtype.is_floating_point:
        raise RuntimeError(
            f"save_image expects a floating-point tensor with values in [0, 1], got "
            f"{grid.dtype}: result type Float can't be cast to the desired output type"
        )
    # Scale to 0..255 rounding half up, in the tensor's own precision, like torchvision.
    pixels = np.clip(arr * 255 + 0.5, 0, 255).astype(np.uint8)
    pixels = np.moveaxis(pixels, 0, -1) if pixels.ndim == 3 else pixels
    if pixels.ndim == 3 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    return Image.fromarray(np.ascontiguousarray(pixels))


def _format_for(path: str) -> str:
    from PIL import Image

    Image.init()
    ext = os.path.splitext(path)[1].lower()
    try:
        return Image.registered_extensions()[ext]
    except KeyError:
        raise ValueError(f"unknown file extension: {ext}") from None


def save_image(
    tensor: Any, fp: str | os.PathLike | BinaryIO, format: str | None = None, **kwargs: Any
) -> None:
    """Save a tensor (or list of tensors) as an image file, through ``make_grid(**kwargs)``.

    Values are expected in [0, 1] and stored as ``uint8(clamp(x * 255 + 0.5, 0, 255))``.
    A path is written atomically (temporary file in the same folder, then ``os.replace``);
    the image format comes from ``format`` or the file extension. ``fp`` may also be an
    open binary file object (then ``format`` is needed unless Pillow can infer it).
    """
    image = _to_pil(make_grid(tensor, **kwargs))
    if not isinstance(fp, (str, os.PathLike)):
        image.save(fp, format=format)
        return
    path = os.fspath(fp)
    fmt = format or _format_for(path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-",
                               suffix=os.path.splitext(path)[1])
    try:
        with os.fdopen(fd, "wb") as f:
            image.save(f, format=fmt)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
