"""ember.cuda: device queries. CUDA tensors need CuPy and a visible GPU."""

from __future__ import annotations

from .device import cupy_module


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return cupy_module() is not None


def device_count() -> int:
    """The number of GPUs CuPy sees (0 without CUDA)."""
    cp = cupy_module()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def _require():
    cp = cupy_module()
    if cp is None:
        raise AssertionError("Torch not compiled with CUDA enabled (ember: no GPU visible to "
                             "CuPy; install ember[cuda] on a machine with a GPU)")
    return cp


def current_device() -> int:
    """The index of the current GPU."""
    return _require().cuda.runtime.getDevice()


def set_device(device) -> None:
    """Select the current GPU."""
    from .device import as_device
    d = as_device(device) if not isinstance(device, int) else None
    _require().cuda.runtime.setDevice(device if d is None else (d.index or 0))


def synchronize(device=None) -> None:
    """Wait for all work on the GPU (AssertionError without CUDA, as in torch)."""
    _require().cuda.runtime.deviceSynchronize()


def manual_seed(seed: int) -> None:
    """Seed the GPU generator (a no-op without CUDA, as in torch)."""
    cp = cupy_module()
    if cp is not None:
        cp.random.seed(int(seed) & 0xFFFFFFFF)


def manual_seed_all(seed: int) -> None:
    """Seed every GPU's generator (a no-op without CUDA, as in torch)."""
    manual_seed(seed)


def get_device_name(device=None) -> str:
    """The GPU's name."""
    cp = _require()
    return cp.cuda.runtime.getDeviceProperties(device or 0)["name"].decode()


def empty_cache() -> None:
    """Release cached GPU memory blocks (a no-op without CUDA)."""
    cp = cupy_module()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None) -> int:
    """Bytes held by live CUDA tensors (0 without CUDA)."""
    cp = cupy_module()
    return 0 if cp is None else cp.get_default_memory_pool().used_bytes()


def is_bf16_supported() -> bool:
    """Whether bfloat16 works on the GPU (False without CUDA)."""
    return is_available()


def seed() -> None:
    """Seed the GPU generator non-deterministically (a no-op without CUDA)."""
    cp = cupy_module()
    if cp is not None:
        cp.random.seed()


seed_all = seed


def initial_seed() -> int:
    """The seed of the generator GPU samples come from."""
    _require()
    from .random import initial_seed as _initial
    return _initial()


def get_rng_state(device="cuda"):
    """The GPU generator state; ember's GPU draws come from the default generator."""
    _require()
    from .random import get_rng_state as _get
    return _get()


def set_rng_state(new_state, device="cuda") -> None:
    """Restore a state from ``get_rng_state``."""
    _require()
    from .random import set_rng_state as _set
    _set(new_state)


def max_memory_allocated(device=None) -> int:
    """Peak bytes held by CUDA tensors (ember reports the current value)."""
    return memory_allocated(device)


def memory_reserved(device=None) -> int:
    """Bytes reserved by CuPy's memory pool (0 without CUDA)."""
    cp = cupy_module()
    return 0 if cp is None else cp.get_default_memory_pool().total_bytes()


max_memory_reserved = memory_reserved


def _legacy_cuda_types():
    from . import dtypes as _dt
    from ._legacy import _legacy
    names = {"FloatTensor": _dt.float32, "DoubleTensor": _dt.float64,
             "HalfTensor": _dt.float16, "BFloat16Tensor": _dt.bfloat16,
             "LongTensor": _dt.int64, "IntTensor": _dt.int32, "ShortTensor": _dt.int16,
             "CharTensor": _dt.int8, "ByteTensor": _dt.uint8, "BoolTensor": _dt.bool}
    return {n: _legacy(n, d, "cuda") for n, d in names.items()}


# torch.cuda.FloatTensor & co.: constructing one without a GPU raises torch's AssertionError
globals().update(_legacy_cuda_types())


def get_device_properties(device=None):
    """The GPU's properties (name, total_memory, major, minor, multi_processor_count)."""
    cp = _require()
    from .device import as_device
    idx = device if isinstance(device, int) else (as_device(device).index or 0 if device else 0)
    p = cp.cuda.runtime.getDeviceProperties(idx)

    class _Props:
        name = p["name"].decode() if isinstance(p["name"], bytes) else p["name"]
        total_memory = int(p["totalGlobalMem"])
        major, minor = int(p["major"]), int(p["minor"])
        multi_processor_count = int(p["multiProcessorCount"])

        def __repr__(self):
            return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                    f"minor={self.minor}, total_memory={self.total_memory // 2**20}MB, "
                    f"multi_processor_count={self.multi_processor_count})")
    return _Props()


def get_device_capability(device=None) -> tuple:
    """The GPU's compute capability as (major, minor)."""
    p = get_device_properties(device)
    return (p.major, p.minor)


class _AmpNamespace:
    """`ember.cuda.amp`: deprecated aliases of ember.amp for the "cuda" device."""

    @property
    def autocast(self):
        from .amp.autocast_mode import _deprecated_alias
        return _deprecated_alias("cuda")

    @staticmethod
    def GradScaler(init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,  # noqa: N802
                   backoff_factor: float = 0.5, growth_interval: int = 2000,
                   enabled: bool = True):
        """Deprecated: use `ember.amp.GradScaler("cuda", ...)`."""
        import warnings

        from .amp import GradScaler as _GradScaler
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        return _GradScaler("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                           enabled)


amp = _AmpNamespace()
