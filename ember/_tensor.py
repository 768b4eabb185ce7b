"""class Tensor: one backend array plus autograd metadata.

Math methods (``add``, ``sum``, ``view``, ...) and operators are defined next to their
ops in ``ember/ops/`` and attached to this class when ``ember`` is imported; this file
holds only what every tensor is: data, dtype/device/shape, autograd state, conversion.
"""

from __future__ import annotations

import warnings
import weakref

import numpy as np

from . import dtypes as _dt
from .device import CPU, as_device, device_of_array, factory_device, xp_for, xp_of


class Size(tuple):
    """The shape of a tensor: a tuple that prints like ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        if all(type(s) is int for s in sizes):
            return tuple.__new__(cls, sizes)
        for i, s in enumerate(sizes):
            if not isinstance(s, (int, np.integer)) and not (
                    hasattr(s, "__index__") and getattr(s, "ndim", 1) == 0):
                raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                                f"'{type(s).__name__}')")
        return tuple.__new__(cls, (int(s) for s in sizes))

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, k):
        r = tuple.__getitem__(self, k)
        return Size(r) if isinstance(k, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


_new = object.__new__
_tuple_new = tuple.__new__
_ndarray = np.ndarray
_generic = np.generic
_FROM_NP = _dt._FROM_NP


def _wrap(data) -> Tensor:
    """A new leaf Tensor over backend array ``data`` (no copy). The hot path."""
    if type(data) is not _ndarray:
        if isinstance(data, _generic) or not hasattr(data, "__cuda_array_interface__"):
            data = np.asarray(data)
    t = _new(Tensor)
    t._data = data
    t._requires_grad = False
    t._grad = None
    t.grad_fn = None
    t._output_nr = 0
    t._vc = [0]
    t._base = None
    t._view_fn = None
    t._hooks = None
    t._accumulator = None
    t._retains_grad = False
    return t


class _Version(int):
    """The int value of a version counter that still supports ``v[0]`` / ``v[0] = n``."""

    def __new__(cls, cell):
        v = int.__new__(cls, cell[0])
        v._cell = cell
        return v

    def __getitem__(self, i):
        return self._cell[i]

    def __setitem__(self, i, value):
        self._cell[i] = value


_LEGACY_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
    "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
    "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor",
}


def legacy_type_name(t: Tensor) -> str:
    """torch's legacy type string, e.g. ``torch.FloatTensor`` or ``torch.cuda.LongTensor``."""
    prefix = "torch.cuda." if t.device.type == "cuda" else "torch."
    return prefix + _LEGACY_NAMES[t.dtype.name]


class Tensor:
    """A multi-dimensional array with autograd support (torch.Tensor).

    ``Tensor(*sizes)`` and ``Tensor(data)`` are torch's legacy constructors (float32);
    prefer ``ember.tensor(data)`` and the factory functions.
    """

    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_output_nr", "_vc",
                 "_base", "_view_fn", "_view_ver", "_hooks", "_accumulator", "_retains_grad",
                 "__weakref__", "__dict__")

    __array_priority__ = 1000  # so ndarray (op) Tensor defers to Tensor's reflected ops

    def __new__(cls, *args, device=None, dtype=None):
        dt = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
        xp = xp_for(factory_device(device))
        if len(args) == 1 and isinstance(args[0], Size):
            t = _wrap(xp.zeros(tuple(args[0]), dtype=dt.np))
            if cls is not Tensor:
                t.__class__ = cls
            return t
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            a = args[0]
            if isinstance(a, (float, complex, bool)):
                raise TypeError(f"new(): data must be a sequence (got {type(a).__name__})")
            if isinstance(a, Tensor):
                data = a._data
            else:
                from .ops.creation import _from_data
                data = _from_data(a, dt)
                data = data if xp is np else xp.asarray(data)
        else:
            for s in args:
                if not isinstance(s, (int, np.integer)):
                    raise TypeError(f"new(): invalid data type '{type(s).__name__}'")
            data = xp.zeros(tuple(int(s) for s in args) or (0,), dtype=dt.np)
        t = _wrap(data)
        if cls is not Tensor:
            t.__class__ = cls
        return t

    @staticmethod
    def _make_subclass(cls, data: Tensor, require_grad: bool = False) -> Tensor:
        """A tensor of class ``cls`` sharing ``data``'s memory (used by nn.Parameter)."""
        t = _new(cls)
        for slot in Tensor.__slots__[:-2]:
            setattr(t, slot, None)
        t._data = data._data
        t._requires_grad = bool(require_grad)
        t._output_nr = 0
        t._vc = data._vc
        t._retains_grad = False
        return t

    # -- basic properties -----------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same memory as a new leaf with no history (changes bypass autograd)."""
        return _wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def dtype(self) -> _dt.dtype:
        return _FROM_NP[self._data.dtype]

    @property
    def device(self):
        d = self._data
        return CPU if type(d) is _ndarray else device_of_array(d)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return type(self._data) is _ndarray

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mps = False
    is_nested = False
    # devices and layouts ember never produces (torch has these flags on every tensor)
    is_xpu = is_ipu = is_maia = is_mtia = is_mkldnn = is_vulkan = is_xla = False
    is_sparse_csr = False
    layout = _dt.strided

    def is_distributed(self) -> bool:
        return False

    def is_set_to(self, tensor: Tensor) -> bool:
        """True when ``tensor`` views the same memory with the same shape and strides."""
        return (self.data_ptr() == tensor.data_ptr() and self.shape == tensor.shape
                and self.stride() == tensor.stride() and self.dtype is tensor.dtype)

    def dense_dim(self) -> int:
        """The number of dense dimensions: all of them for a strided tensor."""
        return self._data.ndim

    def dequantize(self) -> Tensor:
        """The tensor itself: ember tensors are never quantized."""
        return self

    def is_neg(self) -> bool:
        """False: ember has no lazily negated views."""
        return False

    def is_same_size(self, other: Tensor) -> bool:
        """True when ``other`` has the same shape."""
        return self._data.shape == other._data.shape

    def is_nonzero(self) -> bool:
        """The truth value of a one-element tensor (torch's errors for other sizes)."""
        n = self._data.size
        if n != 1:
            what = "no values" if n == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
        return bool(self._data.reshape(()) != 0)

    def adjoint(self) -> Tensor:
        """The conjugate transpose of the last two dimensions (a view for real tensors)."""
        if self._data.ndim < 2:
            raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of "
                               f"matrices. Got {self._data.ndim}-D tensor.")
        return self.mT.conj() if self.is_complex() else self.mT

    @property
    def shape(self) -> Size:
        return _tuple_new(Size, self._data.shape)

    def size(self, dim: int | None = None):
        """The shape (a Size), or the length of dimension ``dim``."""
        if dim is None:
            return _tuple_new(Size, self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def stride(self, dim: int | None = None):
        """Strides in elements (not bytes), like torch."""
        item = self._data.dtype.itemsize
        shape = self._data.shape
        st = tuple(s // item for s in self._data.strides)
        if self._data.size <= 1 or 0 in shape:
            st = _contiguous_strides(shape)
        elif 0 in st:
            # a size-1 axis added by indexing with None has stride 0 in NumPy; torch gives it
            # the stride an unsqueeze would (the next axis' extent)
            fixed = list(st)
            for i in range(len(shape) - 1, -1, -1):
                if shape[i] == 1 and fixed[i] == 0:
                    fixed[i] = fixed[i + 1] * shape[i + 1] if i + 1 < len(shape) else 1
            st = tuple(fixed)
        return st if dim is None else st[self._wrap_dim(dim)]

    def storage_offset(self) -> int:
        base = self._base
        if base is None or not xp_of(self._data).may_share_memory(self._data, base._data):
            return 0
        return (self.data_ptr() - base.data_ptr()) // self._data.dtype.itemsize

    def data_ptr(self) -> int:
        d = self._data
        if type(d) is _ndarray:
            return d.__array_interface__["data"][0]
        return d.data.ptr

    def is_contiguous(self, memory_format=None) -> bool:
        d = self._data
        return bool(d.flags.c_contiguous) or d.size <= 1

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return self.dtype.is_complex

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def get_device(self) -> int:
        d = self.device
        return -1 if d.type == "cpu" else (d.index or 0)

    def _wrap_dim(self, dim: int) -> int:
        return wrap_dim(dim, self._data.ndim)

    # -- autograd state -------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        if self._base is not None and self._view_fn is not None:
            _refresh_view(self)  # a view whose base gained a graph in place
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether autograd records ops on this leaf tensor."""
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want "
                    "to use a computed variable in a subgraph that doesn't require "
                    "differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and not (self._data.dtype.kind in "fc"
                                  or self._data.dtype == _dt.bfloat16.np):
            raise RuntimeError("only Tensors of floating point dtype can require "
                               "gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        if self._base is not None and self._view_fn is not None:
            _refresh_view(self)
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value.device != self.device:
                raise RuntimeError("assigned grad has data located on a different device")
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def _version(self) -> int:
        """How many times this tensor's memory was modified in place (torch's ``_version``).
        The counter itself is the one-element list ``_vc``, shared by views and detach();
        ``t._version[0] += 1`` also works (it writes through to the counter)."""
        return _Version(self._vc)

    @_version.setter
    def _version(self, counter) -> None:
        # sharing a counter: ``view._version = base._version`` (or a one-element list)
        self._vc = counter._cell if isinstance(counter, _Version) else counter

    _version_value = _version

    def retain_grad(self) -> None:
        """Populate ``.grad`` of this non-leaf tensor during backward."""
        if self._base is not None and self._view_fn is not None:
            _refresh_view(self)
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def retain(grad):
            t = ref()
            if t is not None:
                if t._grad is None:
                    t._grad = grad.detach() if not grad._requires_grad else grad
                    if t._grad._data is grad._data and not grad._requires_grad:
                        t._grad = _wrap(grad._data.copy())
                else:
                    t._grad = t._grad + grad
            return None
        self.grad_fn._add_tensor_hook(("retain", self._output_nr), retain)

    def register_hook(self, hook):
        """``hook(grad) -> Tensor | None`` runs when the gradient of this tensor is computed;
        returns a handle whose ``remove()`` unregisters it."""
        if self._base is not None and self._view_fn is not None:
            _refresh_view(self)
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_tensor_hook(self._output_nr, hook)
        from .autograd.function import RemovableHandle
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a leaf's ``.grad`` was accumulated."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        from .autograd.function import RemovableHandle
        hooks = self.__dict__.setdefault("_post_acc_hooks", [])
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor w.r.t. graph leaves into their ``.grad``."""
        from .autograd.engine import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A new tensor sharing memory (and version counter), cut from the graph."""
        t = _wrap(self._data)
        t._vc = self._vc
        t._base = self._base if self._base is not None else self
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph, making it a leaf."""
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    # -- conversion -------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The data as a NumPy array sharing memory (CPU tensors without grad only)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        d = self._data
        if type(d) is not _ndarray:
            if not force:
                raise TypeError("can't convert cuda:0 device type tensor to numpy. Use "
                                "Tensor.cpu() to copy the tensor to host memory first.")
            return d.get()
        return d

    def __array__(self, dtype=None, copy=None):
        d = self._data
        if type(d) is not _ndarray:
            d = d.get()
        if dtype is not None:
            return d.astype(dtype, copy=bool(copy))
        return d.copy() if copy else d

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """NumPy ufuncs on tensors return tensors (``np.sin(t)``), as with torch."""
        array = np.asarray(array)
        if array.dtype not in _FROM_NP:
            array = array.astype(_dt.from_numpy_dtype(array.dtype).np)
        return _wrap(array)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item() if type(self._data) is _ndarray else \
            self._data.get().reshape(()).item()

    def tolist(self):
        d = self._data
        if type(d) is not _ndarray:
            d = d.get()
        if d.dtype == _dt.bfloat16.np:
            d = d.astype(np.float32)
        return d.tolist()

    def __dlpack__(self, stream=None, **kwargs):
        """Export as a DLPack capsule (zero-copy); keywords (``max_version``,
        ``dl_device``, ``copy``) pass through to the backend array."""
        if self._requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use "
                               "tensor.detach()")
        if stream is not None:
            kwargs["stream"] = stream
        try:
            return self._data.__dlpack__(**kwargs)
        except TypeError:  # an older backend without the versioned keywords
            kwargs.pop("max_version", None)
            kwargs.pop("dl_device", None)
            kwargs.pop("copy", None)
            return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    # -- memory placement ---------------------------------------------------------------
    def pin_memory(self, device=None) -> Tensor:
        """Page-locked host copy for fast GPU transfers (needs CUDA, as in torch)."""
        from .device import cupy_module
        cp = cupy_module()
        if cp is None:
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if type(self._data) is not _ndarray:
            raise RuntimeError("cannot pin a tensor that is not on the CPU")
        mem = cp.cuda.alloc_pinned_memory(self._data.nbytes)
        arr = np.frombuffer(mem, self._data.dtype, self._data.size).reshape(self._data.shape)
        arr[...] = self._data
        return _wrap(arr)

    def is_pinned(self, device=None) -> bool:
        return False

    def share_memory_(self) -> Tensor:
        """No-op: ember's CPU tensors are pickled by value for worker processes."""
        return self

    def is_shared(self) -> bool:
        return type(self._data) is not _ndarray

    def dim_order(self) -> tuple:
        """Dimensions from outermost to innermost in memory (by stride)."""
        st = self.stride()
        return tuple(sorted(range(self._data.ndim), key=lambda i: -st[i]))

    def to_dense(self, dtype=None, *, masked_grad=None) -> Tensor:
        return self if dtype is None else self.to(dtype)

    def apply_(self, callable) -> Tensor:  # noqa: A002 - torch's name
        """Apply a Python function to every element in place (CPU only, slow)."""
        d = self._data
        if type(d) is not _ndarray:
            raise TypeError("apply_ is only implemented on CPU tensors")
        vals = [callable(v) for v in d.ravel().tolist()]
        if vals:
            d[...] = np.asarray(vals).astype(d.dtype).reshape(d.shape)
        self._vc[0] += 1
        return self

    def map_(self, tensor, callable) -> Tensor:  # noqa: A002 - torch's name
        """``self[i] = callable(self[i], tensor[i])`` for every element (``tensor``
        broadcast to this shape), in place, CPU only."""
        d = self._data
        other = np.broadcast_to(tensor.__array__(), d.shape)
        vals = [callable(a, b) for a, b in zip(d.ravel().tolist(), other.ravel().tolist())]
        if vals:
            d[...] = np.asarray(vals).astype(d.dtype).reshape(d.shape)
        self._vc[0] += 1
        return self

    # -- Python protocol ----------------------------------------------------------------
    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            what = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
        return bool(self.item())

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __index__(self) -> int:
        if self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __reduce_ex__(self, protocol):
        # Pickling (DataLoader workers, deepcopy) carries the data and the leaf flag only.
        return (_rebuild, (self.__array__(), self._requires_grad, self.device.type))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        t = _wrap(self._data.copy())
        t._requires_grad = self._requires_grad
        if type(self) is not Tensor:
            t.__class__ = type(self)
            t.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")})
        if self._grad is not None:
            t._grad = _wrap(self._grad._data.copy())
        memo[id(self)] = t
        return t

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._printing import tensor_repr
        return tensor_repr(self, tensor_contents)

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def type(self, dtype=None, non_blocking: bool = False):
        """With no argument, the legacy type string; otherwise a cast."""
        if dtype is None:
            return legacy_type_name(self)
        legacy = getattr(dtype, "_dtype", None)  # ember.DoubleTensor and friends
        if isinstance(legacy, _dt.dtype):
            return self.to(legacy)
        if isinstance(dtype, str):
            parts = dtype.split(".")
            for k, v in _LEGACY_NAMES.items():
                if v == parts[-1]:
                    dev = "cuda" if "cuda" in parts[:-1] else "cpu"
                    return self.to(dev, _dt._BY_NAME[k])
            raise ValueError(f"invalid type: '{dtype}'")
        return self.to(dtype)


def _refresh_view(t: Tensor) -> None:
    from .autograd.function import refresh_view
    refresh_view(t)


def _rebuild(array, requires_grad, device_type):
    t = _wrap(np.array(array) if device_type == "cpu" else xp_for(as_device(device_type)).asarray(array))
    t._requires_grad = requires_grad
    return t


def _contiguous_strides(shape) -> tuple:
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def wrap_dim(dim: int, ndim: int) -> int:
    """Normalize a possibly negative ``dim`` (0-d tensors accept -1 and 0), IndexError
    with torch's message when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


__all__ = ["Tensor", "Size", "xp_of"]
