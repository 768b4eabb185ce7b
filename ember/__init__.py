"""ember: a readable deep-learning framework whose public API is PyTorch's.

``import ember as torch`` runs PyTorch programs on NumPy (CPU) or CuPy (CUDA).
"""

__version__ = "0.1.0"

from . import dtypes as _dtypes
from .dtypes import (
    bfloat16, bool, cdouble, cfloat, complex64, complex128, double, dtype, float, float16,
    float32, float64, get_default_dtype, half, int, int8, int16, int32, int64, long,
    promote_types, set_default_dtype, short, uint8,
)
from .device import device
from .device import get_default_device, set_default_device
from .dtypes import finfo, iinfo
from .dtypes import channels_last, channels_last_3d, contiguous_format, layout, memory_format, preserve_format, sparse_coo, strided  # noqa: E501
from ._tensor import Size, Tensor
from .autograd.grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from .random import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
    set_rng_state,
)
from . import ops as _ops
from .ops.conversion import *
from .ops.creation import *
from .ops.elementwise import *
from .ops.index import *
from .ops.linalg import *
from .ops.reduce import *
from .ops.sampling import *
from .ops.shape import *
from .ops.creation import range_ as range  # noqa: A001 - torch.range
from ._printing import set_printoptions
from ._printing import get_printoptions, printoptions
from ._state import is_deterministic_algorithms_warn_only_enabled
from ._state import get_float32_matmul_precision, set_default_tensor_type, set_float32_matmul_precision, typename  # noqa: E501
from . import autograd, backends, cuda, linalg, accelerator
from . import nn
from . import optim, utils
from . import func
from . import amp, cpu
from .amp.autocast_mode import (autocast, clear_autocast_cache, get_autocast_cpu_dtype,
                                get_autocast_dtype, get_autocast_gpu_dtype,
                                is_autocast_cache_enabled, is_autocast_cpu_enabled,
                                is_autocast_enabled, set_autocast_cache_enabled,
                                set_autocast_cpu_dtype, set_autocast_cpu_enabled,
                                set_autocast_dtype, set_autocast_enabled,
                                set_autocast_gpu_dtype)
from .serialization import load, save
# torch's top-level aliases of nn.functional ops (only those whose torch signature is the
# same as the functional one)
from .nn.functional import (
    adaptive_avg_pool1d, alpha_dropout, avg_pool1d, celu, conv1d, conv2d, conv3d,
    conv_transpose1d, conv_transpose2d, conv_transpose3d, cosine_similarity, dropout,
    feature_alpha_dropout, group_norm, hardshrink, layer_norm, log_softmax, max_pool1d,
    max_pool2d, max_pool3d, pairwise_distance, pdist, pixel_shuffle, pixel_unshuffle, prelu,
    rrelu, selu, softmax, threshold,
)
# ---- torch's top-level aliases of nn ops built in ember/nn (padding, channel shuffle,
# grid sampling, conv_tbc); names and signatures checked with hasattr(torch, name)
from .ops.conv import conv_tbc
from .ops.vision import (
    affine_grid_generator, channel_shuffle, grid_sampler, grid_sampler_2d, grid_sampler_3d,
    native_channel_shuffle,
)
# ---- end of nn aliases
from . import return_types
from ._state import (
    are_deterministic_algorithms_enabled, get_num_threads, is_tensor, is_floating_point,
    is_complex, is_nonzero, numel, result_type, set_num_threads, use_deterministic_algorithms,
    get_num_interop_threads, set_num_interop_threads, is_storage, can_cast,
)

# legacy typed constructors: FloatTensor([1, 2]), LongTensor(3), ...
from ._legacy import (
    BFloat16Tensor, BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,
    IntTensor, LongTensor, ShortTensor,
)

# builtins shadowed by dtype names above, restored for code inside this module
import builtins as _builtins

__all__ = [n for n in dir() if not n.startswith("_")]
