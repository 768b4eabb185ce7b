"""Random number generation: ember.Generator and the default generator.

Streams come from NumPy's PCG64; samples for CUDA tensors are drawn on the host and
copied to the device. They are reproducible under ember.manual_seed, but by design they
are not torch's Mersenne-Twister/Philox streams: the same seed gives different numbers in
ember and torch. Tests therefore check statistics (means, spreads, supports) and
reproducibility, never torch's exact values. ``get_state()`` returns a uint8 tensor
that only ember's ``set_state`` understands.
"""

from __future__ import annotations

import json

import numpy as np

from .device import as_device


class Generator:
    """A source of random numbers (torch.Generator): ``manual_seed``, ``seed``,
    ``initial_seed``, ``get_state``/``set_state``."""

    def __init__(self, device="cpu"):
        self.device = as_device(device)
        self._seed = 67280421310721  # torch's default seed
        self._np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        seed = int(seed)
        if seed < -0x8000_0000_0000_0000 or seed > 0xFFFF_FFFF_FFFF_FFFF:
            raise RuntimeError(f"Overflow when unpacking long long: {seed}")
        self._seed = seed & 0xFFFF_FFFF_FFFF_FFFF
        self._np = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Re-seed from a non-deterministic source and return the seed."""
        s = int(np.random.SeedSequence().entropy) & 0xFFFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        """The full state as a uint8 tensor (restore it with ``set_state``)."""
        from ._tensor import _wrap
        payload = json.dumps({"seed": self._seed, "bit_generator": self._np.bit_generator.state})
        return _wrap(np.frombuffer(payload.encode(), dtype=np.uint8).copy())

    def set_state(self, new_state) -> Generator:
        data = np.asarray(new_state.numpy() if hasattr(new_state, "numpy") else new_state,
                          dtype=np.uint8)
        try:
            state = json.loads(bytes(data).decode())
            self._np.bit_generator.state = state["bit_generator"]
        except (ValueError, KeyError, TypeError) as exc:
            raise RuntimeError("Invalid RNG state: expected a tensor returned by "
                               "get_state()/get_rng_state()") from exc
        self._seed = state["seed"]
        return self

    def clone_state(self) -> Generator:
        g = Generator(self.device)
        g.set_state(self.get_state())
        return g

    @property
    def numpy_generator(self) -> np.random.Generator:
        return self._np


default_generator = Generator()


def _gen(generator: Generator | None) -> np.random.Generator:
    return (generator if generator is not None else default_generator)._np


def manual_seed(seed: int) -> Generator:
    """Seed ember's default generator (and CUDA generators, when present)."""
    default_generator.manual_seed(seed)
    try:
        from . import cuda
        cuda.manual_seed_all(seed)
    except ImportError:
        pass
    return default_generator


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore a state returned by ``get_rng_state``."""
    default_generator.set_state(new_state)


def fork_rng(devices=None, enabled: bool = True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Context manager restoring the default generator's state on exit."""
    import contextlib

    @contextlib.contextmanager
    def _fork():
        if not enabled:
            yield
            return
        state = get_rng_state()
        try:
            yield
        finally:
            set_rng_state(state)
    return _fork()



