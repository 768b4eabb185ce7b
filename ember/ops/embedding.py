"""Neural-network primitives: embedding and embedding_bag (used by ember.nn.functional)."""

from __future__ import annotations

from .. import dtypes as _dt
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ._common import Op

__all__ = ["embedding", "embedding_bag"]


def _E():
    import ember
    return ember


class _Embedding(Op):
    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.p = (padding_idx, scale_grad_by_freq, weight.shape[0])
        ctx.save_for_backward(idx)
        return weight[idx]

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        padding_idx, by_freq, n = ctx.p
        E = _E()
        flat = idx.reshape(-1)
        rows = g.reshape(flat.shape[0], -1)
        if padding_idx is not None:
            rows = rows * (flat != padding_idx).unsqueeze(1).to(g.dtype)
        if by_freq:
            counts = E.bincount(flat, minlength=n).to(g.dtype)
            rows = rows / counts[flat].unsqueeze(1)
        out = E.zeros((n,) + tuple(g.shape[idx.dim():]), dtype=g.dtype, device=g.device)
        return out.index_add(0, flat, rows.reshape((-1,) + tuple(g.shape[idx.dim():]))), None, \
            None, None


def _renorm_(weight: Tensor, idx: Tensor, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and without recording, the rows of ``weight`` that ``idx`` names
    whose norm exceeds ``max_norm``."""
    E = _E()
    with no_grad():
        rows = E.unique(idx.reshape(-1))
        norms = E.linalg.vector_norm(weight[rows], ord=norm_type, dim=-1)
        scale = E.where(norms > max_norm, max_norm / (norms + 1e-7), E.ones_like(norms))
        weight[rows] = weight[rows] * scale.unsqueeze(1)


def _check_index(input: Tensor, name: str) -> None:
    if input.dtype not in (_dt.int64, _dt.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead "
                           f"(while checking arguments for {name})")


def _padding(padding_idx, n: int):
    if padding_idx is None:
        return None
    if padding_idx > 0:
        assert padding_idx < n, "Padding_idx must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
        padding_idx = n + padding_idx
    return padding_idx


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` looked up by the indices in ``input``."""
    _check_index(input, "embedding")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = weight.shape[0]
    padding_idx = _padding(padding_idx, n)
    if input.numel():
        lo, hi = int(input.min()), int(input.max())
        if lo < -n or hi >= n:
            raise IndexError("index out of range in self")
        if lo < 0:
            raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_(weight, input, max_norm, norm_type)
    return _Embedding.apply(weight, input.long(), padding_idx, scale_grad_by_freq)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxima of bags of embeddings (2-D input, or 1-D input + offsets)."""
    E = _E()
    _check_index(input, "embedding_bag")
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, got {mode}")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                "on GitHub.")
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape})"
                             f" is not None, then it must have the same shape as the input "
                             f"({input.shape})")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences.")
        B, L = input.shape
        starts = [i * L for i in range(B)]
        flat = input.reshape(-1)
        psw = per_sample_weights.reshape(-1) if per_sample_weights is not None else None
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = [int(v) for v in offsets.tolist()]
        if include_last_offset:
            starts = starts[:-1]
        flat = input
        psw = per_sample_weights
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    n_items = flat.shape[0]
    ends = starts[1:] + [n_items if not (include_last_offset and input.dim() == 1)
                         else int(offsets[-1])]
    pad = _padding(padding_idx, weight.shape[0])
    emb = embedding(flat, weight, pad, max_norm, norm_type, scale_grad_by_freq)
    if psw is not None:
        emb = emb * psw.unsqueeze(1)
    keep = [(flat[s:e] != pad) if pad is not None else None for s, e in zip(starts, ends)]
    outs = []
    D = weight.shape[1]
    for (s, e), k in zip(zip(starts, ends), keep):
        rows = emb[s:e]
        if k is not None:
            rows = rows[k]
        if rows.shape[0] == 0:
            outs.append(E.zeros((D,), dtype=weight.dtype, device=weight.device))
        elif mode == "sum":
            outs.append(rows.sum(0))
        elif mode == "mean":
            outs.append(rows.mean(0))
        else:
            outs.append(rows.amax(0))
    if not outs:
        return E.zeros((0, D), dtype=weight.dtype, device=weight.device)
    return E.stack(outs)
