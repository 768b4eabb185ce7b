"""Neural-network primitives: linear and bilinear maps (used by ember.nn.functional)."""

from __future__ import annotations

from .._tensor import Tensor
from ..amp.autocast_mode import autocast_args
from .linalg import addmm

__all__ = ["linear", "bilinear"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight.T + bias, over the last dimension of ``input``."""
    input, weight, bias = autocast_args("linear", input, weight, bias)
    if input.dim() == 2 and bias is not None:
        return addmm(bias, input, weight.t())  # one node, like torch's graph
    if input.dim() > 2:
        # one 2-D GEMM over all leading dims (faster than a batched matmul)
        lead = tuple(input.shape[:-1])
        out = input.reshape(-1, input.shape[-1]).matmul(weight.t())
        out = out.reshape(lead + (weight.shape[0],))
    else:
        out = input.matmul(weight.t())
    return out if bias is None else out + bias


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]."""
    out_f, in1, in2 = weight.shape
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{tuple(input1.shape[:-1])} and {tuple(input2.shape[:-1])}")
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {in2}")
    lead = tuple(input1.shape[:-1])
    w = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = input1.reshape(-1, in1).matmul(w).reshape(-1, out_f, in2)
    y = (t * input2.reshape(-1, 1, in2)).sum(-1).reshape(lead + (out_f,))
    return y if bias is None else y + bias
