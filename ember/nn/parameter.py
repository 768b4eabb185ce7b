"""nn.Parameter, nn.Buffer and the uninitialized placeholders of lazy modules."""

from __future__ import annotations

from collections import OrderedDict

from .. import dtypes as _dt
from .._tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


def _empty(device=None, dtype=None) -> Tensor:
    from ..ops.creation import empty
    return empty(0, device=device, dtype=dtype)


class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable parameter (``requires_grad=True``)."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = _empty()
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
        if requires_grad and not (data.dtype.is_floating_point or data.dtype.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        return Tensor._make_subclass(cls, data, requires_grad)

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        res = type(self)(_clone(self), self.requires_grad)
        if self._grad is not None:
            res._grad = _clone(self._grad)
        res.__dict__.update({k: v for k, v in self.__dict__.items()})
        memo[id(self)] = res
        return res

    def __reduce_ex__(self, protocol):
        plain = Tensor._make_subclass(Tensor, self, False)
        return (_rebuild_parameter, (plain, self.requires_grad, OrderedDict()))


def _clone(t: Tensor) -> Tensor:
    from .._tensor import _wrap
    return _wrap(t._data.copy())


def _rebuild_parameter(data: Tensor, requires_grad: bool, hooks) -> Parameter:
    return Parameter(data, requires_grad)


class _BufferMeta(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute.

    ``Buffer(t)`` returns a plain Tensor carrying a ``persistent`` flag, like torch.
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = _empty()
        t = Tensor._make_subclass(Tensor, data, data.requires_grad)
        t._is_buffer = True
        t.persistent = persistent
        return t


class UninitializedTensorMixin:
    """Shared behaviour of placeholders that lazy modules fill on their first call."""

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the placeholder real storage of ``shape`` and turn it into its final class."""
        from ..ops.creation import empty
        if device is None:
            device = self.device
        if dtype is None:
            dtype = self.dtype
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        self._data = empty(shape, device=device, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error "
            "usually happens in `load_state_dict` when trying to load an uninitialized "
            "parameter into an initialized one. Call `forward` to initialize the "
            "parameters before accessing their attributes.")

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call "
                           "`forward` to initialize the parameters before calling "
                           "`module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, protocol):
        return (self.__class__, (self.requires_grad,))


def is_lazy(param) -> bool:
    """Whether ``param`` is an uninitialized placeholder."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter with no data yet; a lazy module materializes it on first forward."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        data = _empty(device=device, dtype=_dt.to_dtype(dtype) if dtype is not None else None)
        return Tensor._make_subclass(cls, data, requires_grad)

    def __init__(self, requires_grad: bool = True, device=None, dtype=None) -> None:
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        res = type(self)(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = res
        return res


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer with no data yet; a lazy module materializes it on first forward."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None,
                persistent: bool = True):
        data = _empty(device=device, dtype=_dt.to_dtype(dtype) if dtype is not None else None)
        t = Tensor._make_subclass(cls, data, requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, *args, **kwargs) -> None:
        pass
