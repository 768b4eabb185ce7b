"""Training recipes from the lecture notes, each run in ember and torch from identical
weights and compared: gradient accumulation, gradient clipping, a frozen backbone with a
new head, and learnable multi-task loss weights."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(1)
X = RNG.standard_normal((16, 5))
Y = RNG.standard_normal((16, 3))


def build(lib):
    """An MLP whose weights are the same in both frameworks (float64)."""
    rng = np.random.default_rng(7)
    model = lib.nn.Sequential(lib.nn.Linear(5, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3))
    model = model.double()
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)) * 0.5))
    return model


def params_of(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


def assert_same(ember_model, torch_model, rtol=1e-10):
    for e, t in zip(params_of(ember_model), params_of(torch_model)):
        np.testing.assert_allclose(e, t, rtol=rtol, atol=1e-13)


def data(lib):
    return lib.tensor(X), lib.tensor(Y)


def test_gradient_accumulation_equals_one_big_batch():
    """N micro-batches with loss / N, one step, equal one step on the whole batch."""
    results = {}
    for lib in (ember, torch):
        x, y = data(lib)
        big, acc = build(lib), build(lib)
        opt_big = lib.optim.SGD(big.parameters(), lr=0.1, momentum=0.9)
        opt_acc = lib.optim.SGD(acc.parameters(), lr=0.1, momentum=0.9)
        loss_fn = lib.nn.MSELoss()
        for _ in range(3):
            opt_big.zero_grad()
            loss_fn(big(x), y).backward()
            opt_big.step()
            opt_acc.zero_grad()
            for xb, yb in zip(x.chunk(4), y.chunk(4)):
                (loss_fn(acc(xb), yb) / 4).backward()
            opt_acc.step()
        for a, b in zip(params_of(big), params_of(acc)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        results[lib.__name__] = acc
    assert_same(results["ember"], results["torch"])
    assert not np.allclose(params_of(results["ember"])[0], params_of(build(ember))[0])


def test_clip_grad_norm_before_step():
    models = {}
    norms = {}
    for lib in (ember, torch):
        x, y = data(lib)
        model = build(lib)
        opt = lib.optim.Adam(model.parameters(), lr=0.05)
        seen = []
        for _ in range(5):
            opt.zero_grad()
            ((model(x) - y) ** 2).sum().backward()
            seen.append(float(lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)))
            total = sum(float((p.grad ** 2).sum()) for p in model.parameters()) ** 0.5
            assert total <= 0.5 + 1e-9
            opt.step()
        models[lib.__name__], norms[lib.__name__] = model, seen
    np.testing.assert_allclose(norms["ember"], norms["torch"], rtol=1e-10)
    assert norms["ember"][0] > 0.5  # the clipping really happened
    assert_same(models["ember"], models["torch"])


def test_frozen_backbone_trains_only_the_new_head():
    models = {}
    for lib in (ember, torch):
        x, y = data(lib)
        backbone = build(lib)
        for p in backbone.parameters():
            p.requires_grad = False
        head = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            head.weight.copy_(lib.tensor(np.linspace(-0.5, 0.5, 6).reshape(2, 3)))
            head.bias.zero_()
        model = lib.nn.Sequential(backbone, head)
        trainable = [p for p in model.parameters() if p.requires_grad]
        assert len(trainable) == 2
        opt = lib.optim.AdamW(trainable, lr=0.05)
        for _ in range(5):
            opt.zero_grad()
            ((model(x) - y[:, :2]) ** 2).mean().backward()
            opt.step()
        for p, start in zip(backbone.parameters(), params_of(build(lib))):
            assert p.grad is None and np.array_equal(p.detach().numpy(), start)
        models[lib.__name__] = model
    assert_same(models["ember"], models["torch"])
    assert not np.allclose(params_of(models["ember"])[-2], np.linspace(-0.5, 0.5, 6)
                           .reshape(2, 3))


def test_learnable_multitask_loss_weights():
    """Uncertainty weighting: log-variances as nn.Parameters optimized with the model."""
    results = {}
    for lib in (ember, torch):
        x, y = data(lib)
        model = build(lib)
        log_vars = lib.nn.Parameter(lib.zeros(2, dtype=lib.float64))
        opt = lib.optim.Adam([{"params": model.parameters()},
                              {"params": [log_vars], "lr": 0.1}], lr=0.01)
        for _ in range(10):
            opt.zero_grad()
            out = model(x)
            losses = [((out[:, 0] - y[:, 0]) ** 2).mean(), (out[:, 1:] - y[:, 1:]).abs().mean()]
            total = sum(lib.exp(-log_vars[i]) * losses[i] + log_vars[i] for i in range(2))
            total.backward()
            opt.step()
        results[lib.__name__] = (model, log_vars.detach().numpy().copy())
    assert_same(results["ember"][0], results["torch"][0])
    np.testing.assert_allclose(results["ember"][1], results["torch"][1], rtol=1e-10)
    assert not np.allclose(results["ember"][1], 0.0)
