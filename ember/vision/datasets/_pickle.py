"""A restricted unpickler for dataset files (the CIFAR python batches).

Pickle can call any importable function while loading, so a tampered dataset file could run
code (``os.system``, ...). This unpickler resolves only the few globals that plain data
needs: NumPy's array reconstruction (``_reconstruct``, ``ndarray``, ``dtype``) and
``_codecs.encode`` (how a protocol-2 pickle written by Python 3 stores ``bytes``). Lists,
dicts, tuples, str, bytes, int, float, bool and None need no globals at all. Anything else
is refused before it is called, and ``safe_load`` reports it as a RuntimeError.
"""

from __future__ import annotations

import codecs
import io
import os
import pickle
from typing import Any

import numpy as np

__all__ = ["safe_load"]

class _Refused(pickle.UnpicklingError):
    """The file asks for something that is not plain data."""


# The reconstructor NumPy itself names in its pickles; old files say ``numpy.core...``,
# NumPy 2 writes ``numpy._core...``, both resolve to this same function.
_np_reconstruct = np.ndarray.__reduce__(np.empty(0))[0]


def _reconstruct(subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    # Only plain ndarrays: a subclass could carry behaviour of its own.
    if subtype is not np.ndarray:
        raise _Refused(f"refusing to rebuild an array of type {subtype!r}")
    return _np_reconstruct(subtype, shape, dtype)


def _encode(text: Any, encoding: str = "utf-8") -> bytes:
    # Protocol 2 stores bytes as _codecs.encode(<latin-1 str>, 'latin1'); allow just that.
    if not isinstance(text, str) or codecs.lookup(encoding).name != "iso8859-1":
        raise _Refused("refusing _codecs.encode call other than str -> latin1")
    return text.encode("latin1")


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _encode,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise _Refused(
                f"refusing to load global '{module}.{name}': dataset files may contain only "
                f"plain containers, str/bytes/int/float and NumPy arrays"
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise _Refused("refusing a persistent id: not plain data")


def safe_load(path: str | os.PathLike, encoding: str = "latin1") -> Any:
    """Unpickle ``path`` allowing only plain data and NumPy arrays.

    ``encoding='latin1'`` reads Python 2 pickles (such as the original CIFAR batches) the
    way NumPy expects. A refused global, a truncated or corrupt file raises RuntimeError
    naming the file; nothing from the file is executed.
    """
    with open(path, "rb") as f:
        payload = f.read()
    try:
        return _RestrictedUnpickler(io.BytesIO(payload), encoding=encoding).load()
    except _Refused as e:
        raise RuntimeError(f"{os.fspath(path)}: cannot load this pickle safely: {e}") from e
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError,
            AttributeError) as e:
        raise RuntimeError(
            f"{os.fspath(path)}: the file is truncated or corrupt ({type(e).__name__}: {e})"
        ) from e
