"""Normalization: batch_norm, instance_norm, layer_norm, group_norm, rms_norm,
local_response_norm.

The batch/instance/group statistics go through one fused node (``_Normalize``), the rest
is ember arithmetic; layer_norm with its affine is one node (``_LayerNorm``) whose
create_graph backward differentiates the composed form, so gradients of every order
exist. Running statistics are updated in place without recording, with the unbiased
batch variance as torch does.
"""

from __future__ import annotations

import math

from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import is_grad_enabled, no_grad
from ._common import Op, shape_str, xp_of


class _Normalize(Op):
    """xhat = (x - mean) / sqrt(var + eps) over ``dims`` in one fused kernel; also returns
    the (biased) mean and variance, which get no gradient.

    Backward: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)). Under create_graph the
    statistics are recomputed from x with ember ops, so higher derivatives are exact;
    otherwise the saved forward arrays are reused."""

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, dims, eps):
        xp = xp_of(x)
        mean = x.mean(axis=dims, keepdims=True)
        xc = x - mean
        var = xp.mean(xc * xc, axis=dims, keepdims=True)
        rstd = 1.0 / xp.sqrt(var + eps)
        xhat = xc * rstd
        ctx.dims, ctx.eps = dims, eps
        ctx.save_for_backward(x, xhat, rstd)
        ctx.mark_non_differentiable(mean, var)
        return xhat, mean, var

    @staticmethod
    def backward(ctx, g, _gm, _gv):
        x, xhat, rstd = ctx.saved_tensors
        dims = list(ctx.dims)
        if is_grad_enabled():  # create_graph: rebuild the statistics from x, recorded
            mean = x.mean(dim=dims, keepdim=True)
            xc = x - mean
            rstd = ((xc * xc).mean(dim=dims, keepdim=True) + ctx.eps).rsqrt()
            xhat = xc * rstd
        gx = rstd * (g - g.mean(dim=dims, keepdim=True)
                     - xhat * (g * xhat).mean(dim=dims, keepdim=True))
        return gx, None, None


def _normalize(x: Tensor, dims, eps: float):
    return _Normalize.apply(x, tuple(dims), float(eps))

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm"]


def _affine(y: Tensor, weight, bias, nd_after: int) -> Tensor:
    shape = (-1,) + (1,) * nd_after
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _update_running(running_mean, running_var, mean, var_unbiased, momentum) -> None:
    with no_grad():
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean.detach().to(running_mean.dtype) * momentum)
        if running_var is not None:
            running_var.mul_(1 - momentum).add_(
                var_unbiased.detach().to(running_var.dtype) * momentum)


def _check_channels(name, t, c):
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5) -> Tensor:
    """Normalize each channel (dim 1) over the batch and spatial dims."""
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.dim()}D input)")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_channels(name, t, c)
    dims = [0] + list(range(2, input.dim()))
    nd_after = input.dim() - 2
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.requires_grad and is_grad_enabled():
            raise RuntimeError(f"The function 'native_batch_norm' is not differentiable with "
                               f"respect to argument '{name}'. This input cannot have "
                               "requires_grad True.")
    if training:
        n = input.numel() // c if c else 0
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
        xhat, mean, var = _normalize(input, dims, eps)
        if running_mean is not None or running_var is not None:
            _update_running(running_mean, running_var, mean.reshape(-1),
                            var.reshape(-1) * (n / (n - 1)),
                            0.0 if momentum is None else momentum)
        return _affine(xhat, weight, bias, nd_after)
    else:
        if running_mean is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        if running_var is None:
            raise RuntimeError("running_var must be defined in evaluation mode")
        mean, var = running_mean, running_var
    shape = (-1,) + (1,) * nd_after
    y = (input - mean.reshape(shape)) * (var.reshape(shape) + eps).rsqrt()
    return _affine(y, weight, bias, nd_after)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5):
    """Normalize each (sample, channel) over its spatial dims."""
    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher input to instance_norm (got {input.dim()}D "
                         "input)")
    c = input.shape[1]
    nd_after = input.dim() - 2
    dims = list(range(2, input.dim()))
    if use_input_stats:
        n = math.prod(input.shape[2:])
        if n <= 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {input.shape}")
        y, mean, var = _normalize(input, dims, eps)
        if running_mean is not None or running_var is not None:
            _update_running(running_mean, running_var, mean.reshape(-1, c).mean(0),
                            (var * (n / (n - 1))).reshape(-1, c).mean(0), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        shape = (-1,) + (1,) * nd_after
        y = (input - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
    return _affine(y, weight, bias, nd_after)


def _norm_shape(input, normalized_shape, op="layer_norm"):
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    ns = tuple(int(v) for v in ns)
    k = len(ns)
    if k == 0 or input.dim() < k or tuple(input.shape[input.dim() - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{shape_str(input.shape)}")
    return ns


def _check_affine_shape(name, t, ns):
    if t is not None and tuple(t.shape) != tuple(ns):
        raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                           f"{name} of shape {shape_str(t.shape)} and normalized_shape = "
                           f"{shape_str(ns)}")


def _layer_norm_composed(x: Tensor, k: int, weight, bias, eps: float) -> Tensor:
    """layer_norm from ``_Normalize`` and arithmetic: what the fused op's create_graph
    backward differentiates."""
    y = _normalize(x, range(x.dim() - k, x.dim()), eps)[0]
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


class _LayerNorm(Op):
    """layer_norm with its affine in one node, on (M, D) rows (D = the normalized size).

    Backward, from the saved xhat and rstd: gb = sum(g), gw = sum(g * xhat),
    gx = rstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat)) with gxhat = g * w.
    Under create_graph it differentiates ``_layer_norm_composed`` instead."""

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, k, eps):
        xp = xp_of(x)
        d = math.prod(x.shape[x.ndim - k:])
        x2 = x.reshape(-1, d)
        m = x2.shape[0]
        xhat = xp.empty_like(x2)
        rstd = xp.empty((m, 1), x2.dtype)
        y = xp.empty_like(x2)
        inv_d = xp.full(d, 1.0 / d if d else 0.0, x2.dtype)
        for r in _row_blocks(m, d):  # blocks that stay in cache across the passes
            xc = xp.subtract(x2[r], (x2[r] @ inv_d)[:, None], out=xhat[r])
            var = (xp.einsum("ij,ij->i", xc, xc) / d)[:, None] if d else xc[:, :1] + xp.nan
            rs = xp.divide(1.0, xp.sqrt(var + eps), out=rstd[r])
            xc *= rs
            if weight is None:
                y[r] = xc
            else:
                xp.multiply(xc, weight.reshape(d), out=y[r])
            if bias is not None:
                y[r] += bias.reshape(d)
        ctx.k, ctx.eps = k, eps
        ctx.save_for_backward(x, weight, bias, xhat, rstd)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        x, weight, bias, xhat, rstd = ctx.saved_tensors
        need = ctx.needs_input_grad
        if is_grad_enabled():  # create_graph: differentiate the composed version
            from ..autograd import grad as _grad
            inputs = (x, weight, bias)
            wrt = [t for t, nd in zip(inputs, need) if nd]
            y = _layer_norm_composed(x, ctx.k, weight, bias, ctx.eps)
            res = list(_grad(y, wrt, g, create_graph=True, allow_unused=True))
            return tuple(res.pop(0) if nd else None for nd in need[:3]) + (None, None)
        xh, rs = xhat._data, rstd._data
        xp = xp_of(xh)
        g2 = g._data.reshape(xh.shape)
        m, d = xh.shape
        w = weight._data.reshape(d) if weight is not None else xp.ones(d, xh.dtype)
        w_d = w / d if d else w
        blocks = _row_blocks(m, d)
        gw_parts = xp.zeros((len(blocks), d), xh.dtype)
        gb_parts = xp.zeros((len(blocks), d), xh.dtype)
        gx = xp.empty_like(xh) if need[0] else None
        for i, r in enumerate(blocks):
            gb, xb = g2[r], xh[r]
            gxhat_xhat = gb * xb  # also the scratch buffer below
            xp.sum(gxhat_xhat, axis=0, out=gw_parts[i])
            xp.sum(gb, axis=0, out=gb_parts[i])
            if gx is None:
                continue
            # gxhat = g * w: dx = rstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat))
            proj = (gxhat_xhat @ w_d)[:, None]
            gxb = xp.multiply(gb, w, out=gx[r])
            gxb -= (gb @ w_d)[:, None]
            gxb -= xp.multiply(xb, proj, out=gxhat_xhat)
            gxb *= rs[r]
        return (None if gx is None else _wrap(gx.reshape(x.shape)),
                _wrap(gw_parts.sum(0).reshape(weight.shape))
                if weight is not None and need[1] else None,
                _wrap(gb_parts.sum(0).reshape(bias.shape))
                if bias is not None and need[2] else None, None, None)


def _row_blocks(m: int, d: int) -> list:
    """Row slices of about 256K elements: the passes over a block stay in cache, and
    blocks are large enough that per-call overheads stay small."""
    step = max(1, 262144 // max(d, 1))
    return [slice(i, min(i + step, m)) for i in range(0, m, step)] or [slice(0, 0)]


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing ``normalized_shape`` dims."""
    ns = _norm_shape(input, normalized_shape)
    _check_affine_shape("weight", weight, ns)
    _check_affine_shape("bias", bias, ns)
    fused = input.dtype.is_floating_point and input.dtype.itemsize >= 4 and all(
        t is None or t.dtype == input.dtype for t in (weight, bias))
    if not fused:  # mixed dtypes promote, small floats compute as the primitives do
        return _layer_norm_composed(input, len(ns), weight, bias, eps)
    return _LayerNorm.apply(input, weight, bias, len(ns), float(eps))


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize each sample over groups of channels (and the spatial dims)."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    n, c = input.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {shape_str(input.shape)} and "
                           f"num_groups={num_groups}")
    _check_channels("weight", weight, c)
    _check_channels("bias", bias, c)
    x = input.reshape(n, num_groups, -1)
    y = _normalize(x, (2,), eps)[0].reshape(input.shape)
    return _affine(y, weight, bias, input.dim() - 2)


def rms_norm(input, normalized_shape, weight=None, eps=None) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the trailing dims, times ``weight``."""
    ns = _norm_shape(input, normalized_shape, "rms_norm")
    _check_affine_shape("weight", weight, ns)
    if eps is None:
        from .. import finfo
        eps = finfo(input.dtype).eps
    dims = list(range(input.dim() - len(ns), input.dim()))
    y = input * ((input * input).mean(dim=dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Normalize each channel by the energy of its ``size`` neighbouring channels."""
    from .conv import pad
    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.dim()} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    c = input.shape[1]
    sq = input * input
    # pad the channel dim by (size//2, (size-1)//2) and average size neighbours
    moved = sq.movedim(1, -1)
    padded = pad(moved, (size // 2, (size - 1) // 2))
    acc = None
    for j in range(size):
        part = padded.narrow(-1, j, c)
        acc = part if acc is None else acc + part
    div = (acc / size).movedim(-1, 1)
    return input / (div * alpha + k).pow(beta)
