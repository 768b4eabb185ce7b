"""nn snippets of the lecture notes in ../shared/seeds, completed into small programs:
the same model definitions run under ember and torch with identical weights and give the
same outputs, gradients and state_dict keys."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def define_models(torch):
    nn = torch.nn
    F = torch.nn.functional

    class BasicBlock(nn.Module):  # 000: custom ResNet block
        def __init__(self, in_channels, out_channels, stride=1):
            super(BasicBlock, self).__init__()
            self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride,
                                   padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(out_channels)
            self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1,
                                   padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(out_channels)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_channels != out_channels:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride,
                              bias=False),
                    nn.BatchNorm2d(out_channels))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += self.shortcut(x)  # skip connection
            out = F.relu(out)
            return out

    class Model(nn.Module):  # 001
        def __init__(self):
            super(Model, self).__init__()
            self.conv1 = nn.Conv2d(1, 20, 5)
            self.conv2 = nn.Conv2d(20, 20, 5)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            return F.relu(self.conv2(x))

    class Net(nn.Module):  # 004 (its forward returns x, as written in the notes)
        def __init__(self):
            super(Net, self).__init__()
            self.fc1 = nn.Linear(28 * 28, 128)
            self.fc2 = nn.Linear(128, 64)
            self.fc3 = nn.Linear(64, 10)

        def forward(self, x):
            x = x.view(-1, 28 * 28)
            h1 = torch.relu(self.fc1(x))
            h2 = torch.relu(self.fc2(h1))
            h3 = self.fc3(h2)  # noqa: F841 - unused in the notes too
            return x

    return BasicBlock, Model, Net


def _copy_weights(dst, src):
    dst.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                         src.state_dict().items()})


def _run(e_model, t_model, x):
    _copy_weights(e_model, t_model)
    assert list(e_model.state_dict()) == list(t_model.state_dict())
    ex = ember.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    e_out, t_out = e_model(ex), t_model(tx)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-9,
                               atol=1e-10)
    e_out.square().sum().backward()
    t_out.square().sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-10)
    for (name, ep), (_, tp) in zip(e_model.named_parameters(), t_model.named_parameters()):
        if tp.grad is None:
            assert ep.grad is None, name
        else:
            np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-8,
                                       atol=1e-10, err_msg=name)
    return e_model, t_model


@pytest.mark.parametrize("stride,cin,cout", [(1, 4, 4), (2, 4, 8)])
def test_basic_block(stride, cin, cout):
    torch.manual_seed(0)
    EB, _, _ = define_models(ember)
    TB, _, _ = define_models(torch)
    e, t = EB(cin, cout, stride).double(), TB(cin, cout, stride).double()
    x = np.random.default_rng(1).standard_normal((2, cin, 8, 8))
    e, t = _run(e, t, x)
    assert repr(e) == repr(t)
    for name, buf in t.named_buffers():  # BatchNorm running statistics after a train step
        np.testing.assert_allclose(e.get_buffer(name).numpy(), buf.numpy(), rtol=1e-9)


def test_conv_model():
    torch.manual_seed(0)
    _, EM, _ = define_models(ember)
    _, TM, _ = define_models(torch)
    _run(EM().double(), TM().double(), np.random.default_rng(2).standard_normal((2, 1, 16, 16)))


def test_mlp_net_from_notes():
    torch.manual_seed(0)
    _, _, EN = define_models(ember)
    _, _, TN = define_models(torch)
    e, t = EN(), TN()
    _copy_weights(e, t)
    x = np.random.default_rng(3).standard_normal((4, 1, 28, 28)).astype(np.float32)
    np.testing.assert_array_equal(e(ember.tensor(x)).numpy(), t(torch.tensor(x)).numpy())


def test_autoencoder_step_from_notes():
    # 004: encoder/decoder Sequentials trained with F.mse_loss
    torch.manual_seed(0)
    results = {}
    for lib in (torch, ember):
        nn = lib.nn
        encoder = nn.Sequential(nn.Linear(28 * 28, 64), nn.ReLU(), nn.Linear(64, 3))
        decoder = nn.Sequential(nn.Linear(3, 64), nn.ReLU(), nn.Linear(64, 28 * 28))
        results[lib.__name__] = (encoder, decoder)
    (te, td), (ee, ed) = results["torch"], results["ember"]
    _copy_weights(ee, te)
    _copy_weights(ed, td)
    x = np.random.default_rng(4).standard_normal((8, 1, 28, 28)).astype(np.float32)
    losses = []
    for lib, enc, dec in ((torch, te, td), (ember, ee, ed)):
        xb = lib.tensor(x)
        xb = xb.view(xb.size(0), -1)
        loss = lib.nn.functional.mse_loss(dec(enc(xb)), xb)
        loss.backward()
        losses.append((loss.item(), enc[0].weight.grad.numpy().copy()))
    np.testing.assert_allclose(losses[1][0], losses[0][0], rtol=1e-5)
    np.testing.assert_allclose(losses[1][1], losses[0][1], rtol=1e-4, atol=1e-6)


def test_linear_layer_then_relu():
    # 004: layer = nn.Linear(4, 8); out = layer(x); out = torch.relu(out)
    torch.manual_seed(0)
    t_layer = torch.nn.Linear(4, 8)
    e_layer = ember.nn.Linear(4, 8)
    _copy_weights(e_layer, t_layer)
    x = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)
    e = ember.relu(e_layer(ember.tensor(x)))
    t = torch.relu(t_layer(torch.tensor(x)))
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6)
    assert e.grad_fn.name() == t.grad_fn.name() == "ReluBackward0"
