"""ember.autograd.graph: the graph node type and saved-tensor hooks.

``saved_tensors_hooks(pack_hook, unpack_hook)``: while the block is active, every tensor
an op saves for backward is passed to ``pack_hook`` and only its result is kept;
``unpack_hook`` turns that back into a tensor when backward needs it (e.g. to keep
activations compressed, or on another device). ``save_on_cpu`` is one such pair.
"""

from __future__ import annotations

from .function import SAVED_HOOKS, Node, RemovableHandle

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks",
           "RemovableHandle", "increment_version"]


class saved_tensors_hooks:
    """Context manager: pack tensors saved for backward with ``pack_hook(tensor)`` and
    unpack them with ``unpack_hook(packed) -> Tensor``. Nested blocks: innermost wins."""

    def __init__(self, pack_hook, unpack_hook) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        if _DISABLED:
            raise RuntimeError(_DISABLED[-1])
        SAVED_HOOKS.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> bool:
        SAVED_HOOKS.pop()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Keep tensors saved for backward in (optionally pinned) CPU memory; move them back to
    their device when backward needs them."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(t):
            return (t.device, t.cpu())

        def unpack(packed):
            device, t = packed
            return t.to(device)
        super().__init__(pack, unpack)


_DISABLED: list = []


class disable_saved_tensors_hooks:
    """Context manager in which entering ``saved_tensors_hooks`` raises ``error_message``."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self) -> None:
        _DISABLED.append(self.error_message)

    def __exit__(self, *exc) -> bool:
        _DISABLED.pop()
        return False


def increment_version(tensor) -> None:
    """Mark ``tensor`` as modified in place (bumps its version counter)."""
    tensors = tensor if isinstance(tensor, (list, tuple)) else (tensor,)
    for t in tensors:
        t._vc[0] += 1
