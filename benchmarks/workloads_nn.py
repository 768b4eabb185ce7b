"""Core and nn workloads: per-op overhead, small graphs, matmul, conv, small models."""

from __future__ import annotations

from harness import time_call, workload


@workload("overhead_add", "us/op")
def overhead_add(lib):
    """a + b on 1-element tensors, no grad: the per-op Python overhead."""
    a, b = lib.ones(1), lib.ones(1)
    return time_call(lambda: a + b) * 1e6


@workload("graph10_fwd_bwd", "us/step")
def graph10(lib):
    """A 10-op elementwise graph forward + backward on 16-element tensors."""
    x = lib.rand(16, requires_grad=True)
    w = lib.rand(16, requires_grad=True)

    def step():
        y = x * w
        y = y + x
        y = y.exp()
        y = y * 0.5
        y = y - w
        y = y * y
        y = y / 3.0
        y = y.log1p() if hasattr(y, "log1p") else (y + 1).log()
        y = y + 1
        loss = y.sum()
        loss.backward()
        x.grad = None
        w.grad = None
    return time_call(step) * 1e6


@workload("matmul_1024_f32", "GFLOP/s", higher_is_better=True)
def matmul(lib):
    """1024x1024 float32 matmul throughput."""
    a, b = lib.rand(1024, 1024), lib.rand(1024, 1024)
    sec = time_call(lambda: a @ b, min_time=0.5)
    return 2 * 1024 ** 3 / sec / 1e9


@workload("conv2d_fwd_bwd", "ms/step")
def conv2d(lib):
    """Conv2d(3->16, 3x3, padding=1) forward + backward on a 32x3x32x32 batch."""
    lib.manual_seed(0)
    conv = lib.nn.Conv2d(3, 16, 3, padding=1)
    x = lib.rand(32, 3, 32, 32, requires_grad=True)

    def step():
        conv(x).sum().backward()
        x.grad = None
        conv.zero_grad()
    return time_call(step) * 1e3


def _lenet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def _train_step_timer(lib, model, inputs, loss_fn, unit_scale=1e3, optimizer=None):
    """ms per forward + backward (+ ``optimizer.step()`` when given)."""
    def step():
        loss = loss_fn(model(*inputs))
        loss.backward()
        if optimizer is not None:
            optimizer.step()
        model.zero_grad()
    return time_call(step) * unit_scale


@workload("lenet5_fwd_bwd", "ms/step")
def lenet5(lib):
    """LeNet-5 forward + backward + cross-entropy, batch 64 of 1x28x28."""
    lib.manual_seed(0)
    model = _lenet(lib)
    x, y = lib.rand(64, 1, 28, 28), lib.randint(0, 10, (64,))
    return _train_step_timer(lib, model, (x,),
                             lambda out: lib.nn.functional.cross_entropy(out, y))


@workload("transformer2_fwd_bwd", "ms/step")
def transformer(lib):
    """2-layer TransformerEncoder (d_model 128, 4 heads, ff 256), batch 16, seq 64."""
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(128, 4, 256, dropout=0.0, batch_first=True)
    model = lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    x = lib.rand(16, 64, 128)
    return _train_step_timer(lib, model, (x,), lambda out: out.square().mean())


@workload("lstm_fwd_bwd", "ms/step")
def lstm(lib):
    """LSTM (input 64, hidden 128), batch 20, seq 35."""
    lib.manual_seed(0)
    model = lib.nn.LSTM(64, 128)
    x = lib.rand(35, 20, 64)
    return _train_step_timer(lib, model, (x,), lambda out: out[0].square().mean())


# full training steps (forward + backward + optimizer step), the models above


@workload("lenet5_train_sgd", "ms/step")
def lenet5_train(lib):
    """LeNet-5 training step with SGD (momentum 0.9), batch 64 of 1x28x28."""
    lib.manual_seed(0)
    model = _lenet(lib)
    x, y = lib.rand(64, 1, 28, 28), lib.randint(0, 10, (64,))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _train_step_timer(lib, model, (x,),
                             lambda out: lib.nn.functional.cross_entropy(out, y),
                             optimizer=opt)


@workload("transformer2_train_adamw", "ms/step")
def transformer_train(lib):
    """2-layer TransformerEncoder training step with AdamW, batch 16, seq 64."""
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(128, 4, 256, dropout=0.0, batch_first=True)
    model = lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    opt = lib.optim.AdamW(model.parameters(), lr=1e-3)
    return _train_step_timer(lib, model, (lib.rand(16, 64, 128),),
                             lambda out: out.square().mean(), optimizer=opt)


@workload("lstm_train_adam", "ms/step")
def lstm_train(lib):
    """LSTM (input 64, hidden 128) training step with Adam, batch 20, seq 35."""
    lib.manual_seed(0)
    model = lib.nn.LSTM(64, 128)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return _train_step_timer(lib, model, (lib.rand(35, 20, 64),),
                             lambda out: out[0].square().mean(), optimizer=opt)
