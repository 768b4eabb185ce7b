"""Functional transforms (torchvision.transforms.functional): each works on a PIL image
or on an ember tensor (..., C, H, W), with torchvision's signatures and semantics."""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from enum import Enum
from typing import Any, Sequence

import numpy as np

import ember

from ..._tensor import Tensor
from . import _functional_pil as F_pil
from . import _functional_tensor as F_t
from ._functional_pil import Image

__all__ = [
    "InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels",
    "to_tensor", "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize",
    "resize", "pad", "crop", "center_crop", "resized_crop", "hflip", "vflip", "five_crop",
    "ten_crop", "rotate", "affine", "perspective", "adjust_brightness", "adjust_contrast",
    "adjust_saturation", "adjust_hue", "rgb_to_grayscale", "to_grayscale", "gaussian_blur",
    "erase", "invert", "posterize", "solarize", "adjust_sharpness", "autocontrast", "equalize",
    "adjust_gamma",
]


class InterpolationMode(Enum):
    """Interpolation modes; PIL images accept all, tensors NEAREST, NEAREST_EXACT, BILINEAR
    and BICUBIC (warps: NEAREST and BILINEAR)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's filter constants (Image.Resampling values).
_PIL_MODES = {
    InterpolationMode.NEAREST: 0, InterpolationMode.NEAREST_EXACT: 0,
    InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3, InterpolationMode.BOX: 4,
    InterpolationMode.HAMMING: 5, InterpolationMode.LANCZOS: 1,
}
_FROM_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
             3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
             5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _interpolation(mode: Any) -> InterpolationMode:
    """Accept an InterpolationMode or the corresponding Pillow integer constant."""
    if isinstance(mode, InterpolationMode):
        return mode
    if isinstance(mode, int) and not isinstance(mode, bool) and mode in _FROM_INT:
        return _FROM_INT[mode]
    raise TypeError(f"Argument interpolation should be a InterpolationMode or a corresponding "
                    f"Pillow integer constant, got {mode!r}")


def _is_tensor(img: Any) -> bool:
    return isinstance(img, Tensor)


def _dispatch(img: Any, name: str):
    """The backend module for img, or torchvision's TypeError for anything else."""
    if isinstance(img, Tensor):
        return F_t
    if F_pil._is_pil_image(img):
        return F_pil
    raise TypeError(f"{name}: img should be PIL Image or Tensor. Got {type(img)}")


# ---------------------------------------------------------------------------- queries


def get_dimensions(img) -> list[int]:
    """[channels, height, width] of a PIL image or tensor."""
    return _dispatch(img, "get_dimensions").get_dimensions(img)


def get_image_size(img) -> list[int]:
    """[width, height]."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img) -> int:
    return get_dimensions(img)[0]


# ---------------------------------------------------------------------------- conversion

_PIL_NP_DTYPES = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16,
                  "F": np.float32}


def pil_to_tensor(pic) -> Tensor:
    """PIL image -> tensor (C, H, W) keeping the pixel dtype (mode '1' becomes 0/255)."""
    if not F_pil._is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, dtype=_PIL_NP_DTYPES.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        arr = arr * np.uint8(255)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return ember.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def to_tensor(pic) -> Tensor:
    """PIL image or HWC ndarray -> tensor (C, H, W); uint8 is scaled to [0, 1] floats."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        out = ember.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))
    elif F_pil._is_pil_image(pic):
        out = pil_to_tensor(pic)
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if out.dtype == ember.uint8:
        default = ember.get_default_dtype().np
        return ember.from_numpy(out.numpy().astype(default) / default.type(255))
    return out


_MODES_BY_CHANNELS = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}
_DEFAULT_MODES = {2: "LA", 3: "RGB", 4: "RGBA"}
_ONE_CHANNEL_MODES = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                      np.dtype(np.int32): "I", np.dtype(np.float32): "F"}


def to_pil_image(pic, mode: str | None = None):
    """Tensor (C, H, W) or ndarray (H, W, C) -> PIL image, inferring the mode like
    torchvision (float tensors are scaled by 255 to uint8 unless mode is 'F')."""
    if isinstance(pic, Tensor):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        if pic.dim() == 2:
            pic = pic.unsqueeze(0)
        if pic.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-3]} channels.")
        arr = pic.detach().cpu().numpy()
        if pic.is_floating_point() and mode != "F":
            arr = (arr * 255).astype(np.uint8)
        npimg = np.transpose(arr, (1, 2, 0))
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        npimg = pic[:, :, None] if pic.ndim == 2 else pic
        if npimg.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {npimg.shape[-1]} "
                             f"channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if Image is None:
        raise ImportError("to_pil_image needs Pillow: pip install 'ember[vision]'")
    channels = npimg.shape[2]
    if channels == 1:
        npimg = npimg[:, :, 0]
        expected = _ONE_CHANNEL_MODES.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {npimg.dtype}. "
                             f"Should be {expected}")
        mode = expected
    else:
        permitted = _MODES_BY_CHANNELS[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {channels}D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = _DEFAULT_MODES[channels]
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    if mode == "I;16":
        npimg = npimg.astype(np.uint16)  # Pillow stores I;16 unsigned; bits are kept
    npimg = np.ascontiguousarray(npimg)
    img = Image.fromarray(npimg)
    if img.mode == mode:
        return img
    # The bytes are reinterpreted in the requested mode (no colour conversion), as in
    # torchvision; Pillow deprecates mode= but it is the only way to say so.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Image.fromarray(npimg, mode=mode)


def convert_image_dtype(image: Tensor, dtype=ember.float32) -> Tensor:
    """Convert a tensor image to dtype, rescaling the values (see torchvision)."""
    return F_t.convert_image_dtype(image, dtype)


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float],
              inplace: bool = False) -> Tensor:
    """(tensor - mean) / std per channel of a float tensor image (..., C, H, W)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tuple(tensor.shape)}")
    if not inplace:
        tensor = tensor.clone()
    mean_t = ember.as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
    std_t = ember.as_tensor(std, dtype=tensor.dtype, device=tensor.device)
    if bool((std_t == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading "
                         f"to division by zero.")
    if mean_t.dim() == 1:
        mean_t = mean_t.view(-1, 1, 1)
    if std_t.dim() == 1:
        std_t = std_t.view(-1, 1, 1)
    return tensor.sub_(mean_t).div_(std_t)


# ---------------------------------------------------------------------------- geometry


def _resized_output_size(image_size: tuple[int, int], size: list[int],
                         max_size: int | None) -> list[int]:
    if len(size) == 2:
        return list(size)
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    new_short = size[0]
    new_long = int(new_short * long / short)
    if max_size is not None:
        if max_size <= new_short:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                             f"size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return [new_long, new_short] if w <= h else [new_short, new_long]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size: int | None = None,
           antialias: bool | None = True):
    """Resize to size (h, w), or scale the smaller edge to size when it is an int."""
    interpolation = _interpolation(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of "
                             "the smaller edge, i.e. size should be an int or a sequence of "
                             "length 1 in torchscript mode.")
    elif not isinstance(size, int):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    _, h, w = get_dimensions(img)
    size = [size] if isinstance(size, int) else list(size)
    out_size = _resized_output_size((h, w), size, max_size)
    if [h, w] == out_size:
        return img
    if not _is_tensor(img):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument "
                          "antialias is ignored.", stacklevel=2)
        return F_pil.resize(img, out_size, _PIL_MODES[interpolation])
    aa = bool(antialias) and interpolation in (InterpolationMode.BILINEAR,
                                               InterpolationMode.BICUBIC)
    return F_t.resize(img, out_size, interpolation.value, aa)


def _pad_ltrb(padding) -> list[int]:
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    if len(padding) == 1:
        return [int(padding[0])] * 4
    if len(padding) == 2:
        return [int(padding[0]), int(padding[1])] * 2
    return [int(p) for p in padding]


def _check_pad_args(padding, fill, padding_mode) -> None:
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError(f"Got inappropriate padding arg: {padding!r}")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError(f"Got inappropriate fill arg: {fill!r}")
    if not isinstance(padding_mode, str):
        raise TypeError(f"Got inappropriate padding_mode arg: {padding_mode!r}")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError(f"Padding mode should be either constant, edge, reflect or symmetric, "
                         f"got {padding_mode!r}")


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Pad by an int, (left/right, top/bottom) or (left, top, right, bottom)."""
    _check_pad_args(padding, fill, padding_mode)
    backend = _dispatch(img, "pad")
    return backend.pad(img, _pad_ltrb(padding), 0 if fill is None else fill, padding_mode)


def crop(img, top: int, left: int, height: int, width: int):
    """The box at (top, left) of the given size; outside the image it is zero."""
    return _dispatch(img, "crop").crop(img, int(top), int(left), int(height), int(width))


def _size_hw(size, name: str = "output_size") -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, (tuple, list)) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"{name} should be an int or a sequence of one or two ints, got {size!r}")


def center_crop(img, output_size):
    """Crop the centre; pad with zeros first when the crop is larger than the image."""
    crop_h, crop_w = _size_hw(output_size)
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        ltrb = [(crop_w - w) // 2 if crop_w > w else 0, (crop_h - h) // 2 if crop_h > h else 0,
                (crop_w - w + 1) // 2 if crop_w > w else 0,
                (crop_h - h + 1) // 2 if crop_h > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if crop_w == w and crop_h == h:
            return img
    top = int(round((h - crop_h) / 2.0))
    left = int(round((w - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


def resized_crop(img, top: int, left: int, height: int, width: int, size,
                 interpolation=InterpolationMode.BILINEAR, antialias: bool | None = True):
    """crop followed by resize."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Mirror left-right."""
    return _dispatch(img, "hflip").hflip(img)


def vflip(img):
    """Mirror top-bottom."""
    return _dispatch(img, "vflip").vflip(img)


def five_crop(img, size):
    """The four corner crops and the centre crop (tl, tr, bl, br, center)."""
    crop_h, crop_w = _size_hw(size, "size")
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        raise ValueError(f"Requested crop size {(crop_h, crop_w)} is bigger than input size "
                         f"{(h, w)}")
    return (crop(img, 0, 0, crop_h, crop_w), crop(img, 0, w - crop_w, crop_h, crop_w),
            crop(img, h - crop_h, 0, crop_h, crop_w),
            crop(img, h - crop_h, w - crop_w, crop_h, crop_w),
            center_crop(img, [crop_h, crop_w]))


def ten_crop(img, size, vertical_flip: bool = False):
    """five_crop of the image and of its (horizontally, or vertically) flipped copy."""
    flipped = vflip(img) if vertical_flip else hflip(img)
    return five_crop(img, size) + five_crop(flipped, size)


def _inverse_affine_matrix(center, angle, translate, scale, shear) -> list[float]:
    """Inverse of T(translate) C(center) R(angle) Sh(shear) S(scale) C^-1, in pixels."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m


def _tensor_fill(fill, img):
    if fill is None or not _is_tensor(img):
        return fill
    return [float(f) for f in fill] if isinstance(fill, (list, tuple)) else [float(fill)]


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center: list[int] | None = None, fill: list[float] | None = None):
    """Rotate counter-clockwise by angle degrees about center (default: image centre)."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError(f"Argument angle should be int or float, got {type(angle).__name__}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError(f"Argument center should be a sequence, got {type(center).__name__}")
    if not _is_tensor(img):
        _dispatch(img, "rotate")
        return F_pil.rotate(img, angle, _PIL_MODES[interpolation], expand, center, fill)
    _, h, w = get_dimensions(img)
    center_f = [0.0, 0.0] if center is None else \
        [c - s * 0.5 for c, s in zip(center, [w, h])]
    # The tensor grid maps output to input, so the inverse matrix uses -angle.
    matrix = _inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return F_t.rotate(img, matrix, interpolation.value, expand, _tensor_fill(fill, img))


def affine(img, angle: float, translate: list[int], scale: float, shear,
           interpolation=InterpolationMode.NEAREST, fill: list[float] | None = None,
           center: list[int] | None = None):
    """Affine transform keeping the image centre invariant (or center, if given)."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError(f"Argument angle should be int or float, got {type(angle).__name__}")
    if not isinstance(translate, (list, tuple)):
        raise TypeError(f"Argument translate should be a sequence, got {translate!r}")
    if len(translate) != 2:
        raise ValueError(f"Argument translate should be a sequence of length 2, got "
                         f"{translate!r}")
    if scale <= 0.0:
        raise ValueError(f"Argument scale should be positive, got {scale}")
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    if not isinstance(shear, (list, tuple)):
        raise TypeError(f"Shear should be either a single value or a sequence of two values, "
                        f"got {shear!r}")
    if len(shear) not in (1, 2):
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    shear = [float(shear[0]), float(shear[0] if len(shear) == 1 else shear[1])]
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError(f"Argument center should be a sequence, got {type(center).__name__}")
    _, h, w = get_dimensions(img)
    if not _is_tensor(img):
        center_px = [w * 0.5, h * 0.5] if center is None else list(center)
        matrix = _inverse_affine_matrix(center_px, angle, translate, scale, shear)
        return F_pil.affine(img, matrix, _PIL_MODES[interpolation], fill)
    center_f = [0.0, 0.0] if center is None else \
        [c - s * 0.5 for c, s in zip(center, [w, h])]
    matrix = _inverse_affine_matrix(center_f, angle, [float(t) for t in translate], scale, shear)
    return F_t.affine(img, matrix, interpolation.value, _tensor_fill(fill, img))


def _perspective_coeffs(startpoints, endpoints) -> list[float]:
    """The 8 coefficients of the homography taking endpoints back to startpoints."""
    a = np.zeros((8, 8))
    for i, ((sx, sy), (ex, ey)) in enumerate(zip(startpoints, endpoints)):
        a[2 * i] = [ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey]
        a[2 * i + 1] = [0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey]
    b = np.asarray(startpoints, dtype=np.float64).reshape(8)
    return np.linalg.lstsq(a, b, rcond=None)[0].tolist()


def perspective(img, startpoints: list[list[int]], endpoints: list[list[int]],
                interpolation=InterpolationMode.BILINEAR, fill: list[float] | None = None):
    """Warp so that the four startpoints land on the four endpoints."""
    interpolation = _interpolation(interpolation)
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f"Please provide only four corners for startpoints and endpoints, got "
                         f"{len(startpoints)} and {len(endpoints)}")
    coeffs = _perspective_coeffs(startpoints, endpoints)
    if not _is_tensor(img):
        _dispatch(img, "perspective")
        return F_pil.perspective(img, coeffs, _PIL_MODES[interpolation], fill)
    return F_t.perspective(img, coeffs, interpolation.value, _tensor_fill(fill, img))


# ---------------------------------------------------------------------------- colour


def adjust_brightness(img, brightness_factor: float):
    """Multiply by brightness_factor (0: black, 1: unchanged)."""
    return _dispatch(img, "adjust_brightness").adjust_brightness(img, brightness_factor)


def adjust_contrast(img, contrast_factor: float):
    """Blend with the mean grey level (0: flat grey, 1: unchanged)."""
    return _dispatch(img, "adjust_contrast").adjust_contrast(img, contrast_factor)


def adjust_saturation(img, saturation_factor: float):
    """Blend with the greyscale image (0: grey, 1: unchanged)."""
    return _dispatch(img, "adjust_saturation").adjust_saturation(img, saturation_factor)


def adjust_hue(img, hue_factor: float):
    """Shift the hue by hue_factor turns, in [-0.5, 0.5]."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    return _dispatch(img, "adjust_hue").adjust_hue(img, hue_factor)


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """Greyscale with 1 or 3 output channels."""
    if _is_tensor(img):
        return F_t.rgb_to_grayscale(img, num_output_channels)
    return to_grayscale(img, num_output_channels)


def to_grayscale(img, num_output_channels: int = 1):
    """Greyscale of a PIL image (Pillow's 'L' conversion)."""
    if not F_pil._is_pil_image(img):
        raise TypeError(f"Input should be PIL Image. Got {type(img)}")
    return F_pil.to_grayscale(img, num_output_channels)


def gaussian_blur(img, kernel_size, sigma=None):
    """Gaussian blur; kernel_size and sigma are ints/floats or [x, y] pairs."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. Got "
                        f"{type(kernel_size)}")
    ks = [kernel_size, kernel_size] if isinstance(kernel_size, int) else list(kernel_size)
    if len(ks) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got {len(ks)}")
    for k in ks:
        if k % 2 == 0 or k < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got "
                             f"{kernel_size}")
    if sigma is None:
        sig = [k * 0.15 + 0.35 for k in ks]
    elif isinstance(sigma, (int, float)):
        sig = [float(sigma)] * 2
    elif isinstance(sigma, (list, tuple)):
        sig = [float(s) for s in sigma] * (2 if len(sigma) == 1 else 1)
        if len(sig) != 2:
            raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    else:
        raise TypeError(f"sigma should be either float or sequence of floats. Got "
                        f"{type(sigma)}")
    if any(s <= 0.0 for s in sig):
        raise ValueError(f"sigma should have positive values. Got {sigma}")
    if _is_tensor(img):
        return F_t.gaussian_blur(img, ks, sig)
    _dispatch(img, "gaussian_blur")
    out = F_t.gaussian_blur(pil_to_tensor(img), ks, sig)
    return to_pil_image(out, mode=img.mode)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """Replace the box (i, j, h, w) of a tensor image with v."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    return F_t.erase(img, i, j, h, w, v, inplace)


def invert(img):
    """Invert the colours (bound - img)."""
    return _dispatch(img, "invert").invert(img)


def posterize(img, bits: int):
    """Keep the top ``bits`` (0..8) bits of each channel (uint8 images)."""
    if not isinstance(bits, int) or not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    return _dispatch(img, "posterize").posterize(img, bits)


def solarize(img, threshold: float):
    """Invert the pixels whose value is at or above threshold."""
    return _dispatch(img, "solarize").solarize(img, threshold)


def adjust_sharpness(img, sharpness_factor: float):
    """Sharpen (factor > 1) or blur (factor < 1); 1 leaves the image unchanged."""
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    return _dispatch(img, "adjust_sharpness").adjust_sharpness(img, sharpness_factor)


def autocontrast(img):
    """Stretch each channel to the full value range."""
    return _dispatch(img, "autocontrast").autocontrast(img)


def equalize(img):
    """Equalise the histogram of each channel (uint8 images)."""
    return _dispatch(img, "equalize").equalize(img)


def adjust_gamma(img, gamma: float, gain: float = 1.0):
    """Gamma correction: gain * img ** gamma on values scaled to [0, 1]."""
    if gamma < 0:
        raise ValueError(f"Gamma should be a non-negative real number, got {gamma}")
    return _dispatch(img, "adjust_gamma").adjust_gamma(img, gamma, gain)
