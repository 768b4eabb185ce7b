"""The Optimizer base class (torch.optim.Optimizer): parameter groups, lazily created
per-parameter state, step hooks and torch's ``state_dict`` layout.

Subclasses implement ``step``; the base wraps every subclass's ``step`` once (at class
creation) so step pre/post hooks run around it, while ``step`` stays an ordinary method
looked up on the class (learning-rate schedulers wrap ``optimizer.step`` per instance).
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Iterable

from .._state import typename
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from ..device import CPU, xp_for, xp_of
from ..dtypes import float32 as _float32

__all__ = ["Optimizer", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook", "required"]


class _RequiredParameter:
    """Marks a hyper-parameter every param group must give (torch.optim.optimizer.required)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_pre_hooks: OrderedDict = OrderedDict()
_global_post_hooks: OrderedDict = OrderedDict()


class _Handle:
    """A removable handle for a hook stored in an ordered dict under a unique id."""

    _next_id = 0

    def __init__(self, hooks: dict):
        self.hooks = hooks
        self.id = _Handle._next_id
        _Handle._next_id += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def register_optimizer_step_pre_hook(hook: Callable) -> _Handle:
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's step."""
    handle = _Handle(_global_pre_hooks)
    _global_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> _Handle:
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's step."""
    handle = _Handle(_global_post_hooks)
    _global_post_hooks[handle.id] = hook
    return handle


def _with_step_hooks(step: Callable) -> Callable:
    """Wrap a ``step`` so the global and per-instance pre/post hooks run around it."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self.__dict__.get("_in_step"):
            # a subclass's step calling super().step(): the hooks already ran around it
            return step(self, *args, **kwargs)
        self._in_step = True
        try:
            return _run_hooked(step, self, args, kwargs)
        finally:
            self._in_step = False

    wrapper._hooked = True
    return wrapper


def _run_hooked(step: Callable, self, args, kwargs):
    """Call ``step`` between the pre hooks (which may replace its arguments) and the post
    hooks, global and per-instance, in torch's order."""
    for hook in chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
        result = hook(self, args, kwargs)
        if result is not None:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(f"{step} must return None or a tuple of "
                                   f"(new_args, new_kwargs), but got {result}.")
            args, kwargs = result
    out = step(self, *args, **kwargs)
    for hook in chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values()):
        hook(self, args, kwargs)
    return out


def _no_grad_step(step: Callable) -> Callable:
    """Run ``step`` with autograd off (the update must not build a graph)."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        prev = is_grad_enabled()
        try:
            set_grad_enabled(False)
            return step(self, *args, **kwargs)
        finally:
            set_grad_enabled(prev)

    return wrapper


def _eval_closure(closure: Callable | None):
    """The closure's loss, evaluated with autograd on (None without a closure)."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _scalar(x) -> Any:
    """A hyper-parameter as a Python number (a 1-element Tensor gives its value)."""
    return x.item() if isinstance(x, Tensor) else x


def _lr(group: dict):
    """A group's learning rate for the update functions: a Python number, or for a Tensor
    lr its 0-d array, so scalar arithmetic on it rounds in the tensor's dtype (as torch's
    does with a Tensor lr)."""
    lr = group["lr"]
    return lr._data.reshape(()) if isinstance(lr, Tensor) else lr


def _check_tensor_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


def _check_lr(lr) -> None:
    """torch's learning-rate checks: a Tensor lr has one element; lr is not negative."""
    _check_tensor_lr(lr)
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_nonneg(label: str, value) -> None:
    """ValueError("Invalid <label>: <value>") unless ``value >= 0`` (torch's wording)."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label}: {value}")


def _check_betas(betas) -> None:
    """torch's checks for Adam-style ``betas`` (each in [0, 1))."""
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


def _with_grad(group: dict) -> list:
    """The parameters of ``group`` that have a gradient (the others are skipped)."""
    return [p for p in group["params"] if p._grad is not None]


def _real(a):
    """A complex array as a real view with a trailing (real, imag) axis, so the updates
    treat the two parts as independent reals like torch's ``view_as_real``; real arrays
    are returned as they are."""
    if a.dtype.kind != "c":
        return a
    return a[..., None].view(a.real.dtype)


def _unreal(a, like: Tensor):
    """Undo :func:`_real` for an array made for a parameter ``like``."""
    if not like.is_complex():
        return a
    return a.view(like._data.dtype)[..., 0]


def _arrays(tensors: Iterable) -> list:
    """The backend arrays of ``tensors`` (complex ones viewed as real)."""
    return [_real(t._data) for t in tensors]


def _grads(params: Iterable) -> list:
    """The backend arrays of the parameters' gradients (complex ones viewed as real)."""
    return [_real(p._grad._data) for p in params]


def _states(states: Iterable[dict], key: str) -> list:
    """The backend arrays of ``state[key]`` over per-parameter states."""
    return [_real(s[key]._data) for s in states]


def _fill_like(p: Tensor, value: float) -> Tensor:
    """A state tensor like ``p`` filled with ``value`` (``value + value*1j`` for complex
    parameters, so both parts start alike, as in torch)."""
    return _zeros_like(p, complex(value, value) if p.is_complex() else value)


def _check_differentiable(differentiable: bool) -> None:
    if differentiable:
        raise NotImplementedError(
            "ember.optim: differentiable=True (autograd through the optimizer step) is not "
            "supported; ember's optimizers update parameters in place under no_grad")


def _check_fused(foreach, fused, differentiable) -> None:
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _bump(params: Iterable[Tensor]) -> None:
    """Count an in-place modification of each parameter (like an in-place op would)."""
    for p in params:
        p._vc[0] += 1


def _zeros_like(p: Tensor, fill: float = 0.0) -> Tensor:
    """A new state tensor shaped and typed like ``p`` (same device), filled with ``fill``."""
    a = p._data
    return _wrap(xp_of(a).full(a.shape, fill, dtype=a.dtype))


def _new_step() -> Tensor:
    """torch's per-parameter ``step`` counter: a 0-d float32 tensor on the CPU."""
    return _wrap(xp_for(CPU).zeros((), dtype="float32"))


class Optimizer:
    """Base class of all optimizers (torch.optim.Optimizer).

    ``params`` is an iterable of Tensors, of ``(name, Tensor)`` pairs (e.g.
    ``model.named_parameters()``) or of dicts defining parameter groups; ``defaults``
    holds the hyper-parameters a group gets when it does not give its own.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _with_step_hooks(step)

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- pickling / printing --------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            self.__dict__.setdefault(name, OrderedDict())
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"

    # -- parameter groups -----------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own hyper-parameters) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + typename(p))
            if not self.defaults.get("differentiable", None) and not (
                    p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in tensors}) != len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients and steps --------------------------------------------------------
    def _group_states(self, group: dict) -> tuple[list, list[dict]]:
        """The group's parameters that have a gradient, and their state dicts; an empty state
        is filled by the optimizer's ``_init_state(state, p, group)`` the first time."""
        params = _with_grad(group)
        states = []
        for p in params:
            state = self.state[p]
            if len(state) == 0:
                self._init_state(state, p, group)
            states.append(state)
        return params, states

    def _init_state(self, state: dict, p, group: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define _init_state")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to None, or to zeros in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g._data[...] = 0
                g._vc[0] += 1

    def step(self, closure: Callable | None = None):
        """Perform one optimization step (subclasses implement it)."""
        raise NotImplementedError

    def register_step_pre_hook(self, hook: Callable) -> _Handle:
        """``hook(optimizer, args, kwargs)`` runs before ``step``; it may return new
        ``(args, kwargs)``. Returns a handle whose ``remove()`` unregisters it."""
        handle = _Handle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> _Handle:
        """``hook(optimizer, args, kwargs)`` runs after ``step``; returns a removable handle."""
        handle = _Handle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def _register(self, hooks: OrderedDict, hook: Callable, prepend: bool) -> _Handle:
        handle = _Handle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> _Handle:
        """``hook(optimizer)`` runs before ``state_dict()`` builds its result."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> _Handle:
        """``hook(optimizer, state_dict)`` runs after; it may return a new state dict."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable,
                                          prepend: bool = False) -> _Handle:
        """``hook(optimizer, state_dict)`` runs before loading; it may return a new one."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable,
                                           prepend: bool = False) -> _Handle:
        """``hook(optimizer)`` runs after ``load_state_dict``."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- state dict -----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The state in torch's layout: ``{"state": {index: {...}}, "param_groups": [...]}``
        where parameters are replaced by their running index over all groups."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            out = hook(self, result)
            if out is not None:
                result = out
        return result

    @staticmethod
    def _cast_state(param: Tensor, value, key=None, capturable: bool = False):
        """A loaded state value moved to ``param``'s device (floating tensors also to its
        dtype); ``step`` counters stay as they are, except that capturable/fused groups
        keep them as float32 on the parameter's device, like torch's."""
        if isinstance(value, Tensor):
            if key == "step":
                if not capturable:
                    return value
                return value.to(dtype=_float32, device=param.device)
            if param.is_floating_point():
                return value.to(dtype=param.dtype, device=param.device)
            return value.to(device=param.device)
        if isinstance(value, dict):
            return {k: Optimizer._cast_state(param, v, k, capturable) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(Optimizer._cast_state(param, v, None, capturable) for v in value)
        return value

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state from ``state_dict()``'s layout onto this optimizer's parameters."""
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            out = hook(self, state_dict)
            if out is not None:
                state_dict = out
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        capturable = {i: g.get("capturable", False) or g.get("fused", False)
                      for g in state_dict["param_groups"] for i in g["params"]}
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = self._cast_state(id_map[k], v,
                                                    capturable=capturable.get(k, False))
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)
