"""Loss modules against torch: values and input gradients for every reduction, repr,
registered buffers, error messages for bad targets."""

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)
X = rng.standard_normal((4, 3))
Y = rng.standard_normal((4, 3))
P = rng.uniform(0.05, 0.95, (4, 3))
T01 = (rng.random((4, 3)) > 0.5).astype(np.float64)
CLS = np.array([0, 2, 1, 2])
W3 = rng.uniform(0.5, 2.0, 3)
SIGN = np.array([1.0, -1.0, 1.0, -1.0])

# (constructor source with `W` for a weight tensor, inputs needing grad, constant inputs)
CASES = [
    ("L1Loss()", [X], [Y]), ("MSELoss(reduction='sum')", [X], [Y]),
    ("CrossEntropyLoss()", [X], [CLS]),
    ("CrossEntropyLoss(weight=W, ignore_index=1, reduction='sum')", [X], [CLS]),
    ("CrossEntropyLoss(weight=W, label_smoothing=0.2)", [X], [CLS]),
    ("CrossEntropyLoss(reduction='none', label_smoothing=0.1)", [X], [P / P.sum(1, keepdims=True)]),
    ("NLLLoss(weight=W)", [X], [CLS]), ("NLLLoss(reduction='none')", [X], [CLS]),
    ("BCELoss(weight=W)", [P], [T01]), ("BCEWithLogitsLoss(pos_weight=W)", [X], [T01]),
    ("BCEWithLogitsLoss(weight=W, reduction='none')", [X], [P]),
    ("KLDivLoss(reduction='batchmean')", [X], [P]),
    ("KLDivLoss(reduction='sum', log_target=True)", [X], [Y]),
    ("SmoothL1Loss(beta=0.5)", [X], [Y]), ("HuberLoss(delta=0.7)", [X], [Y]),
    ("SoftMarginLoss()", [X], [np.sign(Y)]),
    ("MultiLabelSoftMarginLoss(weight=W)", [X], [T01]),
    ("MultiLabelMarginLoss()", [X], [np.array([[0, -1, 1], [2, 1, -1], [1, 0, 2],
                                                [-1, 0, 0]])]),
    ("MultiMarginLoss()", [X], [CLS]), ("MultiMarginLoss(p=2, margin=0.5, weight=W)", [X], [CLS]),
    ("HingeEmbeddingLoss(margin=0.5)", [X], [np.sign(Y)]),
    ("CosineEmbeddingLoss(margin=0.1)", [X, Y], [SIGN]),
    ("MarginRankingLoss(margin=0.2)", [X[:, 0], Y[:, 0]], [SIGN]),
    ("TripletMarginLoss()", [X, Y, P], []), ("TripletMarginLoss(p=1, swap=True)", [X, Y, P], []),
    ("TripletMarginWithDistanceLoss(margin=2.0)", [X, Y, P], []),
    ("PoissonNLLLoss()", [X], [P * 3]), ("PoissonNLLLoss(log_input=False, full=True)", [P], [P * 3]),
    ("GaussianNLLLoss()", [X, Y], [P]), ("GaussianNLLLoss(full=True, reduction='sum')", [X], [Y, P]),
]


def _build(lib, src):
    W = lib.tensor(W3)  # noqa: F841 - used by eval
    return eval("lib.nn." + src)


@pytest.mark.parametrize("src,grad_in,const_in", CASES, ids=[c[0] for c in CASES])
def test_loss_module_matches_torch(src, grad_in, const_in):
    tm, em = _build(torch, src), _build(ember, src)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.reduction == tm.reduction
    outs, grads = [], []
    for lib, m in ((torch, tm), (ember, em)):
        xs = [lib.tensor(a, requires_grad=True) for a in grad_in]
        cs = [lib.tensor(a) for a in const_in]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = m(*xs, *cs)
        w = lib.tensor(np.random.default_rng(5).standard_normal(tuple(out.shape)))
        (out * w).sum().backward()
        outs.append(out.detach().numpy())
        grads.append([x.grad.numpy() for x in xs])
    assert outs[1].shape == outs[0].shape
    np.testing.assert_allclose(outs[1], outs[0], atol=1e-10, rtol=1e-9)
    for ge, gt in zip(grads[1], grads[0]):
        np.testing.assert_allclose(ge, gt, atol=1e-10, rtol=1e-9)


def test_legacy_size_average_reduce():
    for kw, expect in (({"size_average": False}, "sum"), ({"reduce": False}, "none"),
                       ({"size_average": True, "reduce": True}, "mean")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert ember.nn.MSELoss(**kw).reduction == expect == torch.nn.MSELoss(**kw).reduction
            e = ember.nn.functional.l1_loss(ember.tensor(X), ember.tensor(Y), **kw)
            t = torch.nn.functional.l1_loss(torch.tensor(X), torch.tensor(Y), **kw)
        np.testing.assert_allclose(e.numpy(), t.numpy())


def test_weights_are_buffers_and_move_with_the_module():
    m = ember.nn.CrossEntropyLoss(weight=ember.tensor(W3, dtype=ember.float32))
    assert [n for n, _ in m.named_buffers()] == ["weight"]
    assert m.double().weight.dtype is ember.float64
    b = ember.nn.BCEWithLogitsLoss(pos_weight=ember.ones(3))
    assert [n for n, _ in b.named_buffers()] == ["pos_weight"]


def test_bad_targets_raise_like_torch():
    F = ember.nn.functional
    with pytest.raises(IndexError, match="Target 5 is out of bounds."):
        F.cross_entropy(ember.tensor(X[:2]), ember.tensor([0, 5]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target "
                                         r"batch_size \(3\)"):
        F.nll_loss(ember.tensor(X), ember.tensor([0, 1, 1]))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(ember.tensor(P), ember.tensor(P[0]))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(ember.tensor(X), ember.tensor(X[0]))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        ember.nn.L1Loss(reduction="foo")(ember.tensor(X), ember.tensor(Y))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ember.tensor(X), ember.tensor(T01))


def test_mse_warns_on_broadcasting_target():
    with pytest.warns(UserWarning, match="Using a target size"):
        ember.nn.functional.mse_loss(ember.tensor(X), ember.tensor(Y[0]))


def test_cross_entropy_is_stable_for_huge_logits():
    x = ember.tensor([[1e4, 0.0, -1e4]], requires_grad=True)
    loss = ember.nn.functional.cross_entropy(x, ember.tensor([1]))
    loss.backward()
    assert np.isclose(loss.item(), 1e4)
    np.testing.assert_allclose(x.grad.numpy(), [[1.0, -1.0, 0.0]], atol=1e-12)


def test_cross_entropy_k_dimensional_matches_torch():
    x = rng.standard_normal((2, 3, 2, 2))
    t = rng.integers(0, 3, (2, 2, 2))
    t[0, 0, 0] = -100
    e = ember.nn.CrossEntropyLoss(label_smoothing=0.1)(ember.tensor(x), ember.tensor(t))
    tt = torch.nn.CrossEntropyLoss(label_smoothing=0.1)(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(e.item(), tt.item(), rtol=1e-12)


def test_ctc_loss_module_matches_torch():
    x = np.random.default_rng(6).standard_normal((6, 2, 4))
    tg, il, tl = np.array([[1, 2, 2], [3, 1, 0]]), np.array([6, 5]), np.array([3, 2])
    res = []
    for lib in (torch, ember):
        m = lib.nn.CTCLoss(blank=0, reduction="sum")
        a = lib.tensor(x, requires_grad=True)
        loss = m(a.log_softmax(2), lib.tensor(tg), lib.tensor(il), lib.tensor(tl))
        loss.backward()
        res.append((loss.item(), a.grad.numpy(), repr(m)))
    assert res[1][2] == res[0][2]
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-10)
    np.testing.assert_allclose(res[1][1], res[0][1], atol=1e-10)


def test_bce_at_saturated_probabilities_matches_torch():
    x, t = [0.0, 1.0, 0.5, 1e-20], [0.0, 1.0, 1.0, 1.0]
    res = []
    for lib in (torch, ember):
        xi = lib.tensor(x, dtype=lib.float64, requires_grad=True)
        loss = lib.nn.functional.binary_cross_entropy(xi, lib.tensor(t, dtype=lib.float64),
                                                      reduction="none")
        loss.sum().backward()
        res.append((loss.detach().numpy(), xi.grad.numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0])
    np.testing.assert_allclose(res[1][1], res[0][1])   # finite, no NaN at 0 and 1
