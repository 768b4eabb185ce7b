"""Fold an eval-mode BatchNorm into the preceding Conv or Linear layer (inference speed-up):
y = bn(conv(x)) becomes one conv with rescaled weight and shifted bias."""

from __future__ import annotations

import copy

from ..._tensor import Tensor
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _bn_scale(bn_rm: Tensor, bn_rv: Tensor, bn_eps: float, bn_w, bn_b):
    """Per-channel (scale, shift) of an eval BatchNorm: y = (x - rm) * scale + shift."""
    w = bn_w if bn_w is not None else bn_rm.new_ones(bn_rm.shape)
    b = bn_b if bn_b is not None else bn_rm.new_zeros(bn_rm.shape)
    return w * (bn_rv + bn_eps).rsqrt(), b


def _check_eval(module, bn) -> None:
    if module.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")


def fuse_conv_bn_weights(conv_w: Tensor, conv_b, bn_rm: Tensor, bn_rv: Tensor, bn_eps: float,
                         bn_w, bn_b, transpose: bool = False) -> tuple[Parameter, Parameter]:
    """(weight, bias) of the conv equivalent to conv followed by the eval BatchNorm."""
    scale, shift = _bn_scale(bn_rm, bn_rv, bn_eps, bn_w, bn_b)
    bias = conv_b if conv_b is not None else bn_rm.new_zeros(bn_rm.shape)
    # output channels are dim 0 of a conv weight, dim 1 of a transposed conv's
    shape = [1, -1] if transpose else [-1, 1]
    shape += [1] * (conv_w.dim() - 2)
    fused_w = (conv_w * scale.reshape(shape)).to(conv_w.dtype)
    fused_b = ((bias - bn_rm) * scale + shift).to(bias.dtype)
    return (Parameter(fused_w, conv_w.requires_grad),
            Parameter(fused_b, bias.requires_grad))


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A copy of the eval-mode ``conv`` with the eval-mode ``bn`` folded into it."""
    _check_eval(conv, bn)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias,
        transpose)
    return fused


def fuse_linear_bn_weights(linear_w: Tensor, linear_b, bn_rm: Tensor, bn_rv: Tensor,
                           bn_eps: float, bn_w, bn_b) -> tuple[Parameter, Parameter]:
    """(weight, bias) of the Linear equivalent to linear followed by the eval BatchNorm."""
    scale, shift = _bn_scale(bn_rm, bn_rv, bn_eps, bn_w, bn_b)
    bias = linear_b if linear_b is not None else bn_rm.new_zeros(bn_rm.shape)
    fused_w = linear_w * scale.unsqueeze(-1)
    fused_b = (bias - bn_rm) * scale + shift
    return (Parameter(fused_w, linear_w.requires_grad),
            Parameter(fused_b, bias.requires_grad))


def fuse_linear_bn_eval(linear, bn):
    """A copy of the eval-mode ``linear`` with the eval-mode ``bn`` folded into it."""
    _check_eval(linear, bn)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(f"To fuse, linear.out_features == bn.num_features or "
                             f"bn.num_features == 1, got linear.out_features="
                             f"{linear.out_features} and bn.num_features={bn.num_features}")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    return fused
