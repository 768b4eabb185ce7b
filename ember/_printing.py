"""torch-style tensor printing: ``tensor([[1., 2.]], requires_grad=True)``."""

from __future__ import annotations

import numpy as np

from . import dtypes as _dt


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


OPTIONS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Set how tensors print (torch.set_printoptions)."""
    if profile == "default":
        OPTIONS.precision, OPTIONS.threshold, OPTIONS.edgeitems, OPTIONS.linewidth = 4, 1000, 3, 80
    elif profile == "short":
        OPTIONS.precision, OPTIONS.threshold, OPTIONS.edgeitems, OPTIONS.linewidth = 2, 1000, 2, 80
    elif profile == "full":
        OPTIONS.precision, OPTIONS.threshold, OPTIONS.edgeitems, OPTIONS.linewidth = \
            4, float("inf"), 3, 80
    for name, v in (("precision", precision), ("threshold", threshold),
                    ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if v is not None:
            setattr(OPTIONS, name, v)
    OPTIONS.sci_mode = sci_mode


def _body(arr: np.ndarray) -> str:
    if arr.dtype == _dt.bfloat16.np or arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    return np.array2string(arr, separator=", ", precision=OPTIONS.precision,
                           threshold=OPTIONS.threshold, edgeitems=OPTIONS.edgeitems,
                           max_line_width=OPTIONS.linewidth, prefix="tensor(")


def tensor_repr(t) -> str:
    arr = t.__array__()
    body = _body(arr)
    suffix = []
    if t.device.type != "cpu":
        suffix.append(f"device='{t.device}'")
    d = t.dtype
    default_dtypes = (_dt.get_default_dtype(), _dt.int64, _dt.bool)
    if d not in default_dtypes or arr.size == 0:
        suffix.append(f"dtype={d}")
    if t.grad_fn is not None:
        suffix.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    if arr.size == 0 and arr.ndim != 1:
        suffix.insert(0, f"size={tuple(arr.shape)}")
    return "tensor(" + body + "".join(", " + s for s in suffix) + ")"
