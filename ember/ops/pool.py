"""Pooling: max/avg/adaptive/lp pooling and max_unpool.

Max pooling (fixed and adaptive windows) gathers every window through per-dim position
tables in one indexing step, takes the argmax, and scatters gradients back through the
flat indices -- an ember scatter_add, so double backward is automatic. Average pooling
is a depthwise convolution with a ones kernel divided by the per-window count; adaptive
average pooling is one averaging matrix per spatial dim.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .._tensor import Tensor
from ..backend import numpy_backend as nb
from ._common import Op, shape_str, xp_of
from .conv import _apply_matrices, _Conv, _ntuple

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "max_unpool1d",
           "max_unpool2d", "max_unpool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "lp_pool1d", "lp_pool2d", "lp_pool3d", "adaptive_max_pool3d_with_indices",
           "fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]


def _batched(op: str, input, nd: int):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dim() == nd + 1:
        x = input.unsqueeze(0)
        unb = True
    elif input.dim() == nd + 2:
        x, unb = input, False
    else:
        raise RuntimeError(f"{op}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor for input,"
                           f" but got input of size: {shape_str(input.shape)}")
    if any(n == 0 for n in x.shape[1:]):
        raise RuntimeError(f"{op}: Expected input's non-batch dimensions to have positive "
                           f"length, but input has a shape of {shape_str(input.shape)}")
    return x, unb


def _pool_out(n, k, s, p, d, ceil_mode):
    num = n + 2 * p - d * (k - 1) - 1
    o = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def _too_small(x, out):
    return RuntimeError(f"Given input size: ({'x'.join(map(str, x.shape[1:]))}). Calculated "
                        f"output size: ({'x'.join(map(str, (x.shape[1],) + tuple(out)))}). "
                        "Output size is too small")


class _MaxGather(Op):
    """(values, flat indices) of the max over windows given by per-dim position tables
    ``tabs[j]`` (out_j, L_j) (entries outside [0, n_j) are padding and never win)."""

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, tabs):
        xp = xp_of(x)
        n, c = x.shape[:2]
        sp = x.shape[2:]
        nd = len(sp)
        ctx.in_shape = x.shape
        lo = [max(0, -int(t.min())) for t in tabs]
        hi = [max(0, int(t.max()) - (m - 1)) for t, m in zip(tabs, sp)]
        if any(lo) or any(hi):
            fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
            xpad = xp.full((n, c) + tuple(m + a + b for m, a, b in zip(sp, lo, hi)), fill,
                           dtype=x.dtype)
            xpad[(slice(None), slice(None)) + tuple(slice(a, a + m) for a, m in zip(lo, sp))] = x
        else:
            xpad = x
        idx = []
        for j, t in enumerate(tabs):
            shape = [1] * (2 * nd)
            shape[2 * j], shape[2 * j + 1] = t.shape
            idx.append(xp.asarray(t + lo[j]).reshape(shape))
        win = xpad[(slice(None), slice(None)) + tuple(idx)]  # N, C, o0, L0, o1, L1, ...
        perm = (0, 1) + tuple(2 + 2 * j for j in range(nd)) + tuple(3 + 2 * j for j in range(nd))
        win = win.transpose(perm)
        outs = win.shape[2:2 + nd]
        win = win.reshape(win.shape[:2 + nd] + (-1,))
        am = win.argmax(axis=-1)
        vals = xp.take_along_axis(win, am[..., None], axis=-1)[..., 0]
        # flat input index of every window slot, then of the winners
        flat = 0
        strides = [math.prod(sp[j + 1:]) for j in range(nd)]
        for j, t in enumerate(tabs):
            shape = [1] * (2 * nd)
            shape[j], shape[nd + j] = t.shape
            flat = flat + xp.asarray(t).reshape(shape) * strides[j]
        flat = xp.broadcast_to(flat, outs + flat.shape[nd:]).reshape(outs + (-1,))
        ind = xp.take_along_axis(xp.broadcast_to(flat, (n, c) + flat.shape),
                                 am[..., None], axis=-1)[..., 0]
        ind = ind.astype(np.int64)
        ctx.mark_non_differentiable(ind)
        ctx.save_for_backward(ind)
        return vals, ind

    @staticmethod
    def backward(ctx, g, _gi):
        (ind,) = ctx.saved_tensors
        return _scatter_back(g, ind, ctx.in_shape), None


class _MaxWindows(Op):
    """(values, flat indices) of the max over fixed strided windows: one running
    compare-and-select per kernel offset over a strided view (no window copy)."""

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, k, s, p, d, out):
        xp = xp_of(x)
        n, c = x.shape[:2]
        sp = x.shape[2:]
        ctx.in_shape = x.shape
        pad = tuple((pp, max(0, (o - 1) * ss + dd * (kk - 1) + 1 - m - pp))
                    for m, kk, ss, pp, dd, o in zip(sp, k, s, p, d, out))
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xpad = nb.pad_array(xp, x, pad, fill)
        win = nb.windows(xp, xpad, k, s, d, out)  # N, C, *out, *k (a view)
        offsets = list(itertools.product(*(range(kk) for kk in k)))
        cur = win[(Ellipsis,) + offsets[0]].copy()
        best = xp.zeros(cur.shape, dtype=np.int32)
        has_nan = x.dtype.kind == "f" and bool(xp.isnan(x).any())
        m = xp.empty(cur.shape, dtype=bool)
        for j, off in enumerate(offsets[1:], 1):
            v = win[(Ellipsis,) + off]  # a strided view: the ufuncs read it without a copy
            xp.greater(v, cur, out=m)
            if has_nan:  # the first NaN wins and stays (maximum propagates it)
                m |= (v != v) & (cur == cur)
            xp.maximum(cur, v, out=cur)
            xp.copyto(best, np.int32(j), where=m)
        ctx.overlap = any(ss < dd * (kk - 1) + 1 for kk, ss, dd in zip(k, s, d))
        # flat input index of the winner: per dim, o*s - p + koff*d
        flat = 0
        rest = best
        for j in reversed(range(len(k))):
            koff = rest % k[j]
            rest = rest // k[j]
            shape = [1] * len(k)
            shape[j] = out[j]
            pos = xp.arange(out[j]).reshape(shape) * s[j] - p[j] + koff * d[j]
            flat = flat + pos * math.prod(sp[j + 1:])
        ind = xp.ascontiguousarray(xp.broadcast_to(flat, cur.shape)).astype(np.int64)
        ctx.mark_non_differentiable(ind)
        ctx.save_for_backward(ind)
        return cur, ind

    @staticmethod
    def backward(ctx, g, _gi):
        (ind,) = ctx.saved_tensors
        return (_MaxPoolGrad.apply(g, ind, ctx.in_shape, ctx.overlap),
                None, None, None, None, None)


class _MaxPoolGrad(Op):
    """Max pooling's gradient: ``g`` routed to the winners' input positions. Disjoint
    windows (the usual stride == kernel) have distinct winners, so one indexed store does
    it; overlapping windows add up with one ``bincount``. Its own backward is a gather."""

    node_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, g, ind, in_shape, overlap):
        xp = xp_of(g)
        n, c = in_shape[:2]
        size = math.prod(in_shape[2:])
        gf, idx = g.reshape(n, c, -1), ind.reshape(n, c, -1)
        if overlap:
            flat = idx + (xp.arange(n * c) * size).reshape(n, c, 1)
            z = xp.bincount(flat.ravel(), weights=gf.ravel(), minlength=n * c * size)
            z = z.astype(g.dtype, copy=False)
        else:
            z = xp.zeros((n, c, size), dtype=g.dtype)
            z[xp.arange(n)[:, None, None], xp.arange(c)[None, :, None], idx] = gf
        ctx.save_for_backward(ind)
        ctx.g_shape = g.shape
        return z.reshape(in_shape)

    @staticmethod
    def backward(ctx, gg):
        (ind,) = ctx.saved_tensors
        n, c = gg.shape[:2]
        picked = gg.reshape(n, c, -1).gather(2, ind.reshape(n, c, -1))
        return picked.reshape(ctx.g_shape), None, None, None


def _scatter_back(g: Tensor, ind: Tensor, in_shape) -> Tensor:
    n, c = in_shape[:2]
    z = g.new_zeros((n, c, math.prod(in_shape[2:])))
    return z.scatter_add(2, ind.reshape(n, c, -1), g.reshape(n, c, -1)).reshape(in_shape)


def _max_pool(op, nd, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    x, unb = _batched(op, input, nd)
    k = _ntuple(kernel_size, nd, "kernel_size")
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else \
        _ntuple(stride, nd, "stride")
    p = _ntuple(padding, nd, "padding")
    d = _ntuple(dilation, nd, "dilation")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{op}: kernel_size must be greater than zero, but got {list(k)}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{op}: stride must be greater than zero, but got {list(s)}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{op}: dilation must be greater than zero, but got {list(d)}")
    for kk, pp, dd in zip(k, p, d):
        if pp < 0 or pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pp}, kernel_size={kk} and dilation={dd}")
    sp = x.shape[2:]
    out = [_pool_out(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in zip(sp, k, s, p, d)]
    if any(o <= 0 for o in out):
        raise _too_small(x, out)
    vals, ind = _MaxWindows.apply(x, k, s, p, d, tuple(out))
    if unb:
        vals, ind = vals.squeeze(0), ind.squeeze(0)
    return (vals, ind) if return_indices else vals


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, L)."""
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, H, W)."""
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, D, H, W)."""
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _adaptive_bounds(n: int, o: int):
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


def _adaptive_sizes(op, output_size, x, nd):
    osz = output_size if isinstance(output_size, (list, tuple)) else (output_size,) * nd
    if len(osz) != nd:
        raise ValueError(f"{op}: output_size must be {nd} dimensional")
    return tuple(n if o is None else int(o) for o, n in zip(osz, x.shape[2:]))


def _adaptive_max(op, nd, input, output_size, return_indices):
    x, unb = _batched(op, input, nd)
    out = _adaptive_sizes(op, output_size, x, nd)
    if any(o < 0 for o in out):
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 "
                           f"but received {list(out)}")
    tabs = []
    for n, o in zip(x.shape[2:], out):
        st, en = _adaptive_bounds(n, o)
        L = int((en - st).max()) if o else 1
        tabs.append(np.minimum(st[:, None] + np.arange(L)[None, :], en[:, None] - 1))
    vals, ind = _MaxGather.apply(x, tabs)
    if unb:
        vals, ind = vals.squeeze(0), ind.squeeze(0)
    return (vals, ind) if return_indices else vals


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over L split into ``output_size`` nearly equal windows."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over (H, W) split into ``output_size`` nearly equal windows."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over (D, H, W) split into ``output_size`` nearly equal windows."""
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, True)


def _avg_matrix(n: int, o: int) -> np.ndarray:
    st, en = _adaptive_bounds(n, o)
    cols = np.arange(n)[None, :]
    m = (cols >= st[:, None]) & (cols < en[:, None])
    return m / (en - st)[:, None]


def _adaptive_avg(op, nd, input, output_size):
    x, unb = _batched(op, input, nd)
    out = _adaptive_sizes(op, output_size, x, nd)
    sp = tuple(x.shape[2:])
    if all(o > 0 and n % o == 0 for n, o in zip(sp, out)):
        # even windows (incl. global pooling): a reshape and one mean
        shape = tuple(x.shape[:2]) + tuple(v for n, o in zip(sp, out) for v in (o, n // o))
        y = x.reshape(shape).mean(dim=[3 + 2 * j for j in range(nd)])
    else:
        y = _apply_matrices(x, [_avg_matrix(n, o) for n, o in zip(sp, out)])
    return y.squeeze(0) if unb else y


def adaptive_avg_pool1d(input, output_size):
    """Mean over L split into ``output_size`` nearly equal windows."""
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Mean over (H, W) split into ``output_size`` nearly equal windows."""
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Mean over (D, H, W) split into ``output_size`` nearly equal windows."""
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


def _avg_pool(op, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    from .creation import tensor as _tensor
    x, unb = _batched(op, input, nd)
    k = _ntuple(kernel_size, nd, "kernel_size")
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else \
        _ntuple(stride, nd, "stride")
    p = _ntuple(padding, nd, "padding")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{op}: stride must be greater than zero, but got {list(s)}")
    for kk, pp in zip(k, p):
        if pp < 0 or pp > kk // 2:
            raise RuntimeError(f"pad should be at most half of kernel size, but got pad={pp} "
                               f"and kernel_size={kk}")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    sp = x.shape[2:]
    out = [_pool_out(n, kk, ss, pp, 1, ceil_mode) for n, kk, ss, pp in zip(sp, k, s, p)]
    if any(o <= 0 for o in out):
        raise _too_small(x, out)
    if x.dtype.category < 2:
        raise RuntimeError(f"\"{op}\" not implemented for '{x.dtype}'")
    pads = tuple((pp, max(pp, (o - 1) * ss + kk - n - pp))
                 for n, kk, ss, pp, o in zip(sp, k, s, p, out))
    c = x.shape[1]
    ones = x.new_ones((c, 1) + k)
    summed = _Conv.apply(x, ones, None, (s, pads, (1,) * nd, c))
    if divisor_override is not None:
        y = summed / divisor_override
    else:
        div = 1.0
        for j, (n, kk, ss, pp, o) in enumerate(zip(sp, k, s, p, out)):
            start = np.arange(o) * ss - pp
            end = np.minimum(start + kk, n + pp)
            cnt = (end - start) if count_include_pad else \
                (np.minimum(end, n) - np.maximum(start, 0))
            shape = [1] * nd
            shape[j] = o
            div = div * cnt.reshape(shape)
        y = summed / _tensor(np.asarray(div, dtype=np.float64), dtype=x.dtype, device=x.device)
    return y.squeeze(0) if unb else y


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over sliding windows of (N, C, L)."""
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of (N, C, H, W)."""
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of (N, C, D, H, W)."""
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    k = _ntuple(kernel_size, nd, "kernel_size")
    fn = (avg_pool1d, avg_pool2d, avg_pool3d)[nd - 1]
    p = float(norm_type)
    out = fn(input.pow(p), k, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(math.prod(k)).pow(1.0 / p)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum x^p over the window)^(1/p)."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum x^p over the window)^(1/p)."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum x^p over the window)^(1/p)."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


def _max_unpool(op, nd, input, indices, kernel_size, stride, padding, output_size):
    k = _ntuple(kernel_size, nd, "kernel_size")
    s = k if stride is None else _ntuple(stride, nd, "stride")
    p = _ntuple(padding, nd, "padding")
    unb = input.dim() == nd + 1
    x = input.unsqueeze(0) if unb else input
    ind = indices.unsqueeze(0) if unb else indices
    default = [(n - 1) * ss + kk - 2 * pp for n, ss, kk, pp in zip(x.shape[2:], s, k, p)]
    if output_size is None:
        out = default
    else:
        out = list(output_size)[-nd:]
        for o, dflt, ss in zip(out, default, s):
            if not (dflt - ss < o < dflt + ss):
                raise ValueError(f"invalid output_size \"{list(output_size)}\" (dim {o} must be "
                                 f"between {dflt - ss} and {dflt + ss})")
    if tuple(ind.shape) != tuple(x.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({shape_str(x.shape)}) but got indices tensor with shape: "
                           f"{shape_str(ind.shape)}")
    n, c = x.shape[:2]
    total = math.prod(out)
    if ind.numel() and (int(ind.max()) >= total or int(ind.min()) < 0):
        raise RuntimeError(f"Found an invalid max index: {int(ind.max())} (output volumes are of "
                           f"size {'x'.join(map(str, out))}")
    z = x.new_zeros((n, c, total))
    y = z.scatter(2, ind.reshape(n, c, -1), x.reshape(n, c, -1)).reshape((n, c) + tuple(out))
    return y.squeeze(0) if unb else y


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Place values at their max_pool1d indices; zeros elsewhere."""
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Place values at their max_pool2d indices; zeros elsewhere."""
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Place values at their max_pool3d indices; zeros elsewhere."""
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding,
                       output_size)


# ----- fractional max pooling ----------------------------------------------------------------

def _fractional_starts(u: np.ndarray, n: int, o: int, k: int) -> np.ndarray:
    """Window starts (..., o) for samples ``u`` (...) in [0, 1): pseudo-random steps of
    size floor/ceil((n - k) / (o - 1)), the last window flush with the end. Computed in
    the samples' dtype, as torch does, so float32 rounding matches too."""
    starts = np.empty(u.shape + (o,), dtype=np.int64)
    if o > 1:
        alpha = u.dtype.type(n - k) / u.dtype.type(o - 1)
        i = np.arange(o - 1, dtype=u.dtype)
        uu = u[..., None]
        starts[..., :-1] = ((i + uu) * alpha).astype(np.int64) - (uu * alpha).astype(np.int64)
    if o > 0:
        starts[..., -1] = n - k
    return starts


class _FractionalMax(Op):
    """(values, flat indices) of the max over per-plane windows of size ``k`` starting at
    ``starts[j]`` (N, C, out_j) along each spatial dim j."""

    node_name = "FractionalMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, starts, k):
        xp = xp_of(x)
        n, c = x.shape[:2]
        sp = x.shape[2:]
        nd = len(sp)
        ctx.in_shape = x.shape
        outs = tuple(s.shape[-1] for s in starts)
        # flat input index of every (output position, window offset), broadcast to
        # (N, C, o0, .., o_{nd-1}, k0, .., k_{nd-1}); window offsets in row-major order
        flat = 0
        for j, (s, kk) in enumerate(zip(starts, k)):
            pos = s[..., None] + np.arange(kk)  # N, C, o_j, k_j
            shape = [n, c] + [1] * (2 * nd)
            shape[2 + j], shape[2 + nd + j] = outs[j], kk
            flat = flat + pos.reshape(shape) * math.prod(sp[j + 1:])
        ksize = math.prod(k)  # explicit sizes below: reshape(-1) fails on empty batches
        flat = np.broadcast_to(flat, (n, c) + outs + tuple(k)).reshape(
            n, c, math.prod(outs) * ksize)
        flat = xp.asarray(flat)
        win = xp.take_along_axis(x.reshape(n, c, math.prod(sp)), flat, axis=2)
        win = win.reshape((n, c) + outs + (ksize,))
        am = win.argmax(axis=-1)[..., None]
        vals = xp.take_along_axis(win, am, axis=-1)[..., 0]
        ind = xp.take_along_axis(flat.reshape((n, c) + outs + (ksize,)), am, axis=-1)[..., 0]
        ind = ind.astype(np.int64)
        ctx.mark_non_differentiable(ind)
        ctx.save_for_backward(ind)
        return vals, ind

    @staticmethod
    def backward(ctx, g, _gi):
        (ind,) = ctx.saved_tensors
        return _scatter_back(g, ind, ctx.in_shape), None, None


class _FractionalMax3d(_FractionalMax):
    node_name = "FractionalMaxPool3DBackward0"


_DIM_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _fractional_max(nd, input, kernel_size, output_size, output_ratio, return_indices,
                    _random_samples):
    from .creation import rand
    op = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{shape_str(input.shape)}")
    unb = input.dim() == nd + 1
    for d in range(0 if unb else 1, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(f"{op}{'' if nd == 2 else '_out'}(): Expected input to have "
                               f"non-zero size for non-batch dimensions, but got"
                               f"{shape_str(input.shape)} with dimension {d} being empty.")
    x = input.unsqueeze(0) if unb else input
    k = _ntuple(kernel_size, nd, "kernel_size")
    sp = tuple(x.shape[2:])
    if output_size is None:
        ratio = output_ratio if isinstance(output_ratio, (list, tuple)) else (output_ratio,) * nd
        out = tuple(int(m * float(r)) for m, r in zip(sp, ratio))
    else:
        out = _ntuple(output_size, nd, "output_size")
    for name, m, o, kk in zip(_DIM_NAMES[nd], sp, out, k):
        if o + kk - 1 > m:
            raise RuntimeError(f"{op}_out(): pool {name} {kk} too large relative to input "
                               f"{name} {m}")
    n, c = x.shape[:2]
    if _random_samples is None:
        samples = rand(n, c, nd, dtype=x.dtype, device=x.device)
    else:
        samples = _random_samples
        if samples.dim() != 3 or samples.shape[2] != nd:
            raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got "
                               f"{samples.shape[-1]}.")
        if samples.shape[0] < n:
            raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
        if samples.shape[1] != c:
            raise RuntimeError(f"Expect _random_samples.size(1) equals to input channel size "
                               f"{c}; got {samples.shape[1]}.")
        if samples.dtype != x.dtype:
            raise RuntimeError("Expect _random_samples to have the same dtype as input")
    u = samples.detach().cpu().numpy()[:n]
    # sample j drives the j-th spatial dim from the last (2-D: w, h); 3-D: t, h, w in order
    order = [1, 0] if nd == 2 else [0, 1, 2]
    starts = [_fractional_starts(u[:, :, order[j]], m, o, kk)
              for j, (m, o, kk) in enumerate(zip(sp, out, k))]
    vals, ind = (_FractionalMax if nd == 2 else _FractionalMax3d).apply(x, starts, k)
    if unb:
        vals, ind = vals.squeeze(0), ind.squeeze(0)
    return (vals, ind) if return_indices else vals


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Max over pseudo-randomly placed k x k windows that map (H, W) to output_size."""
    return _fractional_max(2, input, kernel_size, output_size, output_ratio, return_indices,
                           _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Max over pseudo-randomly placed windows that map (D, H, W) to output_size."""
    return _fractional_max(3, input, kernel_size, output_size, output_ratio, return_indices,
                           _random_samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """fractional_max_pool2d returning (values, indices)."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """fractional_max_pool3d returning (values, indices)."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool3d returning (values, indices)."""
    return adaptive_max_pool3d(input, output_size, True)
