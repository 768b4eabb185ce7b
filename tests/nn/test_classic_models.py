"""The classic models of the PyTorch tutorials, written as a torch user writes them, train
with ember's optimizers and overfit a small fixed batch (the loss falls to near zero and
the batch is classified perfectly)."""

from __future__ import annotations

import pytest

import ember as torch
import ember.nn as nn
import ember.nn.functional as F


class MLP(nn.Module):
    """An MLP whose hidden layers live in an nn.ModuleList."""

    def __init__(self, sizes=(16, 64, 64, 4)):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class TinyResNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8),
                                  nn.ReLU())
        self.blocks = nn.Sequential(BasicBlock(8, 8), BasicBlock(8, 16, stride=2))
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class LSTMLanguageModel(nn.Module):
    def __init__(self, vocab=20, embed=16, hidden=32, layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, tokens, state=None):
        out, state = self.lstm(self.embedding(tokens), state)
        return self.decoder(out), state


class TransformerClassifier(nn.Module):
    def __init__(self, vocab=20, d_model=32, classes=3, max_len=16):
        super().__init__()
        self.embedding = nn.Embedding(vocab, d_model)
        self.position = nn.Parameter(torch.zeros(1, max_len, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=64, dropout=0.0,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, classes)

    def forward(self, tokens, padding_mask=None):
        x = self.embedding(tokens) + self.position[:, :tokens.shape[1]]
        x = self.encoder(x, src_key_padding_mask=padding_mask)
        return self.head(x.mean(dim=1))


def _overfit(model, inputs, targets, steps, lr, loss_fn=F.cross_entropy, optimizer="adam"):
    opt = (torch.optim.Adam(model.parameters(), lr=lr) if optimizer == "adam"
           else torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9))
    losses = []
    model.train()
    for _ in range(steps):
        out = model(*inputs)
        out = out[0] if isinstance(out, tuple) else out
        loss = loss_fn(out, targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def _accuracy(logits, targets):
    return (logits.argmax(-1) == targets).float().mean().item()


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_mlp_with_modulelist_overfits():
    model = MLP()
    x, y = torch.randn(32, 16), torch.randint(0, 4, (32,))
    losses = _overfit(model, (x,), y, 150, 1e-2)
    assert len(model.layers) == 3 and len(list(model.parameters())) == 6
    assert losses[-1] < 0.02 < losses[0]
    assert _accuracy(model(x), y) == 1.0


def test_lenet_overfits_with_sgd_momentum():
    model = LeNet()
    x, y = torch.randn(16, 1, 28, 28), torch.arange(16) % 10
    losses = _overfit(model, (x,), y, 60, 0.05, optimizer="sgd")
    assert losses[-1] < 0.05 < losses[0]
    assert _accuracy(model(x), y) == 1.0


def test_resnet_basic_blocks_overfit():
    model = TinyResNet()
    x, y = torch.randn(16, 3, 8, 8), torch.arange(16) % 10
    losses = _overfit(model, (x,), y, 60, 1e-2)
    assert losses[-1] < 0.05 < losses[0]
    model.eval()  # running statistics were updated along the way: eval mode agrees
    assert _accuracy(model(x), y) >= 0.9
    assert model.blocks[1].shortcut[0].stride == (2, 2)
    assert len(model.blocks[0].shortcut) == 0


def test_lstm_language_model_memorises_sequences():
    model = LSTMLanguageModel()
    data = torch.randint(0, 20, (4, 13))
    inputs, targets = data[:, :-1], data[:, 1:]

    def loss_fn(logits, tgt):
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1))

    losses = _overfit(model, (inputs,), targets, 150, 2e-2, loss_fn=loss_fn)
    assert losses[-1] < 0.05 < 2.0 < losses[0]
    logits, (h, c) = model(inputs)
    assert h.shape == (2, 4, 32) and c.shape == (2, 4, 32)
    assert _accuracy(logits, targets) == 1.0
    # generation step by step with the carried state gives the same predictions
    state, preds = None, []
    for t in range(inputs.shape[1]):
        step_logits, state = model(inputs[:, t:t + 1], state)
        preds.append(step_logits.argmax(-1))
    assert torch.equal(torch.cat(preds, 1), logits.argmax(-1))


def test_transformer_encoder_classifier_overfits_with_padding_mask():
    model = TransformerClassifier()
    tokens = torch.randint(1, 20, (12, 10))
    lengths = torch.tensor([10, 7, 5, 10, 3, 8, 10, 6, 4, 9, 10, 2])
    padding = torch.arange(10)[None, :] >= lengths[:, None]
    tokens = tokens.masked_fill(padding, 0)
    labels = torch.arange(12) % 3
    losses = _overfit(model, (tokens, padding), labels, 80, 3e-3)
    assert losses[-1] < 0.05 < losses[0]
    model.eval()
    assert _accuracy(model(tokens, padding), labels) == 1.0
