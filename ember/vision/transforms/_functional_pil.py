"""Image operations on PIL images, done by Pillow itself (so results equal Pillow's)."""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from PIL import Image, ImageEnhance, ImageOps
except ImportError:  # pragma: no cover - Pillow is an optional dependency
    Image = None


def _is_pil_image(img: Any) -> bool:
    return Image is not None and isinstance(img, Image.Image)


def _assert_pil(img: Any) -> None:
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def get_dimensions(img) -> list[int]:
    """[channels, height, width]."""
    _assert_pil(img)
    width, height = img.size
    return [len(img.getbands()), height, width]


def _parse_fill(fill, img, name: str = "fillcolor") -> dict:
    """Pillow's fill argument for img: one value per band, ints unless mode F."""
    channels = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and channels > 1:
        fill = tuple([fill] * channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * channels
        elif len(fill) != channels:
            raise ValueError(f"The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {channels})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def hflip(img):
    _assert_pil(img)
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    _assert_pil(img)
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def crop(img, top: int, left: int, height: int, width: int):
    _assert_pil(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size: list[int], interpolation: int):
    """Resize to size = [h, w] with Pillow's (antialiased) resampling filters."""
    _assert_pil(img)
    return img.resize((size[1], size[0]), interpolation)


def pad(img, padding: list[int], fill=0, padding_mode: str = "constant"):
    """Pad by [left, top, right, bottom]; negative values crop."""
    _assert_pil(img)
    left, top, right, bottom = padding
    if min(padding) < 0:
        w, h = img.size
        img = img.crop((max(-left, 0), max(-top, 0), w - max(-right, 0), h - max(-bottom, 0)))
        left, top, right, bottom = (max(p, 0) for p in padding)
    if padding_mode == "constant":
        opts = _parse_fill(fill, img, name="fill")
        return ImageOps.expand(img, border=(left, top, right, bottom), **opts)
    palette = img.getpalette() if img.mode == "P" else None
    arr = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (arr.ndim - 2)
    out = Image.fromarray(np.pad(arr, widths, mode=padding_mode))
    if palette is not None:
        out.putpalette(palette)  # the padded indices become a 'P' image again
    return out


def rotate(img, angle: float, interpolation: int = 0, expand: bool = False, center=None,
           fill=None):
    _assert_pil(img)
    opts = _parse_fill(fill, img)
    return img.rotate(angle, interpolation, expand, center, **opts)


def affine(img, matrix: list[float], interpolation: int = 0, fill=None):
    """Apply the inverse affine matrix (output pixel -> input pixel)."""
    _assert_pil(img)
    opts = _parse_fill(fill, img)
    return img.transform(img.size, Image.Transform.AFFINE, matrix, interpolation, **opts)


def perspective(img, coeffs: list[float], interpolation: int = 3, fill=None):
    _assert_pil(img)
    opts = _parse_fill(fill, img)
    return img.transform(img.size, Image.Transform.PERSPECTIVE, coeffs, interpolation, **opts)


def adjust_brightness(img, brightness_factor: float):
    _assert_pil(img)
    return ImageEnhance.Brightness(img).enhance(brightness_factor)


def adjust_contrast(img, contrast_factor: float):
    _assert_pil(img)
    return ImageEnhance.Contrast(img).enhance(contrast_factor)


def adjust_saturation(img, saturation_factor: float):
    _assert_pil(img)
    return ImageEnhance.Color(img).enhance(saturation_factor)


def adjust_hue(img, hue_factor: float):
    """Rotate the hue channel in HSV space; uint8 hue wraps around as intended."""
    _assert_pil(img)
    if img.mode in {"L", "1", "I", "F"}:
        return img
    mode = img.mode
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    shift = np.array(int(hue_factor * 255)).astype(np.int8).view(np.uint8)
    np_h = (np_h + shift).astype(np.uint8)
    h = Image.fromarray(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(mode)


def to_grayscale(img, num_output_channels: int = 1):
    """Pillow's 'L' conversion (ITU-R 601-2: 299/1000 R + 587/1000 G + 114/1000 B)."""
    _assert_pil(img)
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    img = img.convert("L")
    if num_output_channels == 3:
        arr = np.asarray(img)
        img = Image.fromarray(np.dstack([arr, arr, arr]), "RGB")
    return img


def invert(img):
    _assert_pil(img)
    return ImageOps.invert(img)


def posterize(img, bits: int):
    _assert_pil(img)
    return ImageOps.posterize(img, bits)


def solarize(img, threshold: float):
    _assert_pil(img)
    return ImageOps.solarize(img, threshold)


def adjust_sharpness(img, sharpness_factor: float):
    _assert_pil(img)
    return ImageEnhance.Sharpness(img).enhance(sharpness_factor)


def autocontrast(img):
    _assert_pil(img)
    return ImageOps.autocontrast(img)


def equalize(img):
    _assert_pil(img)
    return ImageOps.equalize(img)


def adjust_gamma(img, gamma: float, gain: float = 1.0):
    """Per-value lookup table int((256 - 1e-3) * gain * (v / 255) ** gamma)."""
    _assert_pil(img)
    if gamma < 0:
        raise ValueError(f"Gamma should be a non-negative real number, got {gamma}")
    mode = img.mode
    table = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)]
    return img.convert("RGB").point(table * 3).convert(mode)
