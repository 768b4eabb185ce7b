"""ember.func: torch.func's functional API, built on ember's tape autograd.

``functional_call`` runs a module with substituted parameters; ``grad`` and
``grad_and_value`` turn a scalar function into its gradient function. They compose
(``grad(grad(f))``) because each call differentiates with ``create_graph=True`` through
the ordinary autograd engine. ``vmap`` and forward-mode transforms are not built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._tensor import Tensor
from ..autograd import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad
from ..nn.utils.stateless import _functional_call

__all__ = ["functional_call", "grad", "grad_and_value"]


def functional_call(module, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """Call ``module`` with its named parameters/buffers replaced by the given tensors (one
    dict or a sequence of dicts); gradients flow to the given tensors."""
    return _functional_call(module, parameter_and_buffer_dicts, args, kwargs,
                            tie_weights=tie_weights, strict=strict)


def _argnums_tuple(argnums: int | tuple[int, ...], n_args: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    for i in nums:
        if not isinstance(i, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(i)}")
        if not -n_args <= i < n_args:
            raise RuntimeError(f"Got argnums={i} but only {n_args} positional inputs")
    return tuple(i % n_args for i in nums)


def grad_and_value(func: Callable, argnums: int | tuple[int, ...] = 0,
                   has_aux: bool = False) -> Callable:
    """A function returning ``(gradient of func w.r.t. args[argnums], func's value)``;
    with ``has_aux`` func returns ``(value, aux)`` and the result is ``(grad, (value, aux))``."""

    def wrapper(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args))
        args = list(args)
        nested = False
        for i in nums:
            if not isinstance(args[i], Tensor):
                raise RuntimeError(f"Expected argument {i} to be a Tensor, got "
                                   f"{type(args[i]).__name__}")
            # an input already on a tape (an outer grad) keeps its graph: higher order
            nested |= args[i].requires_grad
            if not args[i].requires_grad:
                args[i] = args[i].detach().requires_grad_()
        with enable_grad():
            out = func(*args, **kwargs)
            if has_aux and not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("grad_and_value(f)(*args): output of function f should "
                                   "be a tuple: (output, aux) if has_aux is True")
            value, aux = (out if has_aux else (out, None))
            if not isinstance(value, Tensor) or value.numel() != 1:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   "scalar Tensor, got tensor with "
                                   f"{getattr(value, 'dim', lambda: '?')()} dims. Maybe you "
                                   "wanted to use the vjp or jacrev APIs instead?")
            grads = _autograd_grad(value, [args[i] for i in nums], create_graph=True,
                                   allow_unused=True, materialize_grads=True)
        if not nested:  # top level: plain tensors, like torch.func
            grads = tuple(g.detach() for g in grads)
            value = value.detach()
        result = grads[0] if isinstance(argnums, int) else tuple(grads)
        return result, ((value, aux) if has_aux else value)

    return wrapper


def grad(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable:
    """A function returning the gradient of scalar ``func`` w.r.t. ``args[argnums]`` (and
    ``aux`` when ``has_aux``)."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper
