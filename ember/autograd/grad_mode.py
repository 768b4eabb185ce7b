"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode.

The state is one process-wide flag read on every op (the hot path), not a thread-local
as in torch. Each switch works as a ``with`` block and as a decorator (also of generator
functions); ``no_grad``, ``enable_grad`` and ``inference_mode`` may decorate without
parentheses, as in torch.
"""

from __future__ import annotations

import functools
import inspect
import warnings


class _GradState:
    enabled = True
    inference = False


STATE = _GradState()


def is_grad_enabled() -> bool:
    """True when new ops are recorded for autograd."""
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return STATE.inference


class _GradModeContext:
    """Base for the grad-mode switches: usable as ``with`` block and as decorator."""

    def __call__(self, func):
        if inspect.isclass(func):
            warnings.warn("Decorating classes is deprecated and will be disabled in future "
                          "versions. You should only decorate functions or methods.",
                          FutureWarning, stacklevel=2)

            def construct(*args, **kwargs):
                with self.clone():
                    return func(*args, **kwargs)
            return construct
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def _wrap_generator(self, func):
        """The mode holds while the generator body runs, not while its caller does."""

        @functools.wraps(func)
        def gen_wrapper(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value
        return gen_wrapper

    def clone(self):
        return type(self)()

    def __enter__(self) -> None:
        self._prev = (STATE.enabled, STATE.inference)
        self._switch()

    def __exit__(self, *exc) -> bool:
        STATE.enabled, STATE.inference = self._prev
        return False


class _NoParamSwitch(_GradModeContext):
    """A switch that can decorate without parentheses: ``@no_grad`` as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamSwitch):
    """Context manager / decorator that disables gradient recording."""

    def _switch(self) -> None:
        STATE.enabled = False


class enable_grad(_NoParamSwitch):
    """Context manager / decorator that enables gradient recording."""

    def _switch(self) -> None:
        STATE.enabled = True


class set_grad_enabled(_GradModeContext):
    """Sets grad mode on (True) or off (False): at once when called, and for the block
    or decorated function when used as a context manager / decorator."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev = (STATE.enabled, STATE.inference)
        STATE.enabled = self.mode

    def __call__(self, func):
        STATE.enabled = self._prev[0]  # decorating must not change the mode outside
        return super().__call__(func)

    def __enter__(self) -> None:
        STATE.enabled = self.mode

    def clone(self):
        return set_grad_enabled(self.mode)

    def _switch(self) -> None:
        STATE.enabled = self.mode


class inference_mode(_GradModeContext):
    """Like no_grad for ember (it keeps no version bookkeeping to skip);
    ``inference_mode(False)`` turns recording back on inside an inference block."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode if isinstance(mode, bool) else True

    def clone(self):
        return inference_mode(self.mode)

    def _switch(self) -> None:
        STATE.enabled = not self.mode
        STATE.inference = self.mode


__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]
