"""ember.optim.swa_utils against torch.optim.swa_utils: AveragedModel (SWA/EMA),
SWALR traces and update_bn statistics."""

import pickle
import warnings

import numpy as np
import pytest

import ember
import ember.optim as eoptim
from ember.optim import swa_utils as eswa

torch = pytest.importorskip("torch")
tswa = torch.optim.swa_utils

LIBS = {"ember": (ember, eoptim, eswa), "torch": (torch, torch.optim, tswa)}


def make_model(lib: str):
    """Linear -> BatchNorm1d -> ReLU -> Linear in float64 (deterministic weights)."""
    mod = LIBS[lib][0]
    model = mod.nn.Sequential(mod.nn.Linear(4, 5), mod.nn.BatchNorm1d(5), mod.nn.ReLU(),
                              mod.nn.Linear(5, 2)).double()
    set_weights(lib, model, seed=0)
    return model


def set_weights(lib: str, model, seed: int) -> None:
    """Overwrite every parameter and float buffer with values derived from ``seed``."""
    mod = LIBS[lib][0]
    rng = np.random.default_rng(seed)
    with mod.no_grad():
        for p in model.parameters():
            p.copy_(mod.tensor(rng.standard_normal(tuple(p.shape))))
        for b in model.buffers():  # running stats: positive, so variances stay valid
            if b.dtype == mod.float64:
                b.copy_(mod.tensor(rng.uniform(0.5, 2.0, tuple(b.shape))))
            else:
                b.fill_(seed * 3 + 1)


def state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def assert_states_match(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key].dtype == theirs[key].dtype, key
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-12, atol=1e-14, err_msg=key)


def pickle_roundtrip(obj):
    """What a checkpoint file does to the state: no shared objects, everything picklable."""
    return pickle.loads(pickle.dumps(obj))


AVG_CASES = {
    "swa_default": lambda m: {},
    "swa_buffers": lambda m: {"use_buffers": True},
    "swa_multi": lambda m: {"multi_avg_fn": m.get_swa_multi_avg_fn()},
    "swa_avg_fn": lambda m: {"avg_fn": m.get_swa_avg_fn()},
    "ema_multi": lambda m: {"multi_avg_fn": m.get_ema_multi_avg_fn(0.9)},
    "ema_multi_buffers": lambda m: {"multi_avg_fn": m.get_ema_multi_avg_fn(0.75),
                                    "use_buffers": True},
    "ema_avg_fn": lambda m: {"avg_fn": m.get_ema_avg_fn(0.8)},
    "ema_avg_fn_buffers": lambda m: {"avg_fn": m.get_ema_avg_fn(0.6), "use_buffers": True},
    "custom_avg_fn": lambda m: {"avg_fn": lambda avg, cur, n: avg * 0.5 + cur * 0.5 + n},
}


@pytest.mark.parametrize("case", sorted(AVG_CASES))
def test_averaged_model_matches_torch(case):
    results = {}
    for lib in LIBS:
        model = make_model(lib)
        averaged = LIBS[lib][2].AveragedModel(model, **AVG_CASES[case](LIBS[lib][2]))
        for seed in range(1, 6):
            set_weights(lib, model, seed)
            averaged.update_parameters(model)
        results[lib] = state(averaged)
    assert_states_match(results["ember"], results["torch"])
    assert int(results["ember"]["n_averaged"]) == 5


@pytest.mark.parametrize("case", ["swa_default", "swa_multi", "ema_multi", "ema_avg_fn"])
def test_averaged_model_float32_matches_torch(case):
    # float32: torch's lerp kernel fuses multiply-add, so allow a few ulps.
    results = {}
    for lib in LIBS:
        mod, _, swa = LIBS[lib]
        model = mod.nn.Linear(30, 20)
        averaged = swa.AveragedModel(model, **AVG_CASES[case](swa))
        rng = np.random.default_rng(3)
        for _ in range(6):
            with mod.no_grad():
                for p in model.parameters():
                    p.copy_(mod.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
            averaged.update_parameters(model)
        results[lib] = state(averaged)
    for key, value in results["torch"].items():
        assert results["ember"][key].dtype == value.dtype
        np.testing.assert_allclose(results["ember"][key], value, rtol=1e-5, atol=1e-6)


def test_swa_average_is_the_mean_of_the_weights():
    model = make_model("ember")
    averaged = eswa.AveragedModel(model)
    seen = []
    for seed in range(1, 5):
        set_weights("ember", model, seed)
        seen.append(model[0].weight.detach().numpy().copy())
        averaged.update_parameters(model)
    np.testing.assert_allclose(averaged.module[0].weight.detach().numpy(),
                               np.mean(seen, axis=0), rtol=1e-12)
    # Without use_buffers the buffers are copied from the latest model, not averaged.
    np.testing.assert_array_equal(averaged.module[1].running_mean.numpy(),
                                  model[1].running_mean.numpy())
    assert averaged.module[1].num_batches_tracked.item() == 13


def test_averaged_model_is_a_copy_and_forwards():
    model = make_model("ember")
    averaged = eswa.AveragedModel(model)
    assert averaged.module is not model
    assert averaged.module[0].weight is not model[0].weight
    assert averaged.n_averaged.dtype == ember.int64 and averaged.n_averaged.item() == 0
    assert "n_averaged" in dict(averaged.named_buffers())
    model.eval()
    averaged.eval()
    x = ember.tensor(np.random.default_rng(1).standard_normal((3, 4)))
    np.testing.assert_array_equal(averaged(x).detach().numpy(), model(x).detach().numpy())
    # The first update copies; later updates average; gradients never flow into it.
    set_weights("ember", model, 7)
    averaged.update_parameters(model)
    np.testing.assert_array_equal(averaged.module[3].bias.detach().numpy(),
                                  model[3].bias.detach().numpy())
    assert averaged.module[3].bias.grad is None
    on_cpu = eswa.AveragedModel(model, device="cpu")
    assert on_cpu.n_averaged.device == ember.device("cpu")
    assert on_cpu.module[0].weight.device == ember.device("cpu")


def test_swa_multi_avg_fn_refuses_integer_buffers_like_torch():
    # torch's foreach SWA update divides integer tensors with addcdiv, which it refuses.
    for lib in LIBS:
        m = LIBS[lib][2]
        model = make_model(lib)
        averaged = m.AveragedModel(model, multi_avg_fn=m.get_swa_multi_avg_fn(),
                                   use_buffers=True)
        averaged.update_parameters(model)
        with pytest.raises(RuntimeError) as info:
            averaged.update_parameters(model)
        if lib == "ember":
            assert "cannot average torch.int64 tensors" in str(info.value)


def test_swa_multi_avg_fn_refuses_integers_with_int_count_like_torch():
    for lib in LIBS:
        mod = LIBS[lib][0]
        avg = [mod.tensor([4, 10], dtype=mod.int64)]
        with pytest.raises(RuntimeError):
            LIBS[lib][2].get_swa_multi_avg_fn()(avg, [mod.tensor([7, 1], dtype=mod.int64)], 2)
        assert avg[0].tolist() == [4, 10]


def test_averaged_model_rejects_both_avg_fns():
    for lib in LIBS:
        m = LIBS[lib][2]
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
            m.AveragedModel(make_model(lib), avg_fn=m.get_swa_avg_fn(),
                            multi_avg_fn=m.get_swa_multi_avg_fn())


@pytest.mark.parametrize("factory", ["get_ema_avg_fn", "get_ema_multi_avg_fn"])
def test_ema_decay_out_of_range(factory):
    for lib in LIBS:
        for decay in (-0.1, 1.5):
            with pytest.raises(ValueError, match=f"Invalid decay value {decay}"):
                getattr(LIBS[lib][2], factory)(decay)


# ---------------------------------------------------------------- SWALR

def make_optimizer(lib: str):
    mod, optim, _ = LIBS[lib]
    return optim.SGD([{"params": [mod.nn.Parameter(mod.zeros(3))], "lr": 0.1},
                      {"params": [mod.nn.Parameter(mod.zeros(2))], "lr": 0.03}],
                     lr=0.5, momentum=0.9)


SWALR_CASES = {
    "cos": dict(swa_lr=0.05, anneal_epochs=10),
    "linear": dict(swa_lr=0.01, anneal_epochs=7, anneal_strategy="linear"),
    "no_anneal": dict(swa_lr=0.02, anneal_epochs=0),
    "per_group": dict(swa_lr=[0.2, 0.001], anneal_epochs=25, anneal_strategy="cos"),
    "one_epoch_linear": dict(swa_lr=0.3, anneal_epochs=1, anneal_strategy="linear"),
}


def swalr_trace(lib: str, kwargs: dict, steps: int = 40) -> list:
    optimizer = make_optimizer(lib)
    scheduler = LIBS[lib][2].SWALR(optimizer, **kwargs)
    trace = [list(scheduler.get_last_lr())]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        trace.append(list(scheduler.get_last_lr()))
    return trace


@pytest.mark.parametrize("case", sorted(SWALR_CASES))
def test_swalr_trace_matches_torch(case):
    ours = swalr_trace("ember", SWALR_CASES[case])
    theirs = swalr_trace("torch", SWALR_CASES[case])
    assert np.ravel(ours) == pytest.approx(np.ravel(theirs), rel=1e-12, abs=0)
    assert ours[-1] == pytest.approx(np.broadcast_to(SWALR_CASES[case]["swa_lr"], 2), rel=1e-12)


def test_swalr_after_another_scheduler_matches_torch():
    def trace(lib):
        optimizer = make_optimizer(lib)
        lrs = torch.optim.lr_scheduler if lib == "torch" else eoptim.lr_scheduler
        first = lrs.CosineAnnealingLR(optimizer, T_max=20)
        swa = LIBS[lib][2].SWALR(optimizer, swa_lr=0.04, anneal_epochs=5)
        out = []
        for epoch in range(30):
            optimizer.step()
            (swa if epoch >= 12 else first).step()
            out.extend(group["lr"] for group in optimizer.param_groups)
        return out

    assert trace("ember") == pytest.approx(trace("torch"), rel=1e-12, abs=0)


def test_swalr_resume_from_state_dict():
    kwargs = SWALR_CASES["per_group"]
    uninterrupted = swalr_trace("ember", kwargs)[1:]
    optimizer = make_optimizer("ember")
    scheduler = eswa.SWALR(optimizer, **kwargs)
    first = []
    for _ in range(12):
        optimizer.step()
        scheduler.step()
        first.append(scheduler.get_last_lr())
    saved = pickle_roundtrip((optimizer.state_dict(), scheduler.state_dict()))
    assert "anneal_func" not in saved[1] and saved[1]["_anneal_strategy"] == "cos"
    optimizer = make_optimizer("ember")
    scheduler = eswa.SWALR(optimizer, swa_lr=0.5, anneal_strategy="linear")
    optimizer.load_state_dict(saved[0])
    scheduler.load_state_dict(saved[1])
    rest = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(28):
            optimizer.step()
            scheduler.step()
            rest.append(scheduler.get_last_lr())
    assert first + rest == uninterrupted


SWALR_ERRORS = {
    "strategy": (ValueError, "instead got quadratic", dict(anneal_strategy="quadratic")),
    "negative_epochs": (ValueError, "equal or greater than 0, got -1", dict(anneal_epochs=-1)),
    "float_epochs": (ValueError, "equal or greater than 0, got 2.5", dict(anneal_epochs=2.5)),
    "swa_lr_len": (ValueError, "swa_lr has 3 values, param_groups has 2",
                   dict(swa_lr=[0.1, 0.2, 0.3])),
}


@pytest.mark.parametrize("case", sorted(SWALR_ERRORS))
def test_swalr_errors_like_torch(case):
    exc, message, kwargs = SWALR_ERRORS[case]
    kwargs = {"swa_lr": 0.05, **kwargs}
    for lib in LIBS:
        with pytest.raises(exc, match=message):
            LIBS[lib][2].SWALR(make_optimizer(lib), **kwargs)


# ---------------------------------------------------------------- update_bn

def bn_model(lib: str):
    mod = LIBS[lib][0]
    model = mod.nn.Sequential(mod.nn.Linear(3, 4), mod.nn.BatchNorm1d(4, momentum=0.3),
                              mod.nn.Tanh(), mod.nn.Linear(4, 4), mod.nn.BatchNorm1d(4))
    model = model.double()
    set_weights(lib, model, seed=11)
    return model


def loader(lib: str, with_targets: bool) -> list:
    mod = LIBS[lib][0]
    rng = np.random.default_rng(5)
    batches = [mod.tensor(rng.standard_normal((n, 3)) * 2 + 1) for n in (6, 3, 8, 5)]
    if with_targets:
        return [(x, mod.zeros(len(x))) for x in batches]
    return batches


@pytest.mark.parametrize("with_targets", [False, True])
def test_update_bn_matches_torch(with_targets):
    results = {}
    for lib in LIBS:
        model = bn_model(lib)
        model.eval()
        LIBS[lib][2].update_bn(loader(lib, with_targets), model)
        assert not model.training and not model[1].training  # mode restored
        assert (model[1].momentum, model[4].momentum) == (0.3, 0.1)  # momenta restored
        results[lib] = state(model)
    assert_states_match(results["ember"], results["torch"])
    assert int(results["ember"]["1.num_batches_tracked"]) == 4


def test_update_bn_is_the_cumulative_average_and_keeps_train_mode():
    model = bn_model("ember")
    model.train()
    batches = loader("ember", False)
    eswa.update_bn(batches, model)
    assert model.training
    with ember.no_grad():
        hidden = [model[0](x).numpy() for x in batches]
    np.testing.assert_allclose(model[1].running_mean.numpy(),
                               np.mean([h.mean(axis=0) for h in hidden], axis=0), rtol=1e-12)


def test_update_bn_without_batchnorm_does_nothing():
    model = ember.nn.Linear(3, 2)
    before = state(model)
    eswa.update_bn([ember.ones(2, 3)], model)  # no BatchNorm: the loader is not even read
    assert_states_match(state(model), before)


@pytest.mark.parametrize("name", tswa.__all__)
def test_signature_matches_torch(name):
    import inspect

    def params(obj):
        return [(p.name, p.default) for p in inspect.signature(obj).parameters.values()]

    assert name in eswa.__all__
    assert params(getattr(eswa, name)) == params(getattr(tswa, name))
