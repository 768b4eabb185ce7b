"""ember.optim: torch's optimizers (and, from their own modules, learning-rate schedulers)."""

from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
