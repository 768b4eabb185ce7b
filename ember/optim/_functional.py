"""The optimizer updates, written once as functions over lists of backend arrays.

Every function updates ``params`` (and its state arrays) in place and never touches
autograd: callers pass the raw arrays (``tensor._data``) and bump the parameters'
version counters afterwards. The work of one call is a fixed number of whole-array
kernels per parameter (``out=`` keeps temporaries to one or two scratch arrays), never
a Python loop over elements. The array module comes from the device seam, so one
implementation serves NumPy and CuPy.

The order of floating-point operations follows torch's single-tensor implementations
(e.g. Adam's ``denom = sqrt(v) / sqrt(bias_correction2) + eps``), so results agree with
torch to rounding.
"""

from __future__ import annotations

from ..device import xp_of

__all__ = ["sgd", "adam", "adamax", "nadam", "radam", "rmsprop", "adagrad", "adadelta",
           "asgd", "rprop"]


def _effective_grad(param, grad, weight_decay: float, maximize: bool):
    """``-grad`` when maximizing, plus ``weight_decay * param``; a new array when either
    applies (the caller's ``.grad`` is never modified)."""
    xp = xp_of(param)
    if weight_decay != 0:
        out = xp.multiply(param, weight_decay)
        if maximize:
            return xp.subtract(out, grad, out=out)
        # torch computes grad + weight_decay * param
        return xp.add(grad, out, out=out)
    if maximize:
        return xp.negative(grad)
    return grad


def _lerp_(xp, start, end, weight: float, tmp) -> None:
    """``start += weight * (end - start)`` in place, with torch's two-sided lerp formula."""
    xp.subtract(end, start, out=tmp)
    if weight < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= 1 - weight
        xp.subtract(end, tmp, out=start)


def _addcmul_(xp, acc, a, b, value: float, tmp) -> None:
    """``acc += value * a * b`` in place (``value * a`` first, like torch)."""
    xp.multiply(a, value, out=tmp)
    tmp *= b
    acc += tmp


def _addcdiv_(xp, acc, a, b, value: float, tmp) -> None:
    """``acc += value * a / b`` in place (``value * a`` first, like torch)."""
    xp.multiply(a, value, out=tmp)
    tmp /= b
    acc += tmp


def _tick(step) -> float:
    """Increment a 0-d step-counter array in place and return its new value."""
    step += 1
    return float(step)


def sgd(params: list, grads: list, momentum_buffers: list, *, lr: float, weight_decay: float,
        momentum: float, dampening: float, nesterov: bool, maximize: bool) -> list:
    """SGD with optional momentum/dampening/Nesterov; returns the momentum buffers (a new
    array where a buffer was None)."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        g = _effective_grad(p, grads[i], weight_decay, maximize)
        if momentum != 0:
            buf = momentum_buffers[i]
            if buf is None:
                buf = momentum_buffers[i] = g.copy()
            else:
                buf *= momentum
                buf += xp.multiply(g, 1 - dampening)
            g = g + xp.multiply(buf, momentum) if nesterov else buf
        p += xp.multiply(g, -lr)
    return momentum_buffers


def adam(params: list, grads: list, exp_avgs: list, exp_avg_sqs: list, max_exp_avg_sqs: list,
         steps: list, *, amsgrad: bool, beta1: float, beta2: float, lr: float,
         weight_decay: float, eps: float, maximize: bool,
         decoupled_weight_decay: bool = False) -> None:
    """Adam (and AdamW with ``decoupled_weight_decay``), optionally AMSGrad."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        if weight_decay != 0 and decoupled_weight_decay:
            p *= 1 - lr * weight_decay
            g = _effective_grad(p, grads[i], 0, maximize)
        else:
            g = _effective_grad(p, grads[i], weight_decay, maximize)
        step = _tick(steps[i])
        m, v = exp_avgs[i], exp_avg_sqs[i]
        tmp = xp.empty_like(p)
        _lerp_(xp, m, g, 1 - beta1, tmp)
        v *= beta2
        _addcmul_(xp, v, g, g, 1 - beta2, tmp)
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        if amsgrad:
            xp.maximum(max_exp_avg_sqs[i], v, out=max_exp_avg_sqs[i])
            v = max_exp_avg_sqs[i]
        denom = xp.sqrt(v, out=tmp)
        denom /= bias_correction2_sqrt
        denom += eps
        _addcdiv_(xp, p, m, denom, -step_size, xp.empty_like(p))


def adamax(params: list, grads: list, exp_avgs: list, exp_infs: list, steps: list, *,
           eps: float, beta1: float, beta2: float, lr: float, weight_decay: float,
           maximize: bool) -> None:
    """Adamax: Adam with the infinity norm of past gradients."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        g = _effective_grad(p, grads[i], weight_decay, maximize)
        step = _tick(steps[i])
        tmp = xp.empty_like(p)
        _lerp_(xp, exp_avgs[i], g, 1 - beta1, tmp)
        u = exp_infs[i]
        u *= beta2
        xp.abs(g, out=tmp)
        tmp += eps
        xp.maximum(u, tmp, out=u)
        clr = lr / (1 - beta1 ** step)
        _addcdiv_(xp, p, exp_avgs[i], u, -clr, tmp)


def nadam(params: list, grads: list, exp_avgs: list, exp_avg_sqs: list, mu_products: list,
          steps: list, *, beta1: float, beta2: float, lr: float, weight_decay: float,
          momentum_decay: float, eps: float, decoupled_weight_decay: bool,
          maximize: bool) -> None:
    """NAdam: Adam with Nesterov momentum (``mu_products`` are 0-d arrays holding float32
    values, like torch's ``mu_product`` state tensors)."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        step = _tick(steps[i])
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0 and decoupled_weight_decay:
            p *= 1 - lr * weight_decay
            g = _effective_grad(p, grads[i], 0, maximize)
        else:
            g = _effective_grad(p, grads[i], weight_decay, maximize)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = mu_products[i]
        # torch keeps mu_product as a float32 tensor (float64 after load_state_dict casts
        # it); the product is always rounded through float32 so a resumed run matches
        mu_product[...] = xp.float32(mu_product) * xp.float32(mu)
        mu_prod = float(mu_product)
        m, v = exp_avgs[i], exp_avg_sqs[i]
        tmp = xp.empty_like(p)
        _lerp_(xp, m, g, 1 - beta1, tmp)
        v *= beta2
        _addcmul_(xp, v, g, g, 1 - beta2, tmp)
        denom = xp.divide(v, bias_correction2)
        xp.sqrt(denom, out=denom)
        denom += eps
        _addcdiv_(xp, p, g, denom, -lr * (1.0 - mu) / (1.0 - mu_prod), tmp)
        _addcdiv_(xp, p, m, denom, (-lr * mu_next) / (1.0 - mu_prod * mu_next), tmp)


def radam(params: list, grads: list, exp_avgs: list, exp_avg_sqs: list, steps: list, *,
          beta1: float, beta2: float, lr: float, weight_decay: float, eps: float,
          decoupled_weight_decay: bool, maximize: bool) -> None:
    """RAdam: Adam with the variance rectification term (plain momentum SGD while the
    variance estimate is not yet tractable, rho_t <= 5)."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        step = _tick(steps[i])
        if weight_decay != 0 and decoupled_weight_decay:
            p *= 1 - lr * weight_decay
            g = _effective_grad(p, grads[i], 0, maximize)
        else:
            g = _effective_grad(p, grads[i], weight_decay, maximize)
        m, v = exp_avgs[i], exp_avg_sqs[i]
        tmp = xp.empty_like(p)
        _lerp_(xp, m, g, 1 - beta1, tmp)
        v *= beta2
        _addcmul_(xp, v, g, g, 1 - beta2, tmp)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = xp.divide(m, bias_correction1)
        update *= lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = xp.sqrt(v, out=tmp)
            adaptive += eps
            xp.divide(bias_correction2 ** 0.5, adaptive, out=adaptive)
            update *= adaptive
            update *= rect
        p -= update


def rmsprop(params: list, grads: list, square_avgs: list, grad_avgs: list,
            momentum_buffers: list, steps: list, *, lr: float, alpha: float, eps: float,
            weight_decay: float, momentum: float, centered: bool, maximize: bool) -> None:
    """RMSprop, optionally centered and with momentum."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        _tick(steps[i])
        g = _effective_grad(p, grads[i], weight_decay, maximize)
        sq = square_avgs[i]
        tmp = xp.empty_like(p)
        sq *= alpha
        _addcmul_(xp, sq, g, g, 1 - alpha, tmp)
        avg = xp.empty_like(p)
        if centered:
            ga = grad_avgs[i]
            _lerp_(xp, ga, g, 1 - alpha, tmp)
            xp.multiply(ga, -1, out=tmp)
            tmp *= ga
            xp.add(sq, tmp, out=avg)
            xp.sqrt(avg, out=avg)
        else:
            xp.sqrt(sq, out=avg)
        avg += eps
        if momentum > 0:
            buf = momentum_buffers[i]
            buf *= momentum
            _addcdiv_(xp, buf, g, avg, 1, tmp)
            p += xp.multiply(buf, -lr, out=tmp)
        else:
            _addcdiv_(xp, p, g, avg, -lr, tmp)


def adagrad(params: list, grads: list, state_sums: list, steps: list, *, lr: float,
            weight_decay: float, lr_decay: float, eps: float, maximize: bool) -> None:
    """Adagrad with learning-rate decay."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        step = _tick(steps[i])
        g = _effective_grad(p, grads[i], weight_decay, maximize)
        clr = lr / (1 + (step - 1) * lr_decay)
        tmp = xp.empty_like(p)
        _addcmul_(xp, state_sums[i], g, g, 1, tmp)
        std = xp.sqrt(state_sums[i])
        std += eps
        _addcdiv_(xp, p, g, std, -clr, tmp)


def adadelta(params: list, grads: list, square_avgs: list, acc_deltas: list, steps: list, *,
             lr: float, rho: float, eps: float, weight_decay: float, maximize: bool) -> None:
    """Adadelta."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        _tick(steps[i])
        g = _effective_grad(p, grads[i], weight_decay, maximize)
        sq, acc = square_avgs[i], acc_deltas[i]
        tmp = xp.empty_like(p)
        sq *= rho
        _addcmul_(xp, sq, g, g, 1 - rho, tmp)
        std = xp.add(sq, eps)
        xp.sqrt(std, out=std)
        delta = xp.add(acc, eps)
        xp.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        acc *= rho
        _addcmul_(xp, acc, delta, delta, 1 - rho, tmp)
        p += xp.multiply(delta, -lr, out=tmp)


def asgd(params: list, grads: list, axs: list, mus: list, etas: list, steps: list, *,
         lambd: float, lr: float, t0: float, alpha: float, weight_decay: float,
         maximize: bool) -> None:
    """Averaged SGD (``mus``/``etas`` are 0-d arrays updated in place, like torch's)."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        g = _effective_grad(p, grads[i], weight_decay, maximize)
        step = _tick(steps[i])
        mu, eta, ax = mus[i], etas[i], axs[i]
        eta_value = float(eta)
        p *= 1 - lambd * eta_value
        p += xp.multiply(g, -eta_value)
        mu_value = float(mu)
        if mu_value != 1:
            tmp = xp.subtract(p, ax)
            tmp *= mu_value
            ax += tmp
        else:
            ax[...] = p
        # float32 values, like torch's float32 eta/mu tensors, whatever dtype a loaded
        # state dict gave them (so a resumed run is bitwise the uninterrupted one)
        eta[...] = xp.float32(lr / ((1 + lambd * lr * step) ** alpha))
        mu[...] = xp.float32(1 / max(1, step - t0))


def rprop(params: list, grads: list, prevs: list, step_sizes: list, steps: list, *,
          step_size_min: float, step_size_max: float, etaminus: float, etaplus: float,
          maximize: bool) -> None:
    """Rprop: per-element step sizes grown/shrunk by the sign agreement of gradients."""
    for i, p in enumerate(params):
        xp = xp_of(p)
        grad = xp.negative(grads[i]) if maximize else grads[i]
        _tick(steps[i])
        prev, step_size = prevs[i], step_sizes[i]
        sign = xp.sign(xp.multiply(grad, prev))
        factor = xp.where(sign > 0, etaplus, xp.where(sign < 0, etaminus, 1)).astype(p.dtype)
        step_size *= factor
        xp.clip(step_size, step_size_min, step_size_max, out=step_size)
        grad = xp.where(sign < 0, 0, grad).astype(p.dtype, copy=False)
        upd = xp.sign(grad)
        upd *= step_size
        p -= upd
        prev[...] = grad
