"""torch-style tensor printing: ``tensor([[1., 2.]], requires_grad=True)``.

The layout rules follow torch's documented/observed output: one common width per tensor,
``precision`` digits after the point, integral floats printed as ``1.``, scientific
notation when the magnitudes span more than 1e3 or leave [1e-4, 1e8], summarization with
``...`` above ``threshold`` elements, and lines wrapped at ``linewidth``.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from . import dtypes as _dt


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


OPTIONS = _PrintOptions()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Set how tensors print (torch.set_printoptions)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"unknown profile {profile!r}; use 'default', 'short' or 'full'")
        (OPTIONS.precision, OPTIONS.threshold, OPTIONS.edgeitems,
         OPTIONS.linewidth) = _PROFILES[profile]
    for name, v in (("precision", precision), ("threshold", threshold),
                    ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if v is not None:
            setattr(OPTIONS, name, v)
    OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current print options as a dict."""
    return {"precision": OPTIONS.precision, "threshold": OPTIONS.threshold,
            "edgeitems": OPTIONS.edgeitems, "linewidth": OPTIONS.linewidth,
            "sci_mode": OPTIONS.sci_mode}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Formats every element of one (possibly summarized) array to a common width."""

    def __init__(self, arr: np.ndarray):
        self.floating = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        p = OPTIONS.precision
        if not self.floating:
            for v in arr.ravel().tolist():
                self.width = max(self.width, len(str(v)))
            return
        vals = arr.astype(np.float64).ravel()
        finite = vals[np.isfinite(vals) & (vals != 0)]
        if finite.size:
            absv = np.abs(finite)
            lo, hi = float(absv.min()), float(absv.max())
            self.int_mode = bool(np.all(np.ceil(finite) == finite))
            items = finite.tolist()
            if self.int_mode:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
            else:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
            if OPTIONS.sci_mode is not None:
                self.sci_mode = bool(OPTIONS.sci_mode)
            if self.sci_mode:
                self.width = max(len(f"{v:.{p}e}") for v in items)
            elif self.int_mode:
                self.width = max(len(f"{v:.0f}") + 1 for v in items)
            else:
                self.width = max(len(f"{v:.{p}f}") for v in items)

    def format(self, value) -> str:
        p = OPTIONS.precision
        if self.floating:
            value = float(value)
            if self.sci_mode:
                s = f"{value:{self.width}.{p}e}"
            elif self.int_mode:
                s = f"{value:.0f}"
                if math.isfinite(value):
                    s += "."
            else:
                s = f"{value:.{p}f}"
        else:
            s = str(value)
        return " " * (self.width - len(s)) + s


def _summarize(arr: np.ndarray, edge: int) -> np.ndarray:
    """Only the leading and trailing ``edge`` items of every dimension."""
    for axis, n in enumerate(arr.shape):
        if n > 2 * edge:
            idx = np.r_[0:edge, n - edge:n]
            arr = np.take(arr, idx, axis=axis)
    return arr


def _element_formatter(arr: np.ndarray, summarize: bool):
    src = _summarize(arr, OPTIONS.edgeitems) if summarize else arr
    if arr.dtype.kind == "c":
        f1, f2 = _Formatter(src.real), _Formatter(src.imag)

        def fmt(v):
            re = f1.format(v.real)
            im = (f2.format(v.imag) + "j").lstrip()
            return re + im if im[0] in "+-" else re + "+" + im
        return fmt, f1.width + f2.width + 3
    f = _Formatter(src)
    return f.format, f.width + 2


def _vector(arr, indent, summarize, fmt, elem_len) -> str:
    per_line = max(1, int(math.floor((OPTIONS.linewidth - indent) / elem_len)))
    edge = OPTIONS.edgeitems
    if summarize and arr.shape[0] > 2 * edge:
        items = ([fmt(v) for v in arr[:edge]] + [" ..."]
                 + [fmt(v) for v in arr[arr.shape[0] - edge:]])
    else:
        items = [fmt(v) for v in arr]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(arr, indent, summarize, fmt, elem_len) -> str:
    if arr.ndim == 0:
        return fmt(arr[()])
    if arr.ndim == 1:
        return _vector(arr, indent, summarize, fmt, elem_len)
    edge = OPTIONS.edgeitems
    n = arr.shape[0]
    if summarize and n > 2 * edge:
        parts = ([_nested(arr[i], indent + 1, summarize, fmt, elem_len) for i in range(edge)]
                 + ["..."]
                 + [_nested(arr[i], indent + 1, summarize, fmt, elem_len)
                    for i in range(n - edge, n)])
    else:
        parts = [_nested(arr[i], indent + 1, summarize, fmt, elem_len) for i in range(n)]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def array_str(arr: np.ndarray, indent: int) -> str:
    """The bracketed body of a non-empty array as torch lays it out."""
    if arr.dtype == _dt.bfloat16.np or arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    summarize = arr.size > OPTIONS.threshold
    fmt, elem_len = _element_formatter(arr, summarize)
    return _nested(arr, indent, summarize, fmt, elem_len)


def _add_suffixes(text: str, suffixes, indent: int) -> str:
    out = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > OPTIONS.linewidth:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    out.append(")")
    return "".join(out)


def tensor_repr(t, tensor_contents=None) -> str:
    """The torch-style repr of tensor ``t`` with its suffixes (a subclass prints its class
    name instead of ``tensor``, as in torch; nn.Parameter keeps ``tensor``)."""
    cls = type(t)
    name = cls.__name__
    prefix = "tensor(" if name in ("Tensor", "Parameter", "Buffer") else name + "("
    indent = len(prefix)
    arr = t.__array__()
    d = t.dtype
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    default = _dt.get_default_dtype()
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if d is not default:
            suffixes.append(f"dtype={d}")
        body = "[]"
    else:
        if d not in (default, _dt.default_complex(), _dt.int64, _dt.bool):
            suffixes.append(f"dtype={d}")
        body = array_str(arr, indent) if tensor_contents is None else tensor_contents
    grad_fn = t.grad_fn
    if grad_fn is not None:
        name = grad_fn.name() if hasattr(grad_fn, "name") else type(grad_fn).__name__
        suffixes.append(f"grad_fn=<{name}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
