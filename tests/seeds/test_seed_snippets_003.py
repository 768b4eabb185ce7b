"""Snippets of seed 003 (HW 8 guide, "PyTorch for Deep Learning") not covered by the other
seed tests, completed into small programs and run under ember and torch (torchvision is
not installed: ember.vision transforms are checked on properties of their output)."""

from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

import ember

from .test_seed_snippets_helpers import assert_same, copy_weights, dtype_name

torch = pytest.importorskip("torch")

_X = np.random.default_rng(3).standard_normal((6, 1, 4, 4)).astype(np.float32)


def test_device_selection_prints_like_torch(capsys):
    # line 18 (one line in the notes, re-split here)
    outs = []
    for lib in (torch, ember):
        device = lib.device("cuda:0" if lib.cuda.is_available() else "cpu")
        if not lib.cuda.is_available():
            device = lib.device("mps" if lib.backends.mps.is_available() else "cpu")
        print(f"Using device: {device}")
        model = lib.nn.Linear(2, 2).to(device)  # line 27
        inputs, labels = lib.ones(3, 2).to(device), lib.zeros(3).to(device)  # line 30
        cpu_tensor = model(inputs).cpu()  # line 33
        outs.append((capsys.readouterr().out, str(cpu_tensor.device), str(labels.device)))
    assert outs[1] == outs[0] == ("Using device: cpu\n", "cpu", "cpu")


def test_tensor_creation():
    # line 42
    np_array = np.array([[1, 2], [3, 4]])
    out = []
    for lib in (torch, ember):
        x = lib.tensor([[1, 2], [3, 4]], dtype=lib.float32)
        y = lib.from_numpy(np_array)
        zeros = lib.zeros(2, 3)
        ones = lib.ones(2, 3)
        rand = lib.rand(2, 3)
        randn = lib.randn(2, 3)
        assert 0 <= rand.min().item() and rand.max().item() < 1
        out.append((x, y, zeros, ones, rand.shape, rand.dtype, randn.shape, randn.dtype))
    assert_same(out[1], out[0])
    y = ember.from_numpy(np_array)
    np_array[0, 0] = 10  # from_numpy shares memory, as in torch
    assert y[0, 0].item() == 10


def test_tensor_operations():
    # line 45: the integer dot product and the views
    f_np = np.arange(16, dtype=np.float32).reshape(4, 4)
    out = []
    for lib in (torch, ember):
        a = lib.tensor([1, 2, 3])
        b = lib.tensor([4, 5, 6])
        c = a + b
        d = a * b
        e = lib.matmul(a, b)
        f = lib.tensor(f_np)
        g = f.view(16)
        h = f.view(-1, 8)
        out.append((c, d, e, g, h))
        with pytest.raises(RuntimeError):
            f.view(-1, 5)
    assert_same(out[1], out[0])
    assert out[1][2].item() == 32 and dtype_name(out[1][2].dtype) == "int64"


def test_autograd_example_prints_like_torch(capsys):
    # line 48: y = x**2 + 3*x + 1; y.backward(); print(x.grad)  -> 7 at x = 2
    outs = []
    for lib in (torch, ember):
        x = lib.tensor([2.0], requires_grad=True)
        y = x**2 + 3 * x + 1
        y.backward()
        print(x.grad)
        outs.append(capsys.readouterr().out)
    assert outs[1] == outs[0] == "tensor([7.])\n"


def test_augmentation_pipeline_properties():
    # line 56, with ember.vision (no torchvision here): a white 28x28 image flipped and
    # rotated by at most 10 degrees stays 1.0 at the centre; the corners fill with 0 -> -1
    pil = pytest.importorskip("PIL.Image")
    from ember.vision import transforms
    transform = transforms.Compose([
        transforms.RandomHorizontalFlip(),
        transforms.RandomRotation(10),
        transforms.ToTensor(),
        transforms.Normalize((0.5,), (0.5,)),
    ])
    img = pil.fromarray(np.full((28, 28), 255, dtype=np.uint8))
    for _ in range(5):
        out = transform(img)
        assert tuple(out.shape) == (1, 28, 28) and out.dtype is ember.float32
        assert out.min().item() >= -1.0 and out.max().item() <= 1.0
        assert out[0, 10:18, 10:18].eq(1.0).all().item()
    # flipping an asymmetric image: either unchanged or mirrored, never anything else
    ramp = np.tile(np.arange(28, dtype=np.uint8) * 9, (28, 1))
    flip = transforms.Compose([transforms.RandomHorizontalFlip(), transforms.ToTensor()])
    seen = set()
    ember.manual_seed(0)
    for _ in range(20):
        got = flip(pil.fromarray(ramp)).numpy()[0]
        mirrored = np.allclose(got, ramp[:, ::-1] / 255.0)
        assert mirrored or np.allclose(got, ramp / 255.0)
        seen.add(mirrored)
    assert seen == {True, False}


def test_dataloader_features_pin_memory_and_workers():
    # line 59: batch_size=32, shuffle=True, num_workers=4, pin_memory=True
    out = []
    for lib in (torch, ember):
        data = lib.utils.data
        dataset = data.TensorDataset(lib.arange(70.0).view(70, 1), lib.arange(70))
        dataloader = data.DataLoader(dataset, batch_size=32, shuffle=True, num_workers=4,
                                     pin_memory=True)
        batches = list(dataloader)
        xs = sorted(v for xb, _ in batches for v in xb.view(-1).tolist())
        out.append(([tuple(xb.shape) for xb, _ in batches], len(dataloader), xs))
    assert out[1] == out[0] and out[0][2] == [float(i) for i in range(70)]


def _models(lib):
    nn = lib.nn

    class SimpleNN(nn.Module):  # line 67
        def __init__(self, input_size, hidden_size, output_size):
            super(SimpleNN, self).__init__()
            self.flatten = nn.Flatten()
            self.fc1 = nn.Linear(input_size, hidden_size)
            self.relu = nn.ReLU()
            self.fc2 = nn.Linear(hidden_size, output_size)

        def forward(self, x):
            x = self.flatten(x)
            x = self.fc1(x)
            x = self.relu(x)
            x = self.fc2(x)
            return x

    class MLP(nn.Module):  # line 82
        def __init__(self, input_size, hidden_sizes, output_size):
            super(MLP, self).__init__()
            self.layers = nn.ModuleList()
            all_sizes = [input_size] + hidden_sizes + [output_size]
            for i in range(len(all_sizes) - 1):
                self.layers.append(nn.Linear(all_sizes[i], all_sizes[i + 1]))
                if i < len(all_sizes) - 2:
                    self.layers.append(nn.ReLU())

        def forward(self, x):
            x = x.view(x.size(0), -1)
            for layer in self.layers:
                x = layer(x)
            return x

    sequential = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(),  # line 75
                               nn.Linear(8, 3))
    return [SimpleNN(16, 8, 3), MLP(16, [8, 5], 3), sequential]


@pytest.mark.parametrize("which", [0, 1, 2], ids=["SimpleNN", "MLP", "Sequential"])
def test_models_match_torch(which):
    torch.manual_seed(0)
    t_model, e_model = _models(torch)[which], _models(ember)[which]
    copy_weights(e_model, t_model)
    assert list(e_model.state_dict()) == list(t_model.state_dict())
    assert repr(e_model) == repr(t_model)
    outs = []
    for lib, model in ((torch, t_model), (ember, e_model)):
        x = lib.tensor(_X, requires_grad=True)
        y = model(x)
        y.square().sum().backward()
        outs.append((y, x.grad, *[p.grad for p in model.parameters()]))
    assert_same(outs[1], outs[0], rtol=1e-5, atol=1e-6)


def test_layer_types():
    # line 85; the notes leave in_features/out_features/num_features undefined
    for lib in (torch, ember):
        with pytest.raises(NameError):
            eval("nn.Linear(in_features, out_features, bias=True)", {"nn": lib.nn})
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(4, 3)
    out = []
    for lib in (torch, ember):
        nn = lib.nn
        in_features, out_features, num_features = 3, 2, 3
        linear = nn.Linear(in_features, out_features, bias=True)
        relu = nn.ReLU()
        leaky_relu = nn.LeakyReLU(negative_slope=0.01)
        sigmoid = nn.Sigmoid()
        tanh = nn.Tanh()
        batch_norm = nn.BatchNorm1d(num_features)
        t = lib.tensor(x)
        out.append((linear.weight.shape, relu(t), leaky_relu(t), sigmoid(t), tanh(t),
                    batch_norm(t), batch_norm.running_mean, batch_norm.running_var))
    assert_same(out[1], out[0], rtol=1e-5, atol=1e-6)


def test_loss_functions_and_the_softmax_mistake():
    # lines 89-91: the listed losses; CrossEntropyLoss after an extra softmax is valid
    # code with a different (wrong) value, under both frameworks
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((5, 3)).astype(np.float32) * 3
    labels = np.array([0, 2, 1, 1, 0])
    target = rng.uniform(size=(5, 3)).astype(np.float32)
    out = []
    for lib in (torch, ember):
        nn, F = lib.nn, lib.nn.functional
        outputs, y, tgt = lib.tensor(logits), lib.tensor(labels), lib.tensor(target)
        bce_loss = nn.BCELoss()
        bce_with_logits = nn.BCEWithLogitsLoss()
        ce_loss = nn.CrossEntropyLoss()
        nll_loss = nn.NLLLoss()
        mse_loss = nn.MSELoss()
        l1_loss = nn.L1Loss()
        smooth_l1 = nn.SmoothL1Loss()
        correct = ce_loss(outputs, y)
        wrong = ce_loss(F.softmax(outputs, dim=1), y)
        out.append((bce_loss(lib.sigmoid(outputs), tgt), bce_with_logits(outputs, tgt),
                    correct, wrong, nll_loss(F.log_softmax(outputs, 1), y),
                    mse_loss(outputs, tgt), l1_loss(outputs, tgt), smooth_l1(outputs, tgt)))
    assert_same(out[1], out[0], rtol=1e-5, atol=1e-6)
    assert abs(out[1][2].item() - out[1][3].item()) > 0.1


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.SGD(p, lr=0.01, momentum=0.9),
    lambda lib, p: lib.optim.Adam(p, lr=0.001, betas=(0.9, 0.999)),
], ids=["SGD", "Adam"])
def test_optimizers_from_notes(make):
    # line 95
    torch.manual_seed(0)
    t_model, e_model = _models(torch)[2], _models(ember)[2]
    copy_weights(e_model, t_model)
    for lib, model in ((torch, t_model), (ember, e_model)):
        optimizer = make(lib, model.parameters())
        for _ in range(3):
            optimizer.zero_grad()
            model(lib.tensor(_X)).square().mean().backward()
            optimizer.step()
    for (name, e), (_, t) in zip(e_model.named_parameters(), t_model.named_parameters()):
        assert_same(e, t, rtol=1e-5, atol=1e-6, where=name)


def test_init_weights_apply():
    # line 105: kaiming_normal_(fan_in, relu) on Linear weights, zero biases, via apply
    def init_weights(m, nn=ember.nn):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, mode='fan_in', nonlinearity='relu')
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)

    nn = ember.nn
    model = nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 10, bias=False))
    assert model.apply(init_weights) is model
    w = model[0].weight.detach().numpy()
    # std sqrt(2 / fan_in) over 120000 draws: within 2 %
    assert abs(w.std() / np.sqrt(2 / 400) - 1) < 0.02 and abs(w.mean()) < 0.005
    assert not model[0].bias.detach().numpy().any() and model[2].bias is None
    assert model[0].weight.requires_grad and model[0].weight.grad_fn is None


def test_plot_learning_curves_on_ember_losses():
    # line 133: the plotting helper takes the float losses train_model returns
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    model = ember.nn.Linear(3, 1)
    losses = [model(ember.ones(2, 3)).square().mean().item() for _ in range(3)]
    assert all(type(v) is float for v in losses)
    fig, ax1 = plt.subplots(figsize=(10, 6))
    ax1.plot(range(1, 4), losses, label='Training Loss')
    assert list(ax1.lines[0].get_ydata()) == losses
    plt.close(fig)


def test_inspect_getsourcefile_of_linear():
    # line 163: print(inspect.getsourcefile(nn.Linear)) names ember's own source file
    path = inspect.getsourcefile(ember.nn.Linear)
    assert os.path.isfile(path) and path.endswith(".py")
    assert "class Linear(" in open(path).read()


def test_simplified_linear_and_cross_entropy_match_builtins():
    # lines 166 and 170
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    w = rng.standard_normal((3, 5)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    target = np.array([0, 2, 1, 2])
    weight = np.array([1.0, 2.0, 0.5], dtype=np.float32)
    out = []
    for lib in (torch, ember):
        F = lib.nn.functional

        def linear_forward(input, weight, bias=None):
            output = input.matmul(weight.t())
            if bias is not None:
                output += bias
            return output

        def cross_entropy_loss(input, target, weight=None, reduction='mean', F=F):
            log_softmax = F.log_softmax(input, 1)
            loss = F.nll_loss(log_softmax, target, weight=weight, reduction=reduction)
            return loss

        xt, wt, bt = lib.tensor(x), lib.tensor(w), lib.tensor(b)
        y = linear_forward(xt, wt, bt)
        np.testing.assert_allclose(y.numpy(), F.linear(xt, wt, bt).numpy(), rtol=1e-6)
        ce = [cross_entropy_loss(y, lib.tensor(target), lib.tensor(weight), r)
              for r in ("mean", "sum", "none")]
        for r, v in zip(("mean", "sum", "none"), ce):
            builtin = F.cross_entropy(y, lib.tensor(target), lib.tensor(weight), reduction=r)
            np.testing.assert_allclose(v.numpy(), builtin.numpy(), rtol=1e-6, err_msg=r)
        out.append((y, *ce))
    assert_same(out[1], out[0], rtol=1e-5, atol=1e-6)


def test_detach_example_raises_like_torch():
    # line 191: z = y.detach(); z = z * 3; z.sum().backward() -- the comment says it
    # "won't affect x.grad", but z has no grad_fn, so backward fails in torch too
    for lib in (torch, ember):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        z = y.detach()
        z = z * 3
        with pytest.raises(RuntimeError, match="does not require grad"):
            z.sum().backward()
        assert x.grad is None and y.requires_grad and not z.requires_grad


def test_in_place_add_underscore_convention():
    # line 181: tensor.add_() modifies the tensor in place and returns it
    for lib in (torch, ember):
        t = lib.ones(3)
        r = t.add_(2)
        assert r is t and t.tolist() == [3.0, 3.0, 3.0]
        leaf = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            leaf.add_(1)
