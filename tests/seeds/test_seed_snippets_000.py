"""Snippets and named APIs of seed 000 (Advanced PyTorch, Jain) not covered by the other
seed tests, completed into small programs and run under ember and torch: buffers and
parameters, parameter sharing, custom losses, schedulers, clipping, accumulation, the
optimizers, normalisation layers, hooks, a custom autograd.Function, the native
transformer blocks, higher-order gradients and mixup."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from .test_seed_snippets_helpers import assert_same, copy_weights

torch = pytest.importorskip("torch")

_rng = np.random.default_rng(0)
_X = _rng.standard_normal((6, 4)).astype(np.float32)
_Y = np.array([0, 1, 2, 1, 0, 2])


def _pair(make):
    """The same module built under torch and ember, with torch's initial weights."""
    torch.manual_seed(0)
    t, e = make(torch), make(ember)
    copy_weights(e, t)
    return t, e


def test_register_buffer_vs_register_parameter():
    # "register_buffer() vs. register_parameter()"
    def make(lib):
        class Encoded(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.register_parameter("scale", lib.nn.Parameter(lib.ones(4)))
                self.register_buffer("pos", lib.arange(4.0))  # fixed positional encoding

            def forward(self, x):
                return x * self.scale + self.pos

        return Encoded()

    t, e = _pair(make)
    assert list(e.state_dict()) == list(t.state_dict()) == ["scale", "pos"]
    assert [n for n, _ in e.named_parameters()] == ["scale"]
    assert [n for n, _ in e.named_buffers()] == ["pos"]
    outs = []
    for lib, m in ((torch, t), (ember, e)):
        m(lib.tensor(_X)).sum().backward()
        outs.append((m.scale.grad, m.pos.requires_grad, m.pos.grad))
    assert_same(outs[1], outs[0])


def test_siamese_parameter_sharing_accumulates_gradients():
    # "Call submodule in __init__ and multiple times in forward()"
    def make(lib):
        class Siamese(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.branch = lib.nn.Linear(4, 3)

            def forward(self, a, b):
                return (self.branch(a) - self.branch(b)).norm(dim=1)

        return Siamese()

    t, e = _pair(make)
    outs = []
    for lib, m in ((torch, t), (ember, e)):
        d = m(lib.tensor(_X[:3]), lib.tensor(_X[3:]))
        d.sum().backward()
        outs.append((d, m.branch.weight.grad, m.branch.bias.grad, len(list(m.parameters()))))
    assert_same(outs[1], outs[0], rtol=1e-5, atol=1e-6)


def _focal_loss(lib, logits, target, gamma=2.0):
    """Functional-style custom loss: differentiable ops only."""
    logp = lib.nn.functional.log_softmax(logits, dim=1).gather(1, target.unsqueeze(1))
    return (-(1 - logp.exp()) ** gamma * logp).mean()


def _contrastive(lib, a, b, same, margin=1.0):
    d = lib.nn.functional.pairwise_distance(a, b)
    return (same * d.pow(2) + (1 - same) * lib.clamp(margin - d, min=0).pow(2)).mean()


def test_custom_losses_functional_and_module():
    # Custom Loss, methods 1 and 2; weighted CE, focal, contrastive, cosine embedding, and
    # total_loss = w1 * classification_loss + w2 * regression_loss with learnt w1, w2
    def make(lib):
        class MultiTaskLoss(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w1 = lib.nn.Parameter(lib.tensor(0.7))
                self.w2 = lib.nn.Parameter(lib.tensor(0.3))

            def forward(self, classification_loss, regression_loss):
                return self.w1 * classification_loss + self.w2 * regression_loss

        return MultiTaskLoss()

    t_mt, e_mt = _pair(make)
    outs = []
    for lib, mt in ((torch, t_mt), (ember, e_mt)):
        logits = lib.tensor(_X[:, :3], requires_grad=True)
        y = lib.tensor(_Y)
        weighted = lib.nn.CrossEntropyLoss(weight=lib.tensor([1.0, 2.0, 0.5]))(logits, y)
        focal = _focal_loss(lib, logits, y)
        sign = lib.tensor([1.0, -1.0, 1.0])
        cosine = lib.nn.CosineEmbeddingLoss(margin=0.2)(logits[:3], logits[3:], sign)
        contrastive = _contrastive(lib, logits[:3], logits[3:], (sign + 1) / 2)
        regression = lib.nn.functional.mse_loss(logits[:, 0], lib.tensor(_X[:, 3]))
        total = mt(weighted + focal + cosine + contrastive, regression)
        total.backward()
        outs.append((weighted, focal, cosine, contrastive, total, logits.grad, mt.w1.grad,
                     mt.w2.grad))
    assert_same(outs[1], outs[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=0.01),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=12),
], ids=["CosineAnnealingLR", "OneCycleLR"])
def test_lr_schedules(make):
    traces = []
    for lib in (torch, ember):
        w = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([w], lr=0.1, momentum=0.9)
        sched = make(lib, opt)
        lrs = []
        for _ in range(11):
            opt.step()
            sched.step()
            lrs.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
        traces.append((lrs, sched.get_last_lr()))
    np.testing.assert_allclose(np.array(traces[1][0]), np.array(traces[0][0]), rtol=1e-9)
    np.testing.assert_allclose(traces[1][1], traces[0][1], rtol=1e-9)


def test_clip_grad_norm_and_gradient_accumulation():
    # clip_grad_norm_; accumulating gradients over 3 small batches, then one step
    t, e = _pair(lambda lib: lib.nn.Linear(4, 3))
    outs = []
    for lib, m in ((torch, t), (ember, e)):
        opt = lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        crit = lib.nn.CrossEntropyLoss()
        opt.zero_grad()
        for i in range(3):
            xb, yb = lib.tensor(_X[2 * i:2 * i + 2] * 10), lib.tensor(_Y[2 * i:2 * i + 2])
            (crit(m(xb), yb) / 3).backward()
        total_norm = lib.nn.utils.clip_grad_norm_(m.parameters(), max_norm=0.5)
        clipped = lib.cat([p.grad.flatten() for p in m.parameters()]).norm()
        opt.step()
        outs.append((total_norm, clipped, m.weight, m.bias))
    assert_same(outs[1], outs[0], rtol=1e-5, atol=1e-6)
    assert abs(outs[1][1].item() - 0.5) < 1e-5 < outs[1][0].item() - 0.5


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    lambda lib, p: lib.optim.Adam(p, lr=0.01),
    lambda lib, p: lib.optim.AdamW(p, lr=0.01, weight_decay=0.1),
], ids=["SGD-momentum", "Adam", "AdamW"])
def test_optimizers(make):
    t, e = _pair(lambda lib: lib.nn.Linear(4, 3))
    for lib, m in ((torch, t), (ember, e)):
        opt = make(lib, m.parameters())
        for _ in range(4):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(m(lib.tensor(_X)), lib.tensor(_Y)).backward()
            opt.step()
    assert_same((e.weight, e.bias), (t.weight, t.bias), rtol=1e-5, atol=1e-6)


def test_batchnorm2d_and_layernorm():
    x = _rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    t_bn, e_bn = _pair(lambda lib: lib.nn.BatchNorm2d(3))
    t_ln, e_ln = _pair(lambda lib: lib.nn.LayerNorm([5, 5]))
    outs = []
    for lib, bn, ln in ((torch, t_bn, t_ln), (ember, e_bn, e_ln)):
        xt = lib.tensor(x)
        train_out = bn(xt)
        bn.eval()
        outs.append((train_out, bn(xt), bn.running_mean, bn.running_var, ln(xt)))
    assert_same(outs[1], outs[0], rtol=1e-5, atol=1e-5)


def test_forward_and_full_backward_hooks():
    # Hooks: register_forward_hook (feature extraction), register_full_backward_hook
    t, e = _pair(lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.ReLU(),
                                               lib.nn.Linear(5, 2)))
    outs = []
    for lib, m in ((torch, t), (ember, e)):
        seen = {}

        def fwd(module, inputs, output, seen=seen):
            seen["features"] = output.detach()

        def bwd(module, grad_input, grad_output, seen=seen):
            seen["grad_in"], seen["grad_out"] = grad_input, grad_output

        h1 = m[1].register_forward_hook(fwd)
        h2 = m[2].register_full_backward_hook(bwd)
        x = lib.tensor(_X, requires_grad=True)
        m(x).square().sum().backward()
        h1.remove()
        h2.remove()
        m(x)  # removed hooks no longer fire
        outs.append((seen["features"], seen["grad_in"], seen["grad_out"]))
    assert_same(outs[1], outs[0], rtol=1e-5, atol=1e-6)


def test_custom_autograd_function_surrogate_gradient():
    # Custom Autograd: a step function with a straight-through surrogate gradient
    def make(lib):
        class Step(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return (x > 0).to(x.dtype)

            @staticmethod
            def backward(ctx, grad_output):
                (x,) = ctx.saved_tensors
                return grad_output * (x.abs() < 1).to(x.dtype)

        return Step

    outs = []
    for lib in (torch, ember):
        x = lib.tensor(_X * 2, requires_grad=True)
        y = make(lib).apply(x)
        (y * lib.arange(4.0)).sum().backward()
        outs.append((y, x.grad, y.grad_fn is not None))
    assert_same(outs[1], outs[0])


def test_native_transformer_blocks():
    # nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.Transformer (eval: no dropout)
    src = _rng.standard_normal((2, 5, 8)).astype(np.float32)
    tgt = _rng.standard_normal((2, 3, 8)).astype(np.float32)
    makers = [
        lambda lib: lib.nn.MultiheadAttention(8, 2, batch_first=True),
        lambda lib: lib.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True),
        lambda lib: lib.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, batch_first=True),
    ]
    for make in makers:
        t, e = _pair(make)
        outs = []
        for lib, m in ((torch, t), (ember, e)):
            m.eval()
            s, g = lib.tensor(src), lib.tensor(tgt)
            if isinstance(m, lib.nn.MultiheadAttention):
                out = m(g, s, s)
            elif isinstance(m, lib.nn.Transformer):
                out = m(s, g)
            else:
                out = m(s)
            outs.append(out)
        assert_same(outs[1], outs[0], rtol=1e-4, atol=1e-5, where=type(e).__name__)


def test_higher_order_gradients_create_graph():
    # MAML: loss.backward(create_graph=True), then differentiate the gradient again
    outs = []
    for lib in (torch, ember):
        w = lib.tensor(_X[0], requires_grad=True)
        loss = (w ** 3).sum()
        loss.backward(create_graph=True)
        g = w.grad
        assert g.requires_grad
        (g2,) = lib.autograd.grad(g.sum(), w)
        outs.append((g.detach().clone(), g2))
    assert_same(outs[1], outs[0], rtol=1e-5, atol=1e-6)


def test_mixup():
    # x_hat = lam * x_i + (1 - lam) * x_j, labels mixed in the same proportion
    lam = 0.3
    perm = np.array([2, 0, 1, 5, 3, 4])
    outs = []
    for lib in (torch, ember):
        x, y = lib.tensor(_X), lib.nn.functional.one_hot(lib.tensor(_Y), 3).float()
        idx = lib.tensor(perm)
        outs.append((lam * x + (1 - lam) * x[idx], lam * y + (1 - lam) * y[idx]))
    assert_same(outs[1], outs[0])


def test_data_parallel_on_cpu_runs_the_module():
    # nn.DataParallel (deprecated in the notes): without GPUs it just calls the module
    t, e = _pair(lambda lib: lib.nn.Linear(4, 2))
    outs = [lib.nn.DataParallel(m)(lib.tensor(_X)) for lib, m in ((torch, t), (ember, e))]
    assert_same(outs[1], outs[0], rtol=1e-6)


def test_to_cuda_and_requires_grad_attribute():
    # "(.to('cuda'))" without a GPU, and "tensor.requires_grad=True"
    errors = []
    for lib in (torch, ember):
        t = lib.ones(2)
        t.requires_grad = True
        assert t.requires_grad and t.is_leaf
        with pytest.raises(Exception) as info:  # noqa: B017 - type compared below
            t.to("cuda")
        errors.append(type(info.value))
        with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
            (t * 2).requires_grad = False
    assert errors[0] is errors[1] is AssertionError
