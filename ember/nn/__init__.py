"""ember.nn: modules, parameters, functional API and initialization (torch.nn)."""

from . import functional, init, parallel, utils  # noqa: F401
from .modules import *  # noqa: F401,F403
from .parallel import DataParallel  # noqa: F401
from .parameter import *  # noqa: F401,F403
