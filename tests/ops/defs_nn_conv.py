"""Registry entries for nn.functional convolution, pooling and normalization ops."""

from tests.opinfo import OpInfo, S, arr, positive

F = "nn.functional."


def _conv(nd):
    def samples(dt, rng):
        sp = (5, 4, 3)[:nd]
        k = (3, 2, 2)[:nd]
        out = [S(arr((2, 2) + sp, dt, rng), arr((3, 2) + k, dt, rng), arr((3,), dt, rng)),
               S(arr((2, 4) + sp, dt, rng), arr((4, 2) + k, dt, rng), None, stride=2, padding=1,
                 dilation=1, groups=2),
               S(arr((1, 2) + sp, dt, rng), arr((2, 2) + k, dt, rng), padding="same"),
               S(arr((2,) + sp, dt, rng), arr((3, 2) + k, dt, rng))]  # unbatched
        if nd < 3:
            out.append(S(arr((1, 2) + sp, dt, rng), arr((2, 1) + k, dt, rng), groups=2,
                         dilation=2, padding=2))
        return out

    def errors():
        sp = (5, 4, 3)[:nd]
        k = (3, 2, 2)[:nd]
        return [(S(arr((1, 3) + sp), arr((2, 2) + k)), RuntimeError),
                (S(arr(sp), arr((2, 2) + k)), RuntimeError),
                (S(arr((1, 2) + sp), arr((2, 2) + k), stride=2, padding="same"), RuntimeError),
                (S(arr((1, 2) + (1,) * nd), arr((2, 2) + k)), RuntimeError)]
    return samples, errors


for _nd in (1, 2, 3):
    _s, _e = _conv(_nd)
    OpInfo(f"{F}conv{_nd}d", _s, errors=_e, atol=1e-4)


def _convt(nd):
    def samples(dt, rng):
        sp = (4, 3, 2)[:nd]
        k = (3, 2, 2)[:nd]
        return [S(arr((2, 2) + sp, dt, rng), arr((2, 3) + k, dt, rng), arr((3,), dt, rng)),
                S(arr((1, 4) + sp, dt, rng), arr((4, 1) + k, dt, rng), None, stride=2,
                  padding=1, output_padding=1, groups=2, dilation=1),
                S(arr((2,) + sp, dt, rng), arr((2, 2) + k, dt, rng), dilation=2)]

    def errors():
        sp = (4, 3, 2)[:nd]
        k = (3, 2, 2)[:nd]
        return [(S(arr((1, 3) + sp), arr((2, 3) + k)), RuntimeError),
                (S(arr((1, 2) + sp), arr((2, 3) + k), stride=2, output_padding=2),
                 RuntimeError)]
    return samples, errors


for _nd in (1, 2, 3):
    _s, _e = _convt(_nd)
    OpInfo(f"{F}conv_transpose{_nd}d", _s, errors=_e, atol=1e-4)


def _pad_samples(mode):
    def samples(dt, rng):
        out = [S(arr((2, 3, 4), dt, rng), (1, 2), mode=mode),
               S(arr((1, 2, 4, 5), dt, rng), (2, 1, 1, 3), mode=mode),
               S(arr((1, 2, 3, 4, 3), dt, rng), (1, 1, 0, 2, 2, 1), mode=mode)]
        if mode == "constant":
            out += [S(arr((2, 4, 5), dt, rng), (-1, 2, 1, -2), value=1.5),
                    S(arr((3,), dt, rng), (2, 0))]
        return out
    return samples


for _m in ("constant", "reflect", "replicate", "circular"):
    OpInfo(f"{F}pad", _pad_samples(_m), ember_fn=None, torch_fn=None,
           errors=(lambda m=_m: [(S(arr((1, 2, 3)), (1,), mode=m), RuntimeError)])
           if _m == "constant" else None)

OpInfo(F + "unfold", lambda dt, rng: [
    S(arr((2, 2, 4, 5), dt, rng), (2, 3)),
    S(arr((1, 2, 5, 4), dt, rng), 2, dilation=(1, 2), padding=1, stride=(2, 1)),
    S(arr((2, 4, 4), dt, rng), 3)])
OpInfo(F + "fold", lambda dt, rng: [
    S(arr((2, 8, 6), dt, rng), (3, 4), 2),
    S(arr((1, 4, 9), dt, rng), (5, 4), 2, stride=2, padding=1),
    S(arr((12, 2), dt, rng), (4, 3), (2, 3), dilation=(2, 1))],
    errors=lambda: [(S(arr((2, 8, 5)), (3, 4), 2), RuntimeError)])
OpInfo(F + "pixel_shuffle", lambda dt, rng: [S(arr((2, 8, 2, 3), dt, rng), 2),
                                             S(arr((9, 2, 2), dt, rng), 3)],
       errors=lambda: [(S(arr((1, 3, 2, 2)), 2), RuntimeError)])
OpInfo(F + "pixel_unshuffle", lambda dt, rng: [S(arr((2, 2, 4, 6), dt, rng), 2),
                                               S(arr((1, 6, 3), dt, rng), 3)],
       errors=lambda: [(S(arr((1, 3, 3, 2)), 2), RuntimeError)])


def _interp(dt, rng):
    return [S(arr((1, 2, 3, 4), dt, rng), size=(5, 3)),
            S(arr((1, 2, 3, 4), dt, rng), scale_factor=2, mode="nearest-exact"),
            S(arr((1, 2, 4), dt, rng), scale_factor=1.5, mode="linear"),
            S(arr((1, 2, 3, 4), dt, rng), size=(5, 7), mode="bilinear", align_corners=True),
            S(arr((1, 2, 3, 4), dt, rng), scale_factor=(2, 1.5), mode="bilinear"),
            S(arr((1, 1, 4, 3), dt, rng), size=(6, 5), mode="bicubic"),
            S(arr((1, 1, 2, 3, 2), dt, rng), scale_factor=2, mode="trilinear"),
            S(arr((1, 2, 6, 5), dt, rng), size=(4, 2), mode="area")]


OpInfo(F + "interpolate", _interp,
       errors=lambda: [(S(arr((1, 2, 3, 4)), mode="bilinear"), ValueError),
                       (S(arr((1, 2, 3, 4)), size=4, mode="nearest", align_corners=True),
                        ValueError)])


def _maxpool(nd):
    def samples(dt, rng):
        sp = (7, 6, 5)[:nd]
        out = [S(arr((2, 2) + sp, dt, rng), 2),
               S(arr((1, 2) + sp, dt, rng), 3, stride=2, padding=1, ceil_mode=True),
               S(arr((2,) + sp, dt, rng), 2, 1, 0, 2, return_indices=True)]
        return out

    def errors():
        sp = (7, 6, 5)[:nd]
        return [(S(arr((1, 2) + sp), 3, padding=2), RuntimeError),
                (S(arr((1, 2) + (1,) * nd), 3), RuntimeError)]
    return samples, errors


def _avgpool(nd):
    def samples(dt, rng):
        sp = (7, 6, 5)[:nd]
        out = [S(arr((2, 2) + sp, dt, rng), 2),
               S(arr((1, 2) + sp, dt, rng), 3, stride=2, padding=1, ceil_mode=True,
                 count_include_pad=False),
               S(arr((2,) + sp, dt, rng), 3, 2, 1)]
        if nd > 1:
            out.append(S(arr((1, 2) + sp, dt, rng), 2, divisor_override=3))
        return out

    def errors():
        sp = (7, 6, 5)[:nd]
        return [(S(arr((1, 2) + sp), 3, 1, 2), RuntimeError)]
    return samples, errors


for _nd in (1, 2, 3):
    _s, _e = _maxpool(_nd)
    OpInfo(f"{F}max_pool{_nd}d", _s, errors=_e)
    _s, _e = _avgpool(_nd)
    OpInfo(f"{F}avg_pool{_nd}d", _s, errors=_e)
    _sp = (7, 6, 5)[:_nd]
    OpInfo(f"{F}adaptive_avg_pool{_nd}d", lambda dt, rng, sp=_sp: [
        S(arr((2, 2) + sp, dt, rng), 3), S(arr((2,) + sp, dt, rng), 1),
        S(arr((1, 2) + sp, dt, rng), tuple(s + 1 for s in sp))])
    if _nd < 3:
        OpInfo(f"{F}adaptive_max_pool{_nd}d", lambda dt, rng, sp=_sp: [
            S(arr((2, 2) + sp, dt, rng), 3), S(arr((2,) + sp, dt, rng), 4, True)])

OpInfo(F + "lp_pool2d", lambda dt, rng: [S(positive((2, 2, 6, 5), dt, rng), 2, 2),
                                         S(positive((1, 2, 6, 5), dt, rng), 3.0, (3, 2), 2)])


def _unpool_e(x, kernel, stride=None):
    import ember
    y, i = ember.nn.functional.max_pool2d(x, kernel, stride, return_indices=True)
    return ember.nn.functional.max_unpool2d(y, i, kernel, stride, output_size=x.shape[-2:])


def _unpool_t(x, kernel, stride=None):
    import torch
    y, i = torch.nn.functional.max_pool2d(x, kernel, stride, return_indices=True)
    return torch.nn.functional.max_unpool2d(y, i, kernel, stride, output_size=x.shape[-2:])


OpInfo("max_unpool2d(max_pool2d)", lambda dt, rng: [S(arr((2, 2, 5, 4), dt, rng), 2),
                                                    S(arr((1, 2, 6, 6), dt, rng), 3, 3)],
       ember_fn=_unpool_e, torch_fn=_unpool_t)


def _bn(dt, rng):
    c = 3
    return [S(arr((4, c), dt, rng), None, None, training=True),
            S(arr((3, c, 4), dt, rng), None, None, arr((c,), dt, rng), arr((c,), dt, rng),
              training=True, eps=1e-3)]


def _bn_eval(dt, rng):
    c = 3
    return [S(arr((2, c, 3, 2), dt, rng), arr((c,), dt, rng), positive((c,), dt, rng),
              arr((c,), dt, rng), arr((c,), dt, rng)),
            S(arr((4, c), dt, rng), arr((c,), dt, rng), positive((c,), dt, rng), eps=0.1)]


def _bn_fn(lib):
    # running statistics are not differentiable (torch refuses them requiring grad)
    def fn(x, rm, rv, *args, **kwargs):
        rm = rm.detach() if rm is not None else None
        rv = rv.detach() if rv is not None else None
        return lib().nn.functional.batch_norm(x, rm, rv, *args, **kwargs)
    return fn


def _ember():
    import ember
    return ember


def _torch():
    import torch
    return torch


OpInfo(F + "batch_norm(eval)", _bn_eval, atol=1e-4, ember_fn=_bn_fn(_ember),
       torch_fn=_bn_fn(_torch), gradcheck=False, gradgrad=False)  # detached stats: no FD
OpInfo(F + "batch_norm", _bn, atol=1e-4,
       errors=lambda: [(S(arr((1, 3)), None, None, training=True), ValueError),
                       (S(arr((2, 3)), None, None), RuntimeError)])
OpInfo(F + "instance_norm", lambda dt, rng: [
    S(arr((2, 3, 4), dt, rng)),
    S(arr((2, 3, 3, 2), dt, rng), weight=arr((3,), dt, rng), bias=arr((3,), dt, rng), eps=1e-3)],
    atol=1e-4)
OpInfo(F + "layer_norm", lambda dt, rng: [
    S(arr((2, 3, 4), dt, rng), (4,)),
    S(arr((2, 3, 4), dt, rng), (3, 4), arr((3, 4), dt, rng), arr((3, 4), dt, rng)),
    S(arr((5, 4), dt, rng), [4], None, arr((4,), dt, rng), eps=1e-3)], atol=1e-4,
    errors=lambda: [(S(arr((2, 3)), (4,)), RuntimeError)])
OpInfo(F + "group_norm", lambda dt, rng: [
    S(arr((2, 4, 3), dt, rng), 2),
    S(arr((2, 6, 2, 2), dt, rng), 3, arr((6,), dt, rng), arr((6,), dt, rng)),
    S(arr((3, 4), dt, rng), 1, eps=1e-3)], atol=1e-4,
    errors=lambda: [(S(arr((2, 6, 3)), 4), RuntimeError)])
OpInfo(F + "rms_norm", lambda dt, rng: [
    S(arr((2, 3, 4), dt, rng), (4,)),
    S(arr((2, 3, 4), dt, rng), (3, 4), arr((3, 4), dt, rng), eps=1e-4)], atol=1e-4)
OpInfo(F + "local_response_norm", lambda dt, rng: [
    S(arr((2, 5, 3), dt, rng), 3), S(arr((2, 4, 3, 2), dt, rng), 2, 0.1, 0.5, 2.0)],
    atol=1e-4)
