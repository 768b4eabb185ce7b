"""gradcheck / gradgradcheck: compare autograd's gradients with finite differences."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .engine import grad as autograd_grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _diff_outputs(func, inputs):
    outs = _as_tuple(func(*inputs))
    return [o for o in outs if isinstance(o, Tensor) and o._requires_grad]


def _numerical(func, inputs, idx, eps, n_out_elems):
    """Jacobian columns of every output w.r.t. input ``idx`` by central differences."""
    x = inputs[idx]
    data = x._data
    jac = np.zeros((data.size, n_out_elems), dtype=data.dtype)
    for i in range(data.size):
        pos = np.unravel_index(i, data.shape)
        orig = data[pos].copy()
        data[pos] = orig + eps
        plus = [o._data.copy() for o in _outputs_all(func, inputs)]
        data[pos] = orig - eps
        minus = [o._data.copy() for o in _outputs_all(func, inputs)]
        data[pos] = orig
        col = np.concatenate([((p - m) / (2 * eps)).reshape(-1) for p, m in zip(plus, minus)]) \
            if plus else np.zeros(0)
        jac[i] = col
    return jac


def _outputs_all(func, inputs):
    outs = _as_tuple(func(*inputs))
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.category >= 2]


def _analytical(func, inputs, diff_idx, n_out_elems):
    outs = _outputs_all(func, inputs)
    jacs = [np.zeros((inputs[i]._data.size, n_out_elems), dtype=inputs[i]._data.dtype)
            for i in diff_idx]
    col = 0
    targets = [inputs[i] for i in diff_idx]
    for o in outs:
        if not o._requires_grad:  # constant output: zero Jacobian
            col += o._data.size
            continue
        for j in range(o._data.size):
            g = np.zeros(o._data.shape, o._data.dtype)
            g.reshape(-1)[j] = 1
            grads = autograd_grad([o], targets, [_wrap(g)], retain_graph=True,
                                  allow_unused=True)
            for k, gr in enumerate(grads):
                if gr is not None:
                    jacs[k][:, col] = gr._data.reshape(-1)
            col += 1
    return jacs


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked=None) -> bool:
    """Check gradients of ``func`` at ``inputs`` (use float64) against finite differences."""
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    for i in diff_idx:
        if inputs[i].dtype.name not in ("float64", "complex128"):
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ", stacklevel=2)
    sizes = [o._data.size for o in _outputs_all(func, inputs)]
    n_out = sum(sizes)
    analytical = _analytical(func, inputs, diff_idx, n_out)
    for k, i in enumerate(diff_idx):
        numerical = _numerical(func, inputs, i, eps, n_out)
        start = 0
        for j, size in enumerate(sizes):  # report the first failing (output, input) pair
            a = analytical[k][:, start:start + size]
            n = numerical[:, start:start + size]
            start += size
            if not np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=True):
                return _fail(
                    f"Jacobian mismatch for output {j} with respect to input {i},\n"
                    f"numerical:{n}\nanalytical:{a}\n", raise_exception)
    return True


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked=False) -> bool:
    """Check second-order gradients: gradcheck of the vector-Jacobian product of ``func``."""
    inputs = _as_tuple(inputs)
    outs = _diff_outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype)).requires_grad_()
            for o in outs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad]

    def vjp(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = _diff_outputs(func, ins)
        pairs = [(o, g) for o, g in zip(outs, gos)]
        targets = [ins[i] for i in diff_idx]
        if not pairs:
            return tuple(t.detach() * 0 for t in targets)
        grads = autograd_grad([p[0] for p in pairs], targets, [p[1] for p in pairs],
                              create_graph=True, allow_unused=True)
        return tuple(g if g is not None else t.detach() * 0 for g, t in zip(grads, targets))

    return gradcheck(vjp, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
