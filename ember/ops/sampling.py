"""Random sampling ops on tensors: normal, bernoulli, multinomial, poisson, and the
in-place samplers (uniform_, normal_, random_, bernoulli_, exponential_, geometric_,
cauchy_, log_normal_).

Draws come from ``ember.Generator`` (NumPy's PCG64), so the same seed gives the same
values in ember, but not the values torch's Mersenne-Twister would give; compare
statistics, not streams. Samples are drawn on the host and moved to the tensor's device.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from ..device import factory_device, xp_for
from ..random import _gen
from ._common import Op, broadcast_shapes, register_methods


def _host(t: Tensor) -> np.ndarray:
    return t.__array__()


def _on_device_of(arr: np.ndarray, like) -> np.ndarray:
    dev = like.device if isinstance(like, Tensor) else factory_device(like)
    xp = xp_for(dev)
    return arr if xp is np else xp.asarray(arr)


def _num(x, name: str):
    if isinstance(x, Tensor):
        return x.item()
    if not isinstance(x, numbers.Number):
        raise TypeError(f"{name}(): argument must be a number, not {type(x).__name__}")
    return x


def _float_only(t: Tensor, kernel: str) -> None:
    if not (t.dtype.is_floating_point or t.dtype.is_complex):
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_TYPE_NAMES[t.dtype.name]}'")


_TYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
               "uint8": "Byte", "bool": "Bool", "float32": "Float", "float64": "Double",
               "float16": "Half", "bfloat16": "BFloat16", "complex64": "ComplexFloat",
               "complex128": "ComplexDouble"}


_C_TYPE_NAMES = {"int64": "long int", "int32": "int", "int16": "short int",
                 "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _continuous_only(t: Tensor, dist: str, names: dict) -> None:
    if not (t.dtype.is_floating_point or t.dtype.is_complex):
        raise RuntimeError(f"{dist} distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{names[t.dtype.name]}")


def _fill_(self: Tensor, values: np.ndarray) -> Tensor:
    """Write ``values`` into ``self`` in place (the common end of every in-place sampler)."""
    if STATE.enabled and self._requires_grad and self.grad_fn is None:
        if self._base is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
    if STATE.enabled and self._base is not None and self._base._requires_grad \
            and self._base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    self._data[...] = _on_device_of(values.astype(self._data.dtype, copy=False), self)
    self._vc[0] += 1
    return self


# ----- in-place samplers ------------------------------------------------------------------

def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator=None, **kwargs) -> Tensor:
    """Fill with samples from U[from, to)."""
    from_ = kwargs.pop("from", from_)
    _float_only(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    return _fill_(self, _gen(generator).uniform(from_, to, size=self.shape))


def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples from N(mean, std**2)."""
    _float_only(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill_(self, _gen(generator).normal(mean, std, size=self.shape))


_RANDOM_TOP = {"float16": 2 ** 11, "bfloat16": 2 ** 8, "float32": 2 ** 24, "float64": 2 ** 53,
               "int64": 2 ** 63 - 1, "int32": 2 ** 31 - 1, "int16": 2 ** 15 - 1,
               "int8": 2 ** 7 - 1, "uint8": 2 ** 8 - 1, "bool": 1}


def random_(self, from_=0, to=None, *, generator=None, **kwargs) -> Tensor:
    """Fill with integers from [from, to) (``random_(to)``: [0, to); ``random_()``: the
    whole integer range the dtype represents exactly)."""
    from_ = kwargs.pop("from", from_)
    if to is None and from_ != 0:
        from_, to = 0, from_
    if to is None:
        low, high = 0, _RANDOM_TOP.get(self.dtype.name, 2 ** 24) + 1
    else:
        low, high = int(from_), int(to)
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
    return _fill_(self, _gen(generator).integers(low, high, size=self.shape))


def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 draws that are 1 with probability ``p`` (a float or a tensor)."""
    if isinstance(p, Tensor):
        probs = _host(p).astype(np.float64)
        if np.any((probs < 0) | (probs > 1)):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        probs = np.broadcast_to(probs, self.shape)
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        probs = p
    return _fill_(self, _gen(generator).random(self.shape) < probs)


def exponential_(self, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples from Exp(lambd)."""
    _continuous_only(self, "Exponential", _TYPE_NAMES)
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill_(self, _gen(generator).exponential(1.0 / lambd, size=self.shape))


def geometric_(self, p: float, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials until the first success (>= 1)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill_(self, _gen(generator).geometric(p, size=self.shape))


def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples from the Cauchy distribution."""
    _continuous_only(self, "Cauchy", _C_TYPE_NAMES)
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    return _fill_(self, median + sigma * _gen(generator).standard_cauchy(size=self.shape))


def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fill with exp(N(mean, std**2)) samples."""
    _float_only(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _fill_(self, _gen(generator).lognormal(mean, std, size=self.shape))


# ----- functional samplers ----------------------------------------------------------------

def _finish(arr: np.ndarray, dt: _dt.dtype, like, requires_grad=False, out=None) -> Tensor:
    data = _on_device_of(np.asarray(arr).astype(dt.np, copy=False), like)
    if out is not None:
        out._data = data
        out._vc[0] += 1
        return out
    t = _wrap(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           device=None, requires_grad=False, layout=None, pin_memory=False) -> Tensor:
    """Samples from N(mean, std**2): tensor/tensor, tensor/float, float/tensor (shapes
    broadcast), or float/float with ``size``."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    g = _gen(generator)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - "
                            "float mean and float std need a size")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        from .creation import _size
        dt = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
        shape = _size((size,))
        return _finish(g.normal(mean, std, size=shape), dt, device, requires_grad, out)
    if st and np.any(_host(std) < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not st and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    like = mean if mt else std
    dt = like.dtype
    if mt and st:
        shape = broadcast_shapes(mean.shape, std.shape)
        dt = _dt.promote_types(mean.dtype, std.dtype)
    else:
        shape = tuple(like.shape)
    if not dt.is_floating_point:
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for '
                                  f"'{_TYPE_NAMES[dt.name]}'")
    noise = _on_device_of(g.standard_normal(size=shape), like)
    op = _NormalTT if mt and st else (_NormalTF if mt else _NormalFT)
    res = op.apply(mean, std, noise, dt.np)
    if out is not None:
        out._data = res._data
        out._vc[0] += 1
        return out
    return res


class _NormalTF(Op):
    """normal(Tensor mean, float std): the sample's gradient w.r.t. mean/std is zero, as
    in torch (the noise is not reparameterized)."""
    node_name = "NormalBackward1"

    @staticmethod
    def forward(ctx, mean, std, noise, npdt):
        return (mean + std * noise).astype(npdt, copy=False)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (g * 0 if need[0] else None), (g * 0 if need[1] else None), None, None


class _NormalFT(_NormalTF):
    node_name = "NormalBackward2"


class _NormalTT(_NormalTF):
    node_name = "NormalBackward3"


class _Bernoulli(Op):
    node_name = "BernoulliBackward0"

    @staticmethod
    def forward(ctx, p, u):
        return (u < p).astype(p.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * 0, None


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples, 1 with probability ``input`` (or with probability ``p`` everywhere)."""
    if p is None:
        _float_only(input, "bernoulli_tensor_cpu_p_")
        probs = _host(input).astype(np.float64)
        if np.any(~((probs >= 0) & (probs <= 1))):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        u = _on_device_of(_gen(generator).random(tuple(input.shape)), input)
        res = _Bernoulli.apply(input, u)
        if out is not None:
            out._data = res._data
            out._vc[0] += 1
            return out
        return res
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        probs = p
    arr = _gen(generator).random(tuple(input.shape)) < probs
    return _finish(arr, input.dtype, input, out=out)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None, out=None) -> Tensor:
    """Indices drawn from the categorical distribution in each row of ``input``."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_TYPE_NAMES[input.dtype.name]}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    probs = _host(input).astype(np.float64)
    rows = probs.reshape(-1, probs.shape[-1])
    n_cat = rows.shape[1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    sums = rows.sum(axis=1)
    if np.any(sums <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    g = _gen(generator)
    if replacement:
        cdf = np.cumsum(rows, axis=1) / sums[:, None]
        u = g.random((rows.shape[0], num_samples))
        # one searchsorted for all rows: row r's CDF is shifted into (r, r + 1]
        offs = np.arange(rows.shape[0], dtype=np.float64)[:, None]
        flat = (cdf + offs).ravel()
        idx = np.searchsorted(flat, (u + offs).ravel(), side="right").reshape(u.shape)
        idx = np.clip(idx - (offs.astype(np.int64) * n_cat), 0, n_cat - 1)
        # a zero-probability category can only be hit through rounding; step past it
        bad = np.take_along_axis(rows, idx, axis=1) <= 0
        if bad.any():
            for r, k in zip(*np.nonzero(bad)):
                idx[r, k] = int(np.searchsorted(cdf[r], u[r, k], side="right").clip(0, n_cat - 1))
                while rows[r, idx[r, k]] <= 0 and idx[r, k] < n_cat - 1:
                    idx[r, k] += 1
                while rows[r, idx[r, k]] <= 0:
                    idx[r, k] -= 1
    else:
        # Weighted sampling without replacement: the k smallest Exp(1)/p keys (zero-weight
        # categories come last, in random order, as in torch).
        e = g.exponential(size=rows.shape)
        with np.errstate(divide="ignore"):
            keys = np.where(rows > 0, e / np.where(rows > 0, rows, 1), np.inf)
        tie = g.random(rows.shape)
        idx = np.lexsort((tie, keys), axis=1)[:, :num_samples]
    idx = idx.reshape(probs.shape[:-1] + (num_samples,))
    return _finish(idx, _dt.int64, input, out=out)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Samples from Poisson(rate) for each rate in ``input``."""
    rates = _host(input).astype(np.float64)
    if np.any(rates < 0) or np.any(np.isnan(rates)):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return _finish(_gen(generator).poisson(rates), input.dtype, input)


def _bernoulli_method(self, p=None, *, generator=None) -> Tensor:
    return bernoulli(self, p, generator=generator)


def _multinomial_method(self, num_samples, replacement=False, *, generator=None) -> Tensor:
    return multinomial(self, num_samples, replacement, generator=generator)


register_methods(globals(), ["uniform_", "normal_", "random_", "bernoulli_", "exponential_",
                             "geometric_", "cauchy_", "log_normal_"])
Tensor.bernoulli = _bernoulli_method
Tensor.multinomial = _multinomial_method

__all__ = ["normal", "bernoulli", "multinomial", "poisson"]
