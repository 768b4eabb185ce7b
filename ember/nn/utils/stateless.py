"""functional_call: run a module with some parameters/buffers temporarily replaced."""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Any, Iterator

from ..._tensor import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]


def _owner(module: Module, name: str) -> tuple[Module, str]:
    path, _, attr = name.rpartition(".")
    return module.get_submodule(path), attr


@contextmanager
def _reparametrize_module(module: Module, tensors: dict, *, tie_weights: bool = True,
                          strict: bool = False) -> Iterator[None]:
    """Within the context, ``module``'s named tensors are the given ones (identity kept
    for shared names when ``tie_weights``)."""
    tensors = dict(tensors)
    if tie_weights:  # a parameter shared under several names follows its given name
        by_id: dict = {}
        for n, t in list(module.named_parameters(remove_duplicate=False)) + \
                list(module.named_buffers(remove_duplicate=False)):
            by_id.setdefault(id(t), []).append(n)
        for names in by_id.values():
            given = [n for n in names if n in tensors]
            if given:
                for n in names:
                    tensors.setdefault(n, tensors[given[0]])
    if strict:
        known = {n for n, _ in module.named_parameters(remove_duplicate=False)} | \
            {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing = sorted(known - set(tensors))
        unexpected = sorted(set(tensors) - known)
        msgs = []
        if unexpected:
            msgs.append("Unexpected key(s): {}.".format(", ".join(map(repr, unexpected))))
        if missing:
            msgs.append("Missing key(s): {}.".format(", ".join(map(repr, missing))))
        if msgs:
            raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t"
                               + "\n\t".join(msgs))
    saved = []
    try:
        for name, t in tensors.items():
            try:
                owner, attr = _owner(module, name)
            except AttributeError:
                continue  # torch ignores names the module does not have unless strict
            for store in (owner._parameters, owner._buffers):
                if attr in store:
                    saved.append((store, attr, store[attr]))
                    store[attr] = t
                    break
            else:
                saved.append((owner.__dict__, attr, owner.__dict__.get(attr, _ABSENT)))
                owner.__dict__[attr] = t
        yield
    finally:
        for store, attr, old in reversed(saved):
            if old is _ABSENT:
                store.pop(attr, None)
            else:
                store[attr] = old


_ABSENT = object()


def _functional_call(module: Module, parameter_and_buffer_dicts: Any, args: Any = None,
                     kwargs: dict | None = None, *, tie_weights: bool = True,
                     strict: bool = False) -> Any:
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, dict):
        merged = dicts
    else:
        merged = {}
        seen = []
        for d in dicts:
            dup = [k for k in d if k in merged]
            if dup:
                seen += dup
            merged.update(d)
        if seen:
            raise ValueError(f"{sorted(set(seen))} appeared in multiple dictionaries; "
                             "behavior of functional call is ambiguous")
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, merged, tie_weights=tie_weights, strict=strict):
        return module(*args, **(kwargs or {}))


def functional_call(module: Module, parameters_and_buffers: dict[str, Tensor],
                    args: Any = None, kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """Call ``module`` with the named parameters/buffers replaced by the given tensors
    (gradients flow to those tensors). Deprecated in torch in favour of
    ``torch.func.functional_call``; warns the same way."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 "
                  "and will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
