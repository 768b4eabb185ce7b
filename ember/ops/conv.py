"""Convolutions and their relatives: conv1d/2d/3d, conv_transpose1d/2d/3d, unfold/fold,
pad, pixel_shuffle/unshuffle and interpolate.

Three array kernels (backend/numpy_backend.py) -- conv, its adjoint in the input
(= conv_transpose) and its adjoint in the weight -- are each one GEMM over strided
windows. The three ops built on them differentiate into one another, so gradients of
any order are convolutions again.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..amp.autocast_mode import autocast_args
from ..backend import numpy_backend as nb
from ._common import Op, shape_str, xp_of

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "pad", "unfold", "fold", "pixel_shuffle", "pixel_unshuffle",
           "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "conv_tbc"]


def _ntuple(v, n: int, name: str = "", op: str = "") -> tuple:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(x) for x in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(v)}")
    return v


def _bias_grad(g: Tensor) -> Tensor:
    return g.sum(dim=[0] + list(range(2, g.dim())))


def _bias_view(b, nd):
    return b.reshape((1, -1) + (1,) * nd)


class _Conv(Op):
    """y = conv(x, w) + b. params = (stride, pad ((lo, hi) per dim), dilation, groups)."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, params):
        stride, pad, dil, groups = params
        ctx.params = params
        ctx.in_sp = x.shape[2:]
        ctx.save_for_backward(x, w)
        y = nb.conv_forward(xp_of(x), x, w, stride, pad, dil, groups)
        if y.dtype != x.dtype:  # numpy's bfloat16 matmul returns float32; torch keeps bf16
            y = y.astype(x.dtype)
        if b is not None:
            y += b.reshape((1, -1) + (1,) * (y.ndim - 2))
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = _ConvInputGrad.apply(g, w, ctx.params, ctx.in_sp) if need[0] else None
        gw = _ConvWeightGrad.apply(x, g, ctx.params, tuple(w.shape[2:])) if need[1] else None
        gb = _bias_grad(g) if len(need) > 2 and need[2] else None
        return gx, gw, gb, None


class _ConvInputGrad(Op):
    """x = conv_transpose(g, w) (+ b): the adjoint of conv in its input."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, g, w, params, in_sp, b=None):
        stride, pad, dil, groups = params
        ctx.params = params
        ctx.save_for_backward(g, w)
        y = nb.conv_input_grad(xp_of(g), g, w, in_sp, stride, pad, dil, groups)
        if b is not None:
            y += b.reshape((1, -1) + (1,) * (y.ndim - 2))
        return y

    @staticmethod
    def backward(ctx, h):
        g, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gg = _Conv.apply(h, w, None, ctx.params) if need[0] else None
        gw = _ConvWeightGrad.apply(h, g, ctx.params, tuple(w.shape[2:])) if need[1] else None
        gb = _bias_grad(h) if len(need) > 4 and need[4] else None
        return gg, gw, None, None, gb


class _ConvWeightGrad(Op):
    """gw = the adjoint of conv in its weight, for input x and output gradient g."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, g, params, k):
        stride, pad, dil, groups = params
        ctx.params = params
        ctx.in_sp = x.shape[2:]
        ctx.save_for_backward(x, g)
        return nb.conv_weight_grad(xp_of(x), x, g, k, stride, pad, dil, groups)

    @staticmethod
    def backward(ctx, h):
        x, g = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = _ConvInputGrad.apply(g, h, ctx.params, ctx.in_sp) if need[0] else None
        gg = _Conv.apply(x, h, None, ctx.params) if need[1] else None
        return gx, gg, None, None


def _check_rank(op: str, input: Tensor, nd: int) -> bool:
    """True if ``input`` is unbatched; raises torch's error for a wrong rank."""
    if input.dim() == nd + 2:
        return False
    if input.dim() == nd + 1:
        return True
    raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, "
                       f"but got input of size: {shape_str(input.shape)}")


def _prep(op, input, weight, bias, nd, transposed=False):
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"{op}() argument 'input' and 'weight' must be Tensors")
    unbatched = _check_rank(op, input, nd)
    if weight.dim() != nd + 2:
        raise RuntimeError("weight should have at least three dimensions" if nd == 1 else
                           f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional "
                           f"input {shape_str(input.shape)}, but got {weight.dim()}-dimensional "
                           f"weight of size {shape_str(weight.shape)} instead")
    if unbatched:
        input = input.unsqueeze(0)
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != input.dtype):
        raise RuntimeError(f"Input type ({input.dtype}) and weight type ({weight.dtype}) "
                           "should be the same" + ("" if bias is None else " or bias type"))
    if input.dtype.category < 2:
        raise RuntimeError(f"\"{op}\" not implemented for '{input.dtype}'")
    return input, unbatched


def _check_positive(stride, dilation):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")


def _convnd(op, nd, input, weight, bias, stride, padding, dilation, groups):
    input, unbatched = _prep(op, input, weight, bias, nd)
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    _check_positive(stride, dilation)
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    k = tuple(weight.shape[2:])
    cout, cg = weight.shape[:2]
    if cout % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{shape_str(weight.shape)}] "
                           "instead")
    if input.shape[1] != cg * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {shape_str(weight.shape)}, "
                           f"expected input{shape_str(input.shape)} to have {cg * groups} "
                           f"channels, but got {input.shape[1]} channels instead")
    if isinstance(padding, str):
        if padding == "valid":
            pad = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            tot = [d * (kk - 1) for d, kk in zip(dilation, k)]
            pad = tuple((t // 2, t - t // 2) for t in tot)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _ntuple(padding, nd, "padding")
        if any(x < 0 for x in p):
            raise RuntimeError("negative padding is not supported")
        pad = tuple((x, x) for x in p)
    padded = [n + lo + hi for n, (lo, hi) in zip(input.shape[2:], pad)]
    eff = [d * (kk - 1) + 1 for d, kk in zip(dilation, k)]
    if any(a < b for a, b in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           "actual input size")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given weight of size {shape_str(weight.shape)}, expected bias to be "
                           f"1-dimensional with {cout} elements, but got bias of size "
                           f"{shape_str(bias.shape)} instead")
    y = _Conv.apply(input, weight, bias, (stride, pad, dilation, groups))
    return y.squeeze(0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution over (N, C, L) input."""
    input, weight, bias = autocast_args("conv1d", input, weight, bias)
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution over (N, C, H, W) input."""
    input, weight, bias = autocast_args("conv2d", input, weight, bias)
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3-D convolution over (N, C, D, H, W) input."""
    input, weight, bias = autocast_args("conv3d", input, weight, bias)
    return _convnd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transposend(op, nd, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    input, unbatched = _prep(op, input, weight, bias, nd, transposed=True)
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    _check_positive(stride, dilation)
    p = _ntuple(padding, nd, "padding")
    op_ = _ntuple(output_padding, nd, "output_padding")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    cin = weight.shape[0]
    if input.shape[1] != cin or cin % groups:
        raise RuntimeError(f"Given transposed=1, weight of size {shape_str(weight.shape)}, "
                           f"expected input{shape_str(input.shape)} to have {cin} channels, "
                           f"but got {input.shape[1]} channels instead")
    if any(o >= s and o >= d for o, s, d in zip(op_, stride, dilation)):
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but "
                           f"got output_padding={list(op_)}, stride={list(stride)}, "
                           f"dilation={list(dilation)}")
    k = weight.shape[2:]
    out = tuple((n - 1) * s - 2 * pp + d * (kk - 1) + o + 1
                for n, s, pp, d, kk, o in zip(input.shape[2:], stride, p, dilation, k, op_))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, input.shape[2:]))}"
                           f"). Calculated output size per channel: "
                           f"({' x '.join(map(str, out))}). Output size is too small")
    cout = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given transposed=1, weight of size {shape_str(weight.shape)}, "
                           f"expected bias to be 1-dimensional with {cout} elements, but got "
                           f"bias of size {shape_str(bias.shape)} instead")
    params = (stride, tuple((x, x) for x in p), dilation, groups)
    y = _ConvInputGrad.apply(input, weight, params, out, bias)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1) -> Tensor:
    """1-D transposed convolution (the gradient of conv1d in its input)."""
    input, weight, bias = autocast_args("conv_transpose1d", input, weight, bias)
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1) -> Tensor:
    """2-D transposed convolution (the gradient of conv2d in its input)."""
    input, weight, bias = autocast_args("conv_transpose2d", input, weight, bias)
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1) -> Tensor:
    """3-D transposed convolution (the gradient of conv3d in its input)."""
    input, weight, bias = autocast_args("conv_transpose3d", input, weight, bias)
    return _conv_transposend("conv_transpose3d", 3, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


# ----- pad ----------------------------------------------------------------------------------

class _ConstantPad(Op):
    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pads, value):
        # pads: (lo, hi) per dim of x, negative = crop
        ctx.pads = pads
        xp = xp_of(x)
        crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape, pads))
        src = x[crop]
        shape = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, pads))
        out = xp.full(shape, value, dtype=x.dtype)
        dst = tuple(slice(max(lo, 0), max(lo, 0) + s) for s, (lo, _) in zip(src.shape, pads))
        out[dst] = src
        return out

    @staticmethod
    def backward(ctx, g):
        return _ConstantPad.apply(g, tuple((-lo, -hi) for lo, hi in ctx.pads), 0), None, None


def _edge_index(n: int, lo: int, hi: int, mode: str, xp):
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1)
        i = np.abs(i) % period if period else np.zeros_like(i)
        i = np.where(i >= n, period - i, i)
    elif mode == "replicate":
        i = np.clip(i, 0, n - 1)
    else:  # circular
        i = i % n
    return i


def pad(input, pad, mode: str = "constant", value=None) -> Tensor:
    """Pad the last len(pad)//2 dims: pad = (left_last, right_last, left_prev, ...)."""
    from .creation import tensor as _tensor
    from .index import index_select
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    npairs = len(pad) // 2
    nd = input.dim()
    if npairs > nd:
        raise RuntimeError("Padding length should be less than or equal to two times the "
                           "input dimension but got padding length "
                           f"{len(pad)} and input of dimension {nd}")
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(npairs)]  # last dim first
    if mode == "constant":
        full = [(0, 0)] * (nd - npairs) + pairs[::-1]
        for n, (lo, hi) in zip(input.shape, full):
            if n + lo + hi < 0:
                raise RuntimeError(f"The input size {n}, plus negative padding {lo} and {hi} "
                                   f"resulted in a negative output size, which is invalid. "
                                   "Check dimension of your input.")
        return _ConstantPad.apply(input, tuple(full), 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    if not (npairs in (1, 2, 3) and nd in (npairs + 1, npairs + 2)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    out = input
    for j, (lo, hi) in enumerate(pairs):
        d = nd - 1 - j
        n = input.shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension {d}"
                               f" of input {shape_str(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and n == 0 and (lo or hi):
            raise RuntimeError("padding size is expected to be positive for replicate mode")
        if mode == "circular" and (lo < 0 or hi < 0):
            out = _ConstantPad.apply(out, tuple((min(lo, 0), min(hi, 0)) if k == d else (0, 0)
                                                for k in range(nd)), 0)
            n = out.shape[d]
            lo, hi = max(lo, 0), max(hi, 0)
        idx = _edge_index(n, lo, hi, mode, None)
        out = index_select(out, d, _tensor(idx, device=input.device))
    return out


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """1-D convolution over time-major input (T, B, C_in) with weight (K, C_in, C_out)."""
    input, weight, bias = autocast_args("conv_tbc", input, weight, bias)
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.dim() != 1 or bias.shape[0] != weight.shape[2]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    y = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=int(pad))
    return y.permute(2, 0, 1)


# ----- unfold / fold -------------------------------------------------------------------------

class _Unfold(Op):
    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, k, d, p, s):
        xp = xp_of(x)
        ctx.args = (k, d, p, s)
        ctx.in_sp = x.shape[2:]
        pad = tuple((q, q) for q in p)
        out = tuple(nb.out_size(n, kk, ss, q, q, dd)
                    for n, kk, ss, q, dd in zip(x.shape[2:], k, s, p, d))
        w = nb.windows(xp, nb.pad_array(xp, x, pad), k, s, d, out)  # N, C, oh, ow, kh, kw
        n, c = x.shape[:2]
        w = w.transpose(0, 1, 4, 5, 2, 3)
        return xp.ascontiguousarray(w).reshape(n, c * k[0] * k[1], out[0] * out[1])

    @staticmethod
    def backward(ctx, g):
        k, d, p, s = ctx.args
        return _Fold.apply(g, ctx.in_sp, k, d, p, s), None, None, None, None


class _Fold(Op):
    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, osz, k, d, p, s):
        xp = xp_of(cols)
        ctx.args = (k, d, p, s)
        n = cols.shape[0]
        c = cols.shape[1] // (k[0] * k[1])
        out = tuple(nb.out_size(m, kk, ss, q, q, dd)
                    for m, kk, ss, q, dd in zip(osz, k, s, p, d))
        full = tuple(m + 2 * q for m, q in zip(osz, p))
        target = xp.zeros((n, c) + full, dtype=cols.dtype)
        nb.col2im_add(xp, target, cols.reshape((n, c) + tuple(k) + out), k, s, d, out)
        return xp.ascontiguousarray(target[:, :, p[0]:p[0] + osz[0], p[1]:p[1] + osz[1]])

    @staticmethod
    def backward(ctx, g):
        k, d, p, s = ctx.args
        return _Unfold.apply(g, k, d, p, s), None, None, None, None, None


def unfold(input, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col: sliding local blocks of (N, C, H, W) as (N, C*kh*kw, L)."""
    if input.dim() not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported "
                                  f"(got {input.dim()}D)")
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    k, d, p, s = (_ntuple(v, 2, nm) for v, nm in
                  ((kernel_size, "kernel_size"), (dilation, "dilation"), (padding, "padding"),
                   (stride, "stride")))
    out = [nb.out_size(n, kk, ss, q, q, dd) for n, kk, ss, q, dd in zip(x.shape[2:], k, s, p, d)]
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input with spatial size {shape_str(x.shape[2:])}, "
                           f"kernel_size={list(k)}, dilation={list(d)}, padding={list(p)}, "
                           f"calculated shape of the array of sliding blocks as {out}, but its "
                           "components must be at least one.")
    y = _Unfold.apply(x, k, d, p, s)
    return y.squeeze(0) if unbatched else y


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im: sum (N, C*kh*kw, L) blocks into (N, C, *output_size)."""
    if input.dim() not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input "
                                  f"Tensors are supported (got {input.dim()}D)")
    unbatched = input.dim() == 2
    x = input.unsqueeze(0) if unbatched else input
    osz, k, d, p, s = (_ntuple(v, 2, nm) for v, nm in
                       ((output_size, "output_size"), (kernel_size, "kernel_size"),
                        (dilation, "dilation"), (padding, "padding"), (stride, "stride")))
    kk = k[0] * k[1]
    if x.shape[1] % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size={tuple(k)}")
    blocks = [nb.out_size(n, a, b, q, q, c) for n, a, b, q, c in zip(osz, k, s, p, d)]
    if math.prod(blocks) != x.shape[2] or any(b <= 0 for b in blocks):
        raise RuntimeError(f"Given output_size={tuple(osz)}, kernel_size={tuple(k)}, "
                           f"dilation={tuple(d)}, padding={tuple(p)}, stride={tuple(s)}, "
                           f"expected size of input's dimension 2 to match the calculated number "
                           f"of sliding blocks {blocks[0]} * {blocks[1]} = {math.prod(blocks)}, "
                           f"but got input.size(2)={x.shape[2]}.")
    y = _Fold.apply(x, osz, k, d, p, s)
    return y.squeeze(0) if unbatched else y


# ----- pixel shuffle -------------------------------------------------------------------------

def pixel_shuffle(input, upscale_factor: int) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *b, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    nb_ = len(b)
    x = input.reshape(tuple(b) + (c // (r * r), r, r, h, w))
    perm = tuple(range(nb_)) + tuple(nb_ + i for i in (0, 3, 1, 4, 2))
    return x.permute(perm).reshape(tuple(b) + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *b, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but input.size(-2)={h} and input.size(-1)={w} "
                           f"are not divisible by {r}")
    nb_ = len(b)
    x = input.reshape(tuple(b) + (c, h // r, r, w // r, r))
    perm = tuple(range(nb_)) + tuple(nb_ + i for i in (0, 2, 4, 1, 3))
    return x.permute(perm).reshape(tuple(b) + (c * r * r, h // r, w // r))


# ----- interpolate ---------------------------------------------------------------------------

def _cubic(t, a=-0.75):
    t = np.abs(t)
    return np.where(t <= 1, ((a + 2) * t - (a + 3)) * t * t + 1,
                    np.where(t < 2, ((a * t - 5 * a) * t + 8 * a) * t - 4 * a, 0.0))


def _interp_matrix(n_in: int, n_out: int, mode: str, align_corners, scale) -> np.ndarray:
    """(n_out, n_in) matrix of one separable resampling along one dim."""
    m = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        r = (1.0 / scale) if scale else n_in / n_out
        if mode == "nearest":
            src = np.floor(rows * r).astype(np.int64)
        else:
            src = np.floor((rows + 0.5) * r).astype(np.int64)
        m[rows, np.minimum(src, n_in - 1)] = 1.0
        return m
    if align_corners:
        r = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = rows * r
    else:
        r = (1.0 / scale) if scale else n_in / n_out
        src = (rows + 0.5) * r - 0.5
    if mode == "cubic":
        f = np.floor(src)
        t = src - f
        for j in range(-1, 3):
            idx = np.clip(f.astype(np.int64) + j, 0, n_in - 1)
            np.add.at(m, (rows, idx), _cubic(t - j))
        return m
    if not align_corners:
        src = np.maximum(src, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    np.add.at(m, (rows, i0), 1.0 - lam)
    np.add.at(m, (rows, i1), lam)
    return m


def _apply_matrices(x: Tensor, mats) -> Tensor:
    """Apply one (out, in) matrix per trailing spatial dim (separable resampling)."""
    from .creation import tensor as _tensor
    nd = len(mats)
    for j, m in enumerate(mats):
        d = x.dim() - nd + j
        mt = _tensor(np.ascontiguousarray(m.T), dtype=x.dtype, device=x.device)
        x = x.movedim(d, -1).matmul(mt).movedim(-1, d)
    return x


_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest",
                align_corners=None, recompute_scale_factor=None, antialias: bool = False):
    """Resample the spatial dims of (N, C, *S): nearest, (bi/tri)linear, bicubic, area."""
    nd = input.dim() - 2
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by ember yet")
    if nd < 1:
        raise ValueError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                         f"{input.dim()}D) for the modes: nearest | linear | bilinear | bicubic "
                         f"| trilinear | area | nearest-exact (got {mode})")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes:"
                             " linear | bilinear | bicubic | trilinear")
    elif mode in _MODE_DIMS:
        if _MODE_DIMS[mode] != nd:
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                      f"{_MODE_DIMS[mode] + 2}D input")
        align_corners = bool(align_corners)
    else:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.dim()}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact (got "
                                  f"{mode})")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    in_sp = tuple(input.shape[2:])
    if size is not None:
        out = _ntuple(size, nd, "size") if not isinstance(size, (list, tuple)) or \
            len(size) == nd else None
        if out is None:
            raise ValueError(f"Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(in_sp)} and output size of {list(size)}. Please provide "
                             f"input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                             f"(o1, o2, ...,oK) format.")
        scales = (None,) * nd
    else:
        sf = tuple(scale_factor) if isinstance(scale_factor, (list, tuple)) else \
            (scale_factor,) * nd
        if len(sf) != nd:
            raise ValueError(f"Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(in_sp)} and scale_factor of shape {list(sf)}.")
        out = tuple(int(math.floor(n * float(s))) for n, s in zip(in_sp, sf))
        scales = (None,) * nd if recompute_scale_factor else tuple(float(s) for s in sf)
    if mode == "area":
        from .pool import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
        fn = (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[nd - 1]
        return fn(input, out)
    kind = {"bicubic": "cubic", "linear": "linear", "bilinear": "linear",
            "trilinear": "linear"}.get(mode, mode)
    if kind == "linear" or kind == "cubic":
        pass
    mats = [_interp_matrix(a, b, kind, align_corners, s) for a, b, s in zip(in_sp, out, scales)]
    return _apply_matrices(input, mats)


def upsample(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None):
    """Deprecated alias of interpolate."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='nearest')."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='bilinear', align_corners=True)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
