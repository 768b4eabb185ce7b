"""Anomaly detection: remember where each op was created, check backward for NaN.

With anomaly detection on, every recorded node keeps the Python stack of the forward
call that created it. An exception raised while that node runs backward (or a NaN it
returns) then names the forward line at fault: as torch does, a UserWarning carries that
traceback, and ember also attaches it to the exception as a note (``add_note``), so it
shows in the printed traceback even where warnings are hidden.
"""

from __future__ import annotations

import functools
import warnings


class _AnomalyState:
    enabled = False
    check_nan = True


ANOMALY = _AnomalyState()

_ENABLED_MSG = ("Anomaly Detection has been enabled. This mode will increase the runtime and "
                "should only be enabled for debugging.")


def is_anomaly_enabled() -> bool:
    """True while anomaly detection is on."""
    return ANOMALY.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """True while anomaly detection also checks backward results for NaN."""
    return ANOMALY.check_nan


class detect_anomaly:
    """Context manager / decorator: record forward tracebacks and raise on NaN gradients."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(_ENABLED_MSG, UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        self._prev = (ANOMALY.enabled, ANOMALY.check_nan)
        ANOMALY.enabled, ANOMALY.check_nan = True, self.check_nan

    def __exit__(self, *exc) -> bool:
        ANOMALY.enabled, ANOMALY.check_nan = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off: at once, or for a ``with`` block."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (ANOMALY.enabled, ANOMALY.check_nan)
        ANOMALY.enabled, ANOMALY.check_nan = bool(mode), check_nan

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> bool:
        ANOMALY.enabled, ANOMALY.check_nan = self._prev
        return False


def forward_trace() -> list:
    """The current Python stack as formatted lines, without ember's autograd frames."""
    import os
    import traceback
    here = os.path.dirname(os.path.abspath(__file__))
    frames = [f for f in traceback.extract_stack()[:-1]
              if os.path.dirname(os.path.abspath(f.filename)) != here]
    return traceback.format_list(frames)


def attach_trace(exc: BaseException, node) -> None:
    """Point ``exc``, raised in ``node``'s backward, at the forward line that made node."""
    msg = (f"Error detected in {node.name()}. Traceback of forward call that caused the "
           "error:\n" + "".join(node._trace))
    warnings.warn(msg, UserWarning, stacklevel=2)
    if hasattr(exc, "add_note"):
        exc.add_note(msg)
    elif isinstance(exc, RuntimeError) and exc.args and isinstance(exc.args[0], str):
        exc.args = (f"{exc.args[0]}\n\n{msg}",) + tuple(exc.args[1:])  # Python 3.10
