"""Image operations on ember tensors of shape (..., C, H, W).

The pixel work happens in NumPy on the tensor's data (images are not differentiated
through here); results come back as ember tensors on the input's device. Integer images
keep their dtype like torchvision's: they are computed in float32 and rounded back.
Geometric warps (rotate, affine, perspective) build torchvision's sampling grid and
sample with ``ember.nn.functional.grid_sample`` (bilinear/nearest, zero padding).
"""

from __future__ import annotations

import numpy as np

import ember

from ..._tensor import Tensor

# ---------------------------------------------------------------------------- helpers


def _np(img: Tensor) -> np.ndarray:
    return img.detach().cpu().numpy()


def _wrap(arr: np.ndarray, like: Tensor) -> Tensor:
    out = ember.from_numpy(np.ascontiguousarray(arr))
    return out if like.device.type == "cpu" else out.to(like.device)


def _assert_image_tensor(img) -> None:
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    if img.dim() < 2:
        raise TypeError(f"Tensor is not a torch image: expected at least 2 dims, got "
                        f"{img.dim()} (shape {list(img.shape)})")


def _max_value(dtype: np.dtype) -> float:
    if np.issubdtype(dtype, np.floating):
        return 1.0
    if dtype == np.bool_:
        return 1.0
    return float(np.iinfo(dtype).max)


def _float_work(arr: np.ndarray) -> np.ndarray:
    """The floating array an op computes in: float64 stays, everything else float32."""
    return arr if arr.dtype in (np.float32, np.float64) else arr.astype(np.float32)


def _cast_back(out: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Integer images are rounded (and clamped to their range) before the cast back."""
    if np.issubdtype(dtype, np.floating):
        return out.astype(dtype, copy=False)
    info = np.iinfo(dtype)
    return np.clip(np.rint(out), info.min, info.max).astype(dtype)


def get_dimensions(img: Tensor) -> list[int]:
    """[channels, height, width]; a 2-D tensor has one channel."""
    _assert_image_tensor(img)
    channels = 1 if img.dim() == 2 else int(img.shape[-3])
    return [channels, int(img.shape[-2]), int(img.shape[-1])]


def _assert_channels(img: Tensor, permitted: list[int]) -> None:
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but "
                        f"found {c}")


# ---------------------------------------------------------------------------- dtype


def convert_image_dtype(image: Tensor, dtype=ember.float32) -> Tensor:
    """Convert dtype, rescaling values: floats live in [0, 1], integers in [0, max]."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    dtype = ember.dtypes.to_dtype(dtype)
    if image.dtype == dtype:
        return image
    src, dst = image.dtype.np, dtype.np
    arr = _np(image)
    if image.is_floating_point():
        if dtype.is_floating_point:
            return _wrap(arr.astype(dst), image)
        if (src == np.float32 and dst in (np.int32, np.int64)) or \
                (src == np.float64 and dst == np.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed "
                               f"safely.")
        # 1 - eps keeps 1.0 mapping to max while spreading [0, 1) evenly over the bins.
        eps = 1e-3
        scaled = arr * arr.dtype.type(_max_value(dst) + 1.0 - eps)
        return _wrap(scaled.astype(dst), image)
    in_max = _max_value(src)
    if dtype.is_floating_point:
        return _wrap((arr.astype(dst) / dst.type(in_max)).astype(dst), image)
    out_max = _max_value(dst)
    if in_max > out_max:
        factor = int((in_max + 1) // (out_max + 1))
        return _wrap((arr // factor).astype(dst), image)
    factor = int((out_max + 1) // (in_max + 1))
    return _wrap(arr.astype(dst) * dst.type(factor), image)


# ---------------------------------------------------------------------------- geometry


def hflip(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-1)


def vflip(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-2)


def crop(img: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """Crop; the parts of the box outside the image are zero, like torchvision."""
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        pads = [max(-left, 0), max(-top, 0), max(right - w, 0), max(bottom - h, 0)]
        sub = img[..., max(top, 0):min(bottom, h), max(left, 0):min(right, w)]
        return pad(sub, pads, fill=0)
    return img[..., top:bottom, left:right]


_NP_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
                 "symmetric": "symmetric"}


def pad(img: Tensor, padding: list[int], fill: float = 0,
        padding_mode: str = "constant") -> Tensor:
    """Pad by [left, top, right, bottom] (negative values crop)."""
    _assert_image_tensor(img)
    if not isinstance(fill, (int, float)):
        raise TypeError(f"tensor pad: fill should be a number for tensor images, got "
                        f"{type(fill).__name__} {fill!r}")
    left, top, right, bottom = padding
    if min(padding) < 0:
        _, h, w = get_dimensions(img)
        img = img[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
        left, top, right, bottom = (max(p, 0) for p in padding)
    arr = _np(img)
    widths = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode == "constant":
        out = np.pad(arr, widths, mode="constant", constant_values=np.array(fill).astype(arr.dtype))
    else:
        out = np.pad(arr, widths, mode=_NP_PAD_MODES[padding_mode])
    return _wrap(out, img)


def _resize_taps(n_in: int, n_out: int, mode: str,
                 antialias: bool) -> tuple[np.ndarray, np.ndarray]:
    """Resampling along one axis as taps: output i = sum_k w[i, k] * input[idx[i, k]]
    (half-pixel centres). A banded form: far cheaper than a dense (n_out, n_in) matrix."""
    scale = n_in / n_out
    dst = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        pos = dst.astype(np.float32) + (np.float32(0.5) if mode == "nearest-exact" else 0)
        src = np.minimum(np.floor(pos * np.float32(scale)).astype(np.int64), n_in - 1)
        return src[:, None], np.ones((n_out, 1))
    if antialias:
        # Pillow-style: the filter is stretched by the downscale factor, truncated at the
        # image border and renormalised (this is what antialias=True means in torch).
        support_scale = max(scale, 1.0)
        support = (1.0 if mode == "bilinear" else 2.0) * support_scale
        center = (dst + 0.5) * scale
        lo = np.maximum(np.trunc(center - support + 0.5), 0).astype(np.int64)
        hi = np.minimum(np.trunc(center + support + 0.5), n_in).astype(np.int64)
        idx = lo[:, None] + np.arange(int((hi - lo).max()))
        x = (idx - center[:, None] + 0.5) / support_scale
        w = _triangle(x) if mode == "bilinear" else _cubic(x, -0.5)
        w = np.where(idx < hi[:, None], w, 0.0)
        return np.minimum(idx, n_in - 1), w / w.sum(axis=1, keepdims=True)
    src = (dst + 0.5) * scale - 0.5
    if mode == "bilinear":
        src = np.maximum(src, 0.0)
        i0 = np.floor(src).astype(np.int64)
        frac = src - i0
        return np.stack([i0, np.minimum(i0 + 1, n_in - 1)], 1), np.stack([1.0 - frac, frac], 1)
    i0 = np.floor(src).astype(np.int64)
    frac = src - i0
    idx = np.clip(i0[:, None] + np.arange(-1, 3), 0, n_in - 1)
    return idx, _cubic(frac[:, None] - np.arange(-1, 3), -0.75)


def _resample_axis(x: np.ndarray, axis: int, taps: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    idx, w = taps
    w = w.astype(x.dtype)
    shape = [1] * x.ndim
    shape[axis] = len(idx)
    out = np.take(x, idx[:, 0], axis=axis) * w[:, 0].reshape(shape)
    for k in range(1, idx.shape[1]):
        out += np.take(x, idx[:, k], axis=axis) * w[:, k].reshape(shape)
    return out


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(1.0 - np.abs(x), 0.0)


def _cubic(x: np.ndarray, a: float) -> np.ndarray:
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def resize(img: Tensor, size: list[int], interpolation: str = "bilinear",
           antialias: bool = True) -> Tensor:
    """Resize the last two dims to ``size`` = [h, w]."""
    _assert_image_tensor(img)
    if interpolation not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor "
                         f"input")
    arr = _np(img)
    h, w = arr.shape[-2:]
    oh, ow = size
    work = _float_work(arr)
    # Resample the axis that shrinks most first, so the second pass touches less data.
    first, second = (-2, -1) if oh / h <= ow / w else (-1, -2)
    taps = {-2: _resize_taps(h, oh, interpolation, antialias),
            -1: _resize_taps(w, ow, interpolation, antialias)}
    out = _resample_axis(_resample_axis(work, first, taps[first]), second, taps[second])
    return _wrap(_cast_back(out, arr.dtype), img)


def _apply_grid(img: Tensor, grid: np.ndarray, mode: str, fill) -> Tensor:
    """Sample img at grid; with a fill, a ones channel marks where the source was inside."""
    arr = _np(img)
    plain = arr.ndim == 2  # an (H, W) image is sampled as one channel
    if plain:
        arr = arr[None]
    lead = arr.shape[:-3]
    work = _float_work(arr).reshape((-1,) + arr.shape[-3:])
    n = work.shape[0]
    grid = np.broadcast_to(grid.astype(work.dtype), (n,) + grid.shape[1:]).copy()
    if fill is not None:
        work = np.concatenate([work, np.ones_like(work[:, :1])], axis=1)
    with ember.no_grad():
        out = ember.nn.functional.grid_sample(
            ember.from_numpy(np.ascontiguousarray(work)), ember.from_numpy(grid), mode=mode,
            padding_mode="zeros", align_corners=False).numpy()
    if fill is not None:
        mask = out[:, -1:]
        out = out[:, :-1]
        fill_arr = np.asarray(fill if isinstance(fill, (list, tuple)) else [fill],
                              dtype=out.dtype)
        if fill_arr.size not in (1, out.shape[1]):
            raise ValueError(f"The number of elements in 'fill' cannot broadcast to match the "
                             f"number of channels of the image ({fill_arr.size} != "
                             f"{out.shape[1]})")
        fill_arr = np.broadcast_to(fill_arr, (out.shape[1],))[None, :, None, None]
        if mode == "nearest":
            out = np.where(mask < 0.5, fill_arr, out)
        else:
            out = out * mask + (1.0 - mask) * fill_arr
    out = out.reshape(lead + out.shape[1:])
    return _wrap(_cast_back(out[0] if plain else out, arr.dtype), img)


def _affine_grid(theta: np.ndarray, w: int, h: int, ow: int, oh: int) -> np.ndarray:
    """Normalised sampling grid of an inverse affine map given in centred pixel units."""
    xs = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow)[None, :]
    ys = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh)[:, None]
    gx = (theta[0, 0] * xs + theta[0, 1] * ys + theta[0, 2]) / (0.5 * w)
    gy = (theta[1, 0] * xs + theta[1, 1] * ys + theta[1, 2]) / (0.5 * h)
    return np.stack([gx, gy], axis=-1)[None]


def _check_warp_mode(interpolation: str) -> None:
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor "
                         f"input")


def affine(img: Tensor, matrix: list[float], interpolation: str = "nearest",
           fill=None) -> Tensor:
    """Warp by an inverse affine matrix (6 numbers, centred pixel coordinates)."""
    _assert_image_tensor(img)
    _check_warp_mode(interpolation)
    h, w = img.shape[-2:]
    grid = _affine_grid(np.asarray(matrix, dtype=np.float64).reshape(2, 3), w, h, w, h)
    return _apply_grid(img, grid, interpolation, fill)


def _affine_output_size(matrix: list[float], w: int, h: int) -> tuple[int, int]:
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]])
    new = pts @ np.asarray(matrix, dtype=np.float64).reshape(2, 3).T
    lo = new.min(0) + (w * 0.5, h * 0.5)
    hi = new.max(0) + (w * 0.5, h * 0.5)
    # Truncate to 1e-4 first so that 1e-15 noise does not round a side up by one pixel.
    tol = 1e-4
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def rotate(img: Tensor, matrix: list[float], interpolation: str = "nearest",
           expand: bool = False, fill=None) -> Tensor:
    """Rotate given the inverse matrix; ``expand`` grows the canvas to hold the result."""
    _assert_image_tensor(img)
    _check_warp_mode(interpolation)
    h, w = img.shape[-2:]
    ow, oh = _affine_output_size(matrix, w, h) if expand else (w, h)
    grid = _affine_grid(np.asarray(matrix, dtype=np.float64).reshape(2, 3), w, h, ow, oh)
    return _apply_grid(img, grid, interpolation, fill)


def perspective(img: Tensor, coeffs: list[float], interpolation: str = "bilinear",
                fill=None) -> Tensor:
    """Warp by the 8 perspective coefficients mapping output to input pixels."""
    _assert_image_tensor(img)
    _check_warp_mode(interpolation)
    h, w = img.shape[-2:]
    a, b, c, d, e, f, g, k = coeffs
    xs = np.arange(w) + 0.5
    ys = (np.arange(h) + 0.5)[:, None]
    den = g * xs + k * ys + 1.0
    gx = (a * xs + b * ys + c) / den / (0.5 * w) - 1.0
    gy = (d * xs + e * ys + f) / den / (0.5 * h) - 1.0
    grid = np.stack([np.broadcast_to(gx, (h, w)), np.broadcast_to(gy, (h, w))], -1)[None]
    return _apply_grid(img, grid, interpolation, fill)


# ---------------------------------------------------------------------------- colour


def _bound(dtype: np.dtype) -> float:
    return 1.0 if np.issubdtype(dtype, np.floating) else 255.0


def _blend(arr: np.ndarray, other, ratio: float) -> np.ndarray:
    work = _float_work(arr)
    out = np.clip(ratio * work + (1.0 - ratio) * other, 0, _bound(arr.dtype))
    return out.astype(arr.dtype)  # torchvision truncates here (no rounding)


def _gray(work: np.ndarray) -> np.ndarray:
    r, g, b = work[..., 0, :, :], work[..., 1, :, :], work[..., 2, :, :]
    return (0.2989 * r + 0.587 * g + 0.114 * b)[..., None, :, :]


def rgb_to_grayscale(img: Tensor, num_output_channels: int = 1) -> Tensor:
    """ITU-R 601-2 luma (0.2989 R + 0.587 G + 0.114 B), like torchvision's tensor path."""
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    arr = _np(img)
    gray = arr if arr.shape[-3] == 1 else _gray(_float_work(arr)).astype(arr.dtype)
    if num_output_channels == 3:
        gray = np.repeat(gray, 3, axis=-3)
    return _wrap(gray, img)


def adjust_brightness(img: Tensor, brightness_factor: float) -> Tensor:
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _wrap(_blend(_np(img), 0.0, brightness_factor), img)


def adjust_contrast(img: Tensor, contrast_factor: float) -> Tensor:
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    arr = _np(img)
    work = _float_work(arr)
    gray = _gray(work).astype(arr.dtype).astype(work.dtype) if arr.shape[-3] == 3 else work
    mean = gray.mean(axis=(-3, -2, -1), keepdims=True, dtype=work.dtype)
    return _wrap(_blend(arr, mean, contrast_factor), img)


def adjust_saturation(img: Tensor, saturation_factor: float) -> Tensor:
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    arr = _np(img)
    gray = _gray(_float_work(arr)).astype(arr.dtype)
    return _wrap(_blend(arr, gray, saturation_factor), img)


def _rgb2hsv(x: np.ndarray) -> np.ndarray:
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = x.max(axis=-3), x.min(axis=-3)
    eq = maxc == minc
    cr = maxc - minc
    s = cr / np.where(eq, 1.0, maxc)
    div = np.where(eq, 1.0, cr)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    h = np.where(maxc == r, bc - gc,
                 np.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    h = np.fmod(h / 6.0 + 1.0, 1.0)
    return np.stack([h, s, maxc], axis=-3).astype(x.dtype)


def _hsv2rgb(x: np.ndarray) -> np.ndarray:
    # Closed form of the six-sector HSV->RGB map: channel n (R=5, G=3, B=1) is
    # v - v*s*clip(min(k, 4 - k), 0, 1) with k = (n + 6h) mod 6.
    h, s, v = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    out = []
    for n in (5.0, 3.0, 1.0):
        k = np.mod(n + h * 6.0, 6.0)
        out.append(v - v * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0))
    return np.clip(np.stack(out, axis=-3), 0.0, 1.0).astype(x.dtype)


def adjust_hue(img: Tensor, hue_factor: float) -> Tensor:
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    work = img if img.is_floating_point() else convert_image_dtype(img, ember.float32)
    hsv = _rgb2hsv(_np(work))
    hsv[..., 0, :, :] = np.fmod(hsv[..., 0, :, :] + hue_factor, 1.0)
    hsv[..., 0, :, :] += hsv[..., 0, :, :] < 0  # Python-style modulo
    out = _wrap(_hsv2rgb(hsv), img)
    return out if img.is_floating_point() else convert_image_dtype(out, img.dtype)


def gaussian_kernel1d(kernel_size: int, sigma: float) -> np.ndarray:
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, kernel_size)
    pdf = np.exp(-0.5 * (x / sigma) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(img: Tensor, kernel_size: list[int], sigma: list[float]) -> Tensor:
    """Separable Gaussian blur with reflect padding (kernel_size and sigma are [x, y])."""
    _assert_image_tensor(img)
    arr = _np(img)
    work = _float_work(arr)
    kx = gaussian_kernel1d(kernel_size[0], sigma[0]).astype(work.dtype)
    ky = gaussian_kernel1d(kernel_size[1], sigma[1]).astype(work.dtype)
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    h, w = work.shape[-2:]
    if px >= w or py >= h:
        raise RuntimeError(f"gaussian_blur: reflect padding ({py}, {px}) must be smaller than "
                           f"the image size ({h}, {w})")
    padded = np.pad(work, [(0, 0)] * (work.ndim - 2) + [(py, py), (px, px)], mode="reflect")
    rows = sum(ky[i] * padded[..., i:i + h, :] for i in range(len(ky)))
    out = sum(kx[j] * rows[..., :, j:j + w] for j in range(len(kx)))
    return _wrap(_cast_back(out, arr.dtype), img)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """Set img[..., i:i+h, j:j+w] = v."""
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img



# ---------------------------------------------------------------------------- tone


def _assert_uint8(img: Tensor, name: str) -> None:
    if img.dtype != ember.uint8:
        raise TypeError(f"{name}: only torch.uint8 image tensors are supported, but found "
                        f"{img.dtype}")


def invert(img: Tensor) -> Tensor:
    """bound - img (bound: 1 for floats, the dtype's max for integers)."""
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    arr = _np(img)
    return _wrap((arr.dtype.type(_max_value(arr.dtype)) - arr).astype(arr.dtype), img)


def posterize(img: Tensor, bits: int) -> Tensor:
    """Keep the top ``bits`` bits of each uint8 value."""
    _assert_image_tensor(img)
    _assert_uint8(img, "posterize")
    _assert_channels(img, [1, 3])
    mask = np.uint8((0xFF << (8 - bits)) & 0xFF)
    return _wrap(_np(img) & mask, img)


def solarize(img: Tensor, threshold: float) -> Tensor:
    """Invert the values at or above threshold."""
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    arr = _np(img)
    if threshold > _max_value(arr.dtype):
        raise TypeError(f"Threshold should be less than bound of img: got {threshold} for "
                        f"{img.dtype}")
    inverted = (arr.dtype.type(_max_value(arr.dtype)) - arr).astype(arr.dtype)
    return _wrap(np.where(arr >= threshold, inverted, arr), img)


def adjust_sharpness(img: Tensor, sharpness_factor: float) -> Tensor:
    """Blend with a smoothed copy (3x3 kernel [1 1 1; 1 5 1; 1 1 1] / 13, border kept)."""
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    arr = _np(img)
    h, w = arr.shape[-2:]
    if h <= 2 or w <= 2:
        return img
    work = _float_work(arr)
    kernel = np.ones((3, 3), dtype=work.dtype)
    kernel[1, 1] = 5.0
    kernel /= kernel.sum()
    smooth = sum(kernel[i, j] * work[..., i:i + h - 2, j:j + w - 2]
                 for i in range(3) for j in range(3))
    degenerate = arr.copy()
    degenerate[..., 1:-1, 1:-1] = _cast_back(smooth, arr.dtype)
    return _wrap(_blend(arr, degenerate.astype(work.dtype), sharpness_factor), img)


def autocontrast(img: Tensor) -> Tensor:
    """Stretch each channel so that its min maps to 0 and its max to the bound."""
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    arr = _np(img)
    work = _float_work(arr)
    bound = _bound(arr.dtype)
    lo = work.min(axis=(-2, -1), keepdims=True)
    hi = work.max(axis=(-2, -1), keepdims=True)
    flat = hi == lo  # constant channels are left unchanged
    scale = bound / np.where(flat, 1.0, hi - lo)
    scale = np.where(flat, 1.0, scale).astype(work.dtype)
    lo = np.where(flat, 0.0, lo).astype(work.dtype)
    return _wrap(np.clip((work - lo) * scale, 0, bound).astype(arr.dtype), img)


def _equalize_channel(chan: np.ndarray) -> np.ndarray:
    hist = np.bincount(chan.ravel(), minlength=256)
    nonzero = hist[hist != 0]
    step = int(nonzero[:-1].sum()) // 255
    if step == 0:
        return chan
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255).astype(np.uint8)
    return lut[chan]


def equalize(img: Tensor) -> Tensor:
    """Histogram equalisation of each uint8 channel (Pillow's algorithm)."""
    _assert_image_tensor(img)
    _assert_uint8(img, "equalize")
    _assert_channels(img, [1, 3])
    arr = _np(img)
    flat = arr.reshape((-1,) + arr.shape[-2:])
    out = np.stack([_equalize_channel(c) for c in flat]).reshape(arr.shape)
    return _wrap(out, img)


def adjust_gamma(img: Tensor, gamma: float, gain: float = 1.0) -> Tensor:
    """gain * img ** gamma on [0, 1] values."""
    if gamma < 0:
        raise ValueError(f"Gamma should be a non-negative real number, got {gamma}")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    work = img if img.is_floating_point() else convert_image_dtype(img, ember.float32)
    arr = _np(work)
    out = _wrap(np.clip(gain * arr ** arr.dtype.type(gamma), 0, 1).astype(arr.dtype), img)
    return out if img.is_floating_point() else convert_image_dtype(out, img.dtype)
