"""Random sampling ops on tensors: normal, bernoulli, multinomial, poisson, in-place
initializers (uniform_, normal_, ...)."""

from __future__ import annotations

__all__: list = []
