"""AdaptiveLogSoftmaxWithLoss: the efficient softmax of Grave et al. (2016) for large
vocabularies. Frequent classes (below cutoffs[0]) sit in a head softmax together with
one logit per tail cluster; a rare class's log-probability is its cluster's head
log-probability plus its log-probability within the cluster, whose projection is
reduced by ``div_value`` per cluster."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence

import numpy as np

from ..._tensor import Tensor
from ...ops.activation import log_softmax
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax; ``forward(input, target)`` returns ``_ASMoutput(output, loss)``
    with the target log-probabilities and their negated mean."""

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device=None,
                 dtype=None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if (len(cutoffs) == 0 or cutoffs != sorted(cutoffs) or min(cutoffs) <= 0
                or max(cutoffs) > n_classes - 1 or len(set(cutoffs)) != len(cutoffs)
                or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        kw = {"device": device, "dtype": dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, **kw),
                                        Linear(hsz, osz, bias=False, **kw)))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for cluster in self.tail:
            for layer in cluster:
                layer.reset_parameters()

    def forward(self, input: Tensor, target: Tensor) -> _ASMoutput:
        """Log-probability of each ``target`` class under the adaptive softmax, and the loss."""
        from ...ops.creation import tensor as _tensor
        tdim = target.dim()
        if tdim == 1:
            if input.shape[0] != target.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found "
                                   f"inputs with size {input.shape}")
        elif tdim == 0:
            if input.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found "
                                   f"inputs with size {input.shape}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = tdim > 0
        x = input if batched else input.unsqueeze(0)
        tgt = target if batched else target.unsqueeze(0)
        t = tgt.detach().cpu().numpy()
        dev = x.device
        # head column read for each row: the class itself, or its cluster's logit
        head_col = t.copy()
        tail_part = x.new_zeros((x.shape[0],))
        bounds = [0] + self.cutoffs
        covered = (t >= 0) & (t < bounds[1])
        for i in range(1, len(bounds) - 1):
            low, high = bounds[i], bounds[i + 1]
            rows = np.nonzero((t >= low) & (t < high))[0]
            if rows.size == 0:
                continue
            covered[rows] = True
            head_col[rows] = self.shortlist_size + i - 1
            rows_t = _tensor(rows, device=dev)
            lp = log_softmax(self.tail[i - 1](x.index_select(0, rows_t)), dim=1)
            rel = _tensor(t[rows] - low, device=dev).unsqueeze(1)
            tail_part = tail_part.index_add(0, rows_t, lp.gather(1, rel).squeeze(1))
        if not covered.all():
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                               f"values in range [{t.min()}, {t.max()}] were found. ")
        head_lp = log_softmax(self.head(x), dim=1)
        cols = _tensor(head_col.astype(np.int64), device=dev).unsqueeze(1)
        output = head_lp.gather(1, cols).squeeze(1) + tail_part
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        from ...ops.shape import cat
        head_lp = log_softmax(head_output, dim=1)
        parts = [head_lp[:, :self.shortlist_size]]
        for i, cluster in enumerate(self.tail):
            lp = log_softmax(cluster(input), dim=1)
            parts.append(lp + head_lp[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, dim=1)

    def log_prob(self, input: Tensor) -> Tensor:
        """Log-probabilities of all ``n_classes`` classes, (N, n_classes)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most likely class per row: the head's argmax when it is a shortlist class,
        else the argmax of the full distribution (as torch decides)."""
        head_output = self.head(input)
        output = head_output.argmax(dim=1)
        in_tail = output >= self.shortlist_size
        if not bool(in_tail.any()):
            return output
        if bool(in_tail.all()):
            return self._get_full_log_prob(input, head_output).argmax(dim=1)
        full = self._get_full_log_prob(input[in_tail], head_output[in_tail])
        output = output.clone()
        output[in_tail] = full.argmax(dim=1)
        return output
