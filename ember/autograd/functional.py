"""Higher-level differentiation of functions: jacobian, hessian, vjp, jvp, vhp, hvp.

Everything is built on ``autograd.grad``: a Jacobian is one vector-Jacobian product per
output element, a Jacobian-vector product is the derivative of a vector-Jacobian product
with respect to its (dummy) vector, and Hessians are Jacobians of gradients. With
``create_graph=True`` the results stay connected to the graph, so they can be
differentiated again. ``vectorize`` is accepted and ignored (results are the same).
"""

from __future__ import annotations

from .._tensor import Tensor, _wrap
from .engine import grad as _grad
from .function import Function
from .grad_mode import enable_grad


def _as_tuple(x, arg_name: str, fn_name: str):
    """(tuple_of_tensors, was_tuple) with torch's TypeError for non-tensors."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple " \
                    "of Tensors"
            raise TypeError(f"{where} but the value at index {i} has type {type(t)}.")
    return items, is_tuple


def _prepare_inputs(inputs, create_graph: bool):
    """Fresh tensors requiring grad; with create_graph they stay connected to the caller's
    graph (a differentiable alias) so the results can be differentiated further."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view(tuple(t.shape)))
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _finish(x, create_graph: bool):
    if x is None:
        return None
    if isinstance(x, tuple):
        return tuple(_finish(e, create_graph) for e in x)
    return x if create_graph else x.detach()


def _check_output_tuple(out, fn_name: str):
    outs, is_tuple = _as_tuple(out, "outputs of the user-provided function", fn_name)
    return outs, is_tuple


def _grads(outputs, inputs, grad_outputs, create_graph: bool, strict: bool, fn_name: str):
    """autograd.grad tolerant of outputs that do not require grad and unused inputs
    (zeros, or torch's error with ``strict``)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if pairs:
        res = _grad([p[0] for p in pairs], inputs, [p[1] for p in pairs],
                    retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        res = (None,) * len(inputs)
    out = []
    for i, (g, x) in enumerate(zip(res, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode.")
            g = _wrap(x._data * 0)
        out.append(g)
    return tuple(out)


def _check_v(v, like, fn_name: str, what: str):
    for i, (a, b) in enumerate(zip(v, like)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"Mismatch in shape: v[{i}] has a shape of {a.shape} and "
                               f"{what}[{i}] has a shape of {b.shape}.")


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J): the vector-Jacobian product of ``func`` at ``inputs``."""
    with enable_grad():
        ins, in_tuple = _as_tuple(inputs, "inputs", "vjp")
        ins = _prepare_inputs(ins, create_graph)
        outs, out_tuple = _check_output_tuple(func(*ins), "vjp")
        if v is None:
            if len(outs) != 1 or outs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided "
                                   "function returns a single Tensor with a single element.")
            vs = (_wrap(outs[0]._data * 0 + 1),)
        else:
            vs, _ = _as_tuple(v, "v", "vjp")
            if len(vs) != len(outs):
                raise RuntimeError(f"v is a tuple of invalid length: should be {len(outs)} "
                                   f"but got {len(vs)}.")
            _check_v(vs, outs, "vjp", "output")
        res = _grads(outs, ins, vs, create_graph, strict, "vjp")
    out = _finish(outs, create_graph)
    res = _finish(res, create_graph)
    return (out if out_tuple else out[0]), (res if in_tuple else res[0])


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-vjp trick."""
    with enable_grad():
        ins, in_tuple = _as_tuple(inputs, "inputs", "jvp")
        ins = _prepare_inputs(ins, create_graph)
        if v is None:
            if len(ins) != 1 or ins[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            vs = (_wrap(ins[0]._data * 0 + 1),)
        else:
            vs, _ = _as_tuple(v, "v", "jvp")
            if len(vs) != len(ins):
                raise RuntimeError(f"v is a tuple of invalid length: should be {len(ins)} "
                                   f"but got {len(vs)}.")
            _check_v(vs, ins, "jvp", "input")
        outs, out_tuple = _check_output_tuple(func(*ins), "jvp")
        dummies = tuple(_wrap(o._data * 0).requires_grad_(True) for o in outs)
        g_in = _grads(outs, ins, dummies, True, strict, "jvp")
        res = _grads(g_in, dummies, vs, create_graph, False, "jvp")
        if strict:
            for i, o in enumerate(outs):
                if not o.requires_grad:
                    raise RuntimeError(f"The output of the user-provided function is "
                                       f"independent of input {i}. This is not allowed in "
                                       "strict mode.")
    out = _finish(outs, create_graph)
    res = _finish(res, create_graph)
    return (out if out_tuple else out[0]), (res if out_tuple else res[0])


class _Stack(Function):
    """Stack equally shaped tensors along a new leading dim (differentiable)."""

    @staticmethod
    def forward(ctx, *ts):
        from ..device import xp_of
        ctx.n = len(ts)
        return _wrap(xp_of(ts[0]._data).stack([t._data for t in ts]))

    @staticmethod
    def backward(ctx, g):
        return tuple(g[i] for i in range(ctx.n))


def _jacobian(outs, ins, create_graph: bool, strict: bool, fn_name: str):
    """J[i][j] of every output i w.r.t. every input j, as torch nests them."""
    result = []
    for o in outs:
        per_input = [[] for _ in ins]
        flat = o.reshape(-1)
        for k in range(o.numel()):
            gvec = _wrap(flat._data * 0)
            gvec._data[k] = 1
            gs = _grads((flat,), ins, (gvec,), create_graph, strict, fn_name)
            for j, g in enumerate(gs):
                per_input[j].append(g)
        row = []
        for j, x in enumerate(ins):
            shape = tuple(o.shape) + tuple(x.shape)
            if per_input[j]:
                row.append(_Stack.apply(*per_input[j]).reshape(*shape))
            else:  # an empty output
                row.append(_wrap(_zeros(x, shape)))
        result.append(tuple(row))
    return result


def _zeros(like: Tensor, shape):
    from ..device import xp_of
    return xp_of(like._data).zeros(shape, like._data.dtype)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs`` (shape output.shape + input.shape), nested
    like torch: by output, then by input, where either is a tuple."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    with enable_grad():
        ins, in_tuple = _as_tuple(inputs, "inputs", "jacobian")
        ins = _prepare_inputs(ins, create_graph)
        outs, out_tuple = _check_output_tuple(func(*ins), "jacobian")
        jac = _jacobian(outs, ins, create_graph, strict, "jacobian")
    jac = [_finish(row, create_graph) for row in jac]
    if out_tuple:
        return tuple(row if in_tuple else row[0] for row in jac)
    return jac[0] if in_tuple else jac[0][0]


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of scalar function ``func`` at ``inputs`` (shape input.shape * 2;
    a tuple of tuples for several inputs)."""
    ins, in_tuple = _as_tuple(inputs, "inputs", "hessian")

    def grad_fn(*xs):
        out = func(*xs)
        outs, out_tuple = _check_output_tuple(out, "hessian")
        if out_tuple or outs[0].numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        o = outs[0].reshape(())
        return _grads((o,), xs, (_wrap(o._data * 0 + 1),), True, strict, "hessian")

    res = jacobian(grad_fn, ins, create_graph=create_graph, strict=strict)
    if not in_tuple:
        return res[0][0]
    return res


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H): vector-Hessian product of scalar function ``func``."""
    with enable_grad():
        ins, in_tuple = _as_tuple(inputs, "inputs", "vhp")
        ins = _prepare_inputs(ins, create_graph)
        outs, out_tuple = _check_output_tuple(func(*ins), "vhp")
        if out_tuple or outs[0].numel() != 1:
            raise RuntimeError("The function given in vhp should return a single Tensor")
        if v is None:
            if len(ins) != 1 or ins[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            vs = (_wrap(ins[0]._data * 0 + 1),)
        else:
            vs, _ = _as_tuple(v, "v", "vhp")
            if len(vs) != len(ins):
                raise RuntimeError(f"v is a tuple of invalid length: should be {len(ins)} "
                                   f"but got {len(vs)}.")
            _check_v(vs, ins, "vhp", "input")
        out = outs[0]
        jac = _grads((out,), ins, (_wrap(out._data * 0 + 1),), True, strict, "vhp")
        res = _grads(jac, ins, vs, create_graph, strict, "vhp")
    out = _finish(out, create_graph)
    res = _finish(res, create_graph)
    return out, (res if in_tuple else res[0])


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v). The Hessian is symmetric for twice-differentiable ``func``,
    so this equals vhp."""
    return vhp(func, inputs, v, create_graph=create_graph, strict=strict)


__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]
