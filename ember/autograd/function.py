"""Function: the one mechanism behind every differentiable op, built-in or user-written.

A call ``F.apply(*args)`` runs ``F.forward(ctx, *args)`` without recording, and -- when
grad mode is on and an input requires grad -- makes ``ctx`` the ``grad_fn`` of the
outputs. ``ctx`` *is* the graph node (as in torch): it holds the edges to the inputs'
nodes (``next_functions``), the saved tensors, and calls ``F.backward(ctx, *grads)``.

Built-in ops subclass :class:`Op`, whose forward receives raw backend arrays instead of
Tensors (the fast path); the node, the ctx API and the backward contract are the same.
Backward always works on ember Tensors, so ``create_graph=True`` records it and
higher-order gradients work for every op.

Memory rule: a node holds its inputs' nodes strongly and its outputs only as raw arrays
(an output saved for backward is rebuilt on unpacking), so no tensor -> grad_fn -> tensor
cycle is ever formed.

In-place ops (``apply_inplace``) run the op functionally on an alias of the tensor's old
value and then give the tensor the new node; the version counter (``Tensor._vc``, shared
by views and ``detach()``) catches saved tensors modified afterwards. A view remembers its
root base and how to re-create itself from it (``_view_fn``): writing into a view gives
the base a ``CopySlices`` node, and a view whose base changed is re-derived from the base
before its next use (``refresh_view``), as torch does.
"""

from __future__ import annotations

import functools
import re
import weakref

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap, legacy_type_name
from .anomaly_mode import ANOMALY, forward_trace
from .grad_mode import STATE

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the graph "
    "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
    "you need to backward through the graph a second time or if you need to access saved "
    "tensors after calling backward.")


class Node:
    """A node of the backward graph (the object a tensor's ``grad_fn`` points to)."""

    __slots__ = ("next_functions", "_input_meta", "_pre_hooks", "_hooks", "_trace",
                 "_metadata", "__weakref__")

    def __init__(self):
        self.next_functions = ()
        self._input_meta = ()
        self._pre_hooks = None   # {output_nr: [fn(grad) -> grad|None]}, tensor hooks
        self._hooks = None       # [fn(grad_inputs, grad_outputs)], node hooks
        self._trace = None

    def name(self) -> str:
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        try:
            return self._metadata
        except AttributeError:
            self._metadata = {}
            return self._metadata

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node computed its gradients."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return replacement gradients."""
        return self._add_tensor_hook(-1, fn)

    def _add_tensor_hook(self, output_nr: int, fn):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(output_nr, [])
        hooks.append(fn)
        return RemovableHandle(hooks, fn)

    def _num_outputs(self) -> int:
        return 1

    def __call__(self, *grads):
        """Run this node's backward on ``grads`` directly (one per output)."""
        out = self.apply(list(grads))
        return out[0] if len(out) == 1 else tuple(out)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class RemovableHandle:
    """Returned by hook registration; ``remove()`` unregisters the hook."""

    def __init__(self, container, item):
        self._ref = container
        self._item = item

    def remove(self) -> None:
        c = self._ref
        if isinstance(c, dict):
            c.pop(self._item, None)
        else:
            for i, x in enumerate(c):
                if x is self._item:
                    del c[i]
                    break

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class AccumulateGrad(Node):
    """The node of a leaf tensor: adds the incoming gradient into ``leaf.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor):
        super().__init__()
        self.variable = variable
        self._input_meta = ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __call__(self, grad):
        from .engine import _accumulate
        _accumulate(self.variable, grad, False)
        return ()

    def _num_outputs(self) -> int:
        return 1


def accumulator_of(t: Tensor) -> AccumulateGrad:
    """The (cached, weakly held) AccumulateGrad node of leaf ``t``."""
    ref = t._accumulator
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._accumulator = weakref.ref(acc)
    return acc


def refresh_view(t: Tensor) -> None:
    """A view whose memory was modified in place through its base or another view takes
    its graph position from the updated base (torch regenerates a view's grad_fn so)."""
    if t._base is None or t._view_fn is None or t._view_ver == t._vc[0]:
        return
    t._view_ver = t._vc[0]
    if not t._base._requires_grad:
        return
    prev = STATE.enabled
    STATE.enabled = True
    try:
        regen = t._view_fn(t._base)
    finally:
        STATE.enabled = prev
    if regen.grad_fn is not None:
        _set_history(t, regen.grad_fn, regen._output_nr)


def edge_of(t: Tensor):
    """The graph edge (node, output_nr) a tensor contributes as an input."""
    if t._base is not None:
        refresh_view(t)
    if not t._requires_grad:
        return (None, 0)
    fn = t.grad_fn
    if fn is None:
        return (accumulator_of(t), 0)
    return (fn, t._output_nr)


class _NullCtx:
    """ctx used when nothing is recorded: accepts and forgets everything."""

    __slots__ = ()
    needs_input_grad = ()

    def __setattr__(self, name, value):
        pass

    def save_for_backward(self, *args):
        pass

    def mark_dirty(self, *args):
        pass

    def mark_non_differentiable(self, *args):
        pass

    def set_materialize_grads(self, value):
        pass


NULL_CTX = _NullCtx()


def _quiet_numpy_state():
    """(the ContextVar holding NumPy's floating-point error state, its 'ignore all' value).

    torch returns inf/nan silently where NumPy warns; an op's forward runs with the
    'ignore' state so that even ``warnings.simplefilter("error")`` (pytest's
    ``-W error``) sees no NumPy warning from ember. Setting the variable costs ~0.1 us,
    ``np.errstate`` ~1 us. NumPy without the variable (< 2.0) keeps only the module-level
    warning filter in ember/ops/_common.py."""
    try:
        from numpy._core import _ufunc_config
        var = _ufunc_config._extobj_contextvar
        with np.errstate(all="ignore"):
            return var, var.get()
    except (ImportError, AttributeError):
        return None, None


_NP_ERR, _NP_QUIET = _quiet_numpy_state()
if _NP_ERR is None:  # old NumPy: a stand-in variable, so the hot path has no branch
    import contextvars
    _NP_ERR = contextvars.ContextVar("ember_unused_numpy_state")

# (pack_hook, unpack_hook) pairs of the active autograd.graph.saved_tensors_hooks blocks
SAVED_HOOKS: list = []
_NONE_ENTRY = ("n",)


def _version_error(data, version: int, expected: int, node) -> RuntimeError:
    """torch's error for a saved tensor modified in place; ``node`` is the grad_fn of the
    tensor as it is now (None for a leaf)."""
    desc = f"{legacy_type_name(_wrap(data))} [{', '.join(map(str, data.shape))}]"
    where = ""
    if node is not None:
        where = f", which is output 0 of {re.sub(r'Backward[0-9]*$', '', node.name())},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{desc}]{where} is at version {version}; expected version "
        f"{expected} instead. Hint: enable anomaly detection to find the operation that "
        "failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).")


class BackwardNode(Node):
    """The ctx/graph node of one Function call. User code sees it as ``ctx``."""

    _forward_cls = None
    _node_name = None
    _out_pos = None  # (number of forward outputs, positions of the tensor ones) if they differ

    def __init__(self):
        Node.__init__(self)
        self._to_save = None
        self._saved = None
        self._freed = False
        self._materialize = True
        self._non_diff = ()
        self._dirty = ()
        self._output_meta = ()
        self._arg_pos = ()
        self.needs_input_grad = ()

    def name(self) -> str:
        return self._node_name or type(self).__name__

    def _num_outputs(self) -> int:
        return len(self._output_meta)

    # -- the ctx API ------------------------------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        """Save inputs/outputs (or None) for backward; checked for in-place changes."""
        self._to_save = tensors

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that forward modified in place."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that get no gradient (e.g. indices)."""
        self._non_diff = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """If False, backward receives None (not zeros) for outputs with no gradient."""
        self._materialize = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        saved = self._saved
        if saved is None:
            return ()
        out = []
        for entry in saved:
            kind = entry[0]
            if kind == "n":
                out.append(None)
            elif kind == "h":
                out.append(self._unpack(entry))
            elif kind == "t":
                t, version = entry[1], entry[2]
                if version is not None and t._vc[0] != version:
                    raise _version_error(t._data, t._vc[0], version, t.grad_fn)
                out.append(t)
            else:  # an output of this node, rebuilt without a reference cycle
                _, data, nr, cell, version, requires_grad = entry
                if cell[0] != version:
                    raise _version_error(data, cell[0], version, self)
                t = _wrap(data)
                t._vc = cell
                if requires_grad:
                    t.grad_fn = self
                    t._output_nr = nr
                    t._requires_grad = True
                out.append(t)
        return tuple(out)

    saved_variables = saved_tensors

    def _release(self) -> None:
        if self._saved is not None:
            self._saved = None
            self._freed = True

    # -- graph building ----------------------------------------------------------------
    def _store_saved(self, args, raw_args, outputs, out_arrays, raw_outs=()) -> None:
        """Turn what forward saved (Tensors or raw arrays) into version-checked entries."""
        items = self._to_save
        self._to_save = None
        if not items:
            return
        saved = []
        for item in items:
            if item is None:
                saved.append(_NONE_ENTRY)
                continue
            entry = None
            for k, o in enumerate(out_arrays):
                if item is o or item is outputs[k] or (raw_outs and item is raw_outs[k]):
                    t = outputs[k]
                    entry = ("o", t._data, k, t._vc, t._vc[0], t.grad_fn is self)
                    break
            if entry is None:
                if isinstance(item, Tensor):
                    entry = ("t", item, item._vc[0])
                else:
                    for j, a in enumerate(raw_args):
                        if item is a and isinstance(args[j], Tensor):
                            t = args[j]
                            entry = ("t", t, t._vc[0])
                            break
                    else:  # an intermediate array: nothing to version-check
                        entry = ("t", _wrap(np.asarray(item) if np.isscalar(item) else item),
                                 None)
            saved.append(entry)
        if SAVED_HOOKS:
            saved = [self._pack(e, outputs) for e in saved]
        self._saved = saved

    def _pack(self, entry, outputs):
        """Hand a saved tensor to the innermost ``saved_tensors_hooks`` pack hook."""
        pack, unpack = SAVED_HOOKS[-1]
        if entry[0] == "n":
            return entry
        if entry[0] == "o":
            t = outputs[entry[2]]
            info = ("o", entry[2], entry[5])
        else:
            t = entry[1]
            info = ("t", edge_of(t) if t._requires_grad else (None, 0))
        hooks = SAVED_HOOKS[:]
        SAVED_HOOKS.clear()  # ops inside the hook itself are not packed again
        try:
            packed = pack(t)
        finally:
            SAVED_HOOKS[:] = hooks
        return ("h", packed, unpack, info, id(t))

    def _unpack(self, entry):
        _, packed, unpack, info, _ = entry
        t = unpack(packed)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(t).__name__}")
        if info[0] == "o":
            node, nr = (self, info[1]) if info[2] else (None, 0)
        else:
            node, nr = info[1]
        if node is None or (t._requires_grad and edge_of(t) == (node, nr)):
            return t
        alias = _wrap(t._data)  # a new tensor from the hook takes the saved one's place
        alias._vc = t._vc
        alias._requires_grad = True
        if type(node) is AccumulateGrad:
            alias._accumulator = weakref.ref(node)
        else:
            alias.grad_fn = node
            alias._output_nr = nr
        return alias

    def _rebind_output(self, nr: int, t: Tensor) -> None:
        """After an in-place op copied this node's output into ``t``, save ``t`` instead."""
        if self._saved:
            self._saved = [
                ("o", t._data, nr, t._vc, t._vc[0], True)
                if e[0] == "o" and e[2] == nr else e for e in self._saved]
        meta = list(self._output_meta)
        meta[nr] = (t._data.shape, t._data.dtype, t._data)
        self._output_meta = tuple(meta)

    # -- backward ----------------------------------------------------------------------
    def apply(self, grads: list):
        if self._materialize and None in grads:
            meta = self._output_meta
            for i, g in enumerate(grads):
                if g is None:
                    shape, npdt, like = meta[i]
                    grads[i] = _wrap(_zeros_like_array(like, shape, npdt))
        if self._out_pos is not None:
            n, pos = self._out_pos
            full = [None] * n
            for k, g in zip(pos, grads):
                full[k] = g
            grads = full
        result = self._backward_fn(self, *grads)
        if type(result) is not tuple:
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        n_args = len(self.needs_input_grad)
        if len(result) != n_args:
            if len(result) > n_args and all(r is None for r in result[n_args:]):
                result = result[:n_args]
            else:
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients "
                    f"(expected {n_args}, got {len(result)})")
        pos = self._arg_pos
        if len(pos) == n_args:  # every argument is a tensor
            return list(result)
        return [result[p] for p in pos]


def _zeros_like_array(like, shape, npdt):
    if type(like) is np.ndarray:
        return np.zeros(shape, npdt)
    from ..device import xp_of
    return xp_of(like).zeros(shape, npdt)


def _differentiable_dtype(npdt) -> bool:
    return npdt.kind in "fc" or npdt == _dt.bfloat16.np


def _wire(ctx: BackwardNode, args, raw_args, outputs: list, out_arrays) -> None:
    """Make ``ctx`` the grad_fn of the differentiable outputs and connect it to inputs."""
    edges, metas, pos = [], [], []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            pos.append(i)
            e = edge_of(a)
            edges.append(e)
            metas.append((a._data.shape, a._data.dtype) if e[0] is not None else None)
    ctx.next_functions = tuple(edges)
    ctx._input_meta = metas
    ctx._arg_pos = tuple(pos)
    non_diff = ctx._non_diff
    out_meta = []
    for k, t in enumerate(outputs):
        d = t._data
        out_meta.append((d.shape, d.dtype, d))
        if (non_diff and any(t is x or d is x for x in non_diff)) or \
                not _differentiable_dtype(d.dtype):
            continue
        t.grad_fn = ctx
        t._output_nr = k
        t._requires_grad = True
    ctx._output_meta = tuple(out_meta)
    if ANOMALY.enabled:
        ctx._trace = forward_trace()


def _backward_class_for(cls):
    """The node class of Function ``cls`` (named ``<Name>Backward``, or as declared)."""
    node_cls = cls.__dict__.get("_backward_cls")
    if node_cls is None:
        name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward"
        bw = cls.backward
        base = globals().get("Function")  # None while Function itself is being created
        if base is not None and bw is base.backward and cls.vjp is not base.vjp:
            bw = cls.vjp  # the user wrote vjp only
        uses_setup = base is not None and cls.setup_context is not base.setup_context
        node_cls = type(name, (BackwardNode,), {"_forward_cls": cls, "_node_name": name,
                                                 "_backward_fn": staticmethod(bw),
                                                 "_uses_setup": uses_setup})
        cls._backward_cls = node_cls
    return node_cls


class FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = None
        if "node_name" in attrs or name not in ("Function", "Op", "InplaceOp"):
            _backward_class_for(cls)


class Function(metaclass=FunctionMeta):
    """Base class of differentiable operations (torch.autograd.Function).

    Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` (or
    ``forward(*args)`` plus ``setup_context(ctx, inputs, output)``), then call
    ``MyFn.apply(*args)``.
    """

    node_name = None

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method "
                                  "for your custom autograd.Function to use it with "
                                  "backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        node_cls = _backward_class_for(cls)
        ctx = node_cls()
        enabled = STATE.enabled
        need = tuple(enabled and isinstance(a, Tensor) and a._requires_grad for a in args)
        requires = any(need)
        ctx.needs_input_grad = need
        uses_setup = node_cls._uses_setup
        prev = STATE.enabled
        STATE.enabled = False
        try:
            if uses_setup:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            STATE.enabled = prev
        is_tuple = isinstance(out, tuple)
        outs = list(out) if is_tuple else [out]
        for i, item in enumerate(ctx._to_save or ()):
            if item is not None and not isinstance(item, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{i} is of type {type(item).__name__}")
        dirty = ctx._dirty
        if dirty:
            _check_dirty(dirty, outs, requires)
        tensors = []
        for k, o in enumerate(outs):
            if isinstance(o, Tensor):
                if any(o is a for a in args) and not any(o is d for d in dirty):
                    # an input returned as output is handed back as a new tensor (an alias)
                    alias = _wrap(o._data)
                    alias._vc = o._vc
                    alias._base = o._base if o._base is not None else o
                    outs[k] = o = alias
                tensors.append(o)
        if len(tensors) != len(outs):  # backward still gets one gradient per output
            ctx._out_pos = (len(outs), [k for k, o in enumerate(outs) if isinstance(o, Tensor)])
        if requires:
            arrays = [t._data for t in tensors]
            _wire(ctx, args, args, tensors, arrays)
            ctx._store_saved(args, args, tensors, arrays)
            for d in dirty:  # a view modified in place: rewire its base too
                if d._base is not None and d._view_fn is not None and d.grad_fn is ctx:
                    result = _wrap(d._data)
                    result.grad_fn, result._output_nr = ctx, d._output_nr
                    result._requires_grad = True
                    _rebase(d, result)
                    d._view_ver = d._vc[0]
        else:
            ctx._to_save = None
        result = tuple(outs) if is_tuple else outs[0]
        return result


def _check_dirty(dirty, outs, requires: bool) -> None:
    """torch's checks for inputs a custom Function modified in place; bumps versions."""
    if any(not any(d is o for o in outs) for d in dirty):
        raise RuntimeError("Some elements marked as dirty during the forward method were "
                           "not returned as output. The inputs that are modified inplace "
                           "must all be outputs of the Function.")
    for d in dirty:
        d._vc[0] += 1
    if requires:
        for d in dirty:
            if d.grad_fn is None and d._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")
            if d._base is not None and d._view_fn is not None:
                _check_view_of_leaf(d)


def once_differentiable(fn):
    """Decorate a backward that cannot itself be differentiated: it runs without
    recording, and a later attempt to differentiate its result raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        prev = STATE.enabled
        STATE.enabled = False
        try:
            result = fn(ctx, *grads)
        finally:
            STATE.enabled = prev
        if not STATE.enabled or not any(isinstance(g, Tensor) and g._requires_grad
                                        for g in grads):
            return result
        single = not isinstance(result, tuple)
        res = (result,) if single else result
        wrapped = tuple(_OnceDifferentiableError.apply(r, *grads)
                        if isinstance(r, Tensor) else r for r in res)
        return wrapped[0] if single else wrapped
    return wrapper


class _OnceDifferentiableError(Function):
    node_name = "Error"

    @staticmethod
    def forward(ctx, r, *grads):
        return r.detach() if hasattr(r, "detach") else r

    @staticmethod
    def backward(ctx, *g):
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")


_OnceDifferentiableError._backward_cls.name = lambda self: "torch::autograd::Error"


class Op(Function):
    """Base of built-in ops: ``forward(ctx, *args)`` receives backend arrays in place of
    Tensors and returns an array (or a tuple of arrays); backward receives and returns
    Tensors. Class attributes: ``node_name`` (torch's grad_fn name) and ``is_view``
    (output 0 shares memory and version counter with input 0)."""

    is_view = False

    @classmethod
    def apply(cls, *args):
        if STATE.enabled:
            for a in args:
                if isinstance(a, Tensor):
                    if a._requires_grad:
                        return cls._apply_recording(args)
                    if a._base is not None and a._view_fn is not None:
                        refresh_view(a)  # its base may have gained a graph in place
                        if a._requires_grad:
                            return cls._apply_recording(args)
        raw = [a._data if isinstance(a, Tensor) else a for a in args]
        token = _NP_ERR.set(_NP_QUIET)
        try:
            out = cls.forward(NULL_CTX, *raw)
        finally:
            _NP_ERR.reset(token)
        if type(out) is tuple:
            return tuple(_wrap(o) for o in out)
        t = _wrap(out)
        if cls.is_view:
            _link_view(t, args[0], cls, args)
        return t

    @classmethod
    def _apply_recording(cls, args):
        # The same steps as Function.apply + _wire, unrolled for speed (this runs per op).
        ctx = cls._backward_cls()
        raw, need, edges, metas, pos = [], [], [], [], []
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                if a._base is not None:
                    refresh_view(a)
                d = a._data
                raw.append(d)
                rg = a._requires_grad
                need.append(rg)
                pos.append(i)
                if rg:
                    fn = a.grad_fn
                    edges.append((accumulator_of(a), 0) if fn is None else (fn, a._output_nr))
                    metas.append((d.shape, d.dtype))
                else:
                    edges.append((None, 0))
                    metas.append(None)
            else:
                raw.append(a)
                need.append(False)
        ctx.needs_input_grad = tuple(need)
        STATE.enabled = False
        token = _NP_ERR.set(_NP_QUIET)
        try:
            out = cls.forward(ctx, *raw)
        finally:
            STATE.enabled = True
            _NP_ERR.reset(token)
        ctx.next_functions = tuple(edges)
        ctx._input_meta = metas
        ctx._arg_pos = tuple(pos)
        is_tuple = type(out) is tuple
        raw_outs = out if is_tuple else (out,)
        outputs = [_wrap(o) for o in raw_outs]
        out_arrays = [t._data for t in outputs]
        if cls.is_view:
            _link_view(outputs[0], args[0], cls, args)
        non_diff = ctx._non_diff
        out_meta = []
        for k, t in enumerate(outputs):
            d = t._data
            out_meta.append((d.shape, d.dtype, d))
            if (non_diff and any(t is x or d is x for x in non_diff)) or \
                    not (d.dtype.kind in "fc" or d.dtype == _BF16):
                continue
            t.grad_fn = ctx
            t._output_nr = k
            t._requires_grad = True
        ctx._output_meta = tuple(out_meta)
        if ANOMALY.enabled:
            ctx._trace = forward_trace()
        if ctx._to_save:
            ctx._store_saved(args, raw, outputs, out_arrays, raw_outs)
        return tuple(outputs) if is_tuple else outputs[0]


_BF16 = _dt.bfloat16.np


def _link_view(view: Tensor, base: Tensor, op_cls, args) -> None:
    """``view`` shares ``base``'s memory: share its version counter, remember the root base
    and how to recreate the view from it (needed when the view is modified in place)."""
    view._vc = base._vc
    view._view_ver = base._vc[0]
    rest = args[1:]
    parent_fn = base._view_fn
    if base._base is None or (base.grad_fn is None and base._requires_grad):
        # a leaf requiring grad is the root for autograd even if it views other memory
        view._base = base
        view._view_fn = lambda b: op_cls.apply(b, *rest)
    elif parent_fn is not None:
        view._base = base._base
        view._view_fn = lambda b: op_cls.apply(parent_fn(b), *rest)
    else:  # a view of something we cannot replay (e.g. detach()): track memory only
        view._base = base._base


# -- in-place ops ------------------------------------------------------------------------

def _cast_name(d) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}[d.name]


def check_inplace_result(self: Tensor, res_shape, res_dtype) -> None:
    """torch's checks for writing a result into ``self``: same shape, castable dtype."""
    if tuple(res_shape) != self._data.shape:
        raise RuntimeError(
            f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the "
            f"broadcast shape [{', '.join(map(str, res_shape))}]")
    sd = self.dtype
    if res_dtype.category > sd.category:
        raise RuntimeError(f"result type {_cast_name(res_dtype)} can't be cast to the "
                           f"desired output type {_cast_name(sd)}")


def _check_no_internal_overlap(data) -> None:
    """An expanded tensor has elements sharing memory: writing to it is ambiguous."""
    if any(st == 0 and n > 1 for st, n in zip(data.strides, data.shape)):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to "
            "a single memory location. Please clone() the tensor before performing the "
            "operation.")


def apply_inplace(op_cls, self: Tensor, *rest) -> Tensor:
    """Run ``op_cls`` functionally on (self, *rest) and write the result into ``self``.

    Without recording it is a plain in-place write. With recording, ``self``'s previous
    value keeps its place in the graph (copied only if the op saved it), and ``self``
    takes the new node as its grad_fn. An in-place op on a view rewires the view's base
    too (torch's CopySlices), so gradients reach the base correctly.
    """
    if 0 in self._data.strides:
        _check_no_internal_overlap(self._data)
    record = STATE.enabled and (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in rest))
    if not record:
        raw = [a._data if isinstance(a, Tensor) else a for a in rest]
        out = op_cls.forward(NULL_CTX, self._data, *raw)
        out_dtype = _dt.from_numpy_dtype(out.dtype) if hasattr(out, "dtype") else self.dtype
        check_inplace_result(self, getattr(out, "shape", ()), out_dtype)
        self._data[...] = out
        self._vc[0] += 1
        return self
    if self.grad_fn is None and self._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    base = self._base
    if base is not None and self._view_fn is not None:
        return _inplace_on_view(op_cls, self, rest)
    prev = _alias_of(self)
    result = op_cls.apply(prev, *rest)
    check_inplace_result(self, result.shape, result.dtype)
    _transplant(result, self, prev)
    return self


def _alias_of(t: Tensor) -> Tensor:
    """A tensor sharing ``t``'s memory and current place in the graph."""
    prev = _wrap(t._data)
    prev._vc = [t._vc[0]]
    prev.grad_fn = t.grad_fn
    prev._output_nr = t._output_nr
    prev._requires_grad = t._requires_grad
    if t.grad_fn is None and t._requires_grad:
        prev._accumulator = t._accumulator
    return prev


def _set_history(t: Tensor, node, nr: int) -> None:
    """Make (node, nr) the graph position of ``t`` after an in-place op; a retain_grad()
    hook follows the tensor to its new node (other hooks stay: they see the old value)."""
    old, old_nr = t.grad_fn, t._output_nr
    t.grad_fn = node
    t._output_nr = nr
    t._requires_grad = True
    if t._retains_grad and old is not None and old._pre_hooks:
        hooks = old._pre_hooks.pop(("retain", old_nr), None)
        if hooks:
            for h in hooks:
                node._add_tensor_hook(("retain", nr), h)


def _transplant(result: Tensor, self: Tensor, prev: Tensor) -> None:
    """Copy ``result`` into ``self`` in place and give ``self`` result's graph identity."""
    node = result.grad_fn
    if node is not None and node._saved and _saves(node, prev):
        prev._data = prev._data.copy()
    self._data[...] = result._data
    self._vc[0] += 1
    if node is not None:
        _set_history(self, node, result._output_nr)
        node._rebind_output(result._output_nr, self)


def _saves(node, t: Tensor) -> bool:
    """Whether ``node`` saved tensor ``t`` (then an in-place write must not clobber it)."""
    return any((e[0] == "t" and e[1] is t) or (e[0] == "h" and e[4] == id(t))
               for e in node._saved)


def _inplace_on_view(op_cls, view: Tensor, rest) -> Tensor:
    base = view._base
    _check_view_of_leaf(view)
    refresh_view(view)  # the base may have changed in place since the view was taken
    prev_view = _alias_of(view)
    result = op_cls.apply(prev_view, *rest)
    check_inplace_result(view, result.shape, result.dtype)
    node = result.grad_fn
    if node is not None and node._saved and _saves(node, prev_view):
        prev_view._data = prev_view._data.copy()
    _rebase(view, result)
    base._vc[0] += 1  # shared with the view
    return view


def _check_view_of_leaf(view: Tensor) -> None:
    base = view._base
    if base.grad_fn is None and base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def _rebase(view: Tensor, result: Tensor) -> None:
    """``view`` now holds ``result``: its base takes a CopySlices node (old base outside the
    view, ``result`` inside), and the view becomes "the updated base, viewed again"."""
    base = view._base
    new_base = CopySlices.apply(_alias_of(base), result, view._view_fn)  # writes the memory
    if new_base.grad_fn is not None:
        _set_history(base, new_base.grad_fn, 0)
        new_base.grad_fn._rebind_output(0, base)
    # the view is now "the updated base, viewed again"
    regen = view._view_fn(base)
    if regen.grad_fn is not None:
        _set_history(view, regen.grad_fn, regen._output_nr)
    view._view_ver = view._vc[0] + 1  # (the caller bumps the shared version next)


class CopySlices(Function):
    """Node of a base tensor whose view was modified in place."""

    node_name = "CopySlices"
    # (its name() is torch's "torch::autograd::CopySlices", set below the class)

    @staticmethod
    def forward(ctx, base, value, view_fn):
        ctx.view_fn = view_fn
        view_fn(base)._data[...] = value._data
        return _wrap(base._data)

    @staticmethod
    def backward(ctx, g):
        from ..device import xp_of
        keep = _wrap(xp_of(g._data).ones(g.shape, dtype=g._data.dtype))
        ctx.view_fn(keep)._data[...] = 0  # the overwritten region gets no gradient
        return g * keep, ctx.view_fn(g), None


CopySlices._backward_cls.name = lambda self: "torch::autograd::CopySlices"


FunctionCtx = BackwardNode  # the type of ``ctx`` (for annotations: ``ctx: FunctionCtx``)


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """Legacy ``Variable(tensor, requires_grad=False)``: a new leaf sharing ``tensor``'s
    memory. Every Tensor is an instance of Variable."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = _wrap(data._data)
        t._vc = data._vc
        return t.requires_grad_(requires_grad)
