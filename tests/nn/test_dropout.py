"""Dropout family: train/eval behaviour, statistics, masks shared by whole channels,
reproducibility from ember's generator, repr and argument checks."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
F = ember.nn.functional


@pytest.mark.parametrize("src", ["Dropout()", "Dropout(0.2, True)", "Dropout1d(0.3)",
                                 "Dropout2d()", "Dropout3d(0.1)", "AlphaDropout(0.2)",
                                 "FeatureAlphaDropout()"])
def test_repr_and_eval_identity(src):
    em, tm = eval("ember.nn." + src), eval("torch.nn." + src)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == []
    x = ember.randn(2, 3, 4, 4, 4)
    em.eval()
    assert em(x) is x


def test_dropout_statistics_and_gradient_follows_mask():
    ember.manual_seed(0)
    x = ember.ones(20000, requires_grad=True)
    y = F.dropout(x, 0.3)
    kept = y.detach().numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, 1 / 0.7, 0.0))


def test_dropout_reproducible_from_manual_seed():
    ember.manual_seed(3)
    a = F.dropout(ember.ones(100), 0.5).numpy()
    ember.manual_seed(3)
    b = F.dropout(ember.ones(100), 0.5).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_edge_probabilities_and_errors():
    x = ember.randn(5, 4)
    assert (F.dropout(x, 1.0).numpy() == 0).all()
    np.testing.assert_array_equal(F.dropout(x, 0.0).numpy(), x.numpy())
    assert F.dropout(x, 0.5, training=False) is x
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            F.dropout(x, bad)
        with pytest.raises(ValueError):
            ember.nn.Dropout(bad)


def test_module_train_eval_switch():
    m = ember.nn.Dropout(0.5)
    x = ember.ones(1000)
    assert (m(x).numpy() == 0).any()
    m.eval()
    np.testing.assert_array_equal(m(x).numpy(), 1.0)


def test_inplace_dropout_writes_input():
    x = ember.ones(1000)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and (x.numpy() == 0).any()


@pytest.mark.parametrize("fn,shape", [(F.dropout1d, (8, 50, 6)), (F.dropout2d, (8, 50, 3, 3)),
                                      (F.dropout3d, (8, 50, 2, 2, 2)),
                                      (F.dropout2d, (50, 3, 3))])
def test_feature_dropout_zeroes_whole_channels(fn, shape):
    ember.manual_seed(1)
    y = fn(ember.ones(*shape), 0.4).numpy()
    lead = 2 if len(shape) in (3, 4, 5) and shape[0] == 8 else 1
    per_channel = y.reshape(int(np.prod(shape[:lead])), -1)
    assert (per_channel == per_channel[:, :1]).all()
    assert abs((per_channel[:, 0] == 0).mean() - 0.4) < 0.1


def test_dropout2d_rejects_bad_rank():
    with pytest.raises(RuntimeError):
        F.dropout1d(ember.ones(2, 3, 4, 5), 0.5)


def test_alpha_dropout_keeps_mean_and_variance():
    ember.manual_seed(2)
    x = ember.randn(100000)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1.0) < 0.02
    # dropped units take one shared value: the SELU saturation mapped by the affine fix
    vals, counts = np.unique(np.round(y, 10), return_counts=True)
    assert counts.max() / y.size == pytest.approx(0.2, abs=0.01)
    y2 = F.feature_alpha_dropout(ember.randn(4, 30, 5), 0.5, training=True).numpy()
    dropped = np.ptp(y2, axis=2) == 0          # a dropped channel is one constant
    assert 0.3 < dropped.mean() < 0.7
    assert F.alpha_dropout(x, 0.2) is x  # training defaults to False
