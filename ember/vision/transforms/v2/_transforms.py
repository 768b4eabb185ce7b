"""v2-only transforms: the batch transforms MixUp and CutMix, and ToImage / ToDtype."""

from __future__ import annotations

import math
from typing import Any, Callable

import ember

from ...._tensor import Tensor
from .._functional_pil import _is_pil_image
from . import functional

__all__ = ["MixUp", "CutMix", "ToImage", "ToDtype"]


def _default_labels_getter(inputs: Any) -> Tensor:
    """Labels are the second element of a (images, labels) pair, or a dict's 'labels'."""
    if isinstance(inputs, dict):
        for key in inputs:
            if isinstance(key, str) and key.lower() in ("labels", "label"):
                return inputs[key]
        raise ValueError(f"Could not infer where the labels are in the sample: no key 'labels' "
                         f"or 'label' among {list(inputs)}. Pass a labels_getter.")
    if isinstance(inputs, (tuple, list)) and len(inputs) >= 2:
        return inputs[1]
    raise ValueError(f"Could not infer where the labels are in the sample of type "
                     f"{type(inputs).__name__}: pass (images, labels) or a labels_getter.")


class _BaseMixUpCutMix(ember.nn.Module):
    def __init__(self, *, alpha: float = 1.0, num_classes: int | None = None,
                 labels_getter: str | Callable = "default"):
        super().__init__()
        if not alpha > 0:
            raise ValueError(f"Alpha should be greater than 0, got {alpha}")
        if num_classes is not None and num_classes < 1:
            raise ValueError(f"num_classes should be a positive integer, got {num_classes}")
        self.alpha = float(alpha)
        self.num_classes = num_classes
        if labels_getter == "default":
            self._labels_getter = _default_labels_getter
        elif callable(labels_getter):
            self._labels_getter = labels_getter
        else:
            raise ValueError(f"labels_getter should be 'default' or a callable, got "
                             f"{labels_getter!r}")
        self.labels_getter = labels_getter

    def _sample_lam(self) -> float:
        """lambda ~ Beta(alpha, alpha), from ember's default generator."""
        rng = ember.random.default_generator.numpy_generator
        return float(rng.beta(self.alpha, self.alpha))

    def forward(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        name = type(self).__name__
        items = list(sample.values()) if isinstance(sample, dict) else \
            list(sample) if isinstance(sample, (tuple, list)) else [sample]
        if any(_is_pil_image(x) for x in items):
            raise ValueError(f"{name}() does not support PIL images, bounding boxes and masks.")
        labels = self._labels_getter(sample)
        if not isinstance(labels, Tensor):
            raise ValueError(f"The labels must be a tensor, but got {type(labels)} instead.")
        soft = self._soft_labels(labels)
        batch = soft.shape[0]
        images = [x for x in items if isinstance(x, Tensor) and x is not labels]
        if not images:
            raise TypeError(f"{name}(): found no image tensor in the input")
        for img in images:
            if img.dim() != 4:
                raise ValueError(f"Expected a batched input with 4 dims, but got {img.dim()} "
                                 f"dimensions instead (shape {tuple(img.shape)}).")
            if img.shape[0] != batch:
                raise ValueError(f"The batch size of the image or video does not match the "
                                 f"batch size of the labels: {img.shape[0]} != {batch}.")
        mix_image, lam = self._mix_params(images[0])
        mixed = {id(img): mix_image(img) for img in images}
        new_labels = soft.roll(1, 0) * (1.0 - lam) + soft * lam

        def swap(x):
            if x is labels:
                return new_labels
            return mixed.get(id(x), x)

        if isinstance(sample, dict):
            return {k: swap(v) for k, v in sample.items()}
        if isinstance(sample, (tuple, list)):
            return type(sample)(swap(x) for x in sample)
        return swap(sample)

    def _soft_labels(self, labels: Tensor) -> Tensor:
        if labels.dim() == 1:
            if labels.dtype != ember.int64:
                raise RuntimeError(f"one_hot is only applicable to index tensor of type "
                                   f"LongTensor, got labels of dtype {labels.dtype}.")
            if self.num_classes is None:
                raise ValueError("num_classes must be given when the labels are class indices "
                                 "of shape (batch_size,)")
            return ember.nn.functional.one_hot(labels, self.num_classes).float()
        if labels.dim() == 2 and labels.is_floating_point():
            if self.num_classes is not None and labels.shape[1] != self.num_classes:
                raise ValueError(f"labels have {labels.shape[1]} classes but num_classes is "
                                 f"{self.num_classes}")
            return labels
        raise ValueError(f"labels should be index based with shape (batch_size,) but got "
                         f"{tuple(labels.shape)} ({labels.dtype}) instead.")

    def _mix_params(self, image: Tensor):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        getter = self.labels_getter if isinstance(self.labels_getter, str) else \
            getattr(self.labels_getter, "__name__", repr(self.labels_getter))
        return (f"{type(self).__name__}(alpha={self.alpha}, num_classes={self.num_classes}, "
                f"labels_getter={getter})")


class MixUp(_BaseMixUpCutMix):
    """MixUp (Zhang et al., 2017): each image and one-hot label becomes
    lam * x_i + (1 - lam) * x_(i-1), with lam ~ Beta(alpha, alpha) for the whole batch."""

    def _mix_params(self, image: Tensor):
        lam = self._sample_lam()
        return (lambda x: x.roll(1, 0) * (1.0 - lam) + x * lam), lam


class CutMix(_BaseMixUpCutMix):
    """CutMix (Yun et al., 2019): paste a random box from the previous image of the batch;
    labels mix in proportion to the pasted area."""

    def _mix_params(self, image: Tensor):
        lam = self._sample_lam()
        h, w = image.shape[-2:]
        r_x = int(ember.randint(w, size=(1,)).item())
        r_y = int(ember.randint(h, size=(1,)).item())
        r = 0.5 * math.sqrt(1.0 - lam)
        half_w, half_h = int(r * w), int(r * h)
        x1, y1 = max(r_x - half_w, 0), max(r_y - half_h, 0)
        x2, y2 = min(r_x + half_w, w), min(r_y + half_h, h)
        lam_box = float(1.0 - (x2 - x1) * (y2 - y1) / (w * h))

        def paste(x: Tensor) -> Tensor:
            out = x.clone()
            out[..., y1:y2, x1:x2] = x.roll(1, 0)[..., y1:y2, x1:x2]
            return out

        return paste, lam_box


class ToImage(ember.nn.Module):
    """PIL image / HWC ndarray / tensor -> tensor image (C, H, W), values unchanged."""

    def forward(self, img):
        return functional.to_image(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ToDtype(ember.nn.Module):
    """Cast a tensor image to dtype; with scale=True values are rescaled between integer
    ranges and [0, 1] like convert_image_dtype."""

    def __init__(self, dtype, scale: bool = False):
        super().__init__()
        self.dtype = dtype
        self.scale = scale

    def forward(self, img: Tensor) -> Tensor:
        return functional.to_dtype(img, self.dtype, self.scale)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dtype={self.dtype}, scale={self.scale})"
