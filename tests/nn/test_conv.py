"""Conv-family layers vs torch: outputs, input and parameter gradients with copied
weights, repr, state_dict keys/shapes; plus the torch error messages."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach())


def pair(name, *args, **kwargs):
    """The same layer in both frameworks (float64), ember's with torch's weights."""
    t_mod = getattr(torch.nn, name)(*args, **kwargs).double()
    e_mod = getattr(ember.nn, name)(*args, **kwargs).double()
    sd = {k: ember.tensor(_np(v)) for k, v in t_mod.state_dict().items()}
    e_mod.load_state_dict(sd)
    return e_mod, t_mod


def check_module(name, args, kwargs, shape, *, rng=None, steps=1, call_kwargs=None,
                 atol=1e-8, eval_too=True):
    """Forward/backward ``steps`` times in train mode (then once in eval mode) and compare
    outputs, gradients, buffers, repr and state_dict keys with torch."""
    rng = rng if rng is not None else np.random.default_rng(0)
    e_mod, t_mod = pair(name, *args, **kwargs)
    assert repr(e_mod) == repr(t_mod)
    e_sd, t_sd = e_mod.state_dict(), t_mod.state_dict()
    assert list(e_sd) == list(t_sd)
    for k in t_sd:
        assert tuple(e_sd[k].shape) == tuple(t_sd[k].shape), k
    call_kwargs = call_kwargs or {}
    modes = [True] * steps + ([False] if eval_too else [])
    for train in modes:
        e_mod.train(train)
        t_mod.train(train)
        x = rng.standard_normal(shape)
        xt = torch.tensor(x, requires_grad=True)
        xe = ember.tensor(x, requires_grad=True)
        yt = t_mod(xt, **call_kwargs)
        ye = e_mod(xe, **call_kwargs)
        if isinstance(yt, tuple):
            np.testing.assert_array_equal(_np(ye[1]), _np(yt[1]))
            yt, ye = yt[0], ye[0]
        assert tuple(ye.shape) == tuple(yt.shape)
        np.testing.assert_allclose(_np(ye), _np(yt), atol=atol, rtol=1e-7)
        w = rng.standard_normal(tuple(yt.shape))
        (yt * torch.tensor(w)).sum().backward()
        (ye * ember.tensor(w)).sum().backward()
        np.testing.assert_allclose(_np(xe.grad), _np(xt.grad), atol=atol, rtol=1e-7)
        for (n, pe), (_, pt) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
            np.testing.assert_allclose(_np(pe.grad), _np(pt.grad), atol=atol, rtol=1e-7,
                                       err_msg=n)
        for (n, be), (_, bt) in zip(e_mod.named_buffers(), t_mod.named_buffers()):
            np.testing.assert_allclose(_np(be), _np(bt), atol=atol, rtol=1e-7, err_msg=n)
    return e_mod, t_mod


CASES = [
    ("Conv1d", (3, 4, 3), {}, (2, 3, 9)),
    ("Conv1d", (4, 6, 4), dict(stride=2, padding="same" if False else 2, dilation=2, groups=2,
                               bias=False), (2, 4, 11)),
    ("Conv1d", (3, 4, 4), dict(padding="same", padding_mode="circular"), (2, 3, 7)),
    ("Conv2d", (3, 5, 3), {}, (2, 3, 6, 7)),
    ("Conv2d", (4, 6, (3, 2)), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
     (2, 4, 7, 8)),
    ("Conv2d", (3, 4, 3), dict(padding="same"), (1, 3, 5, 5)),
    ("Conv2d", (3, 4, 3), dict(padding="valid"), (1, 3, 5, 5)),
    ("Conv2d", (3, 4, 3), dict(padding=1, padding_mode="reflect"), (2, 3, 5, 6)),
    ("Conv2d", (3, 4, 3), dict(padding=(2, 1), padding_mode="replicate"), (2, 3, 5, 6)),
    ("Conv2d", (3, 4, 3), dict(padding=1, padding_mode="circular", stride=2), (2, 3, 5, 6)),
    ("Conv2d", (3, 4, 3), {}, (3, 6, 6)),  # unbatched
    ("Conv3d", (2, 3, 2), dict(stride=(1, 2, 1), padding=1), (2, 2, 4, 5, 3)),
    ("ConvTranspose1d", (3, 4, 3), dict(stride=2, output_padding=1), (2, 3, 5)),
    ("ConvTranspose2d", (4, 6, (3, 2)), dict(stride=2, padding=1, output_padding=1, groups=2,
                                           dilation=(1, 2)), (2, 4, 4, 5)),
    ("ConvTranspose2d", (3, 2, 3), dict(bias=False), (3, 4, 4)),  # unbatched
    ("ConvTranspose3d", (2, 3, 2), dict(stride=2), (1, 2, 3, 2, 3)),
    ("Fold", ((4, 5), 2), dict(stride=1), (2, 12, 12)),
    ("Unfold", ((2, 3),), dict(padding=1, stride=2), (2, 3, 5, 6)),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 4)),
    ("PixelUnshuffle", (2,), {}, (2, 2, 4, 6)),
    ("Upsample", (), dict(scale_factor=2), (2, 3, 4, 5)),
    ("Upsample", (), dict(size=(7, 3), mode="bilinear", align_corners=True), (2, 3, 4, 5)),
    ("Upsample", (), dict(scale_factor=1.5, mode="bicubic"), (1, 2, 4, 5)),
    ("Upsample", (), dict(scale_factor=(2, 3, 1), mode="trilinear"), (1, 2, 2, 3, 2)),
    ("UpsamplingNearest2d", (), dict(size=(5, 9)), (1, 2, 4, 5)),
    ("UpsamplingBilinear2d", (), dict(scale_factor=2), (1, 2, 4, 5)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_matches_torch(name, args, kwargs, shape):
    check_module(name, args, kwargs, shape, eval_too=False)


def test_conv_transpose_output_size():
    e, t = pair("ConvTranspose2d", 3, 2, 3, stride=2)
    x = np.random.default_rng(1).standard_normal((1, 3, 4, 4))
    yt = t(torch.tensor(x), output_size=(10, 9))
    ye = e(ember.tensor(x), output_size=[1, 2, 10, 9])
    assert tuple(ye.shape) == tuple(yt.shape) == (1, 2, 10, 9)
    np.testing.assert_allclose(_np(ye), _np(yt), atol=1e-10)
    with pytest.raises(ValueError):
        e(ember.tensor(x), output_size=(12, 9))


def test_default_init_bounds_and_constructor_errors():
    m = ember.nn.Conv2d(4, 8, 3, groups=2)
    bound = 1 / np.sqrt(2 * 9)
    w = _np(m.weight)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(_np(m.bias)).max() <= bound
    assert m.weight.requires_grad and isinstance(m.weight, ember.nn.Parameter)
    for kwargs in (dict(groups=4), dict(padding="same", stride=2), dict(padding="full"),
                   dict(padding_mode="mirror"), dict(groups=0)):
        with pytest.raises(ValueError):
            torch.nn.Conv2d(6, 6, 3, **kwargs)
        with pytest.raises(ValueError):
            ember.nn.Conv2d(6, 6, 3, **kwargs)
    with pytest.raises(ValueError):
        ember.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")


def _msg(fn_t, fn_e):
    with pytest.raises(RuntimeError) as et:
        fn_t()
    with pytest.raises(RuntimeError) as ee:
        fn_e()
    assert str(ee.value) == str(et.value)


def test_error_messages_match_torch():
    F_t, F_e = torch.nn.functional, ember.nn.functional
    cases = [
        (lambda F, T: F.conv2d(T.ones(1, 4, 8, 8), T.ones(8, 3, 3, 3))),
        (lambda F, T: F.conv2d(T.ones(2, 3), T.ones(8, 3, 3, 3))),
        (lambda F, T: F.conv2d(T.ones(1, 3, 2, 2), T.ones(8, 3, 3, 3))),
        (lambda F, T: F.conv2d(T.ones(1, 3, 5, 5), T.ones(8, 3, 3, 3), stride=2,
                               padding="same")),
        (lambda F, T: F.conv2d(T.ones(1, 3, 5, 5), T.ones(8, 3, 3, 3), padding="foo")),
        (lambda F, T: F.conv2d(T.ones(1, 4, 5, 5), T.ones(8, 3, 3, 3), groups=2)),
        (lambda F, T: F.conv_transpose2d(T.ones(1, 4, 5, 5), T.ones(3, 8, 3, 3))),
        (lambda F, T: F.conv2d(T.ones(1, 3, 5, 5), T.ones(8, 3, 3, 3), stride=0)),
        (lambda F, T: F.max_pool2d(T.ones(1, 3, 5, 5), 3, padding=2)),
        (lambda F, T: F.avg_pool2d(T.ones(1, 3, 5, 5), 7)),
        (lambda F, T: F.pad(T.ones(1, 3, 5, 5), (1,))),
        (lambda F, T: F.layer_norm(T.ones(2, 3), (4,))),
        (lambda F, T: F.group_norm(T.ones(2, 6, 3), 4)),
        (lambda F, T: F.pixel_shuffle(T.ones(1, 3, 2, 2), 2)),
    ]
    for c in cases:
        _msg(lambda c=c: c(F_t, torch), lambda c=c: c(F_e, ember))


def test_double_backward_through_conv_matches_torch():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2))
    out = []
    for lib, F in ((torch, torch.nn.functional), (ember, ember.nn.functional)):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = F.conv2d(xt, wt, stride=(2, 1), padding=1)
        gx, gw = lib.autograd.grad((y * y).sum(), (xt, wt), create_graph=True)
        pen = (gx * gx).sum() + (gw ** 3).sum()
        out.append([_np(g) for g in lib.autograd.grad(pen, (xt, wt))])
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("name,args,shape", [
    ("LazyConv1d", (4, 3), (2, 3, 8)),
    ("LazyConv2d", (8, 3), (2, 4, 5, 5)),
    ("LazyConv3d", (2, 2), (3, 4, 4, 4)),  # unbatched
    ("LazyConvTranspose2d", (3, 2), (2, 5, 3, 4)),
])
def test_lazy_conv_infers_in_channels(name, args, shape):
    e, t = getattr(ember.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(e) == repr(t)
    assert e.has_uninitialized_params()
    ye, yt = e(ember.ones(shape)), t(torch.ones(shape))
    assert type(e).__name__ == type(t).__name__
    assert repr(e) == repr(t)
    assert tuple(ye.shape) == tuple(yt.shape)
    assert tuple(e.weight.shape) == tuple(t.weight.shape)
    assert list(e.state_dict()) == list(t.state_dict())


def _small_cnn(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(4)
            self.pool = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(4, 6, 3, stride=2, padding=1, padding_mode="reflect")
            self.gn = nn.GroupNorm(2, 6)
            self.gap = nn.AdaptiveAvgPool2d(1)
            self.head = nn.Conv2d(6, 3, 1)

        def forward(self, x):
            x = self.pool(self.bn1(self.conv1(x)).relu())
            x = self.gap(self.gn(self.conv2(x)).relu())
            return self.head(x).flatten(1)

    return Net()


def test_small_cnn_training_matches_torch_step_by_step():
    torch.manual_seed(0)
    t_net = _small_cnn(torch).double()
    e_net = _small_cnn(ember).double()
    assert list(e_net.state_dict()) == list(t_net.state_dict())
    e_net.load_state_dict({k: ember.tensor(_np(v)) for k, v in t_net.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 1, 12, 12))
    target = rng.standard_normal((8, 3))
    losses = []
    for net, lib in ((t_net, torch), (e_net, ember)):
        xs, ts, run = lib.tensor(x), lib.tensor(target), []
        for _ in range(6):
            loss = ((net(xs) - ts) ** 2).mean()
            for p in net.parameters():
                p.grad = None
            loss.backward()
            with lib.no_grad():
                for p in net.parameters():
                    p -= 0.1 * p.grad
            run.append(float(loss.item()))
        losses.append(run)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-9)
    assert losses[0][-1] < losses[0][0]
    for k, v in t_net.state_dict().items():
        np.testing.assert_allclose(_np(e_net.state_dict()[k]), _np(v), rtol=1e-8, atol=1e-10,
                                   err_msg=k)
    t_net.eval()
    e_net.eval()
    np.testing.assert_allclose(_np(e_net(ember.tensor(x))), _np(t_net(torch.tensor(x))),
                               rtol=1e-8, atol=1e-10)
