"""Embedding and EmbeddingBag modules against torch: lookups, gradients (padding row,
scale_grad_by_freq), max_norm renormalisation in place, from_pretrained, repr, init."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

W = np.random.default_rng(0).standard_normal((6, 3))


def _copy(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                        tm.state_dict().items()})


def _run(m, lib, *inputs):
    out = m(*[lib.tensor(i) if isinstance(i, np.ndarray) else i for i in inputs])
    g = lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(tuple(out.shape)))
    (out * g).sum().backward()
    return out.detach().numpy(), m.weight.grad.numpy()


IDX = np.array([[0, 2, 2], [5, 1, 0]])
EMB = ["Embedding(6, 3)", "Embedding(6, 3, padding_idx=2)", "Embedding(6, 3, padding_idx=-1)",
       "Embedding(6, 3, scale_grad_by_freq=True)", "Embedding(6, 3, max_norm=1.0)",
       "Embedding(6, 3, max_norm=0.5, norm_type=1.0)"]


@pytest.mark.parametrize("src", EMB)
def test_embedding_matches_torch(src):
    tm, em = eval("torch.nn." + src).double(), eval("ember.nn." + src).double()
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict()) == ["weight"]
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(W))
    _copy(tm, em)
    t_out, t_g = _run(tm, torch, IDX)
    e_out, e_g = _run(em, ember, IDX)
    np.testing.assert_allclose(e_out, t_out, atol=1e-12)
    np.testing.assert_allclose(e_g, t_g, atol=1e-12)
    # max_norm renormalises the looked-up rows of the weight in place
    np.testing.assert_allclose(em.weight.detach().numpy(), tm.weight.detach().numpy(),
                               atol=1e-12)


def test_embedding_init_and_padding_row():
    ember.manual_seed(0)
    m = ember.nn.Embedding(2000, 8, padding_idx=3)
    w = m.weight.detach().numpy()
    assert (w[3] == 0).all()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1.0) < 0.02   # N(0, 1) like torch


def test_from_pretrained():
    w = ember.tensor(W)
    m = ember.nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad and m.num_embeddings == 6 and m.embedding_dim == 3
    np.testing.assert_array_equal(m(ember.tensor([1, 4])).numpy(), W[[1, 4]])
    m2 = ember.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=0)
    assert m2.weight.requires_grad and repr(m2) == "Embedding(6, 3, padding_idx=0)"
    b = ember.nn.EmbeddingBag.from_pretrained(w, mode="sum")
    np.testing.assert_allclose(b(ember.tensor([[1, 4]])).numpy(), W[[1]] + W[[4]])


def test_embedding_errors():
    m = ember.nn.Embedding(4, 2)
    with pytest.raises(IndexError):
        m(ember.tensor([0, 4]))
    with pytest.raises(RuntimeError):
        m(ember.tensor([0.0, 1.0]))
    with pytest.raises(AssertionError):
        ember.nn.Embedding(4, 2, padding_idx=4)


BAGS = [("EmbeddingBag(6, 3)", (IDX,)),
        ("EmbeddingBag(6, 3, mode='sum')", (np.array([0, 2, 2, 5, 1, 0, 4]),
                                            np.array([0, 3, 3, 5]))),
        ("EmbeddingBag(6, 3, mode='max')", (np.array([0, 2, 2, 5, 1, 0, 4]),
                                            np.array([0, 3, 5]))),
        ("EmbeddingBag(6, 3, mode='mean', padding_idx=2)", (np.array([0, 2, 2, 5, 1]),
                                                            np.array([0, 2, 3]))),
        ("EmbeddingBag(6, 3, include_last_offset=True)", (np.array([0, 2, 2, 5, 1]),
                                                          np.array([0, 2, 5])))]


@pytest.mark.parametrize("src,inputs", BAGS, ids=[b[0] for b in BAGS])
def test_embedding_bag_matches_torch(src, inputs):
    tm, em = eval("torch.nn." + src).double(), eval("ember.nn." + src).double()
    assert repr(em) == repr(tm)
    _copy(tm, em)
    t = _run(tm, torch, *inputs)
    e = _run(em, ember, *inputs)
    for a, b in zip(e, t):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_embedding_bag_per_sample_weights():
    tm = torch.nn.EmbeddingBag(6, 3, mode="sum").double()
    em = ember.nn.EmbeddingBag(6, 3, mode="sum").double()
    _copy(tm, em)
    idx, off, psw = np.array([0, 2, 5, 1]), np.array([0, 1]), np.array([0.5, 2.0, -1.0, 3.0])
    t = tm(torch.tensor(idx), torch.tensor(off), torch.tensor(psw))
    e = em(ember.tensor(idx), ember.tensor(off), ember.tensor(psw))
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), atol=1e-12)
    with pytest.raises(NotImplementedError):
        ember.nn.EmbeddingBag(6, 3)(ember.tensor(idx), ember.tensor(off), ember.tensor(psw))
