"""ember.linalg: torch.linalg's functions (implemented in ember/ops/linalg.py)."""

from __future__ import annotations

from .ops.linalg import (
    LinAlgError,
    cholesky_ex,
    det,
    eig,
    eigh,
    eigvals,
    eigvalsh,
    inv,
    inv_ex,
    lstsq,
    matmul,
    matrix_norm,
    matrix_power,
    matrix_rank,
    multi_dot,
    pinv,
    solve,
    solve_triangular,
    svdvals,
    vecdot,
    vector_norm,
)
from .ops.linalg import _linalg_cross as cross
from .ops.linalg import _linalg_diagonal as diagonal
from .ops.linalg import linalg_cholesky as cholesky
from .ops.linalg import linalg_norm as norm
from .ops.linalg import linalg_qr as qr
from .ops.linalg import linalg_slogdet as slogdet
from .ops.linalg import linalg_svd as svd

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cross", "det", "diagonal", "eig",
           "eigh", "eigvals", "eigvalsh", "inv", "inv_ex", "lstsq", "matmul", "matrix_norm",
           "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve",
           "solve_triangular", "svd", "svdvals", "vecdot", "vector_norm"]
