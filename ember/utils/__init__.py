"""ember.utils: data loading and other helpers, as in torch.utils."""

from . import data as data
