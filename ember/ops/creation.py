"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/full/empty, eye, arange,
linspace, logspace, the *_like family, and random sampling."""

from __future__ import annotations

import builtins as _builtins
import math

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ..device import as_device, factory_device, xp_for
from ..random import _gen
from ._common import Op, _infer_dtype, xp_of


def _finish(data, requires_grad: bool) -> Tensor:
    t = _wrap(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(size) -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(torch.Size)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for s in size:
        if type(s) is not int or s < 0:
            break
    else:
        return tuple(size)
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"expected a sequence of integers as size, got "
                            f"{type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def _xp(device):
    return xp_for(factory_device(device))


def _to_backend(arr: np.ndarray, device):
    xp = _xp(device)
    return arr if xp is np else xp.asarray(arr)


def _from_data(data, dtype):
    """A NumPy array from nested Python data / arrays / tensors, with torch's dtype rules."""
    if isinstance(data, Tensor):
        arr = data.__array__()
        return arr.astype(dtype.np) if dtype is not None else arr.copy()
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    seq_dtype = None
    if isinstance(data, (list, tuple)):
        special = [x for x in _flat(data) if type(x) not in _PY_TYPES]
        if special:
            # torch infers a sequence's dtype by promoting its elements' dtypes, with
            # tensors and NumPy values keeping theirs (not weakly, as in arithmetic)
            _check_nested(data, 0)
            if dtype is None:
                seq_dtype = _sequence_dtype(data)
            if any(isinstance(x, Tensor) for x in special):
                data = _untensor(data)
    if isinstance(data, (np.ndarray, np.generic)):
        arr = np.array(data)
        if dtype is None:
            dtype = _dt.from_numpy_dtype(arr.dtype)
    else:
        if not isinstance(data, (list, tuple, int, float, _builtins.complex, bool, np.generic)) \
                and hasattr(data, "__array__"):
            data = np.asarray(data)
            return _from_data(data, dtype)
        try:
            arr = np.array(data)
        except ValueError:  # ragged: find torch's message
            _check_nested(data, 0)
            raise
        if arr.dtype.kind in "USO":
            _check_nested(data, 0)
        if arr.dtype == object and arr.size or (arr.dtype == np.uint64 and seq_dtype is None):
            bad = next((x for x in _flat(data) if not isinstance(x, _PY_SCALARS)), None)
            if bad is None:
                raise ValueError("Overflow when unpacking long long")
            raise RuntimeError(f"Could not infer dtype of {type(bad).__name__}")
        if dtype is None:
            dtype = seq_dtype if seq_dtype is not None else _infer_dtype(arr)
    return arr.astype(dtype.np, copy=False)


def _check_nested(data, depth: int) -> None:
    """torch's errors for ragged nested sequences and strings inside them."""
    if not isinstance(data, (list, tuple)):
        return
    lengths = None
    for x in data:
        if isinstance(x, str):
            raise ValueError("too many dimensions 'str'")
        if isinstance(x, (list, tuple)):
            if lengths is None:
                lengths = len(x)
            elif len(x) != lengths:
                raise ValueError(f"expected sequence of length {lengths} at dim {depth + 1} "
                                 f"(got {len(x)})")
            _check_nested(x, depth + 1)
        elif lengths is not None:
            raise TypeError("not a sequence")
    if lengths is not None and any(not isinstance(x, (list, tuple)) for x in data):
        raise TypeError("not a sequence")


_PY_SCALARS = (int, float, _builtins.complex)  # bool is an int
_PY_TYPES = frozenset((int, float, _builtins.complex, bool))  # exact types: np.float64 is a float


def _sequence_dtype(data) -> _dt.dtype:
    out = None
    for x in _flat(data):
        if isinstance(x, Tensor):
            if x._data.size != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            d = x.dtype
        elif isinstance(x, (np.ndarray, np.generic)):
            d = _dt.from_numpy_dtype(x.dtype)
        elif isinstance(x, _PY_SCALARS):
            d = _dt.scalar_dtype(x)
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
        out = d if out is None else _dt.promote_types(out, d)
    return out if out is not None else _dt.get_default_dtype()


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple, range)):
            yield from _flat(x)
        else:
            yield x


def _first(data):
    for x in _flat(data) if isinstance(data, (list, tuple)) else [data]:
        return x


def _untensor(data):
    if isinstance(data, Tensor):
        if data.numel() != 1 and data.dim() > 0:
            return data.__array__()
        return data.item()
    if isinstance(data, (list, tuple)):
        return [_untensor(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor copied from ``data`` (nested lists, scalars, arrays, tensors)."""
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    dtype = _dt.to_dtype(dtype) if dtype is not None else None
    arr = _from_data(data, dtype)
    return _finish(_to_backend(arr, device), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with ``data`` when dtype and device allow."""
    dtype = _dt.to_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device)
    if isinstance(data, np.ndarray) and factory_device(device).type == "cpu":
        if dtype is None or data.dtype == dtype.np:
            _dt.from_numpy_dtype(data.dtype)
            return _wrap(data)
    return tensor(data, dtype=dtype, device=device)


_TORCH_NAMES = {"float64": "Double", "float32": "Float", "float16": "Half",
                "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
                "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
                "complex128": "ComplexDouble"}


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None) -> Tensor:
    """A tensor from ``obj``, sharing memory when possible (``copy=None``), always copying
    (``copy=True``), or refusing to copy (``copy=False``: ValueError when it would have to).
    ``requires_grad`` defaults to the input tensor's flag (torch 2.13)."""
    dt = _dt.to_dtype(dtype) if dtype is not None else None
    if isinstance(obj, Tensor):
        if copy:
            same = (dt is None or dt is obj.dtype) and (
                device is None or as_device(device) == obj.device)
            if same:
                from .conversion import clone
                r = clone(obj)
            else:
                r = obj.to(dtype=dt, device=device, copy=True)
        else:
            r = obj.to(dtype=dt, device=device)
            if copy is False and r is not obj:
                raise ValueError(f"can't alias tensor with dtype '{_TORCH_NAMES[obj.dtype.name]}' "
                                 f"into dtype '{_TORCH_NAMES[r.dtype.name]}'.")
    elif isinstance(obj, np.ndarray):
        if copy:
            r = _finish(_to_backend(_from_data(obj.copy(), dt), device), False)
        else:
            r = as_tensor(obj, dtype=dt, device=device)
            if copy is False and r.data_ptr() != obj.ctypes.data:
                src = _dt.from_numpy_dtype(obj.dtype)
                raise ValueError(f"can't alias tensor with dtype '{_TORCH_NAMES[src.name]}' "
                                 f"into dtype '{_TORCH_NAMES[r.dtype.name]}'.")
    else:
        if copy is False:
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        r = _finish(_to_backend(_from_data(obj, dt), device), False)
    if requires_grad and not r.requires_grad:
        r.requires_grad_(True)
    elif requires_grad is False and r.requires_grad:
        r = r.detach()
    return r


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with NumPy array ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if _dt.from_numpy_dtype(ndarray.dtype).np != ndarray.dtype:
        # ember has no uint16/32/64 tensors; sharing memory would change the meaning of bits
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype}: ember has no "
                        "unsigned dtypes wider than uint8; use ember.tensor(array) to copy it "
                        "into a wider signed dtype")
    if not ndarray.flags.writeable:
        import warnings
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support "
                      "non-writable tensors. This means writing to this tensor will result in "
                      "undefined behavior. You may want to copy the array to protect its data "
                      "or make it writable before converting it to a tensor.", UserWarning,
                      stacklevel=2)
    return _wrap(ndarray)


def from_dlpack(ext_tensor) -> Tensor:
    """A tensor sharing memory with any DLPack-exporting object (a torch/CuPy tensor, a
    NumPy array, ...)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if str(getattr(ext_tensor, "dtype", "")) == "torch.bfloat16" and hasattr(ext_tensor, "view"):
        # DLPack's NumPy importer has no bfloat16: share the bits as int16, then reinterpret
        import sys
        bits = from_dlpack(ext_tensor.view(sys.modules["torch"].int16))
        return _wrap(bits._data.view(_dt.bfloat16.np))
    dev_type = ext_tensor.__dlpack_device__()[0] if hasattr(ext_tensor, "__dlpack_device__") \
        else 1
    if int(dev_type) == 2:  # kDLCUDA
        data = xp_for(as_device("cuda")).from_dlpack(ext_tensor)
    else:
        data = np.from_dlpack(ext_tensor)
    _dt.from_numpy_dtype(data.dtype)
    return _wrap(data)


def _dtype_or_default(dtype, default=None):
    if dtype is None:
        return default if default is not None else _dt.get_default_dtype()
    return _dt.to_dtype(dtype)


def _filled(fill, size, dtype, device, requires_grad, out=None):
    shape = _size(size)
    if out is not None:
        dt = _dt.to_dtype(dtype) if dtype is not None else out.dtype
        xp = xp_for(out.device)
        out._data = xp.full(shape, fill, dtype=dt.np)
        out._vc[0] += 1
        return out
    dt = _dtype_or_default(dtype)
    xp = _xp(device)
    if fill == 0:
        data = xp.zeros(shape, dt.np)
    elif fill == 1:
        data = xp.ones(shape, dt.np)
    else:
        data = xp.full(shape, fill, dtype=dt.np)
    return _finish(data, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          pin_memory=False) -> Tensor:
    """A tensor of zeros of the given size."""
    return _filled(0, size, dtype, device, requires_grad, out)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False) -> Tensor:
    """A tensor of ones of the given size."""
    return _filled(1, size, dtype, device, requires_grad, out)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          pin_memory=False, memory_format=None) -> Tensor:
    """An uninitialized tensor (ember fills it with zeros: reading it is deterministic)."""
    return _filled(0, size, dtype, device, requires_grad, out)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None,
         layout=None, pin_memory=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from the value)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = out.dtype if out is not None else _dt.scalar_dtype(fill_value)
    return _filled(fill_value, (size,), dtype, device, requires_grad, out)


def _like(input: Tensor, dtype, device):
    dt = _dt.to_dtype(dtype) if dtype is not None else input.dtype
    dev = device if device is not None else input.device
    return dt, dev


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None) -> Tensor:
    """Zeros shaped like ``input`` (its dtype and device unless given)."""
    dt, dev = _like(input, dtype, device)
    return zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, layout=None,
              memory_format=None) -> Tensor:
    """Ones shaped like ``input`` (its dtype and device unless given)."""
    dt, dev = _like(input, dtype, device)
    return ones(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None) -> Tensor:
    """An uninitialized (zero-filled) tensor shaped like ``input``."""
    dt, dev = _like(input, dtype, device)
    return empty(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              layout=None, memory_format=None) -> Tensor:
    """``fill_value`` everywhere, shaped like ``input``."""
    dt, dev = _like(input, dtype, device)
    return full(tuple(input.shape), fill_value, dtype=dt, device=dev,
                requires_grad=requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    """A 2-D tensor with ones on the diagonal."""
    if out is not None and dtype is None:
        dtype = out.dtype
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    dt = _dtype_or_default(dtype)
    return _into(out, _finish(_xp(device).eye(n, m if m is not None else n, dtype=dt.np), requires_grad))


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False,
           out=None, layout=None) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``."""
    if out is not None and dtype is None:
        dtype = out.dtype
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vals):
            dt = _dt.int64
        else:
            dt = _dt.get_default_dtype()
    else:
        dt = _dt.to_dtype(dtype)
    if dt is _dt.bool:
        raise NotImplementedError('"arange_cpu" not implemented for \'Bool\'')
    n = max(int(math.ceil((end - start) / step)), 0)
    data = (start + np.arange(n, dtype=np.float64 if dt.category >= 2 else np.int64) * step)
    return _into(out, _finish(_to_backend(data.astype(dt.np), device), requires_grad))


def range_(start, end, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Deprecated torch.range: like arange but ``end`` is included."""
    import warnings
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    dt = _dtype_or_default(dtype)
    n = int(math.floor((end - start) / step)) + 1
    data = start + np.arange(n, dtype=np.float64) * step
    return _finish(_to_backend(data.astype(dt.np), device), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False,
             out=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if out is not None and dtype is None:
        dtype = out.dtype
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _dtype_or_default(dtype)
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    data = _symmetric_linspace(start, end, steps, dt)
    return _into(out, _finish(_to_backend(data, device), requires_grad))


def _symmetric_linspace(start, end, steps: int, dt) -> np.ndarray:
    """Like torch: the first half counts up from ``start``, the second half down from
    ``end``, in the output's floating dtype, so both endpoints are exact."""
    work = dt.np if dt.is_floating_point and dt.itemsize >= 4 else np.dtype(np.float64)
    if steps == 1:
        return np.array([start], dtype=np.float64).astype(dt.np)
    i = np.arange(steps)
    step = (work.type(end) - work.type(start)) / work.type(steps - 1)
    half = steps // 2
    lo = work.type(start) + step * i[:half].astype(work)
    hi = work.type(end) - step * (steps - 1 - i[half:]).astype(work)
    return np.concatenate([lo, hi]).astype(dt.np)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None,
             requires_grad=False, out=None) -> Tensor:
    """``steps`` values spaced evenly on a log scale from base**start to base**end."""
    if out is not None and dtype is None:
        dtype = out.dtype
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _dtype_or_default(dtype)
    data = np.power(base, np.linspace(start, end, steps, dtype=np.float64))
    return _into(out, _finish(_to_backend(data.astype(dt.np), device), requires_grad))


# ----- random sampling ------------------------------------------------------------------

def _rand_out(arr, dt, device, requires_grad):
    return _finish(_to_backend(arr.astype(dt.np, copy=False), device), requires_grad)


def _float_dtype(dtype, kernel: str) -> _dt.dtype:
    dt = _dtype_or_default(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        from .sampling import _TYPE_NAMES
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_TYPE_NAMES[dt.name]}\'')
    return dt


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False,
         out=None, layout=None, pin_memory=False) -> Tensor:
    """Uniform samples on [0, 1)."""
    dt = _float_dtype(dtype, "check_uniform_bounds")
    t = _rand_out(_gen(generator).random(_size(size)), dt, device, requires_grad)
    return _into(out, t)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False,
          out=None, layout=None, pin_memory=False) -> Tensor:
    """Standard normal samples."""
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    t = _rand_out(_gen(generator).standard_normal(_size(size)), dt, device, requires_grad)
    return _into(out, t)


def _into(out, t: Tensor) -> Tensor:
    if out is None:
        return t
    out._data = t._data
    out._vc[0] += 1
    return out


def randint(*args, size=None, low=None, high=None, generator=None, dtype=None, device=None,
            requires_grad=False, out=None, layout=None, pin_memory=False) -> Tensor:
    """Integers uniformly drawn from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)``."""
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if size is None:
        raise TypeError("randint() missing required argument 'size' (pos 2)")
    if len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif len(args) == 2:
        low, high = args
    elif len(args) > 2:
        raise TypeError(f"randint() takes at most 3 positional arguments ({len(args) + 1} "
                        f"given)")
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    low = 0 if low is None else low
    low, high = (int(v.item()) if isinstance(v, Tensor) else int(v) for v in (low, high))
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    dt = _dt.to_dtype(dtype) if dtype is not None else _dt.int64
    arr = _gen(generator).integers(low, high, size=_size((size,)))
    return _into(out, _rand_out(arr, dt, device, requires_grad))


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False,
             out=None) -> Tensor:
    """A random permutation of 0..n-1."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = _dt.to_dtype(dtype) if dtype is not None else _dt.int64
    return _rand_out(_gen(generator).permutation(n), dt, device, requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, generator=None,
              layout=None, memory_format=None) -> Tensor:
    """Uniform samples on [0, 1) shaped like ``input``."""
    dt, dev = _like(input, dtype, device)
    return rand(input.shape, dtype=dt, device=dev, requires_grad=requires_grad,
                generator=generator)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, generator=None,
               layout=None, memory_format=None) -> Tensor:
    """Standard normal samples shaped like ``input``."""
    dt, dev = _like(input, dtype, device)
    return randn(input.shape, dtype=dt, device=dev, requires_grad=requires_grad,
                 generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False,
                 generator=None, layout=None, memory_format=None) -> Tensor:
    """Random integers in [low, high) shaped like ``input`` (``randint_like(x, high)``)."""
    if high is None:
        low, high = 0, low
    dt, dev = _like(input, dtype, device)
    return randint(low, high, tuple(input.shape), dtype=dt, device=dev, generator=generator,
                   requires_grad=requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False,
                  layout=None, pin_memory=False) -> Tensor:
    """An uninitialized tensor of ``size``; ember allocates it contiguous (``stride`` is
    checked for length only), zero-filled."""
    if len(tuple(size)) != len(tuple(stride)):
        raise RuntimeError("mismatch in length of strides and shape")
    return empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False) -> Tensor:
    """A 0-d tensor holding ``s`` (default floating dtype unless ``dtype`` is given)."""
    if isinstance(s, Tensor):
        s = s.item()
    return full((), s, dtype=_dtype_or_default(dtype), device=device,
                requires_grad=requires_grad)


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D tensor sharing memory with an object implementing the buffer protocol."""
    dt = _dt.to_dtype(dtype)
    try:
        arr = np.frombuffer(buffer, dtype=dt.np, count=count, offset=offset)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return _finish(arr, requires_grad)


# ----- complex construction ----------------------------------------------------------------

class _Complex(Op):
    node_name = "ComplexBackward0"

    @staticmethod
    def forward(ctx, real, imag):
        xp = xp_of(real)
        shape = np.broadcast_shapes(real.shape, imag.shape)
        out = xp.empty(shape, dtype=np.complex128 if real.dtype == np.float64 else np.complex64)
        out.real = real
        out.imag = imag
        return out

    @staticmethod
    def backward(ctx, g):
        return (_RealPart.apply(g) if ctx.needs_input_grad[0] else None,
                _ImagPart.apply(g) if ctx.needs_input_grad[1] else None)


class _RealPart(Op):
    node_name = "RealBackward0"

    @staticmethod
    def forward(ctx, z):
        return xp_of(z).real(z).copy()

    @staticmethod
    def backward(ctx, g):
        return _Complex.apply(g, zeros_like(g))


class _ImagPart(Op):
    node_name = "ImagBackward0"

    @staticmethod
    def forward(ctx, z):
        return xp_of(z).imag(z).copy()

    @staticmethod
    def backward(ctx, g):
        return _Complex.apply(zeros_like(g), g)


def complex(real: Tensor, imag: Tensor, *, out=None) -> Tensor:  # noqa: A001 - torch's name
    """A complex tensor ``real + i*imag`` (float32 -> complex64, float64 -> complex128)."""
    if not isinstance(real, Tensor) or not isinstance(imag, Tensor):
        raise TypeError("complex(): argument 'real' and 'imag' must be Tensor")
    rd, id_ = real.dtype, imag.dtype
    if rd not in (_dt.float32, _dt.float64) or id_ not in (_dt.float32, _dt.float64):
        from .sampling import _TYPE_NAMES
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_TYPE_NAMES[rd.name]} and {_TYPE_NAMES[id_.name]}")
    if rd is not id_:
        from .sampling import _TYPE_NAMES
        raise RuntimeError(f"Expected object of scalar type {_TYPE_NAMES[rd.name]} but got "
                           f"scalar type {_TYPE_NAMES[id_.name]} for second argument")
    res = _Complex.apply(real, imag)
    if out is not None:
        out._data = res._data
        out._vc[0] += 1
        return out
    return res


# ----- Tensor.new_* ---------------------------------------------------------------------

def _new_opts(self, dtype, device):
    return (_dt.to_dtype(dtype) if dtype is not None else self.dtype,
            device if device is not None else self.device)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False,
               layout=None, pin_memory=False) -> Tensor:
    """A new tensor copied from ``data`` with this tensor's dtype and device by default."""
    dt, dev = _new_opts(self, dtype, device)
    return tensor(data, dtype=dt, device=dev, requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False) -> Tensor:
    """Zeros of ``size`` with this tensor's dtype and device by default."""
    dt, dev = _new_opts(self, dtype, device)
    return zeros(*size, dtype=dt, device=dev, requires_grad=requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False) -> Tensor:
    """Ones of ``size`` with this tensor's dtype and device by default."""
    dt, dev = _new_opts(self, dtype, device)
    return ones(*size, dtype=dt, device=dev, requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False) -> Tensor:
    """An uninitialized (zero-filled in ember) tensor with this tensor's dtype/device."""
    dt, dev = _new_opts(self, dtype, device)
    return empty(*size, dtype=dt, device=dev, requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False) -> Tensor:
    """``fill_value`` everywhere, with this tensor's dtype and device by default."""
    dt, dev = _new_opts(self, dtype, device)
    return full(size, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def new(self, *args, device=None) -> Tensor:
    """Legacy ``x.new(...)``: like ``Tensor(...)`` with this tensor's dtype and device."""
    return Tensor(*args, dtype=self.dtype, device=device if device is not None
                  else self.device)


for _name in ("new_tensor", "new_zeros", "new_ones", "new_empty", "new_full", "new"):
    setattr(Tensor, _name, globals()[_name])
del _name


__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones", "empty", "full",
           "zeros_like", "ones_like", "empty_like", "full_like", "eye", "arange", "linspace", "empty_strided", "complex", "scalar_tensor", "frombuffer",
           "logspace", "rand", "randn", "randint", "randperm", "rand_like", "randn_like",
           "randint_like"]
