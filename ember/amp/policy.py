"""The autocast op table: which ops run in the lower precision and which in float32.

Mirrors torch's CPU autocast lists for the ops ember has (verified against torch's output
dtypes in tests/amp/test_autocast.py).
"""

LOWER = frozenset({
    "matmul", "mm", "bmm", "addmm", "addbmm", "baddbmm", "linear",
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "conv_tbc", "prelu", "tensordot",
})

FP32 = frozenset({
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss",
    "multilabel_margin_loss", "multi_margin_loss", "hinge_embedding_loss",
    "cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss", "poisson_nll_loss",
    "prod", "quantile", "trace", "cdist",
})

POLICY = {**{op: "lower" for op in LOWER}, **{op: "fp32" for op in FP32}}
