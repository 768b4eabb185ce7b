"""The small reference models: the same definition built in ember and in torch gives the
same state_dict layout and, with copied weights, the same outputs and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.vision.models import MODELS, build_model

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("in_shape", [(1, 8, 8), (3, 32, 32)])
def test_model_matches_torch(name, in_shape):
    t_model = build_model(name, in_shape, 10, nn=torch.nn).double()
    e_model = build_model(name, in_shape, 10).double()
    t_sd = t_model.state_dict()
    assert list(e_model.state_dict()) == list(t_sd)
    e_model.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_sd.items()})
    x = np.random.default_rng(0).standard_normal((4, *in_shape))
    for train in (True, False):
        t_model.train(train), e_model.train(train)
        if train:  # dropout is random: compare the deterministic parts in train mode via BN
            for m in list(t_model.modules()) + list(e_model.modules()):
                if type(m).__name__.startswith("Dropout"):
                    m.p = 0.0
        tx = torch.tensor(x, requires_grad=True)
        ex = ember.tensor(x, requires_grad=True)
        t_out, e_out = t_model(tx), e_model(ex)
        assert e_out.shape == (4, 10)
        np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(),
                                   rtol=1e-9, atol=1e-10)
        t_out.square().sum().backward()
        e_out.square().sum().backward()
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-10)
        for (k, tp), ep in zip(t_model.named_parameters(), e_model.parameters()):
            np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-8,
                                       atol=1e-10, err_msg=k)
        t_model.zero_grad(), e_model.zero_grad()


def test_unknown_model():
    with pytest.raises(ValueError, match="unknown model 'vgg'"):
        build_model("vgg", (1, 8, 8), 10)
