"""ember.nn.functional: torch.nn.functional. The differentiable primitives live in
ember/ops/ (activation.py, loss.py, conv.py, pool.py, norm.py, dropout.py,
embedding.py); this module is the public namespace."""

from ..ops.activation import *  # noqa: F401,F403
from ..ops.attention import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.dropout import *  # noqa: F401,F403
from ..ops.embedding import *  # noqa: F401,F403
from ..ops.linear import *  # noqa: F401,F403
from ..ops.loss import *  # noqa: F401,F403
from ..ops.norm import *  # noqa: F401,F403
from ..ops.pool import *  # noqa: F401,F403
from ..ops.vision import *  # noqa: F401,F403
