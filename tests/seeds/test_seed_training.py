"""Training-loop snippets of the lecture notes in ../shared/seeds, completed into small
programs and run under ember and torch: data loading (TensorDataset, a custom Dataset,
MNIST with transforms), the train/evaluate functions of 003, its schedulers and its
checkpoint functions, and the freeze-the-backbone recipe of 001."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _np(t):
    return t.detach().numpy()


def _same_weights(e_model, t_model):
    e_model.load_state_dict({k: ember.tensor(_np(v)) for k, v in t_model.state_dict().items()})


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 10))


# ---------------------------------------------------------------- 003: train / evaluate

def train_model(torch, model, train_loader, val_loader, criterion, optimizer, num_epochs,
                device):
    # as written in 003 (the print dropped)
    train_losses = []
    val_losses = []
    for epoch in range(num_epochs):  # noqa: B007 (as in the notes)
        model.train()
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        epoch_train_loss = running_loss / len(train_loader)
        train_losses.append(epoch_train_loss)
        model.eval()
        running_loss = 0.0
        with torch.no_grad():
            for inputs, labels in val_loader:
                inputs, labels = inputs.to(device), labels.to(device)
                outputs = model(inputs)
                loss = criterion(outputs, labels)
                running_loss += loss.item()
        epoch_val_loss = running_loss / len(val_loader)
        val_losses.append(epoch_val_loss)
    return train_losses, val_losses


def evaluate_model(torch, model, test_loader, device):
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, labels in test_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    accuracy = 100 * correct / total
    return accuracy


def test_003_train_and_evaluate_match_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 20)).astype(np.float32)
    y = (x[:, :10].argmax(1)).astype(np.int64)
    results = {}
    t_model, e_model = _mlp(torch), _mlp(ember)
    _same_weights(e_model, t_model)
    for lib, model in ((torch, t_model), (ember, e_model)):
        data = lib.utils.data
        train_loader = data.DataLoader(data.TensorDataset(lib.tensor(x[:160]), lib.tensor(y[:160])),
                                       batch_size=32)
        val_loader = data.DataLoader(data.TensorDataset(lib.tensor(x[160:]), lib.tensor(y[160:])),
                                     batch_size=32)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        losses = train_model(lib, model, train_loader, val_loader, lib.nn.CrossEntropyLoss(),
                             optimizer, 3, "cpu")
        results[lib.__name__] = losses, evaluate_model(lib, model, val_loader, "cpu")
    (e_train, e_val), e_acc = results["ember"]
    (t_train, t_val), t_acc = results["torch"]
    np.testing.assert_allclose(e_train, t_train, rtol=1e-5)
    np.testing.assert_allclose(e_val, t_val, rtol=1e-5)
    assert e_acc == t_acc and e_train[-1] < e_train[0]


# ---------------------------------------------------------------- 003: schedulers

def test_003_step_lr_and_reduce_on_plateau():
    val_losses = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    traces = {}
    for lib in (torch, ember):
        model = _mlp(lib)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        step = lib.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)
        opt2 = lib.optim.SGD(model.parameters(), lr=0.1)
        plateau = lib.optim.lr_scheduler.ReduceLROnPlateau(opt2, mode='min', factor=0.1,
                                                           patience=5)
        trace = []
        for epoch in range(25):
            optimizer.step()
            step.step()                                  # For StepLR
            opt2.step()
            plateau.step(val_losses[epoch % len(val_losses)])  # For ReduceLROnPlateau
            trace.append((step.get_last_lr()[0], opt2.param_groups[0]["lr"]))
        traces[lib.__name__] = trace
    assert traces["ember"] == traces["torch"]


# ---------------------------------------------------------------- 003: checkpoints

def save_checkpoint(torch, model, optimizer, epoch, scheduler, best_accuracy, filepath):
    """Save model checkpoint with all training state (003, print dropped)."""
    checkpoint = {
        'epoch': epoch,
        'model_state_dict': model.state_dict(),
        'optimizer_state_dict': optimizer.state_dict(),
        'scheduler_state_dict': scheduler.state_dict() if scheduler else None,
        'best_accuracy': best_accuracy
    }
    torch.save(checkpoint, filepath)


def load_checkpoint(torch, model, optimizer, scheduler, filepath):
    """Load model checkpoint with all training state (003, print dropped)."""
    checkpoint = torch.load(filepath)
    model.load_state_dict(checkpoint['model_state_dict'])
    optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
    if scheduler and 'scheduler_state_dict' in checkpoint:
        scheduler.load_state_dict(checkpoint['scheduler_state_dict'])
    epoch = checkpoint['epoch']
    best_accuracy = checkpoint['best_accuracy'] if 'best_accuracy' in checkpoint else 0
    return epoch, best_accuracy


def _run(model, optimizer, scheduler, x, y, steps):
    for _ in range(steps):
        loss = ember.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()


def test_003_checkpoint_functions_resume_exactly(tmp_path):
    ember.manual_seed(0)
    x, y = ember.randn(64, 20), ember.randint(0, 10, (64,))

    def build():
        model = _mlp(ember)
        optimizer = ember.optim.Adam(model.parameters(), lr=1e-2)
        return model, optimizer, ember.optim.lr_scheduler.StepLR(optimizer, 3, gamma=0.5)

    ember.manual_seed(1)
    model, optimizer, scheduler = build()
    _run(model, optimizer, scheduler, x, y, 5)
    save_checkpoint(ember, model, optimizer, 5, scheduler, 0.75, tmp_path / "ckpt.pth")
    _run(model, optimizer, scheduler, x, y, 5)
    reference = {k: _np(v).copy() for k, v in model.state_dict().items()}

    model, optimizer, scheduler = build()     # fresh objects, different initial weights
    epoch, best = load_checkpoint(ember, model, optimizer, scheduler, tmp_path / "ckpt.pth")
    assert (epoch, best) == (5, 0.75)
    _run(model, optimizer, scheduler, x, y, 5)
    for k, v in model.state_dict().items():
        assert np.array_equal(_np(v), reference[k]), k


def test_003_state_dict_file_round_trip(tmp_path):
    model = _mlp(ember)
    ember.save(model.state_dict(), tmp_path / 'model.pth')
    loaded = _mlp(ember)
    loaded.load_state_dict(ember.load(tmp_path / 'model.pth'))
    loaded.eval()
    x = ember.randn(3, 20)
    assert ember.equal(loaded(x), model(x))


# ---------------------------------------------------------------- 004: data loading

def test_004_tensor_dataset_loader_with_workers():
    batches = {}
    for lib in (torch, ember):
        num_samples = 1000
        num_features = 20
        X = lib.randn(num_samples, num_features)
        y = lib.randint(0, 10, (num_samples,))
        dataset = lib.utils.data.TensorDataset(X, y)
        batch_size = 64
        data_loader = lib.utils.data.DataLoader(dataset, batch_size=batch_size,
                                                shuffle=True, num_workers=2)
        seen = [(tuple(xb.shape), tuple(yb.shape), str(xb.dtype), str(yb.dtype))
                for xb, yb in data_loader]
        rows = sorted(map(tuple, np.concatenate(
            [_np(xb) for xb, _ in data_loader]).round(6).tolist()))
        assert rows == sorted(map(tuple, _np(X).round(6).tolist()))  # every sample once
        batches[lib.__name__] = seen, len(data_loader)
    assert batches["ember"] == batches["torch"]
    assert batches["ember"][1] == 16


def test_004_custom_dataset():
    class CustomDataset(ember.utils.data.Dataset):
        def __init__(self, data, labels):
            self.data = data
            self.labels = labels

        def __len__(self):
            return len(self.data)

        def __getitem__(self, idx):
            return self.data[idx], self.labels[idx]

    data, labels = ember.arange(20.).view(10, 2), ember.arange(10)
    loader = ember.utils.data.DataLoader(CustomDataset(data, labels), batch_size=4)
    got = list(loader)
    assert [len(b[1]) for b in got] == [4, 4, 2]
    assert ember.equal(got[1][0], data[4:8]) and ember.equal(got[2][1], labels[8:])


def _write_idx(path, array):
    magic = {1: 0x00000801, 3: 0x00000803}[array.ndim]
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in array.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + array.astype(np.uint8).tobytes())


def test_004_mnist_with_transforms(tmp_path):
    pytest.importorskip("PIL")
    from ember.vision import datasets, transforms
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    images = {s: rng.integers(0, 256, (n, 28, 28)) for s, n in (("train", 100), ("t10k", 30))}
    for split, n in (("train", 100), ("t10k", 30)):
        _write_idx(raw / f"{split}-images-idx3-ubyte.gz", images[split])
        _write_idx(raw / f"{split}-labels-idx1-ubyte.gz", np.arange(n) % 10)
    # as written in 004 (root points at the tiny files; download=True finds them present)
    transform = transforms.Compose([
        transforms.ToTensor(),  # Convert image to tensor
        transforms.Normalize((0.5,), (0.5,))  # Normalize data
    ])
    trainset = datasets.MNIST(root=str(tmp_path), train=True, download=True,
                              transform=transform)
    trainloader = ember.utils.data.DataLoader(trainset, batch_size=64, shuffle=True,
                                              num_workers=2)
    testset = datasets.MNIST(root=str(tmp_path), train=False, download=True,
                             transform=transform)
    testloader = ember.utils.data.DataLoader(testset, batch_size=64, shuffle=False,
                                             num_workers=2)
    assert [tuple(x.shape) for x, _ in trainloader] == [(64, 1, 28, 28), (36, 1, 28, 28)]
    x, y = next(iter(testloader))
    assert x.dtype == ember.float32 and y.dtype == ember.int64
    expected = (images["t10k"][:30] / 255.0 - 0.5) / 0.5
    np.testing.assert_allclose(_np(x)[:, 0], expected, atol=1e-6)
    assert y.tolist() == [i % 10 for i in range(30)]


# ---------------------------------------------------------------- 001: data + optimizer

def test_001_random_split_and_the_params_list_mistake():
    dataset = ember.utils.data.TensorDataset(ember.randn(100, 4))
    train, val = ember.utils.data.random_split(dataset, [90, 10])
    assert (len(train), len(val)) == (90, 10)
    assert sorted(train.indices + val.indices) == list(range(100))
    # the notes pass a list of generators to Adam: torch refuses it, and so does ember
    for lib in (torch, ember):
        encoder = lib.nn.Sequential(lib.nn.Linear(28 * 28, 64), lib.nn.ReLU(),
                                    lib.nn.Linear(64, 3))
        decoder = lib.nn.Sequential(lib.nn.Linear(3, 64), lib.nn.ReLU(),
                                    lib.nn.Linear(64, 28 * 28))
        params = [encoder.parameters(), decoder.parameters()]
        with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
            lib.optim.Adam(params, lr=1e-3)


def test_001_freeze_pretrained_backbone_optimise_head():
    from ember.vision import models
    nn, optim = ember.nn, ember.optim
    model = models.resnet18()              # the notes use pretrained=True (a hub file)
    for param in model.parameters():
        param.requires_grad = False
    # Replace the last fully-connected layer
    model.fc = nn.Linear(512, 100)
    # Optimize only the classifier
    optimizer = optim.SGD(model.fc.parameters(), lr=1e-2, momentum=0.9)
    before = {k: _np(v).copy() for k, v in model.state_dict().items()}
    model.train()
    loss = nn.functional.cross_entropy(model(ember.randn(4, 3, 32, 32)),
                                       ember.tensor([1, 2, 3, 4]))
    loss.backward()
    optimizer.step()
    changed = {k for k, v in model.state_dict().items() if not np.array_equal(_np(v), before[k])}
    assert {"fc.weight", "fc.bias"} <= changed
    assert all(k.startswith("fc.") or "running_" in k or "num_batches" in k for k in changed)
