"""Every layer and loss of torch.nn against ember.nn with copied weights.

For each table entry the torch module is built in float64, its state_dict is loaded into
the ember module, and the test compares repr, state_dict keys and shapes, every output,
the gradient of every floating input and of every parameter, and the buffers after the
call. ``test_every_module_class_is_covered`` enumerates torch.nn's (and ember.nn's)
Module classes, so a new layer must be added to the table or to EXCLUDED with a reason.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


# ----- input kinds ---------------------------------------------------------------------------

class Const:
    """A float array passed without gradient (a target the loss does not differentiate)."""

    def __init__(self, a) -> None:
        self.a = np.asarray(a, dtype=np.float64)


def _lib_input(lib, item):
    """(value for ``lib``, whether it is a differentiable leaf)."""
    if isinstance(item, Const):
        return lib.tensor(item.a), False
    if isinstance(item, np.ndarray):
        if item.dtype.kind == "f":
            return lib.tensor(item, requires_grad=True), True
        return lib.tensor(item), False
    return item, False


def _normal(*shape):
    return lambda rng: rng.standard_normal(shape)


@dataclasses.dataclass
class Case:
    name: str
    args: Any = ()                      # tuple, or lib -> tuple (for module arguments)
    kwargs: Any = dataclasses.field(default_factory=dict)  # dict, or lib -> dict
    inputs: Any = None                  # list of shapes, or rng -> list of inputs
    train: bool = True                  # eval mode for stochastic layers (dropout, RReLU)
    atol: float = 1e-10
    id: str = ""

    def build(self, lib):
        args = self.args(lib) if callable(self.args) else self.args
        kwargs = self.kwargs(lib) if callable(self.kwargs) else self.kwargs
        return getattr(lib.nn, self.name)(*args, **kwargs)

    def make_inputs(self, rng):
        if callable(self.inputs):
            return self.inputs(rng)
        return [rng.standard_normal(s) for s in self.inputs]


def C(name, args=(), kwargs=None, inputs=None, **kw) -> Case:
    return Case(name, args, kwargs or {}, inputs, **kw)


def _positive(*shape):
    return lambda rng: [rng.uniform(0.1, 2.0, shape)]


def _targets(n, c):
    return lambda rng: [rng.standard_normal((n, c)), rng.integers(0, c, n)]


def _unpool_inputs(nd):
    def make(rng):
        # values and flat indices of max_pool(kernel 2, stride 2) over a (2, 2, 4, ...) map
        out = (2,) * nd
        ind = np.zeros((2, 2) + out, dtype=np.int64)
        for j in range(nd):
            shape = [1] * (nd + 2)
            shape[2 + j] = out[j]
            pos = np.arange(out[j]).reshape(shape) * 2 + rng.integers(0, 2, (2, 2) + out)
            ind = ind * 4 + pos
        return [rng.standard_normal((2, 2) + out), ind]
    return make


def _ctc_inputs(rng):
    t, n, c = 6, 2, 4
    logits = rng.standard_normal((t, n, c))
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return [logp, rng.integers(1, c, (n, 3)), np.array([6, 5]), np.array([3, 2])]


def _log_probs(n, c):
    def make(rng):
        z = rng.standard_normal((n, c))
        return [z - np.log(np.exp(z).sum(-1, keepdims=True)), Const(rng.dirichlet(np.ones(c), n))]
    return make


_FMP2 = np.random.default_rng(5).uniform(size=(2, 3, 2))
_FMP3 = np.random.default_rng(6).uniform(size=(2, 2, 3))

CASES = [
    # activations
    *[C(n, inputs=[(3, 5)]) for n in
      ["ReLU", "ReLU6", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
       "LogSigmoid", "Hardsigmoid", "Hardswish", "Hardtanh", "Hardshrink", "Softshrink",
       "Softsign", "Softplus", "Tanhshrink", "LeakyReLU", "PReLU", "Identity"]],
    C("GELU", (), {"approximate": "tanh"}, [(2, 4)], id="GELU-tanh"),
    C("Threshold", (0.1, 20.0), inputs=[(3, 4)]),
    C("GLU", (), {"dim": 1}, [(3, 6)]),
    C("RReLU", inputs=[(3, 5)], train=False),
    C("Softmax", (), {"dim": 1}, [(3, 5)]),
    C("Softmin", (), {"dim": 0}, [(3, 5)]),
    C("LogSoftmax", (), {"dim": -1}, [(3, 5)]),
    C("Softmax2d", inputs=[(2, 3, 2, 2)]),
    C("PReLU", (3,), inputs=[(2, 3, 4)], id="PReLU-channels"),
    C("MultiheadAttention", (4, 2), {"batch_first": True},
      [(2, 3, 4), (2, 5, 4), (2, 5, 4)]),
    # linear, containers, shape
    C("Linear", (4, 3), inputs=[(2, 4)]),
    C("Bilinear", (3, 2, 4), inputs=[(5, 3), (5, 2)]),
    C("LazyLinear", (3,), inputs=[(2, 4)]),
    C("Flatten", inputs=[(2, 3, 2)]),
    C("Unflatten", (1, (2, 3)), inputs=[(4, 6)]),
    C("Sequential", lambda L: (L.nn.Linear(3, 4), L.nn.Tanh(), L.nn.Linear(4, 2)),
      inputs=[(5, 3)]),
    C("DataParallel", lambda L: (L.nn.Linear(3, 2),), inputs=[(4, 3)]),
    C("CosineSimilarity", inputs=[(3, 4), (3, 4)]),
    C("PairwiseDistance", inputs=[(3, 4), (3, 4)]),
    C("ChannelShuffle", (2,), inputs=[(2, 4, 3)]),
    C("PixelShuffle", (2,), inputs=[(1, 8, 2, 3)]),
    C("PixelUnshuffle", (2,), inputs=[(1, 2, 4, 6)]),
    C("Upsample", (), {"scale_factor": 2, "mode": "bilinear"}, [(1, 2, 3, 4)]),
    C("UpsamplingNearest2d", (), {"scale_factor": 2}, [(1, 2, 3, 4)]),
    C("UpsamplingBilinear2d", (), {"size": (5, 3)}, [(1, 2, 3, 4)]),
    C("Fold", ((4, 5), 2), inputs=[(2, 12, 12)]),
    C("Unfold", ((2, 3),), {"padding": 1}, [(2, 3, 4, 5)]),
    C("Embedding", (6, 3), {"padding_idx": 1}, lambda rng: [rng.integers(0, 6, (2, 4))]),
    C("EmbeddingBag", (6, 3), {"mode": "mean"}, lambda rng: [rng.integers(0, 6, (2, 4))]),
    # convolution
    C("Conv1d", (2, 3, 3), inputs=[(2, 2, 6)]),
    C("Conv2d", (2, 4, 3), {"padding": 1, "groups": 2}, [(2, 2, 5, 4)]),
    C("Conv3d", (2, 2, 2), inputs=[(1, 2, 3, 4, 3)]),
    C("ConvTranspose1d", (2, 3, 3), {"stride": 2}, [(2, 2, 4)]),
    C("ConvTranspose2d", (2, 3, 2), inputs=[(1, 2, 3, 4)]),
    C("ConvTranspose3d", (2, 2, 2), inputs=[(1, 2, 2, 3, 2)]),
    C("LazyConv1d", (3, 2), inputs=[(2, 2, 5)]),
    C("LazyConv2d", (3, 2), inputs=[(1, 2, 4, 4)]),
    C("LazyConv3d", (2, 2), inputs=[(1, 2, 3, 3, 3)]),
    C("LazyConvTranspose1d", (3, 2), inputs=[(2, 2, 5)]),
    C("LazyConvTranspose2d", (3, 2), inputs=[(1, 2, 3, 3)]),
    C("LazyConvTranspose3d", (2, 2), inputs=[(1, 2, 2, 2, 2)]),
    # padding
    *[C(f"{k}{nd}d", ((1, 2, 0, 1, 2, 1)[:2 * nd],), inputs=[(2, 3) + (4, 3, 4)[:nd]])
      for k in ("ZeroPad", "ReflectionPad", "ReplicationPad", "CircularPad") for nd in (1, 2, 3)],
    *[C(f"ConstantPad{nd}d", (1, 2.5), inputs=[(2, 3) + (4, 3, 4)[:nd]]) for nd in (1, 2, 3)],
    # pooling
    C("MaxPool1d", (3, 2), {"padding": 1}, [(2, 3, 7)]),
    C("MaxPool2d", (2,), {"return_indices": True}, [(2, 2, 4, 5)]),
    C("MaxPool3d", (2,), {"ceil_mode": True}, [(1, 2, 3, 4, 3)]),
    C("AvgPool1d", (3, 2), {"padding": 1}, [(2, 3, 7)]),
    C("AvgPool2d", (2,), {"count_include_pad": False, "padding": 1}, [(2, 2, 4, 5)]),
    C("AvgPool3d", (2,), inputs=[(1, 2, 4, 4, 2)]),
    C("AdaptiveAvgPool1d", (3,), inputs=[(2, 3, 7)]),
    C("AdaptiveAvgPool2d", ((2, 3),), inputs=[(2, 2, 5, 7)]),
    C("AdaptiveAvgPool3d", (2,), inputs=[(1, 2, 3, 4, 5)]),
    C("AdaptiveMaxPool1d", (3,), inputs=[(2, 3, 7)]),
    C("AdaptiveMaxPool2d", ((2, 3), True), inputs=[(2, 2, 5, 7)]),
    C("AdaptiveMaxPool3d", (2,), inputs=[(1, 2, 3, 4, 5)]),
    # positive inputs: a fractional power of a negative window sum is NaN in both
    C("LPPool1d", (2, 3), inputs=_positive(2, 3, 7)),
    C("LPPool2d", (3, 2), inputs=_positive(2, 2, 4, 4)),
    C("LPPool3d", (2, 2), inputs=_positive(1, 2, 4, 4, 2)),
    C("MaxUnpool1d", (2,), inputs=_unpool_inputs(1)),
    C("MaxUnpool2d", (2,), inputs=_unpool_inputs(2)),
    C("MaxUnpool3d", (2,), inputs=_unpool_inputs(3)),
    C("FractionalMaxPool2d", (2,), lambda L: {"output_size": (3, 2), "return_indices": True,
                                              "_random_samples": L.tensor(_FMP2)},
      [(2, 3, 6, 5)]),
    C("FractionalMaxPool3d", (2,), lambda L: {"output_ratio": 0.5,
                                              "_random_samples": L.tensor(_FMP3)},
      [(2, 2, 4, 5, 6)]),
    # normalization
    C("BatchNorm1d", (3,), inputs=[(4, 3, 2)]),
    C("BatchNorm2d", (3,), {"momentum": None}, [(2, 3, 2, 2)]),
    C("BatchNorm3d", (2,), {"affine": False}, [(2, 2, 2, 2, 2)]),
    C("SyncBatchNorm", (3,), inputs=[(4, 3, 2)]),
    C("LazyBatchNorm1d", inputs=[(4, 3)]),
    C("LazyBatchNorm2d", inputs=[(2, 3, 2, 2)]),
    C("LazyBatchNorm3d", inputs=[(2, 2, 2, 2, 2)]),
    C("InstanceNorm1d", (3,), {"affine": True}, [(2, 3, 5)]),
    C("InstanceNorm2d", (3,), {"track_running_stats": True}, [(2, 3, 3, 3)]),
    C("InstanceNorm3d", (2,), inputs=[(2, 2, 2, 3, 2)]),
    C("LazyInstanceNorm1d", inputs=[(2, 3, 5)]),
    C("LazyInstanceNorm2d", inputs=[(2, 3, 3, 3)]),
    C("LazyInstanceNorm3d", inputs=[(2, 2, 2, 3, 2)]),
    C("LayerNorm", ((3, 4),), inputs=[(2, 3, 4)]),
    C("GroupNorm", (2, 4), inputs=[(2, 4, 3)]),
    C("RMSNorm", (4,), {"eps": 1e-6}, [(3, 4)]),
    C("LocalResponseNorm", (3,), inputs=[(2, 5, 3, 3)]),
    # dropout: eval mode is the identity in both frameworks (train mode draws differ)
    *[C(n, inputs=[shape], train=False) for n, shape in
      [("Dropout", (2, 3)), ("Dropout1d", (2, 3, 4)), ("Dropout2d", (2, 3, 2, 2)),
       ("Dropout3d", (2, 3, 2, 2, 2)), ("AlphaDropout", (3, 4)),
       ("FeatureAlphaDropout", (2, 3, 2, 2))]],
    # recurrent
    C("RNN", (3, 4), {"num_layers": 2, "nonlinearity": "relu"}, [(5, 2, 3)]),
    C("LSTM", (3, 4), {"batch_first": True, "bidirectional": True}, [(2, 5, 3)]),
    C("LSTM", (3, 4), {"proj_size": 2}, [(5, 2, 3)], id="LSTM-proj"),
    C("GRU", (3, 4), inputs=[(5, 3)]),
    C("RNNCell", (3, 4), inputs=[(2, 3), (2, 4)]),
    C("LSTMCell", (3, 4), inputs=[(2, 3)]),
    C("GRUCell", (3, 4), inputs=[(2, 3), (2, 4)]),
    # transformer (dropout 0 so train mode is deterministic)
    C("TransformerEncoderLayer", (4, 2, 8, 0.0), {"batch_first": True}, [(2, 3, 4)]),
    C("TransformerDecoderLayer", (4, 2, 8, 0.0), {"norm_first": True}, [(3, 2, 4), (5, 2, 4)]),
    C("TransformerEncoder", lambda L: (L.nn.TransformerEncoderLayer(4, 2, 8, 0.0), 2),
      inputs=[(3, 2, 4)]),
    C("TransformerDecoder", lambda L: (L.nn.TransformerDecoderLayer(4, 2, 8, 0.0), 2),
      inputs=[(3, 2, 4), (4, 2, 4)]),
    C("Transformer", (), {"d_model": 4, "nhead": 2, "num_encoder_layers": 1,
                          "num_decoder_layers": 1, "dim_feedforward": 6, "dropout": 0.0},
      [(3, 2, 4), (2, 2, 4)]),
    # losses
    C("L1Loss", inputs=[(3, 4), (3, 4)]),
    C("MSELoss", (), {"reduction": "sum"}, [(3, 4), (3, 4)]),
    C("SmoothL1Loss", (), {"beta": 0.5}, [(3, 4), (3, 4)]),
    C("HuberLoss", (), {"delta": 0.7}, [(3, 4), (3, 4)]),
    C("CrossEntropyLoss", (), {"label_smoothing": 0.1}, _targets(4, 5)),
    C("NLLLoss", (), {"reduction": "none"}, _targets(4, 5)),
    C("NLLLoss2d", (), {}, lambda rng: [rng.standard_normal((2, 3, 2, 2)),
                                        rng.integers(0, 3, (2, 2, 2))]),
    C("MultiMarginLoss", (), {"margin": 0.5}, _targets(4, 5)),
    C("BCELoss", (), {}, lambda rng: [rng.uniform(0.1, 0.9, (3, 4)),
                                      Const(rng.uniform(0, 1, (3, 4)))]),
    C("BCEWithLogitsLoss", (), lambda L: {"pos_weight": L.tensor([1.0, 2.0, 0.5, 1.5],
                                                                 dtype=L.float64)},
      lambda rng: [rng.standard_normal((3, 4)), Const(rng.uniform(0, 1, (3, 4)))]),
    C("KLDivLoss", (), {"reduction": "batchmean"}, _log_probs(3, 4)),
    C("PoissonNLLLoss", (), {}, lambda rng: [rng.standard_normal((3, 4)),
                                             Const(rng.poisson(2.0, (3, 4)))]),
    C("GaussianNLLLoss", (), {}, lambda rng: [rng.standard_normal((3, 4)),
                                              rng.standard_normal((3, 4)),
                                              rng.uniform(0.5, 2, (3, 4))]),
    C("SoftMarginLoss", (), {}, lambda rng: [rng.standard_normal((3, 4)),
                                             Const(rng.choice([-1.0, 1.0], (3, 4)))]),
    C("HingeEmbeddingLoss", (), {}, lambda rng: [rng.standard_normal((3, 4)),
                                                 Const(rng.choice([-1.0, 1.0], (3, 4)))]),
    C("MultiLabelSoftMarginLoss", (), {}, lambda rng: [rng.standard_normal((3, 4)),
                                                       Const(rng.integers(0, 2, (3, 4)))]),
    C("MultiLabelMarginLoss", (), {}, lambda rng: [rng.standard_normal((2, 4)),
                                                   np.array([[3, 0, -1, 1], [1, 2, 3, -1]])]),
    C("CosineEmbeddingLoss", (), {"margin": 0.2}, lambda rng: [
        rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), Const([1.0, -1.0, 1.0])]),
    C("MarginRankingLoss", (), {"margin": 0.1}, lambda rng: [
        rng.standard_normal(5), rng.standard_normal(5), Const(rng.choice([-1.0, 1.0], 5))]),
    C("TripletMarginLoss", (), {"swap": True}, [(3, 4), (3, 4), (3, 4)]),
    C("TripletMarginWithDistanceLoss", (), {"margin": 0.5}, [(3, 4), (3, 4), (3, 4)]),
    C("CTCLoss", (), {"reduction": "sum"}, _ctc_inputs),
    C("AdaptiveLogSoftmaxWithLoss", (6, 10, [3, 7]), {"div_value": 2.0},
      lambda rng: [rng.standard_normal((5, 6)), np.array([0, 9, 4, 2, 7])]),
    C("LinearCrossEntropyLoss", (4, 5), {"bias": True},
      lambda rng: [rng.standard_normal((3, 4)), rng.integers(0, 5, 3)]),
    C("CrossMapLRN2d", (3, 0.3, 0.6, 1.5), inputs=[(2, 5, 2, 2)]),
]

# Option and input-layout variants of the layers above (unbatched inputs, masks, less
# common constructor flags): the same comparison, to catch option-specific bugs.
VARIANTS = [
    C("Conv1d", (2, 3, 3), {"padding": "same", "padding_mode": "reflect"}, [(2, 6)],
      id="Conv1d-unbatched-reflect"),
    C("ConvTranspose2d", (4, 2, 3), {"stride": 2, "groups": 2, "output_padding": 1,
                                     "dilation": 2}, [(4, 3, 3)], id="ConvT2d-unbatched"),
    C("MaxPool2d", (3, 2), {"dilation": 2, "padding": 1}, [(2, 7, 6)], id="MaxPool2d-dil"),
    C("AvgPool2d", (3, 2), {"ceil_mode": True, "divisor_override": 4}, [(1, 2, 6, 5)],
      id="AvgPool2d-ceil-div"),
    C("AdaptiveMaxPool2d", ((None, 2),), inputs=[(2, 5, 7)], id="AdaptiveMaxPool2d-none"),
    C("LPPool2d", (1.5, (2, 3), 1), inputs=_positive(2, 3, 5), id="LPPool2d-unbatched"),
    C("BatchNorm1d", (3,), {"track_running_stats": False}, [(4, 3)], id="BatchNorm1d-nostats"),
    C("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, [(3, 5)],
      id="InstanceNorm1d-unbatched"),
    C("GroupNorm", (1, 3), {"affine": False}, [(2, 3, 2, 2)], id="GroupNorm-noaffine"),
    C("LayerNorm", (4,), {"bias": False}, [(2, 3, 4)], id="LayerNorm-nobias"),
    C("Embedding", (6, 3), {"max_norm": 1.0}, lambda rng: [rng.integers(0, 6, (2, 3))],
      id="Embedding-maxnorm"),
    C("EmbeddingBag", (6, 3), {"mode": "sum"}, lambda rng: [
        rng.integers(0, 6, 7), np.array([0, 3, 3, 5]), rng.standard_normal(7)],
      id="EmbeddingBag-offsets-weights"),
    C("EmbeddingBag", (6, 3), {"mode": "max"}, lambda rng: [rng.integers(0, 6, (3, 2))],
      id="EmbeddingBag-max"),
    C("MultiheadAttention", (4, 2), {"kdim": 3, "vdim": 5, "add_bias_kv": True,
                                     "add_zero_attn": True},
      [(3, 2, 4), (6, 2, 3), (6, 2, 5)], id="MHA-kdim-vdim-biaskv"),
    C("MultiheadAttention", (4, 1), {"bias": False}, [(3, 4), (5, 4), (5, 4)],
      id="MHA-unbatched"),
    C("RNN", (3, 4), {"bidirectional": True, "bias": False}, [(4, 3), (2, 4)],
      id="RNN-unbatched-h0"),
    C("GRU", (3, 4), {"num_layers": 2, "batch_first": True, "bidirectional": True},
      [(2, 5, 3)], id="GRU-2layer-bi"),
    C("LSTMCell", (3, 4), {"bias": False}, [(3,)], id="LSTMCell-unbatched"),
    C("TransformerEncoderLayer", (4, 2, 6, 0.0), {"activation": "gelu", "norm_first": True},
      [(3, 4)], id="EncoderLayer-unbatched-gelu"),
    C("CrossEntropyLoss", (), lambda L: {"weight": L.tensor([1.0, 2.0, 0.5],
                                                            dtype=L.float64),
                                         "ignore_index": 1},
      lambda rng: [rng.standard_normal((2, 3, 4)), rng.integers(0, 3, (2, 4))],
      id="CrossEntropy-kdim-weight-ignore"),
    C("CrossEntropyLoss", (), {"label_smoothing": 0.2},
      lambda rng: [rng.standard_normal((3, 4)), Const(rng.dirichlet(np.ones(4), 3))],
      id="CrossEntropy-probs"),
    C("NLLLoss", (), {"ignore_index": 0}, _targets(5, 3), id="NLLLoss-ignore"),
    C("BCEWithLogitsLoss", (), {"reduction": "none"},
      lambda rng: [rng.standard_normal(4), Const(rng.uniform(0, 1, 4))], id="BCEWithLogits-1d"),
    C("PoissonNLLLoss", (), {"log_input": False, "full": True},
      lambda rng: [rng.uniform(0.5, 2, (3, 4)), Const(rng.poisson(2.0, (3, 4)))],
      id="PoissonNLL-full"),
    C("GaussianNLLLoss", (), {"full": True, "reduction": "sum"},
      lambda rng: [rng.standard_normal((3, 4)), rng.standard_normal((3, 4)),
                   rng.uniform(0.5, 2, (3, 1))], id="GaussianNLL-bcast-var"),
    C("CTCLoss", (), {"blank": 0, "zero_infinity": True, "reduction": "mean"}, _ctc_inputs,
      id="CTCLoss-mean"),
    C("TripletMarginLoss", (), {"p": 1.0, "margin": 2.0}, [(4,), (4,), (4,)],
      id="Triplet-unbatched-p1"),
    C("ReflectionPad2d", (2,), inputs=[(3, 3, 4)], id="ReflectionPad2d-unbatched"),
    C("CircularPad1d", ((2, 0),), inputs=[(3, 4)], id="CircularPad1d-unbatched"),
    C("ConstantPad2d", ((-1, 2, 0, -1), 0.5), inputs=[(1, 3, 4)], id="ConstantPad2d-neg"),
    C("FractionalMaxPool2d", ((2, 3),), lambda L: {"output_ratio": (0.5, 0.7),
                                                   "_random_samples": L.tensor(_FMP2[:1])},
      [(3, 7, 8)], id="FractionalMaxPool2d-unbatched"),
    C("Upsample", (), {"scale_factor": 1.7, "mode": "bicubic", "align_corners": True},
      [(1, 2, 3, 4)], id="Upsample-bicubic-ac"),
]

# Module classes not in the table, and why.
EXCLUDED = {
    "Module": "the abstract base class (tested throughout tests/nn/test_module.py)",
    "Container": "deprecated base class with no forward",
    "RNNCellBase": "abstract base of RNNCell/LSTMCell/GRUCell (no forward)",
    "RNNBase": "base of RNN/LSTM/GRU; torch's has no forward of its own",
    "ModuleList": "not callable (tested in tests/nn/test_containers.py)",
    "ModuleDict": "not callable (tested in tests/nn/test_containers.py)",
    "ParameterList": "not callable (tested in tests/nn/test_containers.py)",
    "ParameterDict": "not callable (tested in tests/nn/test_containers.py)",
}

# torch's CrossMapLRN2d backward is hand-written for a symmetric channel window and fails
# torch's own gradcheck; ember's gradient is the exact one of the same forward (see
# tests/nn/test_norm_parallel_extra.py), so only its forward is compared here.
NO_GRAD_COMPARE = {"CrossMapLRN2d"}


def _case_id(c: Case) -> str:
    return c.id or c.name


def _flat(out):
    """Tensors of a (nested) module output, in order."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out] if out is not None else []


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("case", CASES + VARIANTS, ids=[_case_id(c) for c in CASES + VARIANTS])
def test_module_matches_torch(case):
    rng = np.random.default_rng(abs(hash(_case_id(case))) % 2**32)
    inputs = case.make_inputs(rng)
    t_mod = case.build(torch).double()
    e_mod = case.build(ember).double()
    lazy = isinstance(t_mod, torch.nn.modules.lazy.LazyModuleMixin)
    if lazy:  # materialize both (shapes from the input), then copy torch's values
        with torch.no_grad():
            t_mod(*[_lib_input(torch, i)[0] for i in inputs])
        with ember.no_grad():
            e_mod(*[_lib_input(ember, i)[0] for i in inputs])
    t_mod.train(case.train), e_mod.train(case.train)
    t_sd = t_mod.state_dict()
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_sd.items()})
    e_sd = e_mod.state_dict()
    assert list(e_sd) == list(t_sd)
    for k, v in t_sd.items():
        assert tuple(e_sd[k].shape) == tuple(v.shape), k
    assert repr(e_mod) == repr(t_mod)

    t_in = [_lib_input(torch, i) for i in inputs]
    e_in = [_lib_input(ember, i) for i in inputs]
    t_out = _flat(t_mod(*[v for v, _ in t_in]))
    e_out = _flat(e_mod(*[v for v, _ in e_in]))
    assert len(e_out) == len(t_out)
    loss_t, loss_e = 0, 0
    for i, (eo, to) in enumerate(zip(e_out, t_out)):
        assert tuple(eo.shape) == tuple(to.shape), f"output {i}"
        assert str(eo.dtype) == str(to.dtype), f"output {i}"
        if to.dtype.is_floating_point:
            assert not np.isnan(_np(to)).any(), f"output {i}: choose inputs without NaN"
            np.testing.assert_allclose(_np(eo), _np(to), atol=case.atol, rtol=1e-7,
                                       err_msg=f"output {i}")
            if to.requires_grad:
                w = rng.standard_normal(tuple(to.shape))
                loss_t = loss_t + (to * torch.tensor(w)).sum()
                loss_e = loss_e + (eo * ember.tensor(w)).sum()
        else:
            np.testing.assert_array_equal(_np(eo), _np(to), err_msg=f"output {i}")
    for (n, be), (_, bt) in zip(e_mod.named_buffers(), t_mod.named_buffers()):
        np.testing.assert_allclose(_np(be), _np(bt), atol=case.atol, err_msg=n)
    if case.name in NO_GRAD_COMPARE or not isinstance(loss_t, torch.Tensor):
        return
    loss_t.backward()
    loss_e.backward()
    for i, ((ev, ed), (tv, _)) in enumerate(zip(e_in, t_in)):
        if ed:
            assert ev.grad is not None, f"input {i} has no gradient"
            np.testing.assert_allclose(_np(ev.grad), _np(tv.grad), atol=case.atol, rtol=1e-7,
                                       err_msg=f"grad of input {i}")
    e_params, t_params = dict(e_mod.named_parameters()), dict(t_mod.named_parameters())
    assert list(e_params) == list(t_params)
    for n, pt in t_params.items():
        pe = e_params[n]
        if pt.grad is None:
            assert pe.grad is None or not np.any(_np(pe.grad)), n
            continue
        np.testing.assert_allclose(_np(pe.grad), _np(pt.grad), atol=case.atol, rtol=1e-7,
                                   err_msg=f"grad of {n}")


def _module_classes(ns) -> set:
    return {n for n in dir(ns) if inspect.isclass(getattr(ns, n))
            and issubclass(getattr(ns, n), (torch.nn.Module, ember.nn.Module))}


def test_every_module_class_is_covered():
    tested = {c.name for c in CASES}
    assert not tested & set(EXCLUDED), "a class is both tested and excluded"
    covered = tested | set(EXCLUDED)
    torch_classes = _module_classes(torch.nn)
    ember_classes = _module_classes(ember.nn)
    assert torch_classes - ember_classes == set(), "torch.nn classes ember lacks"
    assert sorted(torch_classes - covered) == [], "add these to CASES or EXCLUDED"
    assert sorted(ember_classes - covered) == [], "add these to CASES or EXCLUDED"


@pytest.mark.parametrize("name,args,src,shape", [
    ("LazyLinear", (3,), ("Linear", (4, 3)), (2, 4)),
    ("LazyConv2d", (3, 2), ("Conv2d", (2, 3, 2)), (1, 2, 4, 4)),
    ("LazyBatchNorm1d", (), ("BatchNorm1d", (3,)), (4, 3)),
])
def test_lazy_module_loaded_then_called_matches_torch(name, args, src, shape):
    """load_state_dict into a fresh lazy module, then call it: same repr and output as
    torch (LazyLinear records in_features; torch's conv/norm keep the 0 placeholder)."""
    t_src = getattr(torch.nn, src[0])(*src[1]).double()
    t_mod = getattr(torch.nn, name)(*args).double()
    e_mod = getattr(ember.nn, name)(*args).double()
    t_mod.load_state_dict(t_src.state_dict())
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy())
                           for k, v in t_src.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape)
    yt, ye = t_mod(torch.tensor(x)), e_mod(ember.tensor(x))
    assert repr(e_mod) == repr(t_mod)
    np.testing.assert_allclose(_np(ye), _np(yt), atol=1e-12)
