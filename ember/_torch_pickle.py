"""Reading and writing torch's zip checkpoint format without importing torch.

A ``torch.save`` file is a zip archive with one top folder (its name varies):
``<top>/data.pkl`` (a pickle of the object in which every tensor is a call to
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)``
and every storage a *persistent id* ``("storage", torch.<Type>Storage, key, location,
numel)``), ``<top>/data/<key>`` (each storage's raw bytes), ``<top>/byteorder`` and
``<top>/version``.

Reading goes through ``_RestrictedUnpickler``: ``find_class`` hands out ember stand-ins
for the few globals a checkpoint of tensors needs and refuses every other name, so
nothing from the file is ever executed (like ``torch.load(weights_only=True)``).

Writing emits the pickle opcodes directly: the standard ``Pickler`` insists on importing
the module of every global it writes, and torch is not a dependency of ember.
"""

from __future__ import annotations

import io
import pickle
import struct
import zipfile
from collections import Counter, OrderedDict
from typing import Any, Callable

import numpy as np

from . import dtypes as _dt
from ._tensor import Size, Tensor
from .device import device
from .serialization import (
    CheckpointError,
    UnsafeCheckpointError,
    _check_key,
    _child,
    _classify,
    _fail,
    _np_of,
    storage_of,
)

# torch's legacy storage class names <-> ember dtype names
_STORAGE_DTYPE = {"FloatStorage": "float32", "DoubleStorage": "float64",
                  "HalfStorage": "float16", "BFloat16Storage": "bfloat16",
                  "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16",
                  "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool",
                  "ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128",
                  "UntypedStorage": "uint8"}
_STORAGE_NAME = {v: k for k, v in _STORAGE_DTYPE.items() if k != "UntypedStorage"}


# ------------------------------------------------------------------------------------------
# Reading

class _StorageType:
    """What ``find_class`` returns for ``torch.FloatStorage`` & co: just the dtype."""

    def __init__(self, dtype: _dt.dtype) -> None:
        self.dtype = dtype


class _Storage:
    """One loaded storage: a flat array of its dtype, plus where it was saved from."""

    def __init__(self, array: np.ndarray, location: str) -> None:
        self.array, self.location = array, location


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickles only tensors, Parameters and plain containers; refuses any other global."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, top: str, name: str,
                 placer: Callable, big_endian: bool) -> None:
        super().__init__(io.BytesIO(data))
        self.archive, self.top, self.name = archive, top, name
        self.placer, self.big_endian = placer, big_endian
        self.storages: dict[str, _Storage] = {}
        self.allowed = {
            ("torch._utils", "_rebuild_tensor_v2"): self._rebuild_tensor_v2,
            ("torch._utils", "_rebuild_tensor"): self._rebuild_tensor_v2,
            ("torch._utils", "_rebuild_parameter"): self._rebuild_parameter,
            ("torch._utils", "_rebuild_parameter_with_state"): self._rebuild_parameter,
            ("collections", "OrderedDict"): OrderedDict,
            ("collections", "Counter"): Counter,
            ("torch", "Size"): Size,
            ("torch", "device"): device,
            # plain values torch's safe loader also accepts
            ("builtins", "set"): set,
            ("builtins", "complex"): complex,
            ("builtins", "bytearray"): bytearray,
            ("_codecs", "encode"): self._encode,
        }

    def find_class(self, module: str, name: str) -> Any:
        if module == "__builtin__":  # protocol 2 pickles name builtins the Python 2 way
            module = "builtins"
        if (module, name) in self.allowed:
            return self.allowed[(module, name)]
        if module in ("torch", "torch.storage") and name in _STORAGE_DTYPE:
            return _StorageType(_dt._BY_NAME[_STORAGE_DTYPE[name]])
        if module == "torch" and name in _dt._BY_NAME:
            return _dt._BY_NAME[name]
        raise UnsafeCheckpointError(
            f"ember.load: refusing to load {self.name}: its pickle asks for the global "
            f"'{module}.{name}', which is not a tensor or a container. ember never runs code "
            "from a checkpoint (like torch.load(weights_only=True)); re-save the data as "
            "tensors and plain containers (e.g. model.state_dict())")

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType) and isinstance(pid[2], str)
                and isinstance(pid[3], str) and type(pid[4]) is int and pid[4] >= 0):
            raise _fail(self.name, f"unexpected persistent id {pid!r:.200} in data.pkl")
        _, stype, key, location, numel = pid
        if key not in self.storages:
            np_dtype = stype.dtype.np
            raw = self.archive.read(f"{self.top}/data/{key}")
            if len(raw) < numel * np_dtype.itemsize:
                raise _fail(self.name, f"storage {key} holds {len(raw)} bytes, expected "
                                       f"{numel * np_dtype.itemsize}")
            a = np.frombuffer(raw, np.uint8, numel * np_dtype.itemsize).copy().view(np_dtype)
            if self.big_endian:
                a = a.byteswap()
            self.storages[key] = _Storage(a, location)
        return self.storages[key]

    def _rebuild_tensor_v2(self, storage: Any, offset: Any, size: Any, stride: Any,
                           requires_grad: bool = False, hooks: Any = None,
                           metadata: Any = None) -> Any:
        ints = (isinstance(size, tuple) and isinstance(stride, tuple)
                and len(size) == len(stride) and type(offset) is int and offset >= 0
                and all(type(n) is int and n >= 0 for n in size)
                and all(type(s) is int and s >= 0 for s in stride))
        if not (isinstance(storage, _Storage) and ints and type(requires_grad) is bool
                and (not requires_grad or storage.array.dtype.kind in "fcV")):
            raise _fail(self.name, "a tensor record in data.pkl has malformed arguments")
        a = storage.array
        item = a.itemsize
        if all(size) and offset + sum(s * (n - 1) for n, s in zip(size, stride)) >= a.size:
            raise _fail(self.name, f"a tensor of size {list(size)} reaches outside its "
                                   f"storage of {a.size} elements")
        view = np.ndarray(size, a.dtype, buffer=a, offset=min(offset, a.size) * item,
                          strides=tuple(s * item for s in stride))
        return self.placer(view, storage.location, "tensor", requires_grad)

    def _rebuild_parameter(self, data: Any, requires_grad: Any, hooks: Any = None,
                           state: Any = None) -> Any:
        if isinstance(state, tuple) and len(state) == 2:  # (__dict__ state, __slots__ state)
            state = {**(state[0] or {}), **(state[1] or {})}
        if not (isinstance(data, Tensor) and type(requires_grad) is bool
                and (state is None or isinstance(state, dict))
                and all(isinstance(k, str) and not k.startswith("_") for k in state or {})):
            raise _fail(self.name, "a Parameter record in data.pkl has malformed arguments")
        from .nn.parameter import Parameter

        p = Parameter(data, requires_grad)
        # user attributes set on the Parameter (p.foo = 3); written to __dict__ directly so
        # no property setter runs
        p.__dict__.update(state or {})
        return p

    def _encode(self, text: Any, encoding: Any = "utf-8") -> bytes:
        """``_codecs.encode``, which protocol-2 pickles use for bytes, limited to that use."""
        if not (isinstance(text, str) and encoding in ("latin1", "latin-1")):
            raise _fail(self.name, "unexpected arguments to _codecs.encode in data.pkl")
        return text.encode("latin1")


def load_torch_zip(buf: bytes, name: str, placer: Callable) -> Any:
    """The object in a ``torch.save`` zip archive, tensors placed by ``placer``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(buf))
        pkls = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pkls) != 1:
            raise _fail(name, "a zip archive without a single <folder>/data.pkl (not a "
                              "torch checkpoint)")
        top = pkls[0][:-len("/data.pkl")]
        order = b"little"
        if f"{top}/byteorder" in archive.namelist():
            order = archive.read(f"{top}/byteorder").strip()
        if order not in (b"little", b"big"):
            raise _fail(name, f"unknown byte order {order!r}")
        unpickler = _RestrictedUnpickler(archive.read(pkls[0]), archive, top, name, placer,
                                         order == b"big")
        return unpickler.load()
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, pickle.UnpicklingError, EOFError,
            KeyError, ValueError, TypeError, IndexError, AttributeError, struct.error,
            OverflowError, RecursionError, NotImplementedError, MemoryError,
            UnicodeDecodeError) as e:
        raise _fail(name, f"the torch archive is corrupted ({type(e).__name__}: {e})") from None


# ------------------------------------------------------------------------------------------
# Writing: pickle opcodes (protocol 2), emitted by hand

_OD = b"ccollections\nOrderedDict\n)R"  # OrderedDict()


class _TorchWriter:
    """Pickles an object the way ``torch.save`` lays it out, collecting storage bytes."""

    def __init__(self) -> None:
        self.out = bytearray(b"\x80\x02")
        self.storages: dict[str, bytes] = {}
        self._keys: dict[tuple[int, str], str] = {}
        self._memo: dict[int, int] = {}
        self._alive: list = []

    def save(self, obj: Any, path: str = "") -> None:
        kind = _classify(obj, path)
        w = self.out
        if kind == "none":
            w += b"N"
        elif kind == "bool":
            w += b"\x88" if obj else b"\x89"
        elif kind == "int":
            self._int(obj)
        elif kind == "float":
            w += b"G" + struct.pack(">d", obj)
        elif kind == "str":
            self._str(obj)
        elif kind == "list":
            w += b"]"
            self._items(obj, path, b"e")
        elif kind == "tuple":
            self._tuple(obj, path)
        elif kind in ("dict", "odict"):
            self._mapping(obj, kind, path)
        elif kind == "counter":  # Counter(dict), as Counter pickles itself
            w += b"ccollections\nCounter\n("
            self._mapping(obj, "dict", path)
            w += b"tR"
        elif kind == "size":
            w += b"ctorch\nSize\n"
            self._tuple((tuple(obj),), path)
            w += b"R"
        elif kind == "dtype":
            w += f"ctorch\n{obj.name}\n".encode()
        elif kind == "device":
            w += b"ctorch\ndevice\n"
            self._tuple((str(obj),), path)
            w += b"R"
        elif kind in ("tensor", "parameter"):
            self._tensor(obj, kind)
        else:
            raise TypeError(f"ember.save: cannot save a NumPy {'array' if kind == 'ndarray' else 'scalar'} "
                            f"at {path or 'obj'} with format='torch': torch.load(weights_only=True) "
                            "refuses NumPy objects; convert it with ember.from_numpy(...)")

    def _int(self, n: int) -> None:
        if 0 <= n < 256:
            self.out += b"K" + bytes([n])
        elif -(1 << 31) <= n < (1 << 31):
            self.out += b"J" + struct.pack("<i", n)
        else:
            raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
            self.out += (b"\x8a" + bytes([len(raw)]) if len(raw) < 256
                         else b"\x8b" + struct.pack("<i", len(raw))) + raw

    def _str(self, s: str) -> None:
        raw = s.encode("utf-8", "surrogatepass")
        self.out += b"X" + struct.pack("<I", len(raw)) + raw

    def _items(self, items: Any, path: str, op: bytes) -> None:
        if items:
            self.out += b"("
            for i, v in enumerate(items):
                self.save(v, _child(path, i))
            self.out += op

    def _tuple(self, items: tuple, path: str) -> None:
        if not items:
            self.out += b")"
            return
        self.out += b"("
        for i, v in enumerate(items):
            self.save(v, _child(path, i))
        self.out += b"t"

    def _mapping(self, obj: dict, kind: str, path: str) -> None:
        self.out += _OD if kind == "odict" else b"}"
        if obj:
            self.out += b"("
            for k, v in obj.items():
                _check_key(k, path)
                self.save(k, path)
                self.save(v, _child(path, k))
            self.out += b"u"
        meta = getattr(obj, "_metadata", None) if kind == "odict" else None
        if meta is not None:  # torch's state_dict carries versions the same way
            self.out += b"}"
            self._str("_metadata")
            self.save(meta, path + "._metadata")
            self.out += b"sb"

    def _tensor(self, t: Any, kind: str) -> None:
        if id(t) in self._memo:
            self.out += b"j" + struct.pack("<I", self._memo[id(t)])
            return
        if kind == "parameter":
            self.out += b"ctorch._utils\n_rebuild_parameter\n("
        a = _np_of(t)
        self.out += b"ctorch._utils\n_rebuild_tensor_v2\n(("
        key, offset, strides = self._storage(a)
        self.out += b"X\x07\x00\x00\x00storage"
        self.out += f"ctorch\n{_STORAGE_NAME[a.dtype.name]}\n".encode()
        self._str(key)
        self._str(str(t.device))
        self._int(len(self.storages[key]) // a.itemsize)
        self.out += b"tQ"
        self._int(offset)
        self._tuple(tuple(a.shape), "")
        self._tuple(strides, "")
        # a Parameter wraps a plain tensor; requires_grad goes on the Parameter
        inner_rg = t.requires_grad and kind == "tensor"
        self.out += (b"\x88" if inner_rg else b"\x89") + _OD + b"tR"
        if kind == "parameter":
            self.out += (b"\x88" if t.requires_grad else b"\x89") + _OD + b"tR"
        self._memo[id(t)] = len(self._memo)
        self._alive.append(t)
        self.out += b"r" + struct.pack("<I", self._memo[id(t)])

    def _storage(self, a: np.ndarray) -> tuple[str, int, tuple]:
        """(storage key, offset in elements, strides in elements) for array ``a``."""
        owner, mem, start = storage_of(a)
        item = a.itemsize
        # torch storages are typed and strides non-negative: anything else is copied
        if start % item or any(s < 0 or s % item for s in a.strides) or mem.nbytes % item:
            owner = mem = np.ascontiguousarray(a)
            start = 0
        ident = (id(owner), a.dtype.name)
        if ident not in self._keys:
            key = str(len(self.storages))
            self._keys[ident] = key
            self.storages[key] = mem.tobytes()
            self._alive.append(owner)
        return self._keys[ident], start // item, tuple(s // item for s in a.strides)


def torch_zip_bytes(obj: Any) -> bytes:
    """``obj`` as a zip archive that ``torch.load(..., weights_only=True)`` reads."""
    writer = _TorchWriter()
    writer.save(obj)
    writer.out += b"."
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", bytes(writer.out))
        z.writestr("archive/.format_version", "1")
        z.writestr("archive/byteorder", "little")
        for key, raw in writer.storages.items():
            z.writestr(f"archive/data/{key}", raw)
        z.writestr("archive/version", "3\n")
    return buf.getvalue()
