"""The autocast op table: which ops run in the lower precision and which in float32.

Mirrors torch's CPU autocast lists for the ops ember has (verified against torch's output
dtypes in tests/amp/test_autocast.py).
"""

LOWER = frozenset({
    "matmul", "mm", "bmm", "addmm", "addbmm", "baddbmm", "linear",
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
})

FP32 = frozenset({
    "cross_entropy", "nll_loss", "mse_loss",
})

POLICY = {**{op: "lower" for op in LOWER}, **{op: "fp32" for op in FP32}}
