"""Neural-network primitives: dropout family (used by ember.nn.functional).

Masks are drawn from ember's default generator (``ember.manual_seed`` makes them
reproducible); the output is ``input * mask`` so gradients follow the same mask.
"""

from __future__ import annotations

from .._tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]


def _E():
    import ember
    return ember


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _write(input: Tensor, out: Tensor, inplace: bool) -> Tensor:
    if not inplace:
        return out
    from .activation import _inplace_write
    return _inplace_write(input, out)


def _keep_mask(input: Tensor, shape, p: float) -> Tensor:
    """A float mask of ``shape`` with 1/(1-p) where kept and 0 where dropped."""
    E = _E()
    if p == 1.0:
        return E.zeros(shape, dtype=input.dtype, device=input.device)
    keep = E.rand(shape, dtype=input.dtype, device=input.device) >= p
    return keep.to(input.dtype) / (1.0 - p)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p)."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _write(input, input * _keep_mask(input, tuple(input.shape), p), inplace)


def _feature_dropout(input, p, training, inplace, name, batched_dim):
    _check_p(p)
    if not training or p == 0.0:
        return input
    nd = input.dim()
    if nd not in (batched_dim - 1, batched_dim):
        raise RuntimeError(f"{name}: Expected {batched_dim - 1}D or {batched_dim}D input, but "
                           f"received a {nd}D input.")
    lead = 2 if nd == batched_dim else 1
    shape = tuple(input.shape[:lead]) + (1,) * (nd - lead)
    return _write(input, input * _keep_mask(input, shape, p), inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input."""
    return _feature_dropout(input, p, training, inplace, "dropout1d", 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) input."""
    return _feature_dropout(input, p, training, inplace, "dropout2d", 4)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input."""
    return _feature_dropout(input, p, training, inplace, "dropout3d", 5)


_ALPHA = 1.7580993408473766  # selu scale * selu alpha: the saturation value is -_ALPHA


def _alpha(input, p, training, inplace, shape):
    _check_p(p)
    if not training or p == 0.0:
        return input
    E = _E()
    if p == 1.0:
        return _write(input, input * 0, inplace)
    keep = (E.rand(shape, dtype=input.dtype, device=input.device) >= p).to(input.dtype)
    a = 1.0 / ((_ALPHA * _ALPHA * p + 1) * (1 - p)) ** 0.5
    b = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
    return _write(input, input * (keep * a) + b, inplace)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: keeps zero mean and unit variance."""
    return _alpha(input, p, training, inplace, tuple(input.shape))


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """alpha_dropout masking whole channels."""
    nd = input.dim()
    shape = tuple(input.shape[:2]) + (1,) * (nd - 2) if nd >= 2 else tuple(input.shape)
    return _alpha(input, p, training, inplace, shape)
