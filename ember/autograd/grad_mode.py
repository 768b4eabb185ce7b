"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode.

The state is one process-wide flag read on every op (the hot path), not a thread-local.
"""

from __future__ import annotations

import functools
import inspect


class _GradState:
    enabled = True
    inference = False


STATE = _GradState()


def is_grad_enabled() -> bool:
    """True when new ops are recorded for autograd."""
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _GradModeContext:
    """Base for the grad-mode switches: usable as ``with`` block and as decorator."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise TypeError(f"{type(self).__name__} cannot decorate a class")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except BaseException as exc:
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        try:
                            with self.clone():
                                response = gen.send(request)
                        except StopIteration as stop:
                            return stop.value
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()

    def __enter__(self):
        self._prev = (STATE.enabled, STATE.inference)
        self._switch()
        return None

    def __exit__(self, *exc):
        STATE.enabled, STATE.inference = self._prev
        return False


class no_grad(_GradModeContext):
    """Context manager / decorator that disables gradient recording."""

    def __init__(self, orig_func=None):
        if orig_func is not None and callable(orig_func):  # used as @no_grad without ()
            self._wrapped = self(orig_func)

    def _switch(self):
        STATE.enabled = False


class enable_grad(_GradModeContext):
    """Context manager / decorator that enables gradient recording."""

    def _switch(self):
        STATE.enabled = True


class set_grad_enabled(_GradModeContext):
    """Sets grad mode on (True) or off (False); acts at once, or as a context manager."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._prev = (STATE.enabled, STATE.inference)
        STATE.enabled = self.mode

    def __enter__(self):
        return None

    def clone(self):
        return set_grad_enabled(self.mode)

    def _switch(self):
        STATE.enabled = self.mode


class inference_mode(_GradModeContext):
    """Like no_grad (ember keeps no extra version bookkeeping to skip)."""

    def __init__(self, mode: bool = True):
        self.mode = mode

    def clone(self):
        return inference_mode(self.mode)

    def _switch(self):
        if self.mode:
            STATE.enabled = False
            STATE.inference = True
