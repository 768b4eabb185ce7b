"""Snippets of seed 001 (PyTorch.Next, Ustyuzhanin) not covered by the other seed tests,
completed into small programs and run under ember and torch: the building-block table,
device placement without a GPU, the math operations, grad_fn printing, gradient cleaning,
the loss/optimizer/data-utility lists, and the Lightning-style training step."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ember

from .test_seed_snippets_helpers import assert_same, copy_weights

torch = pytest.importorskip("torch")

_rng = np.random.default_rng(1)
_X = _rng.standard_normal((2, 3, 4)).astype(np.float32)
_L = [[1.0, 2.0], [3.0, 4.0]]

# 001, "Building blocks, tensors" (lines 73-87), each completed on a fixed example
BUILDING_BLOCKS = {
    "randn(*size)": lambda lib: (lib.randn(2, 3).shape, lib.randn(2, 3).dtype),
    "ones(*size)": lambda lib: lib.ones(2, 3),
    "zeros(*size)": lambda lib: lib.zeros(3, 2),
    "Tensor(L) list": lambda lib: lib.Tensor(_L),
    "Tensor(L) ndarray": lambda lib: lib.Tensor(np.array(_L)),
    "x.clone()": lambda lib: lib.tensor(_X).clone(),
    "no_grad": lambda lib: _under_no_grad(lib),
    "requires_grad=True": lambda lib: (lib.ones(2, requires_grad=True) * 2).requires_grad,
    "x.size()": lambda lib: lib.tensor(_X).size(),
    "cat(dim=0)": lambda lib: lib.cat([lib.tensor(_X), lib.tensor(_X) * 2], dim=0),
    "x.view(a,b)": lambda lib: lib.tensor(_X).view(6, 4),
    "x.view(-1,a)": lambda lib: lib.tensor(_X).view(-1, 2),
    "x.transpose(a,b)": lambda lib: lib.tensor(_X).transpose(0, 2),
    "x.permute(*dims)": lambda lib: lib.tensor(_X).permute(2, 0, 1),
    "x.unsqueeze(dim)": lambda lib: lib.tensor(_X).unsqueeze(0),
    "x.unsqueeze(dim=2)": lambda lib: lib.tensor(_X).unsqueeze(dim=2),
    # "Math operations" (lines 151-153)
    "A.mm(B)": lambda lib: lib.tensor(_X[0]).mm(lib.tensor(_X[1]).t()),
    "A.mv(x)": lambda lib: lib.tensor(_X[0]).mv(lib.tensor(_X[1, 0])),
    "x.t()": lambda lib: lib.tensor(_X[0]).t(),
}


def _under_no_grad(lib):
    w = lib.ones(3, requires_grad=True)
    with lib.no_grad():
        y = w * 2
    return y.requires_grad, y.grad_fn, y


@pytest.mark.parametrize("name", list(BUILDING_BLOCKS))
def test_building_block_matches_torch(name):
    assert_same(BUILDING_BLOCKS[name](ember), BUILDING_BLOCKS[name](torch), where=name)


def test_math_operations_shape_errors_match_torch():
    # A.mm(B) / A.mv(x) with mismatched shapes: the same exception type
    for call in (lambda lib: lib.ones(2, 3).mm(lib.ones(2, 3)),
                 lambda lib: lib.ones(2, 3).mv(lib.ones(2))):
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError, match=r"2|3"):
            call(ember)


def test_cuda_placement_without_a_gpu_fails_like_torch():
    # 001 lines 92-99 and 107-113: device cuda:0, x.cuda(); this machine has no GPU
    for lib in (torch, ember):
        assert not lib.cuda.is_available()
        # `torch.cuda.is_available` without the call is a function object: always truthy
        assert callable(lib.cuda.is_available) and bool(lib.cuda.is_available)
        cuda0 = lib.device("cuda:0")
        assert (cuda0.type, cuda0.index, str(cuda0)) == ("cuda", 0, "cuda:0")
        assert lib.ones(2).cpu().device.type == "cpu"
    _raises_same(lambda lib: lib.ones([2, 4], dtype=lib.float64, device=lib.device("cuda:0")))
    _raises_same(lambda lib: lib.ones(2).cuda())
    _raises_same(lambda lib: lib.ones(2).cuda(0))  # torch: RuntimeError, not AssertionError


def _raises_same(call) -> None:
    """``call(lib)`` fails under both frameworks with the same type and message start."""
    errors = []
    for lib in (torch, ember):
        with pytest.raises(Exception) as info:  # noqa: B017 - compared below
            call(lib)
        errors.append(info.value)
    t_err, e_err = errors
    assert type(e_err) is type(t_err) or type(e_err).__name__ == type(t_err).__name__
    assert str(e_err).startswith(str(t_err)[:30]), (str(e_err), str(t_err))


def test_device_agnostic_args_net_and_tensor_to_device():
    # 001 lines 115-124: args.device chosen from args.disable_cuda, then net.to / tensor.to
    class Args:
        disable_cuda = False

    results = []
    for lib in (torch, ember):
        args = Args()
        if not args.disable_cuda and lib.cuda.is_available():
            args.device = lib.device("cuda")
        else:
            args.device = lib.device("cpu")
        torch.manual_seed(0)
        net = lib.nn.Linear(3, 2)
        if lib is ember:
            copy_weights(net, results[0][0])
        same = net.to(args.device)
        mytensor = lib.tensor(_X[0, :, :3]).to(args.device)
        results.append((net, same is net, str(args.device), net(mytensor)))
    assert results[0][1:3] == results[1][1:3] == (True, "cpu")
    assert_same(results[1][3], results[0][3])


def test_grad_fn_print_matches_torch(capsys):
    # 001 lines 188-213
    outs = []
    for lib in (torch, ember):
        a = lib.randn((3, 3), requires_grad=True)
        w1, w2, w3, w4 = (lib.randn((3, 3), requires_grad=True) for _ in range(4))
        b = w1 * a
        c = w2 * a
        d = w3 * b + w4 * c
        L = 10 - d
        print("The grad fn for a is", a.grad_fn)
        print("The grad fn for d is", d.grad_fn)
        print("The grad fn for L is", L.grad_fn)
        outs.append(re.sub(r"0x[0-9a-f]+", "ADDR", capsys.readouterr().out))
    assert outs[1] == outs[0]
    assert outs[0].splitlines()[:2] == ["The grad fn for a is None",
                                        "The grad fn for d is <AddBackward0 object at ADDR>"]


def test_backward_of_non_scalar_l_fails_like_torch():
    # 001: L = 10 - d is not a scalar, which is why the notes replace it by (10 - d).sum()
    for lib in (torch, ember):
        d = lib.ones(3, 3, requires_grad=True) * 2
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for "
                                               "scalar outputs"):
            (10 - d).backward()


def test_gradient_cleaning_data_zero_and_zero_grad():
    # 001 lines 286-290: gradients accumulate; clean with x.data.zero_() or zero_grad()
    grads = []
    for lib in (torch, ember):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        (w * w).sum().backward()
        accumulated = w.grad.clone()
        w.grad.data.zero_()
        after_zero = w.grad.clone()
        opt = lib.optim.SGD([w], lr=0.1)
        (3 * w).sum().backward()
        opt.zero_grad()
        grads.append((accumulated, after_zero, w.grad))
    assert_same(grads[1], grads[0])
    assert grads[1][0].tolist() == [4.0, 8.0]


def test_requires_grad_is_contagious_and_freezes():
    # 001 lines 294-296
    for lib in (torch, ember):
        frozen = lib.ones(2)
        live = lib.ones(2, requires_grad=True)
        assert not frozen.requires_grad and (frozen * live).requires_grad
        assert not (frozen * 2).requires_grad


def test_inference_mode_context():
    # 001 line 325: `with torch.inference_mode` (the call is needed in both)
    outs = []
    for lib in (torch, ember):
        w = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            y = w * 2
        outs.append((y.requires_grad, y.grad_fn, y))
        with pytest.raises((TypeError, AttributeError)):
            with lib.inference_mode:
                pass
    assert_same(outs[1], outs[0])


def _loss_inputs(lib):
    rng = np.random.default_rng(5)
    t = lib.tensor
    p = t(rng.uniform(0.1, 0.9, (4, 3)).astype(np.float32))
    x = t(rng.standard_normal((4, 3)).astype(np.float32))
    y = t(rng.standard_normal((4, 3)).astype(np.float32))
    cls = t(np.array([0, 2, 1, 2]))
    sign = t(np.array([1.0, -1.0, 1.0, -1.0], dtype=np.float32))
    binary = t((rng.uniform(size=(4, 3)) > 0.5).astype(np.float32))
    return p, x, y, cls, sign, binary


# 001 lines 347-351: nn.X for each listed loss, on inputs of the right kind
LOSSES = {
    "BCELoss": lambda nn, p, x, y, c, s, b: nn.BCELoss()(p, b),
    "CrossEntropyLoss": lambda nn, p, x, y, c, s, b: nn.CrossEntropyLoss()(x, c),
    "L1Loss": lambda nn, p, x, y, c, s, b: nn.L1Loss()(x, y),
    "MSELoss": lambda nn, p, x, y, c, s, b: nn.MSELoss()(x, y),
    "NLLLoss": lambda nn, p, x, y, c, s, b: nn.NLLLoss()(x.log_softmax(1), c),
    "SoftMarginLoss": lambda nn, p, x, y, c, s, b: nn.SoftMarginLoss()(x, b * 2 - 1),
    "MultiLabelSoftMarginLoss": lambda nn, p, x, y, c, s, b: nn.MultiLabelSoftMarginLoss()(x, b),
    "CosineEmbeddingLoss": lambda nn, p, x, y, c, s, b: nn.CosineEmbeddingLoss(0.1)(x, y, s),
    "KLDivLoss": lambda nn, p, x, y, c, s, b: nn.KLDivLoss(reduction="batchmean")(
        x.log_softmax(1), p / p.sum(1, keepdim=True)),
    "MarginRankingLoss": lambda nn, p, x, y, c, s, b: nn.MarginRankingLoss(0.2)(
        x[:, 0], y[:, 0], s),
    "HingeEmbeddingLoss": lambda nn, p, x, y, c, s, b: nn.HingeEmbeddingLoss()(
        x, b * 2 - 1),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_listed_losses_match_torch(name):
    results = []
    for lib in (torch, ember):
        inputs = _loss_inputs(lib)
        p, x = inputs[0].requires_grad_(), inputs[1].requires_grad_()
        loss = LOSSES[name](lib.nn, *inputs)
        loss.backward()
        results.append([loss] + [v.grad if v.grad is not None else lib.zeros(4, 3)
                                 for v in (p, x)])
    assert_same(results[1], results[0], rtol=1e-5, atol=1e-6, where=name)


@pytest.mark.parametrize("name", ["SGD", "Adadelta", "Adagrad", "Adam", "Adamax", "ASGD",
                                  "LBFGS", "RMSprop", "Rprop"])
def test_listed_optimizers_step_like_torch(name):
    # 001 lines 359-363: opt = optim.X(model.parameters(), ...); opt.step()
    torch.manual_seed(0)
    models = [torch.nn.Linear(3, 2)]
    models.append(ember.nn.Linear(3, 2))
    copy_weights(models[1], models[0])
    x = np.random.default_rng(2).standard_normal((6, 3)).astype(np.float32)
    for lib, model in zip((torch, ember), models):
        opt = getattr(lib.optim, name)(model.parameters(), lr=0.05)

        def closure(lib=lib, model=model, opt=opt):
            opt.zero_grad()
            loss = model(lib.tensor(x)).square().mean()
            loss.backward()
            return loss

        for _ in range(3):
            opt.step(closure)
    assert_same(models[1].weight, models[0].weight, rtol=1e-4, atol=1e-6, where=name)
    assert_same(models[1].bias, models[0].bias, rtol=1e-4, atol=1e-6, where=name)


@pytest.mark.parametrize("name", ["Adadelata", "RMSProp", "x"])
def test_misspelt_optimizer_names_fail_like_torch(name):
    # the list in the notes spells two names wrongly (and `optim.x` is a placeholder)
    for lib in (torch, ember):
        with pytest.raises(AttributeError):
            getattr(lib.optim, name)


def test_sparse_adam_refuses_dense_gradients_like_torch():
    # SparseAdam, also on the list, only takes sparse gradients (ember has no sparse ones)
    for lib in (torch, ember):
        w = lib.ones(3, requires_grad=True)
        opt = lib.optim.SparseAdam([w], lr=0.1)
        (w * w).sum().backward()
        with pytest.raises(RuntimeError):
            opt.step()


def test_dataset_tensordataset_concatdataset_and_samplers():
    # 001 lines 373-390
    out = []
    for lib in (torch, ember):
        data = lib.utils.data
        a = data.TensorDataset(lib.arange(6.0).view(3, 2), lib.arange(3))
        b = data.TensorDataset(lib.arange(4.0).view(2, 2) + 100, lib.arange(2) + 10)
        both = data.ConcatDataset([a, b])
        loader = data.DataLoader(both, batch_size=2)
        batches = [(xb, yb) for xb, yb in loader]
        seq = list(data.SequentialSampler(both))
        sub = sorted(data.SubsetRandomSampler([0, 2, 4]))
        rnd = sorted(data.RandomSampler(both))
        weighted = list(data.WeightedRandomSampler([0.0, 0.0, 1.0], 5))
        batch_idx = list(data.BatchSampler(data.SequentialSampler(both), 2, drop_last=True))
        out.append((len(both), both[3], batches, seq, sub, rnd, weighted, batch_idx))
        assert issubclass(data.SequentialSampler, data.Sampler)
        assert issubclass(data.distributed.DistributedSampler, data.Sampler)
    assert_same(out[1], out[0])


def test_abstract_sampler_and_dataset_fail_like_torch():
    # 001 lines 373 and 386: `Dataset` is abstract; `sampler.Sampler(dataset, ...)` is the
    # old signature (torch 2.13's Sampler takes no arguments)
    _raises_same(lambda lib: lib.utils.data.sampler.Sampler(lib.utils.data.TensorDataset(
        lib.ones(3))))
    _raises_same(lambda lib: lib.utils.data.Dataset()[0])


def test_lightning_training_step_as_a_plain_module():
    # 001 lines 403-410, the training_step of a LightningModule, on a plain nn.Module
    def define(lib):
        nn, F = lib.nn, lib.nn.functional

        class AutoEncoderGAN(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 2))
                self.decoder = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 8))
                self.discriminator = nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())

            def training_step(self, batch, batch_nb):
                x, y = batch
                z = self.encoder(x)
                x_hat = self.decoder(z)
                mse = F.mse_loss(x_hat, x)
                gan_regularizer = self.discriminator(x_hat)
                loss = mse + gan_regularizer
                return loss

        return AutoEncoderGAN()

    torch.manual_seed(0)
    t_model, e_model = define(torch), define(ember)
    copy_weights(e_model, t_model)
    x = np.random.default_rng(3).standard_normal((5, 8)).astype(np.float32)
    results = []
    for lib, model in ((torch, t_model), (ember, e_model)):
        loss = model.training_step((lib.tensor(x), lib.zeros(5)), 0)
        # as in the notes, the loss has one entry per sample ((5, 1)): sum it to backward
        loss.sum().backward()
        results.append((loss, model.encoder[0].weight.grad))
    assert_same(results[1], results[0], rtol=1e-5, atol=1e-6)


def test_eval_loop_mean_of_a_list_of_scalar_losses():
    # 001 line 508: val_loss = torch.mean(torch.tensor(val_loss)), val_loss a list of
    # 0-d loss tensors collected under no_grad
    out = []
    for lib in (torch, ember):
        with lib.no_grad():
            val_loss = [lib.nn.functional.mse_loss(lib.tensor(_X[i]), lib.zeros(3, 4))
                        for i in range(2)]
            out.append(lib.mean(lib.tensor(val_loss)))
    assert_same(out[1], out[0])


def test_autoencoder_loop_cuda_and_undefined_model_fail_like_torch():
    # 001 lines 456-480: encoder.cuda(0) without a GPU, and `model.train()` where the
    # snippet never defines `model`
    _raises_same(lambda lib: lib.nn.Sequential(lib.nn.Linear(28 * 28, 64)).cuda(0))
    _raises_same(lambda lib: lib.nn.Sequential(lib.nn.Linear(28 * 28, 64)).cuda())
    for lib in (torch, ember):
        encoder = lib.nn.Sequential(lib.nn.Linear(28 * 28, 64), lib.nn.ReLU(),
                                    lib.nn.Linear(64, 3))
        with pytest.raises(NameError):
            eval("model.train()", {}, {"encoder": encoder})


def test_mnist_transform_with_scalar_normalize():
    # 001 lines 464-465: transforms.Normalize(0.5, 0.5) with scalars, not tuples
    pil = pytest.importorskip("PIL.Image")
    from ember.vision import transforms
    pixels = (np.arange(784) % 256).astype(np.uint8).reshape(28, 28)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.5, 0.5)])
    out = transform(pil.fromarray(pixels))
    assert tuple(out.shape) == (1, 28, 28) and out.dtype is ember.float32
    np.testing.assert_allclose(out.numpy()[0], (pixels / 255.0 - 0.5) / 0.5, atol=1e-6)
    with_tuples = transforms.Normalize((0.5,), (0.5,))(transforms.ToTensor()(
        pil.fromarray(pixels)))
    assert ember.equal(out, with_tuples)
