"""MultiheadAttention, Transformer* and scaled_dot_product_attention against torch (float64,
identical weights): outputs, attention weights, input and parameter gradients."""

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as EF

RNG = np.random.default_rng(0)
TOL = dict(rtol=1e-9, atol=1e-10)


def _e(a, requires_grad=False):
    t = ember.tensor(np.array(a))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _t(a, requires_grad=False):
    return torch.tensor(np.array(a), requires_grad=requires_grad)


def _np(x):
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def _pair(cls_name, *args, **kwargs):
    torch.manual_seed(0)
    tm = getattr(torch.nn, cls_name)(*args, dtype=torch.float64, **kwargs)
    em = getattr(ember.nn, cls_name)(*args, dtype=ember.float64, **kwargs)
    assert list(em.state_dict()) == list(tm.state_dict())
    # give biases non-zero values so their gradients and effects are exercised
    with torch.no_grad():
        for p in tm.parameters():
            p.add_(torch.randn(p.shape, dtype=p.dtype) * 0.1)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, em


def _mask(m, lib):
    if m is None:
        return None
    return _t(m) if lib == "torch" else _e(m)


def _check(tm, em, inputs, masks, tol=None):
    """Run both modules, compare output(s), then gradients of a weighted sum."""
    if tol is None:
        # ember's float64 gelu differs from torch's erf-based one by ~1e-9
        gelu = any(getattr(m, "activation", None) is EF.gelu for m in em.modules())
        tol = dict(rtol=1e-6, atol=1e-7) if gelu else TOL
    t_in = [_t(a, True) for a in inputs]
    e_in = [_e(a, True) for a in inputs]
    t_kw = {k: _mask(v, "torch") if isinstance(v, np.ndarray) else v for k, v in masks.items()}
    e_kw = {k: _mask(v, "ember") if isinstance(v, np.ndarray) else v for k, v in masks.items()}
    t_out = tm(*t_in, **t_kw)
    e_out = em(*e_in, **e_kw)
    if isinstance(t_out, tuple):
        t_out, t_w = t_out
        e_out, e_w = e_out
        if t_w is None:
            assert e_w is None
        else:
            np.testing.assert_allclose(_np(e_w), _np(t_w), **tol)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(_np(e_out), _np(t_out), **tol)
    g = RNG.standard_normal(tuple(t_out.shape))
    (t_out * _t(g)).sum().backward()
    (e_out * _e(g)).sum().backward()
    for ti, ei in zip(t_in, e_in):
        np.testing.assert_allclose(_np(ei.grad), _np(ti.grad), **tol)
    t_params = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        tg = t_params[name].grad
        if tg is None:
            assert p.grad is None or np.all(_np(p.grad) == 0), name
        else:
            np.testing.assert_allclose(_np(p.grad), _np(tg), **tol, err_msg=name)


def _x(*shape):
    return RNG.standard_normal(shape)


# ---------------------------------------------------------------- scaled_dot_product_attention

@pytest.mark.parametrize("case", [
    dict(),
    dict(is_causal=True),
    dict(scale=0.3),
    dict(mask="bool"),
    dict(mask="float"),
    dict(mask="bool", L=3, S=6),
    dict(is_causal=True, L=5, S=3),
    dict(gqa=True),
])
def test_sdpa_matches_torch(case):
    L, S, E = case.get("L", 4), case.get("S", 4), 6
    hk = 2 if case.get("gqa") else 4
    q, k, v = _x(2, 4, L, E), _x(2, hk, S, E), _x(2, hk, S, 5)
    m = None
    if case.get("mask") == "bool":
        m = RNG.random((L, S)) > 0.3
        m[:, 0] = True
    elif case.get("mask") == "float":
        m = _x(2, 1, L, S)
    kw = dict(is_causal=case.get("is_causal", False), scale=case.get("scale"),
              enable_gqa=case.get("gqa", False))
    tq, tk, tv = (_t(a, True) for a in (q, k, v))
    eq, ek, ev = (_e(a, True) for a in (q, k, v))
    to = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=_mask(m, "torch"),
                                                          **kw)
    eo = EF.scaled_dot_product_attention(eq, ek, ev, attn_mask=_mask(m, "ember"), **kw)
    np.testing.assert_allclose(_np(eo), _np(to), **TOL)
    g = _x(*to.shape)
    (to * _t(g)).sum().backward()
    (eo * _e(g)).sum().backward()
    for a, b in ((eq, tq), (ek, tk), (ev, tv)):
        np.testing.assert_allclose(_np(a.grad), _np(b.grad), **TOL)


def test_sdpa_fully_masked_row_gives_zeros_like_torch():
    q, k, v = _x(1, 3, 4), _x(1, 5, 4), _x(1, 5, 4)
    m = np.ones((3, 5), dtype=bool)
    m[1] = False
    tq = _t(q, True)
    eq = _e(q, True)
    to = torch.nn.functional.scaled_dot_product_attention(tq, _t(k), _t(v), attn_mask=_t(m))
    eo = EF.scaled_dot_product_attention(eq, _e(k), _e(v), attn_mask=_e(m))
    np.testing.assert_allclose(_np(eo), _np(to), **TOL)
    assert np.all(_np(eo)[0, 1] == 0)
    to.sum().backward()
    eo.sum().backward()
    np.testing.assert_allclose(_np(eq.grad), _np(tq.grad), **TOL)


def test_sdpa_double_backward():
    q, k, v = (_e(_x(2, 3, 4), True) for _ in range(3))
    assert ember.autograd.gradcheck(
        lambda a, b, c: EF.scaled_dot_product_attention(a, b, c, is_causal=True), (q, k, v))
    assert ember.autograd.gradgradcheck(
        lambda a, b, c: EF.scaled_dot_product_attention(a, b, c), (q, k, v))


def test_sdpa_dropout_zeroes_and_rescales():
    ember.manual_seed(0)
    q = _e(np.zeros((1, 8, 4)))
    v = _e(np.ones((1, 8, 4)))
    out = _np(EF.scaled_dot_product_attention(q, q, v, dropout_p=0.5))
    # uniform attention 1/8 over ones: each kept weight becomes 1/4, so sums are k/4
    assert np.allclose(out * 4, np.round(out * 4))
    assert not np.allclose(out, 1.0)


# ---------------------------------------------------------------- MultiheadAttention

MHA_CASES = [
    dict(),
    dict(batch_first=True),
    dict(bias=False),
    dict(add_bias_kv=True),
    dict(add_zero_attn=True),
    dict(add_bias_kv=True, add_zero_attn=True, kpm="bool", mask="bool2"),
    dict(kdim=5, vdim=3),
    dict(kdim=5, vdim=3, batch_first=True, kpm="float"),
    dict(mask="bool2"),
    dict(mask="float2"),
    dict(mask="bool3"),
    dict(mask="float3"),
    dict(kpm="bool"),
    dict(kpm="float"),
    dict(kpm="bool", mask="float2", need_weights=False),
    dict(need_weights=False),
    dict(average=False),
    dict(self_attn=True),
    dict(self_attn=True, mask="causal", is_causal=True, need_weights=False),
    dict(unbatched=True),
    dict(unbatched=True, kpm="bool", mask="bool2"),
]


@pytest.mark.parametrize("case", MHA_CASES, ids=[str(c) for c in MHA_CASES])
def test_multihead_attention_matches_torch(case):
    E, H, N, L, S = 8, 2, 3, 4, 5
    kdim, vdim = case.get("kdim", E), case.get("vdim", E)
    ctor = {k: case[k] for k in ("batch_first", "bias", "add_bias_kv", "add_zero_attn",
                                 "kdim", "vdim") if k in case}
    tm, em = _pair("MultiheadAttention", E, H, **ctor)
    bf = case.get("batch_first", False)
    if case.get("self_attn"):
        S = L
    def shape(n, d):
        if case.get("unbatched"):
            return (n, d)
        return (N, n, d) if bf else (n, N, d)
    masks = {}
    mk = case.get("mask")
    if mk == "bool2":
        m = RNG.random((L, S)) < 0.3
        m[:, 0] = False
        masks["attn_mask"] = m
    elif mk == "float2":
        masks["attn_mask"] = _x(L, S)
    elif mk == "bool3":
        m = RNG.random((N * H, L, S)) < 0.3
        m[..., 0] = False
        masks["attn_mask"] = m
    elif mk == "float3":
        masks["attn_mask"] = _x(N * H, L, S)
    elif mk == "causal":
        masks["attn_mask"] = np.triu(np.full((L, S), -np.inf), 1)
    kp = case.get("kpm")
    if kp is not None:
        m = RNG.random((S,) if case.get("unbatched") else (N, S)) < 0.3
        m[..., 0] = False
        masks["key_padding_mask"] = m if kp == "bool" else np.where(m, -np.inf, 0.0)
    for key in ("need_weights", "is_causal"):
        if key in case:
            masks[key] = case[key]
    if "average" in case:
        masks["average_attn_weights"] = case["average"]
    if case.get("self_attn"):
        x = _x(*shape(L, E))
        t_x, e_x = _t(x, True), _e(x, True)
        t_out, t_w = tm(t_x, t_x, t_x, **{k: _mask(v, "torch") if isinstance(v, np.ndarray)
                                          else v for k, v in masks.items()})
        e_out, e_w = em(e_x, e_x, e_x, **{k: _mask(v, "ember") if isinstance(v, np.ndarray)
                                          else v for k, v in masks.items()})
        np.testing.assert_allclose(_np(e_out), _np(t_out), **TOL)
        assert (e_w is None) == (t_w is None)
        if t_w is not None:
            np.testing.assert_allclose(_np(e_w), _np(t_w), **TOL)
        g = _x(*t_out.shape)
        (t_out * _t(g)).sum().backward()
        (e_out * _e(g)).sum().backward()
        np.testing.assert_allclose(_np(e_x.grad), _np(t_x.grad), **TOL)
        for name, p in em.named_parameters():
            np.testing.assert_allclose(_np(p.grad), _np(dict(tm.named_parameters())[name].grad),
                                       **TOL, err_msg=name)
        return
    inputs = [_x(*shape(L, E)), _x(*shape(S, kdim)), _x(*shape(S, vdim))]
    _check(tm, em, inputs, masks)


def test_multihead_attention_parameters_and_init():
    m = ember.nn.MultiheadAttention(8, 2)
    assert [n for n, _ in m.named_parameters()] == ["in_proj_weight", "in_proj_bias",
                                                   "out_proj.weight", "out_proj.bias"]
    assert np.all(_np(m.in_proj_bias) == 0) and np.all(_np(m.out_proj.bias) == 0)
    bound = np.sqrt(6.0 / (8 + 24))
    w = _np(m.in_proj_weight)
    assert np.abs(w).max() <= bound and w.std() > bound / 3
    assert m.q_proj_weight is None
    m2 = ember.nn.MultiheadAttention(8, 2, kdim=4, vdim=6, add_bias_kv=True, bias=False)
    tm2 = torch.nn.MultiheadAttention(8, 2, kdim=4, vdim=6, add_bias_kv=True, bias=False)
    assert list(m2.state_dict()) == list(tm2.state_dict())
    assert {k: tuple(v.shape) for k, v in m2.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in tm2.state_dict().items()}
    assert m2.in_proj_weight is None and m2.in_proj_bias is None
    assert repr(m2) == repr(tm2)


def test_multihead_attention_errors():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        ember.nn.MultiheadAttention(10, 3)
    m = ember.nn.MultiheadAttention(8, 2, dtype=ember.float64)
    x = _e(_x(4, 2, 8))
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        m(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        m(x, x, x, attn_mask=_e(np.zeros((3, 4))))


def test_multihead_attention_dropout_in_training_only():
    m = ember.nn.MultiheadAttention(8, 2, dropout=0.5, dtype=ember.float64)
    x = _e(_x(4, 2, 8))
    m.eval()
    a = _np(m(x, x, x)[0])
    b = _np(m(x, x, x)[0])
    np.testing.assert_array_equal(a, b)
    m.train()
    ember.manual_seed(1)
    c = _np(m(x, x, x)[1])
    assert not np.allclose(c, _np(m.eval()(x, x, x)[1]))


def test_functional_multi_head_attention_forward_matches_torch():
    E, H = 6, 3
    q, k, v = _x(4, 2, E), _x(5, 2, E), _x(5, 2, E)
    w, b, ow, ob = _x(3 * E, E), _x(3 * E), _x(E, E), _x(E)
    t_args = [_t(a) for a in (q, k, v)] + [E, H, _t(w), _t(b), None, None, False, 0.0,
                                           _t(ow), _t(ob)]
    e_args = [_e(a) for a in (q, k, v)] + [E, H, _e(w), _e(b), None, None, False, 0.0,
                                           _e(ow), _e(ob)]
    to, tw = torch.nn.functional.multi_head_attention_forward(*t_args)
    eo, ew = EF.multi_head_attention_forward(*e_args)
    np.testing.assert_allclose(_np(eo), _np(to), **TOL)
    np.testing.assert_allclose(_np(ew), _np(tw), **TOL)


# ---------------------------------------------------------------- Transformer layers

def _layer_kwargs(case):
    kw = dict(dim_feedforward=12, dropout=0.0)
    for k in ("batch_first", "norm_first", "activation", "bias", "layer_norm_eps"):
        if k in case:
            kw[k] = case[k]
    return kw


LAYER_CASES = [
    dict(),
    dict(batch_first=True),
    dict(norm_first=True),
    dict(activation="gelu"),
    dict(activation="relu", bias=False),
    dict(layer_norm_eps=1e-3, norm_first=True, batch_first=True),
    dict(mask="causal"),
    dict(mask="causal", is_causal=True),
    dict(mask="bool", kpm=True),
    dict(kpm=True, batch_first=True),
    dict(unbatched=True, mask="causal"),
]


def _seq(case, n, d, N=3):
    if case.get("unbatched"):
        return _x(n, d)
    return _x(N, n, d) if case.get("batch_first") else _x(n, N, d)


def _make_mask(kind, L, S):
    if kind == "causal":
        return np.triu(np.full((L, S), -np.inf), 1)
    if kind == "bool":
        m = RNG.random((L, S)) < 0.3
        m[:, 0] = False
        return m
    return None


def _kpm(case, S, N=3):
    m = RNG.random((S,) if case.get("unbatched") else (N, S)) < 0.3
    m[..., 0] = False
    return m


@pytest.mark.parametrize("case", LAYER_CASES, ids=[str(c) for c in LAYER_CASES])
def test_encoder_layer_matches_torch(case):
    tm, em = _pair("TransformerEncoderLayer", 8, 2, **_layer_kwargs(case))
    L = 5
    masks = {}
    if "mask" in case:
        masks["src_mask"] = _make_mask(case["mask"], L, L)
    if case.get("kpm"):
        masks["src_key_padding_mask"] = _kpm(case, L)
    if "is_causal" in case:
        masks["is_causal"] = case["is_causal"]
    _check(tm, em, [_seq(case, L, 8)], masks)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[str(c) for c in LAYER_CASES])
def test_decoder_layer_matches_torch(case):
    tm, em = _pair("TransformerDecoderLayer", 8, 2, **_layer_kwargs(case))
    L, S = 4, 6
    masks = {}
    if "mask" in case:
        masks["tgt_mask"] = _make_mask(case["mask"], L, L)
        masks["memory_mask"] = _make_mask("bool", L, S)
    if case.get("kpm"):
        masks["tgt_key_padding_mask"] = _kpm(case, L)
        masks["memory_key_padding_mask"] = _kpm(case, S)
    if "is_causal" in case:
        masks["tgt_is_causal"] = case["is_causal"]
    _check(tm, em, [_seq(case, L, 8), _seq(case, S, 8)], masks)


def test_encoder_layer_callable_activation_and_bad_string():
    tm, em = _pair("TransformerEncoderLayer", 8, 2, dim_feedforward=12, dropout=0.0)
    tm.activation = torch.nn.functional.silu
    em.activation = EF.silu
    _check(tm, em, [_x(5, 2, 8)], {})
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        ember.nn.TransformerEncoderLayer(8, 2, activation="tanh")


STACK_CASES = [
    dict(),
    dict(batch_first=True, norm=True),
    dict(norm_first=True, norm=True, mask="causal", kpm=True),
    dict(mask="causal", activation="gelu"),
]


@pytest.mark.parametrize("case", STACK_CASES, ids=[str(c) for c in STACK_CASES])
def test_encoder_and_decoder_stacks_match_torch(case):
    kw = _layer_kwargs(case)
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, dtype=torch.float64, **kw)
    el = ember.nn.TransformerEncoderLayer(8, 2, dtype=ember.float64, **kw)
    tn = torch.nn.LayerNorm(8, dtype=torch.float64) if case.get("norm") else None
    en = ember.nn.LayerNorm(8, dtype=ember.float64) if case.get("norm") else None
    with pytest.warns(UserWarning) if not case.get("batch_first") or case.get("norm_first") \
            else _nowarn():
        tm = torch.nn.TransformerEncoder(tl, 2, norm=tn)
    em = ember.nn.TransformerEncoder(el, 2, norm=en)
    assert list(em.state_dict()) == list(tm.state_dict())
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    L = 5
    masks = {}
    if "mask" in case:
        masks["mask"] = _make_mask(case["mask"], L, L)
    if case.get("kpm"):
        masks["src_key_padding_mask"] = _kpm(case, L)
    _check(tm, em, [_seq(case, L, 8)], masks)

    td = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(
        8, 2, dtype=torch.float64, **kw), 2, norm=tn)
    ed = ember.nn.TransformerDecoder(ember.nn.TransformerDecoderLayer(
        8, 2, dtype=ember.float64, **kw), 2, norm=en)
    assert list(ed.state_dict()) == list(td.state_dict())
    ed.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in td.state_dict().items()})
    masks = {}
    if "mask" in case:
        masks["tgt_mask"] = _make_mask(case["mask"], 4, 4)
    if case.get("kpm"):
        masks["tgt_key_padding_mask"] = _kpm(case, 4)
        masks["memory_key_padding_mask"] = _kpm(case, L)
    _check(td, ed, [_seq(case, 4, 8), _seq(case, L, 8)], masks)


class _nowarn:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


TRANSFORMER_CASES = [
    dict(),
    dict(batch_first=True, norm_first=True, activation="gelu"),
    dict(masks=True),
    dict(masks=True, batch_first=True),
    dict(unbatched=True, masks=True),
]


@pytest.mark.parametrize("case", TRANSFORMER_CASES, ids=[str(c) for c in TRANSFORMER_CASES])
def test_transformer_matches_torch(case, recwarn):
    kw = _layer_kwargs(case)
    tm, em = _pair("Transformer", 8, 2, 2, 2, **kw)
    Ls, Lt = 5, 4
    masks = {}
    if case.get("masks"):
        masks["tgt_mask"] = em.generate_square_subsequent_mask(Lt, dtype=ember.float64).numpy()
        masks["src_mask"] = _make_mask("bool", Ls, Ls)
        masks["memory_mask"] = _make_mask("bool", Lt, Ls)
        masks["src_key_padding_mask"] = _kpm(case, Ls)
        masks["tgt_key_padding_mask"] = _kpm(case, Lt)
        masks["memory_key_padding_mask"] = _kpm(case, Ls)
    _check(tm, em, [_seq(case, Ls, 8), _seq(case, Lt, 8)], masks)


def test_transformer_state_dict_repr_and_mask(recwarn):
    tm = torch.nn.Transformer(16, 4, 2, 1, 32)
    em = ember.nn.Transformer(16, 4, 2, 1, 32)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert {k: tuple(v.shape) for k, v in em.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in tm.state_dict().items()}
    assert repr(em) == repr(tm)
    assert "encoder.layers.0.self_attn.in_proj_weight" in em.state_dict()
    assert "decoder.layers.0.multihead_attn.out_proj.bias" in em.state_dict()
    m = ember.nn.Transformer.generate_square_subsequent_mask(4)
    tmk = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert m.dtype == ember.float32
    np.testing.assert_array_equal(m.numpy(), tmk.numpy())
    # xavier init of every matrix: all within the xavier bound
    w = _np(em.encoder.layers[0].linear1.weight)
    assert np.abs(w).max() <= np.sqrt(6.0 / (16 + 32))
    assert em.d_model == 16 and em.nhead == 4 and em.batch_first is False


def test_transformer_errors(recwarn):
    m = ember.nn.Transformer(8, 2, 1, 1, 12, dtype=ember.float64)
    with pytest.raises(RuntimeError, match="batch number of src and tgt"):
        m(_e(_x(5, 2, 8)), _e(_x(4, 3, 8)))
    with pytest.raises(RuntimeError, match="feature number of src and tgt"):
        m(_e(_x(5, 2, 8)), _e(_x(4, 2, 6)))
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        ember.nn.Transformer(10, 4)


def test_multihead_attention_double_backward():
    m = ember.nn.MultiheadAttention(4, 2, dtype=ember.float64, kdim=3, vdim=3)
    q, k = _e(_x(3, 1, 4), True), _e(_x(2, 1, 3), True)
    mask = _e(np.array([[False, True], [False, False], [True, False]]))
    assert ember.autograd.gradgradcheck(lambda a, b: m(a, b, b, attn_mask=mask)[0], (q, k))
    assert ember.autograd.gradgradcheck(
        lambda a, b: m(a, b, b, attn_mask=mask, need_weights=False)[0], (q, k))


def test_encoder_layer_module_activation_repr_and_values():
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 12, 0.0, activation=torch.nn.GELU(),
                                          dtype=torch.float64)
    el = ember.nn.TransformerEncoderLayer(8, 2, 12, 0.0, activation=ember.nn.GELU(),
                                          dtype=ember.float64)
    assert repr(el) == repr(tl)
    assert list(el.state_dict()) == list(tl.state_dict())
    el.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tl.state_dict().items()})
    _check(tl, el, [_x(5, 2, 8)], {}, tol=dict(rtol=1e-6, atol=1e-7))


def test_encoder_layer_dropout_active_in_training():
    el = ember.nn.TransformerEncoderLayer(8, 2, 12, dropout=0.5, dtype=ember.float64)
    x = _e(_x(5, 2, 8))
    ember.manual_seed(0)
    a = _np(el(x))
    b = _np(el(x))
    assert not np.allclose(a, b)
    el.eval()
    np.testing.assert_array_equal(_np(el(x)), _np(el(x)))


def test_encoder_detects_causal_mask_like_torch():
    from ember.nn.modules.transformer import _detect_is_causal_mask
    m = ember.nn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64)
    assert _detect_is_causal_mask(m) is True
    assert _detect_is_causal_mask(m, size=5) is False
    assert _detect_is_causal_mask(_e(np.zeros((4, 4)))) is False
    assert _detect_is_causal_mask(None, True) is True


@pytest.mark.parametrize("heads,batch_first", [(2, True), (1, True), (2, False)])
def test_encoder_inference_padding_and_nested_warning_like_torch(heads, batch_first):
    """torch's eval/no-grad encoder packs left-aligned padded batches (padded rows come out
    as zeros before the final norm) and warns at construction when it cannot."""
    import warnings
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        tm = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(
            8, heads, 12, 0.0, batch_first=batch_first, dtype=torch.float64), 2,
            norm=torch.nn.LayerNorm(8, dtype=torch.float64))
    with warnings.catch_warnings(record=True) as ew:
        warnings.simplefilter("always")
        em = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(
            8, heads, 12, 0.0, batch_first=batch_first, dtype=ember.float64), 2,
            norm=ember.nn.LayerNorm(8, dtype=ember.float64))
    assert [str(w.message) for w in ew] == [str(w.message) for w in tw]
    assert em.use_nested_tensor == tm.use_nested_tensor
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tm.eval()
    em.eval()
    x = _x(3, 5, 8) if batch_first else _x(5, 3, 8)
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    kpm[1, 4:] = True
    for kp in (kpm, np.where(kpm, -np.inf, 0.0)):
        with torch.no_grad():
            a = tm(_t(x), src_key_padding_mask=_t(kp)).numpy()
        with ember.no_grad():
            b = em(_e(x), src_key_padding_mask=_e(kp)).numpy()
        np.testing.assert_allclose(b, a, **TOL)


def test_sdpa_errors_like_torch():
    q = _x(1, 3, 4)
    cases = [dict(attn_mask=np.ones((3, 3), bool), is_causal=True),
             dict(attn_mask=np.zeros((3, 3)), is_causal=True),
             dict(attn_mask=np.zeros((3, 3), dtype=np.int64)),
             dict(attn_mask=np.zeros((3, 3), dtype=np.float16))]
    for kw in cases:
        t_kw = {k: _t(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        e_kw = {k: _e(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.scaled_dot_product_attention(_t(q), _t(q), _t(q), **t_kw)
        with pytest.raises(RuntimeError) as ee:
            EF.scaled_dot_product_attention(_e(q), _e(q), _e(q), **e_kw)
        assert str(ee.value) == str(te.value)
    # a float32 mask is accepted with a float64 query (and promotes like torch)
    m = _x(3, 3).astype(np.float32)
    a = torch.nn.functional.scaled_dot_product_attention(_t(q), _t(q), _t(q), attn_mask=_t(m))
    b = EF.scaled_dot_product_attention(_e(q), _e(q), _e(q), attn_mask=_e(m))
    assert b.dtype == ember.float64
    np.testing.assert_allclose(_np(b), _np(a), **TOL)


@pytest.mark.parametrize("opts", [
    dict(separate=True),
    dict(separate=True, bias_kv=True, need_weights=False),
    dict(static=True),
    dict(static=True, zero_attn=True, need_weights=False, average_attn_weights=False),
])
def test_functional_mha_options_match_torch(opts):
    E, H, N, L, S = 6, 2, 2, 4, 5
    arrs = dict(q=_x(L, N, E), k=_x(S, N, E), v=_x(S, N, E), w=_x(3 * E, E), b=_x(3 * E),
                ow=_x(E, E), ob=_x(E), qw=_x(E, E), kw=_x(E, E), vw=_x(E, E),
                bk=_x(1, 1, E), bv=_x(1, 1, E), sk=_x(N * H, S + 1, E // H),
                sv=_x(N * H, S + 1, E // H))

    def run(f, conv):
        a = {k: conv(v) for k, v in arrs.items()}
        kw = dict(need_weights=opts.get("need_weights", True),
                  average_attn_weights=opts.get("average_attn_weights", True))
        if opts.get("separate"):
            kw.update(use_separate_proj_weight=True, q_proj_weight=a["qw"],
                      k_proj_weight=a["kw"], v_proj_weight=a["vw"])
        if opts.get("static"):
            kw.update(static_k=a["sk"], static_v=a["sv"])
        bk, bv = (a["bk"], a["bv"]) if opts.get("bias_kv") else (None, None)
        return f(a["q"], a["k"], a["v"], E, H, None if opts.get("separate") else a["w"], a["b"],
                 bk, bv, opts.get("zero_attn", False), 0.0, a["ow"], a["ob"], **kw)

    to, tw = run(torch.nn.functional.multi_head_attention_forward, _t)
    eo, ew = run(EF.multi_head_attention_forward, _e)
    np.testing.assert_allclose(_np(eo), _np(to), **TOL)
    assert (ew is None) == (tw is None)
    if tw is not None:
        np.testing.assert_allclose(_np(ew), _np(tw), **TOL)


@pytest.mark.parametrize("train", [True, False])
def test_transformer_float32_default_dtype_matches_torch(train, recwarn):
    torch.manual_seed(0)
    tm = torch.nn.Transformer(16, 4, 2, 2, 32, dropout=0.0, batch_first=True)
    em = ember.nn.Transformer(16, 4, 2, 2, 32, dropout=0.0, batch_first=True)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tm.train(train)
    em.train(train)
    s = _x(3, 5, 16).astype(np.float32)
    t = _x(3, 4, 16).astype(np.float32)
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    with torch.set_grad_enabled(train):
        a = tm(_t(s), _t(t), tgt_mask=tm.generate_square_subsequent_mask(4),
               src_key_padding_mask=_t(kpm), memory_key_padding_mask=_t(kpm))
    with ember.set_grad_enabled(train):
        b = em(_e(s), _e(t), tgt_mask=em.generate_square_subsequent_mask(4),
               src_key_padding_mask=_e(kpm), memory_key_padding_mask=_e(kpm))
    assert b.dtype == ember.float32
    np.testing.assert_allclose(_np(b), _np(a), rtol=1e-4, atol=1e-5)
