"""Array kernels the array API lacks: strided windows (im2col), their adjoint (col2im),
and the three GEMM-based convolution kernels built on them.

Every function takes the array module ``xp`` (numpy or cupy) so one implementation
serves both backends. Spatial parameters are tuples with one entry per spatial dim;
``pad`` holds ``(lo, hi)`` pairs so asymmetric ('same') padding needs no special case.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


def _as_strided(xp, a, shape, strides):
    if xp is np:
        return np.lib.stride_tricks.as_strided(a, shape=shape, strides=strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


def out_size(size: int, k: int, s: int, lo: int, hi: int, d: int) -> int:
    return (size + lo + hi - d * (k - 1) - 1) // s + 1


def pad_array(xp, x, pad, value=0.0):
    """``x`` (N, C, *S) padded by ``pad`` ((lo, hi) per spatial dim) with ``value``."""
    if not any(lo or hi for lo, hi in pad):
        return x
    shape = x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pad))
    out = xp.full(shape, value, dtype=x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(lo, lo + n) for n, (lo, _) in
                                           zip(x.shape[2:], pad))] = x
    return out


def windows(xp, xpad, k, stride, dilation, out):
    """A read-only strided view of ``xpad`` (N, C, *S): shape (N, C, *out, *k)."""
    st = xpad.strides
    sp = st[2:]
    shape = xpad.shape[:2] + tuple(out) + tuple(k)
    strides = st[:2] + tuple(a * s for a, s in zip(sp, stride)) + \
        tuple(a * d for a, d in zip(sp, dilation))
    return _as_strided(xp, xpad, shape, strides)


def col2im_add(xp, target, cols, k, stride, dilation, out) -> None:
    """Adjoint of ``windows``: add ``cols`` (N, C, *k, *out) into ``target`` (N, C, *S).
    One strided slice-add per kernel offset (not per pixel)."""
    for off in itertools.product(*(range(n) for n in k)):
        sl = tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                   for o, d, s, m in zip(off, dilation, stride, out))
        target[(slice(None), slice(None)) + sl] += cols[(slice(None), slice(None)) + off]


def _conv_out(in_sp, k, stride, pad, dilation):
    return tuple(out_size(n, kk, s, lo, hi, d)
                 for n, kk, s, (lo, hi), d in zip(in_sp, k, stride, pad, dilation))


def _cols(xp, x, k, stride, pad, dilation, groups, out=None):
    """im2col of x (N, C, *S): (G, N*P, Cg*K) contiguous, plus the output spatial shape."""
    n, c = x.shape[:2]
    full = _conv_out(x.shape[2:], k, stride, pad, dilation)
    out = full if out is None else tuple(min(a, b) for a, b in zip(full, out))
    w = windows(xp, pad_array(xp, x, pad), k, stride, dilation, out)
    nd = len(k)
    w = w.reshape((n, groups, c // groups) + w.shape[2:])
    # (N, G, Cg, *out, *k) -> (G, N, *out, Cg, *k)
    perm = (1, 0) + tuple(range(3, 3 + nd)) + (2,) + tuple(range(3 + nd, 3 + 2 * nd))
    cols = xp.ascontiguousarray(w.transpose(perm))
    p = math.prod(out)
    return cols.reshape(groups, n * p, (c // groups) * math.prod(k)), out


def conv_forward(xp, x, w, stride, pad, dilation, groups):
    """y = conv(x, w): x (N, Cin, *S), w (Cout, Cin/G, *k) -> (N, Cout, *out)."""
    n = x.shape[0]
    cout = w.shape[0]
    k = w.shape[2:]
    cols, out = _cols(xp, x, k, stride, pad, dilation, groups)
    wm = w.reshape(groups, cout // groups, -1).transpose(0, 2, 1)  # (G, Cg*K, Coutg)
    y = xp.matmul(cols, wm)  # (G, N*P, Coutg)
    nd = len(k)
    y = y.reshape((groups, n) + tuple(out) + (cout // groups,))
    perm = (1, 0, nd + 2) + tuple(range(2, 2 + nd))
    return xp.ascontiguousarray(y.transpose(perm)).reshape((n, cout) + tuple(out))


def _g_mat(xp, g, groups):
    """g (N, Cout, *out) -> (G, Coutg, N*P)."""
    n, cout = g.shape[:2]
    nd = g.ndim - 2
    gg = g.reshape((n, groups, cout // groups) + g.shape[2:])
    perm = (1, 2, 0) + tuple(range(3, 3 + nd))
    return xp.ascontiguousarray(gg.transpose(perm)).reshape(groups, cout // groups, -1)


def conv_input_grad(xp, g, w, in_sp, stride, pad, dilation, groups):
    """Adjoint of conv in x (also conv_transpose's forward): g (N, Cout, *out),
    w (Cout, Cin/G, *k) -> (N, Cin, *in_sp)."""
    n, cout = g.shape[:2]
    out = g.shape[2:]
    k = w.shape[2:]
    nd = len(k)
    cg = w.shape[1]
    cin = cg * groups
    gm = _g_mat(xp, g, groups)  # (G, Coutg, N*P)
    wm = w.reshape(groups, cout // groups, -1)  # (G, Coutg, Cg*K)
    cols = xp.matmul(gm.transpose(0, 2, 1), wm)  # (G, N*P, Cg*K)
    cols = cols.reshape((groups, n) + tuple(out) + (cg,) + tuple(k))
    # -> (N, G, Cg, *k, *out)
    perm = (1, 0, 2 + nd) + tuple(range(3 + nd, 3 + 2 * nd)) + tuple(range(2, 2 + nd))
    cols = cols.transpose(perm).reshape((n, cin) + tuple(k) + tuple(out))
    full = tuple(max(sz + lo + hi, s * (m - 1) + d * (kk - 1) + 1)
                 for sz, (lo, hi), s, m, d, kk in zip(in_sp, pad, stride, out, dilation, k))
    target = xp.zeros((n, cin) + full, dtype=g.dtype)
    col2im_add(xp, target, cols, k, stride, dilation, out)
    crop = tuple(slice(lo, lo + sz) for sz, (lo, _) in zip(in_sp, pad))
    res = target[(slice(None), slice(None)) + crop]
    return res if res.flags.c_contiguous else xp.ascontiguousarray(res)


def conv_weight_grad(xp, x, g, k, stride, pad, dilation, groups):
    """Adjoint of conv in w: x (N, Cin, *S), g (N, Cout, *out) -> (Cout, Cin/G, *k)."""
    cout = g.shape[1]
    cg = x.shape[1] // groups
    # (x may have trailing rows the conv never reached: conv_transpose's output_padding)
    cols, out = _cols(xp, x, k, stride, pad, dilation, groups, out=g.shape[2:])
    gw = xp.matmul(_g_mat(xp, g, groups), cols)  # (G, Coutg, Cg*K)
    return gw.reshape((cout, cg) + tuple(k))
