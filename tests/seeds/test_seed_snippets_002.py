"""Code named in seed 002 (Introduction to PyTorch, Zhou): its slides carry no code
blocks, only inline calls and worked examples; each is completed into a small program
and run under ember and torch."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from .test_seed_snippets_helpers import assert_same, copy_weights

torch = pytest.importorskip("torch")


def test_logistic_least_squares_primitives_match_hand_derivatives():
    # lines 97-105: t1 = wx, z = t1 + b, ..., y = 1 / t5, L = (y - t)^2 / 2
    w0, b0, x, t = 0.7, -0.2, 1.5, 1.0
    outs = []
    for lib in (torch, ember):
        w = lib.tensor(w0, requires_grad=True)
        b = lib.tensor(b0, requires_grad=True)
        t1 = w * x
        z = t1 + b
        t3 = -z
        t4 = lib.exp(t3)
        t5 = 1 + t4
        y = 1 / t5
        t6 = y - t
        t7 = t6 ** 2
        L = t7 / 2
        L.backward()
        outs.append((L, w.grad, b.grad))
    assert_same(outs[1], outs[0], rtol=1e-6)
    y = 1 / (1 + np.exp(-(w0 * x + b0)))
    dz = (y - t) * y * (1 - y)  # the chain rule by hand
    np.testing.assert_allclose([outs[1][1].item(), outs[1][2].item()], [dz * x, dz], rtol=1e-6)


def test_zero_grad_lives_on_optimizer_and_module_not_on_torch():
    # line 230 says "torch.zero_grad()": no such function in either framework
    for lib in (torch, ember):
        with pytest.raises(AttributeError):
            lib.zero_grad()
    t, e = torch.nn.Linear(3, 2), ember.nn.Linear(3, 2)
    copy_weights(e, t)
    for lib, m in ((torch, t), (ember, e)):
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        m(lib.ones(1, 3)).sum().backward()
        m(lib.ones(1, 3)).sum().backward()  # accumulates: twice the gradient
        assert m.bias.grad.tolist() == [2.0, 2.0]
        opt.zero_grad()
        assert m.bias.grad is None
        m(lib.ones(1, 3)).sum().backward()
        m.zero_grad()
        assert m.weight.grad is None


def test_overfit_one_batch_then_eval_mode():
    # lines 233-235: overfit one batch; switch train()/eval() (dropout off in eval)
    torch.manual_seed(0)
    x = np.random.default_rng(0).standard_normal((8, 5)).astype(np.float32)
    y = np.arange(8) % 3
    def make(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Dropout(0.0), nn.Linear(32, 3))

    t, e = make(torch), make(ember)
    copy_weights(e, t)
    results = []
    for lib, m in ((torch, t), (ember, e)):
        opt = lib.optim.Adam(m.parameters(), lr=0.05)
        m.train()
        for _ in range(60):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(m(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
        m.eval()
        with lib.no_grad():
            acc = (m(lib.tensor(x)).argmax(1) == lib.tensor(y)).float().mean().item()
        results.append((loss.item(), acc, m.training, m[2].training))
    assert results[1][1:] == results[0][1:] == (1.0, False, False)
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-3, atol=1e-5)


def test_views_share_data_and_reshape_may_copy():
    # line 236: moving the underlying data vs an alternate view of the same data
    for lib in (torch, ember):
        base = lib.arange(6.0).view(2, 3)
        v = base.view(3, 2)
        v[0, 0] = 100.0
        assert base[0, 0].item() == 100.0 and v.data_ptr() == base.data_ptr()
        tr = base.t()
        assert not tr.is_contiguous()
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            tr.view(6)
        r = tr.reshape(6)  # a copy here
        r[0] = -1.0
        assert base[0, 0].item() == 100.0
        assert tr.contiguous().view(6).tolist() == [100.0, 3.0, 1.0, 4.0, 2.0, 5.0]
