"""nn modules: RNNBase, RNN, LSTM, GRU and the single-step RNNCell, LSTMCell, GRUCell.

Each layer/direction projects the whole sequence through ``W_ih`` with one matmul; the
time loop then does only ``h @ W_hh^T`` (an addmm) and the gate arithmetic.  Packed
sequences run the same loop with the batch shrinking (forward) or growing (reverse)
as ``batch_sizes`` says.  An LSTM or GRU layer/direction runs that loop on arrays inside
one graph node (``_LSTMLayer``, ``_GRULayer``); RNN records one node per step.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ..._tensor import Tensor, _wrap
from ...autograd.function import Op
from ...autograd.grad_mode import is_grad_enabled
from ...device import xp_of
from ...ops.creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _e():
    import ember
    return ember


def _addmm(bias: Tensor, a: Tensor, b: Tensor) -> Tensor:
    return _e().addmm(bias, a, b)


class _SplitRows(Op):
    """Rows split into consecutive blocks of ``sizes`` (one output per time step); its
    backward concatenates the step gradients once instead of scattering each step's
    gradient into a full-size zero tensor."""

    node_name = "SplitWithSizesBackward0"

    @staticmethod
    def forward(ctx, x, sizes):
        ctx.sizes = sizes
        out, start = [], 0
        for s in sizes:
            out.append(x[start:start + s])
            start += s
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        e = _e()
        ref = next(g for g in grads if g is not None)
        parts = [g if g is not None else
                 e.zeros((s,) + tuple(ref.shape[1:]), dtype=ref.dtype, device=ref.device)
                 for g, s in zip(grads, ctx.sizes)]
        return e.cat(parts), None


# ----------------------------------------------------------------------------- gate math
def _rnn_step(act):
    def step(gi: Tensor, h: Tensor, c: Any, w_hh_t: Tensor, b_hh: Tensor | None,
             w_hr_t: Tensor | None):
        # gi already holds W_ih x + b_ih + b_hh
        return act(_addmm(gi, h, w_hh_t)), None
    return step


def _lstm_cell(xp, gates, c, act, c_new, tc, h):
    """Array gate math of one LSTM step, written into the given arrays: ``act`` the
    activated gates [i, f, tanh g, o], ``c_new`` = f*c + i*g, ``tc`` = tanh(c_new) and
    ``h`` = o * tc (before any projection). ``c_new`` may be ``c`` itself."""
    H = c.shape[-1]
    xp.multiply(gates, 0.5, out=act)  # sigmoid as tanh(x/2)/2 + 1/2: no exp overflow
    xp.tanh(act, out=act)
    act *= 0.5
    act += 0.5
    xp.tanh(gates[:, 2 * H:3 * H], out=act[:, 2 * H:3 * H])
    ig = act[:, :H] * act[:, 2 * H:3 * H]
    xp.multiply(act[:, H:2 * H], c, out=c_new)
    c_new += ig
    xp.tanh(c_new, out=tc)
    xp.multiply(act[:, 3 * H:], tc, out=h)


class _LSTMGates(Op):
    """(gates (B, 4H) laid out i, f, g, o; c) -> (h, c'): c' = f*c + i*g, h = o*tanh(c').
    One node per step; backward recomputes the activations from the saved pre-activations
    with ember ops (so it is itself differentiable)."""

    node_name = "LSTMGatesBackward"

    @staticmethod
    def forward(ctx, gates, c):
        xp = xp_of(gates)
        act, c_new, h = xp.empty_like(gates), xp.empty_like(c), xp.empty_like(c)
        _lstm_cell(xp, gates, c, act, c_new, xp.empty_like(c), h)
        ctx.save_for_backward(gates, c)
        return h, c_new

    @staticmethod
    def backward(ctx, gh, gc):
        e = _e()
        gates, c = ctx.saved_tensors
        a_i, a_f, a_g, a_o = gates.chunk(4, 1)
        i, f, o, g = a_i.sigmoid(), a_f.sigmoid(), a_o.sigmoid(), a_g.tanh()
        c_new = f * c + i * g
        tc = c_new.tanh()
        if gh is None:
            gh = e.zeros_like(tc)
        dc = gh * o * (1 - tc * tc)
        if gc is not None:
            dc = dc + gc
        d_i = dc * g * i * (1 - i)
        d_f = dc * c * f * (1 - f)
        d_g = dc * i * (1 - g * g)
        d_o = gh * tc * o * (1 - o)
        return e.cat([d_i, d_f, d_g, d_o], 1), dc * f


class _LSTMLayer(Op):
    """A whole LSTM layer/direction in one node: (xproj (N, 4H) = time-major packed rows of
    W_ih x + biases, h0, c0, W_hh^T, W_hr^T or None, batch sizes, reverse) -> (outputs
    (N, P), h_n, c_n). Step t updates the first ``sizes[t]`` rows of the running state
    (the others keep theirs), which covers padded and packed input in both directions.

    Backward runs the recurrence backwards on arrays and forms the weight gradients with
    one matmul each; under create_graph it differentiates the per-step composition
    (``_run_direction``) instead, so higher derivatives are exact."""

    node_name = "LSTMBackward"

    @staticmethod
    def forward(ctx, xproj, h0, c0, w_hh_t, w_hr_t, sizes, reverse):
        xp = xp_of(xproj)
        n, P, H = xproj.shape[0], h0.shape[1], c0.shape[1]
        h, c = h0.copy(), c0.copy()
        out = xp.empty((n, P), xproj.dtype)
        acts = xp.empty((n, 4 * H), xproj.dtype)
        c_prev, tcs, h_prev = (xp.empty((n, H), xproj.dtype), xp.empty((n, H), xproj.dtype),
                               xp.empty((n, P), xproj.dtype))
        h_raw = xp.empty((n, H), xproj.dtype) if w_hr_t is not None else None
        w = xp.ascontiguousarray(w_hh_t)  # BLAS is markedly faster on it than on a W^T view
        for r, bs in _step_rows(sizes, reverse):
            gates = xp.matmul(h[:bs], w)
            gates += xproj[r]
            h_prev[r], c_prev[r] = h[:bs], c[:bs]
            if h_raw is None:
                _lstm_cell(xp, gates, c_prev[r], acts[r], c[:bs], tcs[r], out[r])
            else:
                _lstm_cell(xp, gates, c_prev[r], acts[r], c[:bs], tcs[r], h_raw[r])
                xp.matmul(h_raw[r], w_hr_t, out=out[r])
            h[:bs] = out[r]
        ctx.sizes, ctx.reverse = sizes, reverse
        ctx.save_for_backward(xproj, h0, c0, w_hh_t, w_hr_t, acts, c_prev, tcs, h_prev, h_raw)
        return out, h, c

    @staticmethod
    def backward(ctx, g_out, g_h, g_c):
        xproj, h0, c0, w_hh_t, w_hr_t, acts, c_prev, tcs, h_prev, h_raw = ctx.saved_tensors
        need = ctx.needs_input_grad
        if is_grad_enabled():  # create_graph: differentiate the per-step composition
            gx, gh0, gc0, gw, _, gwr = _layer_double(
                ctx, _lstm_step, (xproj, h0, c0, w_hh_t, None, w_hr_t), (g_out, g_h, g_c))
            return gx, gh0, gc0, gw, gwr, None, None
        xp = xp_of(xproj._data)
        A, TC = acts._data, tcs._data
        n, H = TC.shape
        go = g_out._data
        dh, dc = g_h._data.copy(), g_c._data.copy()
        w_hh, w_hr = w_hh_t._data.T, (None if w_hr_t is None else w_hr_t._data.T)
        # every factor that does not depend on the incoming gradients, for all steps at
        # once: d gate pre-activations = dc * coef[:, :3] (i, f, g) and dh * coef[:, 3] (o)
        i, f, g, o = (A[:, k * H:(k + 1) * H] for k in range(4))
        coef = xp.empty((n, 4, H), A.dtype)
        coef[:, 0] = g * i * (1 - i)
        coef[:, 1] = c_prev._data * f * (1 - f)
        coef[:, 2] = i * (1 - g * g)
        coef[:, 3] = TC * o * (1 - o)
        dtc = o * (1 - TC * TC)  # d c' / d h (before the projection)
        dgates = xp.empty((n, 4, H), A.dtype)
        d_h = xp.empty_like(go) if w_hr is not None else None  # dL/dh per step, for W_hr
        for r, bs in reversed(_step_rows(ctx.sizes, ctx.reverse)):
            dhs = dh[:bs] + go[r]
            if w_hr is not None:
                d_h[r] = dhs
                dhs = xp.matmul(dhs, w_hr)
            dcs = dhs * dtc[r]
            dcs += dc[:bs]
            dg = dgates[r]
            xp.multiply(dcs[:, None, :], coef[r, :3], out=dg[:, :3])
            xp.multiply(dhs, coef[r, 3], out=dg[:, 3])
            xp.multiply(dcs, f[r], out=dc[:bs])
            xp.matmul(dg.reshape(bs, 4 * H), w_hh, out=dh[:bs])
        dgates = dgates.reshape(n, 4 * H)
        grads = [_wrap(dgates), _wrap(dh), _wrap(dc),
                 _wrap(xp.matmul(h_prev._data.T, dgates)) if need[3] else None,
                 _wrap(xp.matmul(h_raw._data.T, d_h)) if w_hr is not None and need[4]
                 else None, None, None]
        return tuple(g if k < 5 and need[k] else None for k, g in enumerate(grads))


def _step_rows(sizes, reverse: bool):
    """(row slice of step t in the packed rows, batch size) in processing order."""
    starts = [0]
    for bs in sizes:
        starts.append(starts[-1] + bs)
    order = range(len(sizes) - 1, -1, -1) if reverse else range(len(sizes))
    return [(slice(starts[t], starts[t + 1]), sizes[t]) for t in order]


def _layer_double(ctx, step, inputs, grads):
    """A fused layer node's gradients recorded with ember ops (create_graph): rerun the
    per-step composition ``step`` on ``inputs`` = (xproj, h0, c0, W_hh^T, b_hh, W_hr^T)
    and differentiate it. Returns one gradient per input (None for the None ones)."""
    e = _e()
    xproj, h0, c0, w_hh_t, b_hh, w_hr_t = inputs
    outs, h, c = _run_direction(step, xproj, list(ctx.sizes), h0, c0, w_hh_t, b_hh, w_hr_t,
                                ctx.reverse)
    out = e.cat(outs) if outs else xproj[:, :h0.shape[1]] * 0
    roots = (out, h) if c is None else (out, h, c)
    wrt = [t for t in inputs if t is not None and t.requires_grad]
    res = list(e.autograd.grad(roots, wrt, grads[:len(roots)], create_graph=True,
                               allow_unused=True))
    return [res.pop(0) if t is not None and t.requires_grad else None for t in inputs]


def _lstm_step(gi: Tensor, h: Tensor, c: Tensor, w_hh_t: Tensor, b_hh: Tensor | None,
               w_hr_t: Tensor | None):
    h, c = _LSTMGates.apply(_addmm(gi, h, w_hh_t), c)
    if w_hr_t is not None:
        h = h.matmul(w_hr_t)
    return h, c


class _GRUGates(Op):
    """(gi = W_ih x + b_ih, gh = W_hh h + b_hh, h) -> h' = n + z * (h - n), gates r, z, n:
    r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n).
    One node per step; backward recomputes from the saved inputs with ember ops."""

    node_name = "GRUGatesBackward"

    @staticmethod
    def forward(ctx, gi, gh, h):
        xp = xp_of(gi)
        H = h.shape[-1]
        rz = xp.tanh((gi[:, :2 * H] + gh[:, :2 * H]) * 0.5) * 0.5 + 0.5
        r, z = rz[:, :H], rz[:, H:]
        n = xp.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        ctx.save_for_backward(gi, gh, h)
        return n + z * (h - n)

    @staticmethod
    def backward(ctx, g):
        e = _e()
        gi, gh, h = ctx.saved_tensors
        i_r, i_z, i_n = gi.chunk(3, 1)
        h_r, h_z, h_n = gh.chunk(3, 1)
        r = (i_r + h_r).sigmoid()
        z = (i_z + h_z).sigmoid()
        n = (i_n + r * h_n).tanh()
        d_an = g * (1 - z) * (1 - n * n)
        d_ar = d_an * h_n * r * (1 - r)
        d_az = g * (h - n) * z * (1 - z)
        return (e.cat([d_ar, d_az, d_an], 1), e.cat([d_ar, d_az, d_an * r], 1), g * z)


def _gru_step(gi: Tensor, h: Tensor, c: Any, w_hh_t: Tensor, b_hh: Tensor | None,
              w_hr_t: Tensor | None):
    gh = h.matmul(w_hh_t) if b_hh is None else _addmm(b_hh, h, w_hh_t)
    return _GRUGates.apply(gi, gh, h), None


class _GRULayer(Op):
    """A whole GRU layer/direction in one node: (xproj (N, 3H) = W_ih x + b_ih as in
    ``_LSTMLayer``, h0, W_hh^T, b_hh or None, batch sizes, reverse) -> (outputs (N, H),
    h_n). The step math is ``_GRUGates``'s; backward runs on arrays, or differentiates the
    per-step composition under create_graph."""

    node_name = "GRUBackward"

    @staticmethod
    def forward(ctx, xproj, h0, w_hh_t, b_hh, sizes, reverse):
        xp = xp_of(xproj)
        n, H = xproj.shape[0], h0.shape[1]
        dt = xproj.dtype
        h = h0.copy()
        out, rz, nn_, gh_n, h_prev = (xp.empty((n, H), dt), xp.empty((n, 2 * H), dt),
                                      xp.empty((n, H), dt), xp.empty((n, H), dt),
                                      xp.empty((n, H), dt))
        w = xp.ascontiguousarray(w_hh_t)  # BLAS is markedly faster on it than on a W^T view
        for r, bs in _step_rows(sizes, reverse):
            gh = xp.matmul(h[:bs], w)
            if b_hh is not None:
                gh += b_hh
            gi = xproj[r]
            h_prev[r], gh_n[r] = h[:bs], gh[:, 2 * H:]
            a = xp.add(gi[:, :2 * H], gh[:, :2 * H], out=rz[r])  # r, z = sigmoid(.)
            a *= 0.5
            xp.tanh(a, out=a)
            a *= 0.5
            a += 0.5
            cand = xp.multiply(a[:, :H], gh[:, 2 * H:], out=nn_[r])  # n = tanh(gi_n + r gh_n)
            cand += gi[:, 2 * H:]
            xp.tanh(cand, out=cand)
            hn = xp.subtract(h[:bs], cand, out=out[r])  # h' = n + z (h - n)
            hn *= a[:, H:]
            hn += cand
            h[:bs] = hn
        ctx.sizes, ctx.reverse = sizes, reverse
        ctx.save_for_backward(xproj, h0, w_hh_t, b_hh, rz, nn_, gh_n, h_prev)
        return out, h

    @staticmethod
    def backward(ctx, g_out, g_h):
        xproj, h0, w_hh_t, b_hh, rz, nn_, gh_n, h_prev = ctx.saved_tensors
        need = ctx.needs_input_grad
        if is_grad_enabled():  # create_graph: differentiate the per-step composition
            gx, gh0, _, gw, gb, _ = _layer_double(
                ctx, _gru_step, (xproj, h0, None, w_hh_t, b_hh, None), (g_out, g_h))
            return gx, gh0, gw, gb, None, None
        xp = xp_of(xproj._data)
        RZ, N, HP = rz._data, nn_._data, h_prev._data
        n, H = N.shape
        r, z = RZ[:, :H], RZ[:, H:]
        # the factors that do not depend on the incoming gradients, for all steps at once
        a_n = (1 - z) * (1 - N * N)  # d pre-activation n / d h'
        a_r = gh_n._data * r * (1 - r)  # d pre-activation r / d pre-activation n
        a_z = (HP - N) * z * (1 - z)  # d pre-activation z / d h'
        go = g_out._data
        dh = g_h._data.copy()
        w_hh = w_hh_t._data.T
        dgi = xp.empty((n, 3 * H), N.dtype)
        dgh = xp.empty((n, 3 * H), N.dtype)
        for rows, bs in reversed(_step_rows(ctx.sizes, ctx.reverse)):
            dhs = dh[:bs] + go[rows]
            di, dg = dgi[rows], dgh[rows]
            d_an = xp.multiply(dhs, a_n[rows], out=di[:, 2 * H:])
            xp.multiply(d_an, a_r[rows], out=di[:, :H])
            xp.multiply(dhs, a_z[rows], out=di[:, H:2 * H])
            dg[:, :2 * H] = di[:, :2 * H]
            xp.multiply(d_an, r[rows], out=dg[:, 2 * H:])
            dhs *= z[rows]
            dhs += xp.matmul(dg, w_hh)
            dh[:bs] = dhs
        grads = [_wrap(dgi), _wrap(dh),
                 _wrap(xp.matmul(HP.T, dgh)) if need[2] else None,
                 _wrap(dgh.sum(0)) if b_hh is not None and need[3] else None]
        return tuple(g if need[k] else None for k, g in enumerate(grads)) + (None, None)


_STEPS = {"LSTM": _lstm_step, "GRU": _gru_step,
          "RNN_TANH": _rnn_step(lambda x: x.tanh()), "RNN_RELU": _rnn_step(lambda x: x.relu())}


def _run_direction(step, xproj: Tensor, sizes: list[int], h0: Tensor, c0: Tensor | None,
                   w_hh_t: Tensor, b_hh: Tensor | None, w_hr_t: Tensor | None,
                   reverse: bool):
    """Run one layer/direction over time-major packed rows ``xproj`` (sum(sizes), G).

    Returns (per-step outputs in time order, final h, final c)."""
    e = _e()
    T = len(sizes)
    steps = _SplitRows.apply(xproj, tuple(sizes)) if T else ()
    outs: list[Tensor] = [None] * T  # type: ignore[list-item]
    lstm = c0 is not None
    if not reverse:
        h, c = h0, c0
        done_h: list[Tensor] = []
        done_c: list[Tensor] = []
        cur = sizes[0] if T else h0.shape[0]
        if cur < h0.shape[0]:  # batch rows with no step at all (cannot happen when packed)
            done_h.append(h[cur:])
            h = h[:cur]
            if lstm:
                done_c.append(c[cur:])
                c = c[:cur]
        for t in range(T):
            bs = sizes[t]
            if bs < cur:
                done_h.append(h[bs:])
                h = h[:bs]
                if lstm:
                    done_c.append(c[bs:])
                    c = c[:bs]
                cur = bs
            h, c = step(steps[t], h, c, w_hh_t, b_hh, w_hr_t)
            outs[t] = h
        if done_h:
            h = e.cat([h] + done_h[::-1])
            if lstm:
                c = e.cat([c] + done_c[::-1])
        return outs, h, c
    cur = sizes[-1] if T else 0
    h, c = h0[:cur], (c0[:cur] if lstm else None)
    for t in range(T - 1, -1, -1):
        bs = sizes[t]
        if bs > cur:
            h = e.cat([h, h0[cur:bs]])
            if lstm:
                c = e.cat([c, c0[cur:bs]])
            cur = bs
        h, c = step(steps[t], h, c, w_hh_t, b_hh, w_hr_t)
        outs[t] = h
    return outs, h, c


# ----------------------------------------------------------------------------- modules
class RNNBase(Module):
    """Shared machinery of RNN, LSTM and GRU: parameters, checks, the layer loop."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1

        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")

        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_in = input_size if layer == 0 else real_hidden * num_directions
                shapes = [(gate_size, layer_in), (gate_size, real_hidden)]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                if proj_size > 0:
                    shapes.append((proj_size, hidden_size))
                suffix = "_reverse" if direction == 1 else ""
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    names.append("weight_hr_l{}{}")
                names = [n.format(layer, suffix) for n in names]
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """No-op: ember keeps no fused weight buffer."""

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- checks ---------------------------------------------------------------------------
    def _check_input(self, input: Tensor, batch_sizes) -> None:
        expected_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.dim()}")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def _hidden_shape(self, input: Tensor, batch_sizes, size: int) -> tuple[int, int, int]:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, size)

    @staticmethod
    def _check_hidden_size(hx: Tensor, expected: tuple, msg: str) -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _out_size(self) -> int:
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    # -- forward ----------------------------------------------------------------------------
    def _prepare(self, input: Any, hx: Any):
        """Normalize input to time-major packed rows; returns a context tuple."""
        if isinstance(input, PackedSequence):
            data, batch_sizes, sorted_idx, unsorted_idx = input
            sizes = [int(b) for b in batch_sizes.tolist()]
            return data, sizes, batch_sizes, sorted_idx, unsorted_idx, True, False
        if input.dim() not in (2, 3):
            name, what = (("RNN", "tensor instead") if self.mode.startswith("RNN")
                          else (self.mode, "instead"))
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             f"{what}")
        w = getattr(self, self._flat_weights_names[0])
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                             f"model: model.to({input.dtype})")
        unbatched = input.dim() == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        return input, None, None, None, None, False, unbatched

    def _forward_impl(self, input: Any, hx: Any):
        lstm = self.mode == "LSTM"
        is_packed = isinstance(input, PackedSequence)
        orig_input = input
        x, sizes, batch_sizes, sorted_idx, unsorted_idx, _, unbatched = \
            self._prepare(input, hx)
        num_dir = 2 if self.bidirectional else 1
        out_size = self._out_size()
        e = _e()

        # hidden state normalisation
        if unbatched and hx is not None:
            if lstm:
                if hx[0].dim() != 2 or hx[1].dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D "
                                       f"but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
            else:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but "
                                       f"got {hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        elif not is_packed and hx is not None:
            if lstm:
                if hx[0].dim() != 3 or hx[1].dim() != 3:
                    raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D "
                                       f"but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            elif hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                   f"{hx.dim()}-D tensor")

        if is_packed:
            self._check_input(x, batch_sizes)
        else:
            self._check_input(x, None)
        if not is_packed:
            T, B = x.shape[0], x.shape[1]
            sizes = [B] * T
        else:
            B = sizes[0]
        h_shape = (self.num_layers * num_dir, B, out_size)
        c_shape = (self.num_layers * num_dir, B, self.hidden_size)
        if hx is None:
            h0 = e.zeros(h_shape, dtype=x.dtype, device=x.device)
            c0 = e.zeros(c_shape, dtype=x.dtype, device=x.device) if lstm else None
        else:
            if lstm:
                h0, c0 = hx
            else:
                h0, c0 = hx, None
            if sorted_idx is not None:
                h0 = h0.index_select(1, sorted_idx)
                if lstm:
                    c0 = c0.index_select(1, sorted_idx)
            if lstm:
                self._check_hidden_size(h0, h_shape, "Expected hidden[0] size {}, got {}")
                self._check_hidden_size(c0, c_shape, "Expected hidden[1] size {}, got {}")
            else:
                self._check_hidden_size(h0, h_shape, "Expected hidden size {}, got {}")

        step = _STEPS[self.mode]
        layer_in = x.reshape(-1, x.shape[-1]) if not is_packed else x
        h_n: list[Tensor] = []
        c_n: list[Tensor] = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                layer_in = F.dropout(layer_in, self.dropout, True)
            dir_outs = []
            for d in range(num_dir):
                idx = layer * num_dir + d
                names = self._all_weights[idx]
                w_ih, w_hh = getattr(self, names[0]), getattr(self, names[1])
                b_ih = getattr(self, names[2]) if self.bias else None
                b_hh = getattr(self, names[3]) if self.bias else None
                w_hr = getattr(self, names[-1]) if self.proj_size > 0 else None
                # input projection for all steps at once; fold b_hh in unless GRU needs
                # it apart (n = tanh(W_in x + b_in + r * (W_hn h + b_hn))).
                if b_ih is not None:
                    bias = b_ih if self.mode == "GRU" else b_ih + b_hh
                    xproj = _addmm(bias, layer_in, w_ih.t())
                else:
                    xproj = layer_in.matmul(w_ih.t())
                if lstm:
                    out, h, c = _LSTMLayer.apply(xproj, h0[idx], c0[idx], w_hh.t(),
                                                 None if w_hr is None else w_hr.t(),
                                                 tuple(sizes), d == 1)
                    dir_outs.append(out)
                elif self.mode == "GRU":
                    out, h = _GRULayer.apply(xproj, h0[idx], w_hh.t(), b_hh, tuple(sizes),
                                             d == 1)
                    dir_outs.append(out)
                else:
                    outs, h, c = _run_direction(step, xproj, sizes, h0[idx], None, w_hh.t(),
                                                None, None, reverse=d == 1)
                    dir_outs.append(e.cat(outs) if outs else
                                    e.zeros((0, out_size), dtype=x.dtype, device=x.device))
                h_n.append(h)
                if lstm:
                    c_n.append(c)
            layer_in = dir_outs[0] if num_dir == 1 else e.cat(dir_outs, 1)

        h_n_t = e.stack(h_n)
        c_n_t = e.stack(c_n) if lstm else None
        if unsorted_idx is not None:
            h_n_t = h_n_t.index_select(1, unsorted_idx)
            if lstm:
                c_n_t = c_n_t.index_select(1, unsorted_idx)
        if is_packed:
            output: Any = PackedSequence(layer_in, orig_input.batch_sizes, sorted_idx,
                                         unsorted_idx)
        else:
            output = layer_in.reshape(len(sizes), B, num_dir * out_size)
            if unbatched:
                output = output.squeeze(1)
                h_n_t = h_n_t.squeeze(1)
                if lstm:
                    c_n_t = c_n_t.squeeze(1)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, ((h_n_t, c_n_t) if lstm else h_n_t)


class RNN(RNNBase):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act tanh or relu."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             f"or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input: Any, hx: Tensor | None = None):
        return self._forward_impl(input, hx)


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o; optional projection of h to proj_size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Any, hx: tuple[Tensor, Tensor] | None = None):
        return self._forward_impl(input, hx)


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Any, hx: Tensor | None = None):
        return self._forward_impl(input, hx)


# ----------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """Parameters weight_ih (G*H, in), weight_hh (G*H, H), bias_ih, bias_hh (G*H)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device,
                                         dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size),
                                         device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prep(self, input: Tensor, hx: Any, lstm: bool):
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             f"instead")
        hs = [hx] if not lstm or hx is None else list(hx)
        for h in hs:
            if h is not None and h.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D "
                                 f"instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} "
                               f"expected {self.input_size}")
        e = _e()
        if hx is None:
            z = e.zeros((input.size(0), self.hidden_size), dtype=input.dtype,
                        device=input.device)
            hs = [z, z] if lstm else [z]
        else:
            hs = [h if batched else h.unsqueeze(0) for h in hs]
        for i, h in enumerate(hs):
            if h.size(0) != input.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} "
                                   f"batch size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")
        return input, hs, batched

    def _gi(self, input: Tensor, fold_hh: bool) -> Tensor:
        if self.bias_ih is None:
            return input.matmul(self.weight_ih.t())
        bias = self.bias_ih + self.bias_hh if fold_hh else self.bias_ih
        return _addmm(bias, input, self.weight_ih.t())


class RNNCell(RNNCellBase):
    """One Elman step: h' = act(W_ih x + b_ih + W_hh h + b_hh)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, (h,), batched = self._prep(input, hx, False)
        if self.nonlinearity == "tanh":
            step = _STEPS["RNN_TANH"]
        elif self.nonlinearity == "relu":
            step = _STEPS["RNN_RELU"]
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        out, _ = step(self._gi(input, True), h, None, self.weight_hh.t(), None, None)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None):
        input, (h, c), batched = self._prep(input, hx, True)
        h, c = _lstm_step(self._gi(input, True), h, c, self.weight_hh.t(), None, None)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: r, z, n gates; h' = (1 - z) * n + z * h."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, (h,), batched = self._prep(input, hx, False)
        out, _ = _gru_step(self._gi(input, False), h, None, self.weight_hh.t(), self.bias_hh,
                           None)
        return out if batched else out.squeeze(0)
