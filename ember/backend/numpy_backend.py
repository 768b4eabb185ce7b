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
    """im2col of x (N, C, *S): (N, G, Cg*K, P) contiguous, plus the output spatial shape.
    The copy keeps the output's innermost spatial axis innermost (long contiguous runs)."""
    n, c = x.shape[:2]
    full = _conv_out(x.shape[2:], k, stride, pad, dilation)
    out = full if out is None else tuple(min(a, b) for a, b in zip(full, out))
    w = windows(xp, pad_array(xp, x, pad), k, stride, dilation, out)  # N, C, *out, *k
    nd = len(k)
    perm = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    cols = xp.ascontiguousarray(w.transpose(perm))  # N, C, *k, *out
    return cols.reshape(n, groups, (c // groups) * math.prod(k), math.prod(out)), out


def conv_forward(xp, x, w, stride, pad, dilation, groups):
    """y = conv(x, w): x (N, Cin, *S), w (Cout, Cin/G, *k) -> (N, Cout, *out)."""
    n = x.shape[0]
    cout = w.shape[0]
    k = w.shape[2:]
    cols, out = _cols(xp, x, k, stride, pad, dilation, groups)
    wm = w.reshape(1, groups, cout // groups, -1)  # (1, G, Coutg, Cg*K)
    y = xp.matmul(wm, cols)  # (N, G, Coutg, P): already the output layout
    return y.reshape((n, cout) + tuple(out))


def conv_input_grad(xp, g, w, in_sp, stride, pad, dilation, groups):
    """Adjoint of conv in x (also conv_transpose's forward): g (N, Cout, *out),
    w (Cout, Cin/G, *k) -> (N, Cin, *in_sp)."""
    n, cout = g.shape[:2]
    out = g.shape[2:]
    k = w.shape[2:]
    cg = w.shape[1]
    cin = cg * groups
    gm = g.reshape(n, groups, cout // groups, -1)  # (N, G, Coutg, P)
    wt = w.reshape(1, groups, cout // groups, -1).transpose(0, 1, 3, 2)  # (1, G, Cg*K, Coutg)
    cols = xp.matmul(wt, gm)  # (N, G, Cg*K, P)
    cols = cols.reshape((n, cin) + tuple(k) + tuple(out))
    full = tuple(max(sz + lo + hi, s * (m - 1) + d * (kk - 1) + 1)
                 for sz, (lo, hi), s, m, d, kk in zip(in_sp, pad, stride, out, dilation, k))
    target = xp.zeros((n, cin) + full, dtype=g.dtype)
    col2im_add(xp, target, cols, k, stride, dilation, out)
    crop = tuple(slice(lo, lo + sz) for sz, (lo, _) in zip(in_sp, pad))
    res = target[(slice(None), slice(None)) + crop]
    return res if res.flags.c_contiguous else xp.ascontiguousarray(res)


def conv_weight_grad(xp, x, g, k, stride, pad, dilation, groups):
    """Adjoint of conv in w: x (N, Cin, *S), g (N, Cout, *out) -> (Cout, Cin/G, *k)."""
    n, cout = g.shape[:2]
    cg = x.shape[1] // groups
    # (x may have trailing rows the conv never reached: conv_transpose's output_padding)
    cols, out = _cols(xp, x, k, stride, pad, dilation, groups, out=g.shape[2:])
    gm = g.reshape(n, groups, cout // groups, -1)  # (N, G, Coutg, P)
    gw = xp.matmul(gm, cols.transpose(0, 1, 3, 2)).sum(axis=0)  # (G, Coutg, Cg*K)
    return gw.reshape((cout, cg) + tuple(k))
