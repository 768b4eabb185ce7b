"""ember.optim.lr_scheduler against torch.optim.lr_scheduler: lr (and momentum) traces,
checkpoint resumption, step-order warnings and validation errors."""

import math
import pickle
import re
import warnings

import numpy as np
import pytest

import ember
import ember.optim as eoptim
from ember.optim import lr_scheduler as elrs

torch = pytest.importorskip("torch")
tlrs = torch.optim.lr_scheduler

STEPS = 100
LIBS = {"ember": (ember, eoptim, elrs), "torch": (torch, torch.optim, tlrs)}


def make_optimizer(lib: str, kind: str = "sgd", **kwargs):
    """Two param groups with different lrs (SGD with momentum, or Adam)."""
    mod, optim, _ = LIBS[lib]
    groups = [{"params": [mod.nn.Parameter(mod.zeros(3))], "lr": 0.1},
              {"params": [mod.nn.Parameter(mod.zeros(2))], "lr": 0.025}]
    if kind == "sgd":
        return optim.SGD(groups, lr=0.5, momentum=kwargs.pop("momentum", 0.9), **kwargs)
    return optim.Adam(groups, lr=0.5, **kwargs)


def momenta(optimizer) -> list:
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in optimizer.param_groups]


def run(optimizer, scheduler, steps: int, metrics=None) -> list:
    """Per step: optimizer.step(); scheduler.step(); record lrs and momenta."""
    trace = []
    for i in range(steps):
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[i])
        trace.append((list(scheduler.get_last_lr()), momenta(optimizer)))
    return trace


def flat(trace) -> list:
    return [v for lrs, moms in trace for v in (*lrs, *moms)]


def assert_traces_match(ours, theirs) -> None:
    """Equal to 1e-12 relative; in fact bit-identical, because the schedulers perform
    torch's float operations in torch's order (the closed forms would differ in the last
    bits, e.g. for CosineAnnealingLR, and are caught by the exact comparison)."""
    assert len(ours) == len(theirs)
    assert flat(ours) == pytest.approx(flat(theirs), rel=1e-12, abs=0)
    assert flat(ours) == flat(theirs)


def pickle_roundtrip(obj):
    """What a checkpoint file does to the state: no shared objects, everything picklable."""
    return pickle.loads(pickle.dumps(obj))


# Each case builds its scheduler from (lr_scheduler module, optimizer): the same code runs
# on torch and on ember. The optimizer kind is "sgd" or "adam".
CASES = {
    "lambda": ("sgd", lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e)),
    "lambda_per_group": ("sgd", lambda m, o: m.LambdaLR(
        o, [lambda e: 1.0 / (1 + e), lambda e: 0.5 + 0.5 * math.cos(e / 7)])),
    "multiplicative": ("sgd", lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97)),
    "multiplicative_per_group": ("sgd", lambda m, o: m.MultiplicativeLR(
        o, [lambda e: 0.99, lambda e: 1.01 if e % 2 else 0.98])),
    "step": ("sgd", lambda m, o: m.StepLR(o, step_size=7, gamma=0.5)),
    "multistep": ("sgd", lambda m, o: m.MultiStepLR(o, [10, 30, 30, 60], gamma=0.3)),
    "constant": ("sgd", lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=13)),
    "constant_default": ("sgd", lambda m, o: m.ConstantLR(o)),
    "linear": ("sgd", lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.9,
                                              total_iters=40)),
    "linear_decay": ("sgd", lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                                    total_iters=70)),
    "exponential": ("sgd", lambda m, o: m.ExponentialLR(o, gamma=0.96)),
    "polynomial": ("sgd", lambda m, o: m.PolynomialLR(o, total_iters=60, power=2.0)),
    "polynomial_sqrt": ("sgd", lambda m, o: m.PolynomialLR(o, total_iters=90, power=0.5)),
    "cosine": ("sgd", lambda m, o: m.CosineAnnealingLR(o, T_max=30, eta_min=1e-3)),
    "cosine_short": ("sgd", lambda m, o: m.CosineAnnealingLR(o, T_max=10)),
    "warm_restarts": ("sgd", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=10)),
    "warm_restarts_mult": ("sgd", lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=1e-3)),
    "cyclic_triangular": ("sgd", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                         step_size_up=7)),
    "cyclic_triangular2": ("sgd", lambda m, o: m.CyclicLR(
        o, base_lr=[0.01, 0.002], max_lr=[0.1, 0.05], step_size_up=6, step_size_down=11,
        mode="triangular2", base_momentum=[0.8, 0.7], max_momentum=[0.9, 0.95])),
    "cyclic_exp_range": ("sgd", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                        step_size_up=9, mode="exp_range",
                                                        gamma=0.97)),
    "cyclic_scale_fn_iterations": ("sgd", lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=5, scale_fn=lambda x: 1 / (1 + 0.01 * x),
        scale_mode="iterations")),
    "cyclic_scale_fn_cycle": ("sgd", lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=4, scale_fn=lambda c: 0.8 ** c)),
    "cyclic_no_momentum": ("sgd", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                          step_size_up=8,
                                                          cycle_momentum=False)),
    "cyclic_adam": ("adam", lambda m, o: m.CyclicLR(o, base_lr=0.001, max_lr=0.01,
                                                    step_size_up=10, mode="triangular2")),
    "onecycle_cos": ("sgd", lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=STEPS)),
    "onecycle_linear": ("sgd", lambda m, o: m.OneCycleLR(
        o, max_lr=[0.5, 0.2], total_steps=STEPS + 20, anneal_strategy="linear",
        base_momentum=[0.8, 0.85], max_momentum=0.95, pct_start=0.25)),
    "onecycle_three_phase": ("sgd", lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, epochs=10, steps_per_epoch=10, three_phase=True, div_factor=10.0,
        final_div_factor=100.0)),
    "onecycle_no_momentum": ("sgd", lambda m, o: m.OneCycleLR(o, max_lr=0.4, total_steps=STEPS,
                                                              cycle_momentum=False)),
    "onecycle_adam": ("adam", lambda m, o: m.OneCycleLR(o, max_lr=0.01, total_steps=STEPS,
                                                        three_phase=True)),
    "sequential": ("sgd", lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=10), m.ExponentialLR(o, gamma=0.95)],
        milestones=[20])),
    "sequential_three": ("sgd", lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=5), m.CosineAnnealingLR(o, T_max=20),
            m.StepLR(o, step_size=10, gamma=0.5)], milestones=[15, 50])),
    "chained": ("sgd", lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.2, total_iters=10), m.ExponentialLR(o, gamma=0.97)])),
    "chained_cosine_step": ("sgd", lambda m, o: m.ChainedScheduler(
        [m.CosineAnnealingLR(o, T_max=25), m.StepLR(o, step_size=15, gamma=0.8)], o)),
}


def build(lib: str, case: str):
    kind, factory = CASES[case]
    optimizer = make_optimizer(lib, kind)
    return optimizer, factory(LIBS[lib][2], optimizer)


def torch_trace(case: str, steps: int = STEPS) -> list:
    optimizer, scheduler = build("torch", case)
    return [(list(scheduler.get_last_lr()), momenta(optimizer))] + run(optimizer, scheduler,
                                                                       steps)


@pytest.mark.parametrize("case", sorted(CASES))
def test_trace_matches_torch(case):
    optimizer, scheduler = build("ember", case)
    ours = [(list(scheduler.get_last_lr()), momenta(optimizer))]
    ours += run(optimizer, scheduler, STEPS)
    assert_traces_match(ours, torch_trace(case))
    assert [g["lr"] for g in optimizer.param_groups] == ours[-1][0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_resume_from_state_dict_continues_trace(case):
    full_opt, full_sched = build("ember", case)
    uninterrupted = run(full_opt, full_sched, STEPS)

    optimizer, scheduler = build("ember", case)
    first = run(optimizer, scheduler, 40)
    checkpoint = pickle_roundtrip({"optimizer": optimizer.state_dict(),
                                "scheduler": scheduler.state_dict()})
    # A new process: build everything afresh, then load the checkpoint.
    optimizer, scheduler = build("ember", case)
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # resumed in the right order: no warning
        rest = run(optimizer, scheduler, STEPS - 40)
    assert flat(first + rest) == flat(uninterrupted)


@pytest.mark.parametrize("case", sorted(CASES))
def test_state_dict_keys_match_torch(case):
    theirs = build("torch", case)[1].state_dict()
    ours = build("ember", case)[1].state_dict()
    drop = {"_scale_fn_ref"}  # torch pops it too; kept here for older pickles
    assert set(ours) == set(theirs) - drop
    for key in ("last_epoch", "base_lrs", "_last_lr", "_step_count"):
        if key in theirs:
            assert ours[key] == pytest.approx(theirs[key], rel=1e-12)


def test_lambda_state_dict_keeps_callable_object_state():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch

    optimizer = make_optimizer("ember")
    scheduler = elrs.LambdaLR(optimizer, [Decay(0.9), lambda e: 1.0])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.9}, None]
    assert "optimizer" not in state

    other = elrs.LambdaLR(make_optimizer("ember"), [Decay(0.5), lambda e: 1.0])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].rate == 0.9
    assert state["lr_lambdas"] == [{"rate": 0.9}, None]  # the saved dict is not consumed


def test_cyclic_state_dict_saves_scale_fn_object_state():
    class Halving:
        def __init__(self):
            self.base = 0.5

        def __call__(self, cycle):
            return self.base ** cycle

    optimizer = make_optimizer("ember")
    state = elrs.CyclicLR(optimizer, 0.01, 0.1, step_size_up=3, scale_fn=Halving()).state_dict()
    assert state["_scale_fn_custom"] == {"base": 0.5}
    fn = Halving()
    fn.base = 0.1
    other = elrs.CyclicLR(make_optimizer("ember"), 0.01, 0.1, step_size_up=3, scale_fn=fn)
    state["_scale_fn_custom"] = {"base": 0.25}
    other.load_state_dict(state)
    assert other._scale_fn_custom is fn and fn.base == 0.25
    assert elrs.CyclicLR(make_optimizer("ember"), 0.01, 0.1).state_dict()[
        "_scale_fn_custom"] is None


# ---------------------------------------------------------------- chaining, initial_lr

def test_two_schedulers_on_one_optimizer_compose_like_torch():
    def trace(lib):
        optimizer = make_optimizer(lib)
        m = LIBS[lib][2]
        first = m.StepLR(optimizer, step_size=9, gamma=0.5)
        second = m.CosineAnnealingLR(optimizer, T_max=12, eta_min=0.001)
        third = m.MultiplicativeLR(optimizer, lambda e: 0.995)
        out = []
        for _ in range(STEPS):
            optimizer.step()
            for s in (first, second, third):
                s.step()
            out.append(([g["lr"] for g in optimizer.param_groups], []))
        return out

    assert_traces_match(trace("ember"), trace("torch"))


def test_initial_lr_and_base_lrs():
    optimizer = make_optimizer("ember")
    scheduler = elrs.StepLR(optimizer, step_size=3)
    assert [g["initial_lr"] for g in optimizer.param_groups] == [0.1, 0.025]
    assert scheduler.base_lrs == [0.1, 0.025]
    assert scheduler.last_epoch == 0
    # A second scheduler keeps the existing initial_lr, even after the lr has changed.
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.01, 0.0025], rel=1e-15)
    second = elrs.ExponentialLR(optimizer, gamma=0.5)
    assert second.base_lrs == [0.1, 0.025]
    assert second.get_last_lr() == pytest.approx([0.01, 0.0025], rel=1e-15)


def test_resume_with_last_epoch_uses_initial_lr():
    def trace(lib):
        optimizer = make_optimizer(lib)
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"] * 2
        scheduler = LIBS[lib][2].StepLR(optimizer, step_size=4, gamma=0.5, last_epoch=9)
        return [(list(scheduler.get_last_lr()), [])] + run(optimizer, scheduler, 20)

    assert_traces_match(trace("ember"), trace("torch"))


def test_resume_without_initial_lr_raises_key_error():
    for lib in LIBS:
        with pytest.raises(KeyError, match=r"initial_lr.*param_groups\[0\]"):
            LIBS[lib][2].StepLR(make_optimizer(lib), step_size=3, last_epoch=4)


def test_lr_scheduler_alias_and_subclass():
    assert issubclass(elrs._LRScheduler, elrs.LRScheduler)

    class Halve(elrs._LRScheduler):
        def get_lr(self):
            return [base / 2 ** self.last_epoch for base in self.base_lrs]

    optimizer = make_optimizer("ember")
    scheduler = Halve(optimizer)
    optimizer.step()
    scheduler.step()
    assert scheduler.get_last_lr() == [0.05, 0.0125]
    with pytest.raises(NotImplementedError):
        elrs.LRScheduler(make_optimizer("ember"))


# ---------------------------------------------------------------- deprecated step(epoch)

@pytest.mark.parametrize("case", ["step", "multistep", "constant", "linear", "exponential",
                                  "polynomial", "cosine", "lambda"])
def test_step_with_epoch_uses_closed_form_like_torch(case):
    epochs = [3, 17, 5, 40, 41, 0, 88]

    def trace(lib):
        optimizer, scheduler = build(lib, case)
        out = []
        for epoch in epochs:
            optimizer.step()
            with pytest.warns(UserWarning, match="epoch parameter"):
                scheduler.step(epoch)
            out.append((list(scheduler.get_last_lr()), []))
        return out

    assert_traces_match(trace("ember"), trace("torch"))


def test_warm_restarts_fractional_epochs_match_torch():
    def trace(lib, t_mult):
        optimizer = make_optimizer(lib)
        scheduler = LIBS[lib][2].CosineAnnealingWarmRestarts(optimizer, T_0=3, T_mult=t_mult,
                                                             eta_min=0.001)
        out = []
        for epoch in range(12):
            for batch in range(4):
                optimizer.step()
                scheduler.step(epoch + batch / 4)
                out.append((list(scheduler.get_last_lr()), [scheduler.last_epoch]))
        return out

    for t_mult in (1, 2):
        assert_traces_match(trace("ember", t_mult), trace("torch", t_mult))
    scheduler = elrs.CosineAnnealingWarmRestarts(make_optimizer("ember"), T_0=3)
    with pytest.raises(ValueError, match="non-negative epoch, but got -1"):
        scheduler.step(-1)


# ---------------------------------------------------------------- warnings

def test_warns_when_scheduler_steps_before_optimizer():
    for lib in LIBS:
        optimizer = make_optimizer(lib)
        scheduler = LIBS[lib][2].StepLR(optimizer, step_size=2)
        with pytest.warns(UserWarning, match=r"`lr_scheduler.step\(\)` before "
                                             r"`optimizer.step\(\)`"):
            scheduler.step()


def test_no_warning_in_the_right_order():
    optimizer = make_optimizer("ember")
    scheduler = elrs.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(optimizer, scheduler, 10)
    assert caught == []


def test_warns_when_optimizer_step_replaced_after_scheduler():
    for lib in LIBS:
        optimizer = make_optimizer(lib)
        scheduler = LIBS[lib][2].ExponentialLR(optimizer, gamma=0.9)
        optimizer.step = lambda closure=None: None
        with pytest.warns(UserWarning, match="overridden after learning rate scheduler"):
            scheduler.step()


def test_optimizer_step_is_wrapped_once_and_still_steps():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    optimizer = eoptim.SGD([p], lr=0.5)
    elrs.StepLR(optimizer, step_size=2)
    wrapped = optimizer.step
    elrs.ExponentialLR(optimizer, gamma=0.9)
    assert optimizer.step is wrapped and wrapped._wrapped_by_lr_sched
    p.grad = ember.tensor([1.0, -1.0])
    optimizer.step()
    assert optimizer._opt_called is True
    assert p.detach().tolist() == [0.5, 2.5]


def test_get_lr_outside_step_warns():
    scheduler = elrs.StepLR(make_optimizer("ember"), step_size=2)
    with pytest.warns(UserWarning, match="get_last_lr"):
        assert scheduler.get_lr() == [0.1, 0.025]


# ---------------------------------------------------------------- OneCycleLR specifics

def test_onecycle_raises_when_stepped_past_total_steps():
    for lib in LIBS:
        optimizer = make_optimizer(lib)
        scheduler = LIBS[lib][2].OneCycleLR(optimizer, max_lr=0.1, total_steps=5)
        run(optimizer, scheduler, 5)
        with pytest.raises(ValueError, match="Tried to step 6 times.*total steps is 5"):
            scheduler.step()


def test_onecycle_sets_group_keys_like_torch():
    keys = ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum", "momentum", "lr")
    ours = make_optimizer("ember")
    theirs = make_optimizer("torch")
    elrs.OneCycleLR(ours, max_lr=[0.3, 0.2], total_steps=50)
    tlrs.OneCycleLR(theirs, max_lr=[0.3, 0.2], total_steps=50)
    for g_ours, g_theirs in zip(ours.param_groups, theirs.param_groups):
        assert [g_ours[k] for k in keys] == pytest.approx([g_theirs[k] for k in keys],
                                                          rel=1e-15)


# ---------------------------------------------------------------- ReduceLROnPlateau

PLATEAU_METRICS = ([1.0, 0.9, 0.95, 0.96, 0.97, 0.9, 0.89995, 0.91, 0.92, 0.5, 0.6, 0.7, 0.8]
                   + [0.8 - 0.0001 * i for i in range(20)] + [0.1 * (i % 5) for i in range(40)]
                   + [0.3] * 27)

PLATEAU_CASES = {
    "min_rel": dict(patience=2),
    "min_abs_cooldown": dict(patience=1, threshold=0.05, threshold_mode="abs", cooldown=3,
                             factor=0.5),
    "max_rel": dict(mode="max", patience=3, factor=0.3, threshold=0.01),
    "max_abs_min_lr_list": dict(mode="max", threshold_mode="abs", patience=0, cooldown=1,
                                min_lr=[1e-3, 2e-3], factor=0.5),
    "min_lr_scalar_eps": dict(patience=0, factor=0.5, min_lr=1e-4, eps=1e-5),
}


@pytest.mark.parametrize("case", sorted(PLATEAU_CASES))
def test_reduce_on_plateau_matches_torch(case):
    assert len(PLATEAU_METRICS) == STEPS
    traces = {}
    for lib in LIBS:
        optimizer = make_optimizer(lib)
        scheduler = LIBS[lib][2].ReduceLROnPlateau(optimizer, **PLATEAU_CASES[case])
        trace = run(optimizer, scheduler, STEPS, PLATEAU_METRICS)
        traces[lib] = trace + [([scheduler.best, scheduler.num_bad_epochs,
                                 scheduler.cooldown_counter], [])]
    assert_traces_match(traces["ember"], traces["torch"])
    assert traces["ember"][-2][0] != [0.1, 0.025]  # the metrics did trigger reductions


def test_reduce_on_plateau_resume_and_metric_tensor():
    def make():
        optimizer = make_optimizer("ember")
        return optimizer, elrs.ReduceLROnPlateau(optimizer, patience=1, cooldown=2, factor=0.5)

    optimizer, scheduler = make()
    uninterrupted = run(optimizer, scheduler, STEPS, PLATEAU_METRICS)
    optimizer, scheduler = make()
    first = run(optimizer, scheduler, 30, PLATEAU_METRICS)
    state = pickle_roundtrip((optimizer.state_dict(), scheduler.state_dict()))
    optimizer, scheduler = make()
    optimizer.load_state_dict(state[0])
    scheduler.load_state_dict(state[1])
    metrics = [ember.tensor(m, dtype=ember.float64) for m in PLATEAU_METRICS[30:]]
    rest = run(optimizer, scheduler, STEPS - 30, metrics)
    assert flat(first + rest) == flat(uninterrupted)
    assert set(state[1]) == set(tlrs.ReduceLROnPlateau(make_optimizer("torch")).state_dict())


def test_reduce_on_plateau_epoch_argument_warns():
    scheduler = elrs.ReduceLROnPlateau(make_optimizer("ember"))
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(1.0, epoch=7)
    assert scheduler.last_epoch == 7


# ---------------------------------------------------------------- validation errors

class NotAnOptimizer:
    param_groups = [{"lr": 0.1}]


def _params(lib):
    return [LIBS[lib][0].nn.Parameter(LIBS[lib][0].zeros(2))]


ERROR_CASES = {
    "not_optimizer": (TypeError, "NotAnOptimizer is not an Optimizer",
                      lambda m, o: m.StepLR(NotAnOptimizer(), 3)),
    "cyclic_not_optimizer": (TypeError, "is not an Optimizer",
                             lambda m, o: m.CyclicLR(NotAnOptimizer(), 0.1, 1.0)),
    "plateau_not_optimizer": (TypeError, "is not an Optimizer",
                              lambda m, o: m.ReduceLROnPlateau(NotAnOptimizer())),
    "warm_restarts_t0_zero": (ValueError, "positive integer T_0, but got 0",
                              lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0)),
    "warm_restarts_t0_float": (ValueError, "positive integer T_0, but got 2.5",
                               lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2.5)),
    "warm_restarts_t_mult": (ValueError, "T_mult >= 1, but got 0",
                             lambda m, o: m.CosineAnnealingWarmRestarts(o, 5, T_mult=0)),
    "warm_restarts_eta_min": (ValueError, "eta_min, but got x",
                              lambda m, o: m.CosineAnnealingWarmRestarts(o, 5, eta_min="x")),
    "plateau_mode": (ValueError, "mode avg is unknown",
                     lambda m, o: m.ReduceLROnPlateau(o, mode="avg")),
    "plateau_threshold_mode": (ValueError, "threshold mode pct is unknown",
                               lambda m, o: m.ReduceLROnPlateau(o, threshold_mode="pct")),
    "plateau_factor": (ValueError, "Factor should be < 1.0",
                       lambda m, o: m.ReduceLROnPlateau(o, factor=1.0)),
    "plateau_min_lr_len": (ValueError, "expected 2 min_lrs, got 3",
                           lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.1, 0.1, 0.1])),
    "constant_factor": (ValueError, "between 0 and 1",
                        lambda m, o: m.ConstantLR(o, factor=1.5)),
    "linear_start": (ValueError, "greater than 0",
                     lambda m, o: m.LinearLR(o, start_factor=0.0)),
    "linear_end": (ValueError, "between 0 and 1",
                   lambda m, o: m.LinearLR(o, end_factor=1.2)),
    "lambda_count": (ValueError, "Expected 2 lr_lambdas, but got 3",
                     lambda m, o: m.LambdaLR(o, [lambda e: 1.0] * 3)),
    "multiplicative_not_callable": (TypeError, "lr_lambda should be a function, but got int",
                                    lambda m, o: m.MultiplicativeLR(o, 3)),
    "cyclic_mode": (ValueError, "mode is invalid and scale_fn is None",
                    lambda m, o: m.CyclicLR(o, 0.1, 1.0, mode="sawtooth")),
    "cyclic_base_lr_len": (ValueError, "base_lr has 3 values, param_groups has 2",
                           lambda m, o: m.CyclicLR(o, [0.1] * 3, 1.0)),
    "cyclic_momentum_len": (ValueError, "max_momentum has 1 values, param_groups has 2",
                            lambda m, o: m.CyclicLR(o, 0.1, 1.0, max_momentum=[0.9])),
    "cyclic_needs_momentum": (ValueError, "must support momentum or beta1",
                              lambda m, o: m.CyclicLR(
                                  m.Optimizer(_params(m.__name__.split(".")[0]),
                                              {"lr": 0.1}), 0.1, 1.0)),
    "onecycle_needs_steps": (ValueError, "either total_steps OR",
                             lambda m, o: m.OneCycleLR(o, 0.1, epochs=3)),
    "onecycle_total_steps": (ValueError, "positive integer total_steps, but got 0",
                             lambda m, o: m.OneCycleLR(o, 0.1, total_steps=0)),
    "onecycle_epochs": (ValueError, "positive integer epochs, but got -1",
                        lambda m, o: m.OneCycleLR(o, 0.1, epochs=-1, steps_per_epoch=3)),
    "onecycle_steps_per_epoch": (ValueError, "steps_per_epoch, but got 0",
                                 lambda m, o: m.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=0)),
    "onecycle_pct_start": (ValueError, "pct_start, but got 1.5",
                           lambda m, o: m.OneCycleLR(o, 0.1, total_steps=10, pct_start=1.5)),
    "onecycle_anneal": (ValueError, "instead got quad",
                        lambda m, o: m.OneCycleLR(o, 0.1, total_steps=10,
                                                  anneal_strategy="quad")),
    "sequential_milestones": (ValueError, "number of schedulers 2 and the number of milestones "
                              "to be equal to 2",
                              lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2), m.StepLR(o, 3)],
                                                          milestones=[3, 5])),
    "sequential_empty": (ValueError, "at least one scheduler",
                         lambda m, o: m.SequentialLR(o, [], milestones=[])),
    "chained_plateau": (ValueError, "does not support `ReduceLROnPlateau`.*index 1",
                        lambda m, o: m.ChainedScheduler([m.StepLR(o, 2),
                                                         m.ReduceLROnPlateau(o)])),
    "chained_other_optimizer": (ValueError, "same optimizer.*StepLR at index 1",
                                lambda m, o: m.ChainedScheduler(
                                    [m.StepLR(o, 2),
                                     m.StepLR(m.Optimizer(_params(m.__name__.split(".")[0]),
                                                          {"lr": 0.1}), 2)])),
    "sequential_no_optimizer": (TypeError, "at index 0 should have `optimizer`",
                                lambda m, o: m.SequentialLR(o, [object()], milestones=[])),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_like_torch(case):
    exc, message, factory = ERROR_CASES[case]
    for lib in LIBS:
        with pytest.raises(exc) as info:
            factory(LIBS[lib][2], make_optimizer(lib))
        if lib == "ember":
            assert re.search(message, str(info.value)), str(info.value)


# ---------------------------------------------------------------- API surface

@pytest.mark.parametrize("name", tlrs.__all__)
def test_signature_matches_torch(name):
    """Same parameter names, kinds and defaults as torch (torch 2.x has no ``verbose``)."""
    import inspect

    def params(obj):
        return [(p.name, p.kind, p.default) for p in inspect.signature(obj).parameters.values()]

    assert name in elrs.__all__
    assert params(getattr(elrs, name)) == params(getattr(tlrs, name))
    for method in ("step", "get_last_lr", "state_dict", "load_state_dict"):
        if hasattr(getattr(tlrs, name), method):
            assert [p[0] for p in params(getattr(getattr(elrs, name), method))] == \
                [p[0] for p in params(getattr(getattr(tlrs, name), method))]


# ---------------------------------------------------------------- tensor learning rates

@pytest.mark.parametrize("case", ["exponential", "cosine", "linear", "onecycle_cos",
                                  "cyclic_triangular2", "warm_restarts", "sequential"])
def test_tensor_lr_is_filled_in_place_like_torch(case):
    traces = {}
    for lib in LIBS:
        mod, optim, lrs = LIBS[lib]
        optimizer = optim.SGD([{"params": [mod.nn.Parameter(mod.zeros(3))],
                                "lr": mod.tensor(0.1, dtype=mod.float64)},
                               {"params": [mod.nn.Parameter(mod.zeros(2))],
                                "lr": mod.tensor(0.025, dtype=mod.float64)}], momentum=0.9)
        lr_tensors = [g["lr"] for g in optimizer.param_groups]
        scheduler = CASES[case][1](lrs, optimizer)
        trace = []
        for _ in range(50):
            optimizer.step()
            scheduler.step()
            last = scheduler.get_last_lr()
            assert all(isinstance(v, mod.Tensor) for v in last)
            assert all(v is not t for v, t in zip(last, lr_tensors))  # copies, not aliases
            trace.append(([float(v) for v in last], momenta(optimizer)))
        # The optimizer's lr tensors were updated in place, never replaced.
        assert all(g["lr"] is t for g, t in zip(optimizer.param_groups, lr_tensors))
        initial_is_tensor = isinstance(optimizer.param_groups[0]["initial_lr"], mod.Tensor)
        traces[lib] = (trace, initial_is_tensor)
    assert flat(traces["ember"][0]) == pytest.approx(flat(traces["torch"][0]), rel=1e-12,
                                                     abs=0)
    assert traces["ember"][1] == traces["torch"][1]


# ---------------------------------------------------------------- end to end

@pytest.mark.parametrize("kind, case", [("sgd", "onecycle_cos"), ("adam", "cyclic_adam"),
                                        ("sgd", "cyclic_triangular2"),
                                        ("adam", "onecycle_adam")])
def test_training_with_cycled_momentum_matches_torch(kind, case):
    """The optimizers read the lr and momentum/beta1 the scheduler writes each step."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 4)), rng.standard_normal((16, 1))
    w0, b0 = rng.standard_normal((1, 4)), rng.standard_normal(1)
    finals = {}
    for lib in LIBS:
        mod, optim, lrs = LIBS[lib]
        weight = mod.nn.Parameter(mod.tensor(w0))
        bias = mod.nn.Parameter(mod.tensor(b0))
        groups = [{"params": [weight], "lr": 0.1}, {"params": [bias], "lr": 0.025}]
        optimizer = (optim.SGD(groups, momentum=0.9) if kind == "sgd"
                     else optim.Adam(groups))
        scheduler = CASES[case][1](lrs, optimizer)
        xt, yt = mod.tensor(x), mod.tensor(y)
        for _ in range(30):
            optimizer.zero_grad()
            loss = ((xt @ weight.t() + bias - yt) ** 2).mean()
            loss.backward()
            optimizer.step()
            scheduler.step()
        finals[lib] = np.concatenate([weight.detach().numpy().ravel(),
                                      bias.detach().numpy()])
    np.testing.assert_allclose(finals["ember"], finals["torch"], rtol=1e-10, atol=1e-12)
    assert not np.allclose(finals["ember"], np.concatenate([w0.ravel(), b0]))


def test_reduce_on_plateau_after_add_param_group_like_torch():
    results = {}
    for lib in LIBS:
        mod, _, lrs = LIBS[lib]
        optimizer = make_optimizer(lib)
        scalar = lrs.ReduceLROnPlateau(optimizer, patience=0, min_lr=0.02)
        listed = lrs.ReduceLROnPlateau(make_optimizer(lib), patience=0, min_lr=[0.0, 0.0])
        optimizer.add_param_group({"params": [mod.nn.Parameter(mod.zeros(1))], "lr": 0.5})
        listed.optimizer.add_param_group({"params": [mod.nn.Parameter(mod.zeros(1))]})
        for metric in (1.0, 2.0, 3.0):
            scalar.step(metric)
        with pytest.raises(RuntimeError, match=r"param groups in the `optimizer` \(3\) "
                                               r"differs.*initialized \(2\)"):
            for metric in (1.0, 2.0):
                listed.step(metric)
        results[lib] = (scalar.get_last_lr(), scalar.min_lrs)
    assert results["ember"] == results["torch"]
    assert results["ember"][1] == [0.02, 0.02, 0.02]
