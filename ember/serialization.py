"""ember.save / ember.load: safe, atomic checkpoints that never execute code on load.

File format (``format="ember"``, the default) -- one safetensors file:

* 8 bytes: little-endian length ``n`` of the header; ``n`` bytes: the safetensors JSON header
  (``{name: {"dtype", "shape", "data_offsets"}}`` per stored array plus ``"__metadata__"``);
  then the data section holding each array's raw little-endian bytes.
* Each stored array is one *storage*: the whole memory block that one or more saved tensors
  view. A tensor saved on its own is its own storage, stored under its key path (``"fc.weight"``
  for ``obj["fc.weight"]``), so any safetensors reader sees ordinary named tensors. Complex
  storages are stored as a real array with a trailing dimension of 2 (safetensors has no
  complex128).
* ``__metadata__["ember"]`` is a JSON document ``{"version": 1, "storages": [...],
  "tensors": [...], "tree": ...}``:
    - ``storages[i] = {"name", "dtype", "shape"}`` names the safetensors entry of storage i;
    - ``tensors[j] = {"kind": "tensor"|"parameter"|"ndarray"|"npscalar", "storage": i,
      "dtype", "shape", "strides" (bytes), "offset" (bytes), "requires_grad", "device"}``
      is one saved tensor or array as a view of its storage (so views and tied weights come
      back sharing memory);
    - ``tree`` is the saved object. JSON ``null``/``true``/``false``/ints/strings/finite
      floats stand for themselves, a JSON list is a Python list, and everything else is an
      object tagged by ``"t"``: ``tuple``, ``dict``/``odict``/``counter`` (keys and values
      as parallel lists, so integer and tuple keys keep their types), ``size``, ``dtype``,
      ``device``, ``float`` (inf/nan) and ``tensor`` (``{"t": "tensor", "i": j}``; the same
      object saved twice is the same object on load).
* ``__metadata__["ember_crc32"]`` is the CRC-32 of the ``ember`` JSON text followed by each
  storage's bytes in table order: any flipped byte in the tree or in the tensor data (or in
  the header's offsets) is detected on load, since the check runs on the bytes as read.

``ember.load`` also reads files written by ``torch.save`` (zip archives, through a restricted
unpickler that only rebuilds tensors and plain containers) and plain safetensors files (a
dict ``name -> tensor``). The format is recognised by content, not by the file extension.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import secrets
import zlib
from collections import Counter, OrderedDict
from typing import IO, Any, Callable, Union

import numpy as np
import safetensors

from . import dtypes as _dt
from ._tensor import Size, Tensor, _wrap
from .device import CPU, as_device, device, xp_for

__all__ = ["save", "load", "CheckpointError", "UnsafeCheckpointError"]

FileLike = Union[str, os.PathLike, IO[bytes]]

FORMAT_VERSION = 1
_META_KEY = "ember"
_CRC_KEY = "ember_crc32"
_CHUNK = 1 << 20  # bytes per write call: bounded memory copies, and a kill lands mid-file

# safetensors header dtype codes <-> NumPy dtype names. Complex is only ever stored as real.
_CODES = {"BOOL": "bool", "U8": "uint8", "I8": "int8", "U16": "uint16", "I16": "int16",
          "U32": "uint32", "I32": "int32", "U64": "uint64", "I64": "int64", "F16": "float16",
          "BF16": "bfloat16", "F32": "float32", "F64": "float64", "C64": "complex64"}
_NP_BY_NAME = {name: (_dt.bfloat16.np if name == "bfloat16" else np.dtype(name))
               for name in list(_CODES.values()) + ["complex128"]}
_REAL_OF = {"complex64": "float32", "complex128": "float64"}


class CheckpointError(RuntimeError):
    """A file that is not a valid checkpoint (truncated, corrupted, or of an unknown format)."""


class UnsafeCheckpointError(CheckpointError, pickle.UnpicklingError):
    """A torch checkpoint whose pickle asks for something other than tensors and containers.

    Also a ``pickle.UnpicklingError``, the type ``torch.load(weights_only=True)`` raises."""


# ------------------------------------------------------------------------------------------
# What may be saved: one classification shared by both writers (ember and torch formats).

def _where(path: str) -> str:
    return path or "obj"


def _refuse(obj: Any, path: str) -> TypeError:
    tname = type(obj).__name__
    if callable(getattr(obj, "state_dict", None)):
        from .nn import Module

        what = "model" if isinstance(obj, Module) else tname.lower()
        hint = (f"save {what}.state_dict() instead and restore it with load_state_dict(); "
                f"ember does not save whole {tname} objects, since loading them would have to "
                "run code")
    elif callable(obj):
        hint = "ember saves data, never code: leave functions and classes out of checkpoints"
    elif isinstance(obj, (set, frozenset)):
        hint = "convert it to a sorted list or a tuple"
    elif isinstance(obj, Tensor):
        from .nn.parameter import is_lazy

        hint = ("run a forward pass first so the lazy module creates its parameters"
                if is_lazy(obj) else
                "save a plain tensor (t.as_subclass(ember.Tensor)) or an nn.Parameter")
    else:
        hint = ("checkpoints hold tensors, NumPy arrays, numbers, strings, None and "
                "dict/OrderedDict/list/tuple of these")
    return TypeError(f"ember.save: cannot save object of type '{tname}' at {_where(path)}; "
                     f"{hint}")


def _classify(obj: Any, path: str) -> str:
    """The kind of ``obj`` ('int', 'dict', 'tensor', ...) or a TypeError naming ``path``."""
    t = type(obj)
    kind = _SIMPLE_KINDS.get(t)
    if kind is not None:
        return kind
    if isinstance(obj, Tensor):
        if t is Tensor:
            return "tensor"
        from .nn.parameter import Parameter

        if t is Parameter:
            return "parameter"
    elif t is np.ndarray:
        if obj.dtype.newbyteorder("=") in _SAVABLE_NP:
            return "ndarray"
        raise TypeError(f"ember.save: cannot save a NumPy array of dtype {obj.dtype} at "
                        f"{_where(path)}; supported dtypes: {', '.join(_NP_BY_NAME)}")
    elif isinstance(obj, np.generic) and np.dtype(type(obj)) in _SAVABLE_NP:
        return "npscalar"
    raise _refuse(obj, path)


_SIMPLE_KINDS = {type(None): "none", bool: "bool", int: "int", float: "float", str: "str",
                 list: "list", tuple: "tuple", dict: "dict", OrderedDict: "odict",
                 Counter: "counter",  # MultiStepLR.state_dict()["milestones"]
                 Size: "size", _dt.dtype: "dtype", device: "device"}
_SAVABLE_NP = set(_NP_BY_NAME.values())
_KEY_KINDS = ("none", "bool", "int", "float", "str", "tuple")


def _child(path: str, key: Any) -> str:
    return f"{_where(path)}[{key!r}]"


def _check_key(key: Any, path: str) -> None:
    kind = _classify(key, path) if type(key) in _SIMPLE_KINDS else None
    if kind not in _KEY_KINDS:
        raise TypeError(f"ember.save: cannot save a dict key of type '{type(key).__name__}' "
                        f"at {_where(path)}; keys must be str, int, float, bool, None or "
                        "tuples of these")
    if kind == "tuple":
        for k in key:
            _check_key(k, path)


def _np_of(t: Tensor) -> np.ndarray:
    """A tensor's array on the host (CuPy arrays are copied over)."""
    a = t._data
    return a if type(a) is np.ndarray else a.get()


def storage_of(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """``(owner, memory, byte_offset)``: the array owning the memory block that ``a`` views
    (arrays viewing the same block get the same ``owner``, which is how shared storage is
    found), a C-contiguous array covering that block, and where ``a`` starts in it. When
    the block cannot be determined (e.g. memory owned by a foreign buffer) ``a`` is copied
    and shares nothing."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if a.size and (root.flags.c_contiguous or root.flags.f_contiguous):
        mem = root if root.flags.c_contiguous else root.T  # .T of F-order: same bytes, C-order
        start = a.ctypes.data - mem.ctypes.data
        lo, hi = _byte_span(a.shape, a.strides, a.itemsize, start)
        if 0 <= lo and hi <= mem.nbytes:
            return root, mem, start
    copy = np.ascontiguousarray(a)
    return copy, copy, 0


def _byte_span(shape, strides, itemsize: int, offset: int) -> tuple[int, int]:
    """The ``[lo, hi)`` byte range a strided view touches (an empty view touches nothing)."""
    if any(n == 0 for n in shape):
        return offset, offset
    lo = offset + sum(s * (n - 1) for n, s in zip(shape, strides) if s < 0)
    hi = offset + sum(s * (n - 1) for n, s in zip(shape, strides) if s > 0) + itemsize
    return lo, hi


# ------------------------------------------------------------------------------------------
# ember format: writing

def _dotted(keys: tuple) -> str:
    return ".".join(str(k) for k in keys) or "tensor"


class _EmberEncoder:
    """Turns an object into the JSON tree plus the storages its tensors view."""

    def __init__(self) -> None:
        self.storages: list[dict] = []
        self.arrays: list[np.ndarray] = []
        self.tensors: list[dict] = []
        self._storage_index: dict[int, int] = {}
        self._tensor_index: dict[int, int] = {}
        self._names: set[str] = set()
        self._alive: list = []  # keeps ids in the two index dicts from being reused

    def encode(self, obj: Any, path: str = "", keys: tuple = ()) -> Any:
        kind = _classify(obj, path)
        if kind in ("none", "bool", "int", "str"):
            return obj
        if kind == "float":
            return obj if math.isfinite(obj) else {"t": "float", "v": repr(obj)}
        if kind == "list":
            return [self.encode(v, _child(path, i), keys + (i,)) for i, v in enumerate(obj)]
        if kind == "tuple":
            return {"t": "tuple",
                    "v": [self.encode(v, _child(path, i), keys + (i,)) for i, v in enumerate(obj)]}
        if kind in ("dict", "odict", "counter"):
            node = {"t": kind, "k": [], "v": []}
            for k, v in obj.items():
                _check_key(k, path)
                node["k"].append(self.encode(k, path))
                node["v"].append(self.encode(v, _child(path, k), keys + (k,)))
            meta = getattr(obj, "_metadata", None) if kind == "odict" else None
            if meta is not None:  # Module.state_dict() versions, read by load_state_dict
                node["metadata"] = self.encode(meta, path + "._metadata")
            return node
        if kind == "size":
            return {"t": "size", "v": list(obj)}
        if kind in ("dtype", "device"):
            return {"t": kind, "v": obj.name if kind == "dtype" else str(obj)}
        return {"t": "tensor", "i": self._tensor(obj, kind, keys)}

    def _tensor(self, obj: Any, kind: str, keys: tuple) -> int:
        if id(obj) in self._tensor_index:
            return self._tensor_index[id(obj)]
        if kind in ("tensor", "parameter"):
            a, dev, rg = _np_of(obj), str(obj.device), obj.requires_grad
        else:
            a, dev, rg = np.asarray(obj), "cpu", False
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        owner, mem, offset = storage_of(a)
        self.tensors.append({"kind": kind, "storage": self._storage(owner, mem, keys),
                             "dtype": a.dtype.name, "shape": list(a.shape),
                             "strides": list(a.strides), "offset": offset,
                             "requires_grad": rg, "device": dev})
        self._alive += [obj, owner]
        self._tensor_index[id(obj)] = len(self.tensors) - 1
        return len(self.tensors) - 1

    def _storage(self, owner: np.ndarray, mem: np.ndarray, keys: tuple) -> int:
        if id(owner) not in self._storage_index:
            name = base = _dotted(keys)
            n = 1
            while name in self._names:  # two paths can print alike ("0" and 0)
                n += 1
                name = f"{base}#{n}"
            self._names.add(name)
            self.storages.append({"name": name, "dtype": mem.dtype.name,
                                  "shape": list(mem.shape)})
            self.arrays.append(mem)
            self._storage_index[id(owner)] = len(self.storages) - 1
        return self._storage_index[id(owner)]


def _entry_of(record: dict) -> tuple[str, list]:
    """The safetensors (dtype name, shape) a storage record is stored as."""
    dtype, shape = record["dtype"], list(record["shape"])
    if dtype in _REAL_OF:
        return _REAL_OF[dtype], shape + [2]
    return dtype, shape


def _ember_bytes(obj: Any) -> bytes:
    enc = _EmberEncoder()
    tree = enc.encode(obj)
    doc = json.dumps({"version": FORMAT_VERSION, "storages": enc.storages,
                      "tensors": enc.tensors, "tree": tree}, separators=(",", ":"))
    specs, keep = {}, []
    crc = zlib.crc32(doc.encode())
    for rec, mem in zip(enc.storages, enc.arrays):
        dtype, shape = _entry_of(rec)
        buf = np.ascontiguousarray(mem).reshape(-1).view(np.uint8)
        crc = zlib.crc32(buf, crc)
        if buf.size == 0:
            buf = np.zeros(1, np.uint8)  # a valid pointer for an empty tensor
        keep.append(buf)
        specs[rec["name"]] = safetensors.TensorSpec(dtype=dtype, shape=shape,
                                                    data_ptr=buf.ctypes.data,
                                                    data_len=mem.nbytes)
    return bytes(safetensors.serialize(specs, metadata={_META_KEY: doc, _CRC_KEY: f"{crc:08x}"}))


# ------------------------------------------------------------------------------------------
# Reading safetensors files (ember's own or plain ones)

def _fail(name: str, why: str) -> CheckpointError:
    return CheckpointError(f"ember.load: {name} is not a valid checkpoint: {why}")


def _parse_safetensors(buf: memoryview, name: str) -> tuple[dict, dict, memoryview]:
    """Validated ``(entries, metadata, data section)`` of a safetensors file."""
    if len(buf) < 8:
        raise _fail(name, f"the file is truncated ({len(buf)} bytes, shorter than a header)")
    n = int.from_bytes(buf[:8], "little")
    if n > len(buf) - 8:
        raise _fail(name, f"the file is truncated (header of {n} bytes, but only "
                          f"{len(buf) - 8} bytes follow)")
    try:
        header = json.loads(bytes(buf[8:8 + n]))
    except (ValueError, RecursionError) as e:
        raise _fail(name, f"the safetensors header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise _fail(name, "the safetensors header is not a JSON object")
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise _fail(name, "the safetensors __metadata__ is not a string-to-string map")
    data = buf[8 + n:]
    needed = 0
    for key, e in header.items():
        if not (isinstance(e, dict) and e.get("dtype") in _CODES and _is_shape(e.get("shape"))
                and isinstance(e.get("data_offsets"), list) and len(e["data_offsets"]) == 2
                and all(_is_index(o) for o in e["data_offsets"])):
            raise _fail(name, f"malformed header entry for tensor {key!r}")
        begin, end = e["data_offsets"]
        size = math.prod(e["shape"]) * _NP_BY_NAME[_CODES[e["dtype"]]].itemsize
        if end - begin != size:
            raise _fail(name, f"tensor {key!r} has {end - begin} bytes of data but its shape "
                              f"{e['shape']} and dtype {e['dtype']} need {size}")
        needed = max(needed, end)
    if needed > len(data):
        raise _fail(name, f"the file is truncated (expected {needed} bytes of tensor data, "
                          f"found {len(data)})")
    return header, meta, data


def _is_index(x: Any) -> bool:
    return type(x) is int and x >= 0


def _is_shape(x: Any) -> bool:
    return isinstance(x, list) and len(x) <= 64 and all(_is_index(n) for n in x)


def _array(data: memoryview, entry: dict, dtype: str) -> np.ndarray:
    """A fresh writable array of the bytes of one safetensors entry, viewed as ``dtype``."""
    begin, end = entry["data_offsets"]
    a = np.frombuffer(data[begin:end], dtype=np.uint8).copy()
    return a.view(_NP_BY_NAME[dtype])


def _load_plain_safetensors(header: dict, data: memoryview, name: str, placer) -> dict:
    out = {}
    for key in sorted(header):  # safetensors readers list tensors by sorted name
        e = header[key]
        dtype = _CODES[e["dtype"]]
        if dtype not in _dt._BY_NAME:
            raise _fail(name, f"tensor {key!r} has dtype {e['dtype']}, which ember tensors "
                              "do not support")
        out[key] = placer(_array(data, e, dtype).reshape(e["shape"]), "cpu", "tensor", False)
    return out


# ------------------------------------------------------------------------------------------
# ember format: reading

class _EmberDecoder:
    """Rebuilds the saved object from a validated ember document; every field is checked."""

    def __init__(self, doc: Any, doc_text: str, crc: Any, header: dict, data: memoryview,
                 name: str, placer) -> None:
        self.name, self.placer = name, placer
        if not (isinstance(doc, dict) and doc.get("version") == FORMAT_VERSION):
            version = doc.get("version") if isinstance(doc, dict) else None
            raise self._bad(f"unsupported ember format version {version!r} "
                            f"(this ember reads version {FORMAT_VERSION})")
        storages, tensors = doc.get("storages"), doc.get("tensors")
        if not isinstance(storages, list) or not isinstance(tensors, list):
            raise self._bad("the storage or tensor table is missing")
        self.crc = zlib.crc32(doc_text.encode("utf-8", "surrogatepass"))
        self.memory = [self._storage(s, header, data) for s in storages]
        if crc != f"{self.crc:08x}":
            raise self._bad("the checksum does not match: the file is corrupted")
        self.records = tensors
        self.built: dict[int, Any] = {}
        self.tree = doc.get("tree")

    def _bad(self, why: str) -> CheckpointError:
        return _fail(self.name, why)

    def _storage(self, rec: Any, header: dict, data: memoryview) -> np.ndarray:
        if not (isinstance(rec, dict) and isinstance(rec.get("name"), str)
                and rec.get("dtype") in _NP_BY_NAME and _is_shape(rec.get("shape"))):
            raise self._bad(f"malformed storage record {rec!r:.200}")
        entry = header.get(rec["name"])
        dtype, shape = _entry_of(rec)
        if entry is None or _CODES[entry["dtype"]] != dtype or entry["shape"] != shape:
            raise self._bad(f"storage {rec['name']!r} does not match the safetensors header")
        begin, end = entry["data_offsets"]
        self.crc = zlib.crc32(data[begin:end], self.crc)
        return _array(data, entry, rec["dtype"]).reshape(rec["shape"])

    def _tensor(self, i: Any) -> Any:
        if not (_is_index(i) and i < len(self.records)):
            raise self._bad(f"reference to tensor {i!r}, but the file holds "
                            f"{len(self.records)}")
        if i not in self.built:
            self.built[i] = self._build(self.records[i])
        return self.built[i]

    def _build(self, r: Any) -> Any:
        ok = (isinstance(r, dict) and r.get("kind") in ("tensor", "parameter", "ndarray",
                                                        "npscalar")
              and _is_index(r.get("storage")) and r["storage"] < len(self.memory)
              and r.get("dtype") in _NP_BY_NAME and _is_shape(r.get("shape"))
              and isinstance(r.get("strides"), list) and len(r["strides"]) == len(r["shape"])
              and all(type(s) is int for s in r["strides"]) and _is_index(r.get("offset"))
              and type(r.get("requires_grad")) is bool and isinstance(r.get("device"), str))
        if not ok:
            raise self._bad(f"malformed tensor record {r!r:.200}")
        mem = self.memory[r["storage"]]
        dtype = _NP_BY_NAME[r["dtype"]]
        lo, hi = _byte_span(r["shape"], r["strides"], dtype.itemsize, r["offset"])
        if lo < 0 or hi > mem.nbytes or r["offset"] > mem.nbytes:
            raise self._bad(f"a tensor of shape {r['shape']} reaches outside its storage "
                            f"of {mem.nbytes} bytes")
        if (dtype == mem.dtype and r["shape"] == list(mem.shape) and r["offset"] == 0
                and r["strides"] == list(mem.strides)):
            a = mem
        else:
            try:
                a = np.ndarray(r["shape"], dtype, buffer=mem, offset=r["offset"],
                               strides=r["strides"])
            except (ValueError, TypeError) as e:  # e.g. a shape too large to index
                raise self._bad(f"a tensor record numpy rejects ({e})") from None
        if r["kind"] == "ndarray":
            return a
        if r["kind"] == "npscalar":
            if a.ndim:
                raise self._bad("a NumPy scalar record with a non-empty shape")
            return a[()]
        if r["dtype"] not in _dt._BY_NAME:
            raise self._bad(f"a tensor of dtype {r['dtype']}, which ember does not support")
        if r["requires_grad"] and not (dtype.kind in "fc" or r["dtype"] == "bfloat16"):
            raise self._bad(f"a tensor of dtype {r['dtype']} marked requires_grad")
        return self.placer(a, r["device"], r["kind"], r["requires_grad"])

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > 900:
            raise self._bad("the object tree is nested too deeply")
        if node is None or type(node) in (bool, int, str, float):
            return node
        if isinstance(node, list):
            return [self.decode(v, depth + 1) for v in node]
        if not isinstance(node, dict):
            raise self._bad(f"unexpected node {node!r:.100} in the object tree")
        tag, v = node.get("t"), node.get("v")
        if tag == "tensor":
            return self._tensor(node.get("i"))
        if tag == "tuple" and isinstance(v, list):
            return tuple(self.decode(x, depth + 1) for x in v)
        if tag in ("dict", "odict", "counter"):
            return self._mapping(node, tag, depth)
        if tag == "float" and v in ("inf", "-inf", "nan"):
            return float(v)
        if tag == "size" and isinstance(v, list) and all(type(n) is int for n in v):
            return Size(v)
        if tag == "dtype" and v in _dt._BY_NAME:
            return _dt._BY_NAME[v]
        if tag == "device" and isinstance(v, str):
            try:
                return device(v)
            except (RuntimeError, TypeError, ValueError):
                pass
        raise self._bad(f"unexpected node {node!r:.100} in the object tree")

    def _mapping(self, node: dict, tag: str, depth: int) -> dict:
        keys, values = node.get("k"), node.get("v")
        if not (isinstance(keys, list) and isinstance(values, list)
                and len(keys) == len(values)):
            raise self._bad("a dict node without matching key and value lists")
        out = {"dict": dict, "odict": OrderedDict, "counter": Counter}[tag]()
        for k, v in zip(keys, values):
            k = self.decode(k, depth + 1)
            try:
                out[k] = self.decode(v, depth + 1)
            except TypeError:
                raise self._bad(f"unhashable dict key {k!r:.100}") from None
        if len(out) != len(keys):
            raise self._bad("a dict node with duplicate keys")
        if "metadata" in node:
            out._metadata = self.decode(node["metadata"], depth + 1)
        return out


def _load_ember(meta: dict, header: dict, data: memoryview, name: str, placer) -> Any:
    doc_text = meta[_META_KEY]
    if len(data) != max((e["data_offsets"][1] for e in header.values()), default=0):
        raise _fail(name, "the data section has trailing bytes")
    try:
        doc = json.loads(doc_text)
    except (ValueError, RecursionError) as e:
        raise _fail(name, f"the ember metadata is not valid JSON ({e})") from None
    dec = _EmberDecoder(doc, doc_text, meta.get(_CRC_KEY), header, data, name, placer)
    return dec.decode(dec.tree)


# ------------------------------------------------------------------------------------------
# Devices (map_location) and tensor construction, shared with the torch reader

def make_placer(map_location: Any) -> Callable[[np.ndarray, str, str, bool], Any]:
    """``place(array, saved_location, kind, requires_grad) -> Tensor`` for ``map_location``."""
    # a torch.device is accepted too (torch code passes them), recognised by its type name
    as_dev = isinstance(map_location, (str, device)) or type(map_location).__name__ == "device"
    if map_location is not None and not (
            as_dev or isinstance(map_location, dict) or callable(map_location)):
        raise TypeError(f"ember.load: map_location should be a str, ember.device, dict or "
                        f"callable, got {type(map_location).__name__}")

    def place(a: np.ndarray, location: str, kind: str, requires_grad: bool) -> Any:
        t = None
        if callable(map_location) and not as_dev:
            t = map_location(_wrap(a), location)
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"ember.load: map_location returned "
                                f"{type(t).__name__}, expected a Tensor or None")
        if t is None:
            target = location
            if isinstance(map_location, dict):
                target = map_location.get(location, location)
            elif as_dev:
                target = map_location
            dev = as_device(target)
            if dev.type == "cuda":
                from .device import cupy_module

                if cupy_module() is None:
                    raise RuntimeError(
                        "Attempting to deserialize object on a CUDA device but "
                        "torch.cuda.is_available() is False. If you are running on a CPU-only "
                        "machine, please use ember.load with map_location='cpu' to map your "
                        "tensors to the CPU.")
            t = _wrap(a if dev == CPU else xp_for(dev).asarray(a))
        t._requires_grad = requires_grad
        if kind == "parameter":
            from .nn.parameter import Parameter

            t = Tensor._make_subclass(Parameter, t, requires_grad)
        return t

    return place


# ------------------------------------------------------------------------------------------
# Files: atomic writes, reading, format detection

def _describe(f: Any) -> str:
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def _write_bytes(fh: IO[bytes], data: bytes) -> None:
    """Write ``data`` in chunks (tests patch this to simulate a crash half way)."""
    view = memoryview(data)
    for i in range(0, len(view), _CHUNK):
        fh.write(view[i:i + _CHUNK])


def atomic_write(f: FileLike, data: bytes) -> None:
    """Write ``data`` to ``f``. For a path: into a temp file next to it, flushed and fsynced,
    then renamed over it, so a crash at any moment leaves either the old or the new file."""
    if not isinstance(f, (str, os.PathLike)):
        if not callable(getattr(f, "write", None)):
            raise TypeError(f"ember.save: f must be a path or a writable binary file object, "
                            f"got {type(f).__name__}")
        _write_bytes(f, data)
        return
    path = os.fspath(f)
    folder, base = os.path.split(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    tmp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.tmp")
    # os.open with 0o666 lets the umask decide the mode, like a plain open() would
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_bytes(fh, data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable; not possible everywhere (e.g. Windows)
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _read_all(f: FileLike) -> bytes:
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return fh.read()
    if not callable(getattr(f, "read", None)):
        raise TypeError(f"ember.load: f must be a path or a readable binary file object, "
                        f"got {type(f).__name__}")
    data = f.read()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("ember.load: the file object must be opened in binary mode")
    return bytes(data)


# ------------------------------------------------------------------------------------------
# Public API

def save(obj: Any, f: FileLike, format: str = "ember", **kwargs: Any) -> None:  # noqa: A002
    """Save ``obj`` to ``f`` (a path or a writable binary file object).

    ``obj`` is any nesting of dict, OrderedDict, list, tuple, str, int, float, bool, None,
    ``ember.Size``, dtypes, devices, Tensors, ``nn.Parameter`` s and NumPy arrays/scalars:
    state dicts, optimizer and scheduler states, whole training checkpoints. ``ember.load``
    gives back an equal object: same container and key types, tensors with the same dtype,
    shape, bits, ``requires_grad`` and Parameter-ness; tensors sharing memory (tied weights,
    views) share it again. (The ``.grad`` of tensors is not saved, as in torch.)

    ``format="ember"`` writes a safetensors file (see the module docstring);
    ``format="torch"`` writes the zip archive that ``torch.load(f, weights_only=True)``
    reads (NumPy arrays are refused there, since torch's safe loader refuses them).

    A path is written atomically: into a temporary file in the same directory, fsynced,
    then renamed over ``f``; if saving fails or the process dies, the previous file is
    intact. File objects are written in place.

    Differences from ``torch.save``: objects that only pickle could store -- whole
    ``nn.Module`` s, optimizers, functions, arbitrary classes -- are refused with a
    ``TypeError`` naming where in ``obj`` they are (save ``model.state_dict()`` instead),
    because loading them would have to execute code from the file. ``pickle_module`` and
    ``pickle_protocol`` are not supported.
    """
    if kwargs:
        raise TypeError(f"ember.save() got unexpected keyword arguments {sorted(kwargs)}; "
                        "ember never pickles, so pickle_module/pickle_protocol do not apply")
    if format == "ember":
        data = _ember_bytes(obj)
    elif format == "torch":
        from ._torch_pickle import torch_zip_bytes

        data = torch_zip_bytes(obj)
    else:
        raise ValueError(f"ember.save: unknown format {format!r}; use 'ember' or 'torch'")
    atomic_write(f, data)


def load(f: FileLike, map_location: Any = None, weights_only: bool = True,
         **kwargs: Any) -> Any:
    """Load an object saved by ``ember.save``, ``torch.save`` or any safetensors writer.

    The format is recognised from the content: ember checkpoints give back exactly the
    saved object; ``torch.save`` zip archives are read with a restricted unpickler that
    only rebuilds tensors, Parameters, ``torch.Size``, dtypes and plain containers (like
    ``torch.load(weights_only=True)``); other safetensors files give a dict
    ``name -> Tensor``.

    ``map_location`` moves tensors like torch's: a device (str or ``ember.device``), a dict
    mapping saved locations (``{"cuda:0": "cpu"}``), or a callable ``fn(tensor, location)``
    returning a Tensor or None (ember calls it once per tensor with the CPU tensor).
    Tensors moved to another device no longer share memory.

    ``weights_only``: ember never executes code from a file, so ``weights_only=False``
    gives exactly the same result (torch files still go through the restricted
    unpickler); it is accepted so torch code runs unchanged, as are ``mmap``,
    ``pickle_module`` and ``encoding``, which have no effect.

    Raises ``CheckpointError`` (a RuntimeError) naming the file when it is truncated,
    corrupted or not a checkpoint, and ``UnsafeCheckpointError`` (also a
    ``pickle.UnpicklingError``) when a torch file asks to run anything else.
    """
    unknown = set(kwargs) - {"mmap", "pickle_module", "encoding"}
    if unknown:
        raise TypeError(f"ember.load() got unexpected keyword arguments {sorted(unknown)}")
    name = _describe(f)
    placer = make_placer(map_location)
    buf = memoryview(_read_all(f))
    if bytes(buf[:4]) == b"PK\x03\x04":
        from ._torch_pickle import load_torch_zip

        return load_torch_zip(bytes(buf), name, placer)
    if len(buf) >= 9 and bytes(buf[8:9]) == b"{":
        header, meta, data = _parse_safetensors(buf, name)
        if _META_KEY in meta:
            return _load_ember(meta, header, data, name, placer)
        return _load_plain_safetensors(header, data, name, placer)
    if bytes(buf[:2]) == b"\x80\x02":
        raise _fail(name, "it is a legacy (pre-1.6) torch checkpoint; re-save it with a "
                          "recent torch.save (zip format)")
    if len(buf) == 0:
        raise _fail(name, "the file is empty")
    raise _fail(name, "unrecognised format (neither an ember/safetensors file nor a "
                      "torch zip archive)")
