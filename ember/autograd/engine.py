"""The backward engine: walk the graph from the roots in dependency order, call each
node's backward, and add the results into the next nodes' gradient buffers.

Gradients are ember Tensors. Without ``create_graph`` everything runs with grad mode
off; with it, the backward ops are recorded, which is all higher-order gradients need.
"""

from __future__ import annotations

from .._tensor import Tensor, _wrap
from .anomaly_mode import ANOMALY, attach_trace
from .function import AccumulateGrad, BackwardNode, accumulator_of, refresh_view
from .grad_mode import STATE


def _shape_str(shape) -> str:
    return f"[{', '.join(map(str, shape))}]"


def _make_grads(roots, grad_tensors, create_graph):
    grads = []
    for t, g in zip(roots, grad_tensors):
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not (t._data.dtype.kind in "fc" or t.dtype.is_floating_point):
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {t.dtype}")
            g = _wrap(_ones_like(t._data))
        elif not isinstance(g, Tensor):
            raise TypeError("gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
        else:
            if g._data.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{len(grads)}] has a shape of "
                    f"{_torch_size(g.shape)} and output[{len(grads)}] has a shape of "
                    f"{_torch_size(t.shape)}.")
            if g.dtype.is_complex != t.dtype.is_complex:
                raise RuntimeError("For complex Tensors, both grad_output and output are "
                                   "required to have the same dtype.")
            if not create_graph:
                g = g.detach()
        grads.append(g)
    return grads


def _torch_size(shape) -> str:
    return f"torch.Size([{', '.join(map(str, shape))}])"


def _ones_like(a):
    from ..device import xp_of
    return xp_of(a).ones(a.shape, a.dtype)


def _validate(node, i, g, meta):
    """Bring gradient ``g`` for input ``i`` of ``node`` to that input's shape and dtype
    (broadcast reduction happens here, once, for every op)."""
    shape, npdt = meta
    if g._data.shape != shape:
        try:
            g = g.sum_to_size(shape)
        except RuntimeError:
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{_shape_str(g.shape)} but expected shape compatible with "
                f"{_shape_str(shape)}") from None
    if g._data.dtype != npdt:
        from ..dtypes import from_numpy_dtype
        g = g.to(from_numpy_dtype(npdt))
    return g


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _run_hooks(hooks, g):
    for h in list(hooks):
        r = h(g)
        if r is not None:
            g = r
    return g


def _collect(root_nodes):
    """Dependency counts (number of incoming edges) of every node reachable from roots."""
    deps = {}
    stack = list(root_nodes)
    seen = set(map(id, root_nodes))
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append(nxt)
    return deps


def _needed(root_nodes, targets: set, deps):
    """Nodes from which some target node can be reached (the part worth executing)."""
    order, stack, seen = [], [(n, False) for n in root_nodes], set()
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                stack.append((nxt, False))
    needed = set()  # nodes that must run because a target lies below them
    for node in order:  # post-order: children before parents
        if any(n in needed or n in targets for n, _ in node.next_functions if n is not None):
            needed.add(node)
    return needed


def run_backward(roots, grads, retain_graph: bool, create_graph: bool,
                 capture=None, accumulate: bool = True, only=None):
    """Execute the graph. ``capture`` maps (node, output_nr) -> slot index: gradients
    arriving there are returned instead of accumulated (autograd.grad). ``only`` (a set
    of AccumulateGrad nodes) restricts accumulation to those leaves (backward(inputs=))."""
    root_nodes, buffers = [], {}
    for t, g in zip(roots, grads):
        refresh_view(t)
        node = t.grad_fn
        nr = t._output_nr
        if node is None:
            node = accumulator_of(t)
            nr = 0
        if node not in buffers:
            buffers[node] = [None] * node._num_outputs()
            root_nodes.append(node)
        buffers[node][nr] = _add(buffers[node][nr], g)
    deps = _collect(root_nodes)
    targets = None
    if capture is not None:
        targets = {n for n, _ in capture}
    elif only is not None:
        targets = set(only)
    needed = _needed(root_nodes, targets, deps) if targets is not None else None
    captured = {} if capture is not None else None

    ready = [n for n in root_nodes if deps.get(n, 0) == 0]
    prev_mode = STATE.enabled
    STATE.enabled = bool(create_graph)
    try:
        while ready:
            node = ready.pop()
            in_grads = buffers.pop(node, None)
            if in_grads is None:
                in_grads = [None] * node._num_outputs()
            if needed is None or node in needed or node in targets:
                outs = _execute(node, in_grads, create_graph, retain_graph, captured, capture,
                                accumulate, only, needed is None or node in needed)
            else:
                outs = None
            for i, (nxt, nr) in enumerate(node.next_functions):
                if nxt is None:
                    continue
                if outs is not None:
                    g = outs[i]
                    if g is not None:
                        buf = buffers.get(nxt)
                        if buf is None:
                            buf = buffers[nxt] = [None] * nxt._num_outputs()
                        buf[nr] = _add(buf[nr], g)
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0:
                    ready.append(nxt)
    finally:
        STATE.enabled = prev_mode
    return captured


def _execute(node, in_grads, create_graph, retain_graph, captured, capture, accumulate, only,
             apply_node=True):
    pre = node._pre_hooks
    if pre:
        for nr in range(len(in_grads)):
            if in_grads[nr] is not None:
                hooks = pre.get(nr)
                if hooks:
                    in_grads[nr] = _run_hooks(hooks, in_grads[nr])
                hooks = pre.get(("retain", nr))
                if hooks:
                    _run_hooks(hooks, in_grads[nr])
        hooks = pre.get(-1)
        if hooks:
            for h in list(hooks):
                r = h(tuple(in_grads))
                if r is not None:
                    in_grads = list(r)
    is_leaf = type(node) is AccumulateGrad
    if is_leaf and node.variable._hooks and in_grads[0] is not None:
        in_grads[0] = _run_hooks(node.variable._hooks, in_grads[0])
    if capture is not None:
        for nr, g in enumerate(in_grads):
            slot = capture.get((node, nr))
            if slot is not None:
                captured[slot] = g
    if is_leaf:
        if capture is None and accumulate and (only is None or node in only):
            _accumulate(node.variable, in_grads[0], create_graph)
        if node._hooks:
            for h in list(node._hooks):
                h((), tuple(in_grads))
        return ()
    if not apply_node:
        return None
    try:
        outs = node.apply(in_grads)
    except Exception as exc:
        if ANOMALY.enabled and node._trace:
            attach_trace(exc, node)
        raise
    if not retain_graph and isinstance(node, BackwardNode):
        node._release()
    metas = node._input_meta
    outs = list(outs)
    for i, g in enumerate(outs):
        if g is None:
            continue
        meta = metas[i]
        if meta is None:
            outs[i] = None
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"Function {node.name()} returned a gradient of type "
                            f"{type(g).__name__} at index {i}; expected a Tensor or None")
        d = g._data
        if d.shape != meta[0] or d.dtype != meta[1]:
            outs[i] = g = _validate(node, i, g, meta)
        if ANOMALY.enabled and ANOMALY.check_nan and _has_nan(outs[i]._data):
            err = RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")
            if node._trace:
                attach_trace(err, node)
            raise err
    if node._hooks:
        for h in list(node._hooks):
            r = h(tuple(outs), tuple(in_grads))
            if r is not None:
                outs = list(r)
    return outs


def _has_nan(a) -> bool:
    from ..device import xp_of
    return bool(xp_of(a).isnan(a).any())


def _accumulate(leaf: Tensor, g: Tensor, create_graph: bool) -> None:
    if g is None:
        return
    old = leaf._grad
    if old is None:
        # a private, contiguous copy: the incoming buffer may be shared with another leaf
        # or be a read-only broadcast view
        leaf._grad = g.clone() if g._requires_grad else _wrap(g._data.copy())
    elif create_graph or old._requires_grad:
        leaf._grad = old + g
    else:
        old._data += g._data
        old._vc[0] += 1
    post = leaf.__dict__.get("_post_acc_hooks")
    if post:
        for h in list(post):
            h(leaf)


def _as_tuple(x):
    if isinstance(x, Tensor):
        return (x,)
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"'{type(x).__name__}' object is not iterable")
    return tuple(x)


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                  materialize_grads):
    """autograd.grad with a leading batch dimension on every grad_output: one backward
    per batch entry, results stacked (what torch vectorizes with vmap)."""
    from .functional import _Stack
    n = grad_outputs[0].shape[0]
    per = []
    for i in range(n):
        keep = True if i < n - 1 else retain_graph
        per.append(grad(outputs, inputs, [g[i] for g in grad_outputs], retain_graph=keep,
                        create_graph=create_graph, allow_unused=allow_unused,
                        materialize_grads=materialize_grads))
    result = []
    for j in range(len(inputs)):
        gs = [p[j] for p in per]
        result.append(None if gs[0] is None else _Stack.apply(*gs))
    return tuple(result)


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables=None, inputs=None) -> None:
    """Compute the sum of gradients of ``tensors`` w.r.t. graph leaves into ``.grad``."""
    roots = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = [None] * len(roots)
    else:
        grad_tensors = _as_tuple(grad_tensors)
    if len(grad_tensors) != len(roots):
        raise RuntimeError(f"got {len(grad_tensors)} tensors and {len(roots)} gradients")
    for i, t in enumerate(roots):
        refresh_view(t)
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _make_grads(roots, grad_tensors, create_graph)
    only = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        only = set()
        for t in inputs:
            if t.grad_fn is None:
                if not t._requires_grad:
                    raise RuntimeError("can't retain_grad on Tensor that has "
                                       "requires_grad=False")
                only.add(accumulator_of(t))
            else:
                t.retain_grad()
                only.add(t.grad_fn)
    run_backward(roots, grads, retain_graph, create_graph, only=only)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True,
         allow_unused: bool | None = None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple:
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` (nothing is accumulated)."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if not allow_unused and materialize_grads:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got "
                           f"{len(grad_outputs)} and {len(outputs)}")
    for i, t in enumerate(outputs):
        refresh_view(t)
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
    if retain_graph is None:
        retain_graph = create_graph
    capture = {}
    for slot, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad(): inputs must be Tensors, got {type(t).__name__}")
        refresh_view(t)
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        key = (accumulator_of(t), 0) if t.grad_fn is None else (t.grad_fn, t._output_nr)
        capture.setdefault(key, slot)
    grads = _make_grads(outputs, grad_outputs, create_graph)
    captured = run_backward(outputs, grads, retain_graph, create_graph, capture=capture)
    result = []
    for i, t in enumerate(inputs):
        key = (accumulator_of(t), 0) if t.grad_fn is None else (t.grad_fn, t._output_nr)
        g = captured.get(capture[key])
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not "
                                   "have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
            if materialize_grads:
                from .. import zeros_like
                g = zeros_like(t)
        else:
            g = _writable(g if create_graph else g.detach())
        result.append(g)
    return tuple(result)


def _writable(g: Tensor) -> Tensor:
    """``g``, or a copy in the same graph position when its memory is a read-only or
    overlapping broadcast (what sum's backward produces): the caller may modify it."""
    d = g._data
    flags = getattr(d, "flags", None)
    if flags is None or (flags.writeable and (d.size <= 1 or 0 not in d.strides)):
        return g
    out = _wrap(d.copy())
    if g._requires_grad:
        out.grad_fn, out._output_nr, out._requires_grad = g.grad_fn, g._output_nr, True
    return out


__all__ = ["backward", "grad", "run_backward"]
