"""Every ember optimizer against torch: 20-step trajectories over each option grid,
bitwise resume from a state dict, torch's state-dict layout, and LBFGS via a closure."""

import copy
import itertools

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _grid(**options):
    """All combinations of the given option values, as kwargs dicts."""
    keys = list(options)
    return [dict(zip(keys, vals)) for vals in itertools.product(*options.values())]


def _sgd_grid():
    return [kw for kw in _grid(momentum=[0, 0.9], dampening=[0, 0.5], nesterov=[False, True],
                               weight_decay=[0, 0.1], maximize=[False, True])
            if not kw["nesterov"] or (kw["momentum"] > 0 and kw["dampening"] == 0)]


# (class name, fixed kwargs, option grid)
GRIDS = {
    "SGD": ({"lr": 0.1}, _sgd_grid()),
    "Adam": ({"lr": 0.05}, _grid(amsgrad=[False, True], weight_decay=[0, 0.1],
                                 maximize=[False, True], decoupled_weight_decay=[False, True])),
    "AdamW": ({"lr": 0.05}, _grid(amsgrad=[False, True], weight_decay=[0, 0.1],
                                  maximize=[False, True])),
    "Adamax": ({"lr": 0.05}, _grid(weight_decay=[0, 0.1], maximize=[False, True])),
    "NAdam": ({"lr": 0.05}, _grid(weight_decay=[0, 0.1], decoupled_weight_decay=[False, True],
                                  momentum_decay=[4e-3, 0.1], maximize=[False, True])),
    "RAdam": ({"lr": 0.05}, _grid(weight_decay=[0, 0.1], decoupled_weight_decay=[False, True],
                                  maximize=[False, True])),
    "RMSprop": ({"lr": 0.01}, _grid(alpha=[0.99, 0.8], centered=[False, True],
                                    momentum=[0, 0.9], weight_decay=[0, 0.1],
                                    maximize=[False, True])),
    "Adagrad": ({"lr": 0.1}, _grid(lr_decay=[0, 0.05], initial_accumulator_value=[0, 0.1],
                                   weight_decay=[0, 0.1], maximize=[False, True])),
    "Adadelta": ({}, _grid(rho=[0.9, 0.5], weight_decay=[0, 0.1], maximize=[False, True])),
    "ASGD": ({"lr": 0.05}, _grid(lambd=[1e-4, 0.05], t0=[1e6, 5.0], alpha=[0.75, 0.5],
                                 weight_decay=[0, 0.1], maximize=[False, True])),
    "Rprop": ({"lr": 0.02}, _grid(etas=[(0.5, 1.2), (0.3, 1.5)],
                                  step_sizes=[(1e-6, 50), (1e-3, 0.05)],
                                  maximize=[False, True])),
}

CASES = [(name, {**fixed, **kw}) for name, (fixed, grid) in GRIDS.items() for kw in grid]


def _case_id(case):
    name, kw = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in kw.items())


RNG = np.random.default_rng(0)
INIT = {"w1": RNG.standard_normal((4, 3)) * 0.7, "b1": RNG.standard_normal(4) * 0.3,
        "w2": RNG.standard_normal((2, 4)) * 0.7}
X = RNG.standard_normal((6, 3))
Y = RNG.standard_normal((6, 2))


def make_params(lib, dtype="float64"):
    dt = getattr(lib, dtype)
    return [lib.nn.Parameter(lib.tensor(INIT[k], dtype=dt)) for k in ("w1", "b1", "w2")]


def mlp_loss(lib, params):
    """A tiny non-convex problem: a tanh MLP's squared error."""
    w1, b1, w2 = params
    x = lib.tensor(X, dtype=w1.dtype)
    y = lib.tensor(Y, dtype=w1.dtype)
    h = lib.tanh(x @ w1.T + b1)
    return ((h @ w2.T - y) ** 2).mean()


def run_steps(lib, opt, params, steps):
    # a maximizing optimizer climbs the negated loss, so the run stays as well-conditioned
    # as the minimizing one (a diverging run would amplify rounding differences)
    sign = -1.0 if opt.defaults.get("maximize") else 1.0
    for _ in range(steps):
        opt.zero_grad()
        (mlp_loss(lib, params) * sign).backward()
        opt.step()


def trajectory(lib, name, kw, steps=20, dtype="float64", groups=False):
    params = make_params(lib, dtype)
    spec = ([{"params": params[:2]}, {"params": params[2:], "lr": kw.get("lr", 1.0) * 0.5}]
            if groups else params)
    opt = getattr(lib.optim, name)(spec, **kw)
    run_steps(lib, opt, params, steps)
    return [p.detach().numpy().copy() for p in params], opt


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_trajectory_matches_torch_float64(case):
    name, kw = case
    got, _ = trajectory(ember, name, kw)
    want, _ = trajectory(torch, name, kw)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-13)
    assert not np.allclose(got[0], INIT["w1"], rtol=1e-3, atol=0)  # the run moved them


FLOAT32_CASES = [(name, {**fixed, **grid[-1]}) for name, (fixed, grid) in GRIDS.items()]


@pytest.mark.parametrize("case", FLOAT32_CASES, ids=[_case_id(c) for c in FLOAT32_CASES])
def test_trajectory_matches_torch_float32_with_param_groups(case):
    name, kw = case
    got, eopt = trajectory(ember, name, kw, dtype="float32", groups=True)
    want, _ = trajectory(torch, name, kw, dtype="float32", groups=True)
    for g, w in zip(got, want):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, w, rtol=2e-4, atol=2e-5)
    start = make_params(ember, "float32")
    assert any(not np.array_equal(g, s.detach().numpy()) for g, s in zip(got, start))


@pytest.mark.parametrize("name", list(GRIDS))
def test_state_dict_layout_matches_torch(name):
    fixed, grid = GRIDS[name]
    kw = {**fixed, **grid[-1]}
    _, eopt = trajectory(ember, name, kw, steps=3, groups=True)
    _, topt = trajectory(torch, name, kw, steps=3, groups=True)
    esd, tsd = eopt.state_dict(), topt.state_dict()
    assert set(esd) == set(tsd) == {"state", "param_groups"}
    assert sorted(esd["state"]) == sorted(tsd["state"]) == [0, 1, 2]
    for i in esd["state"]:
        assert set(esd["state"][i]) == set(tsd["state"][i])
        for key, tv in tsd["state"][i].items():
            ev = esd["state"][i][key]
            assert isinstance(ev, ember.Tensor) == isinstance(tv, torch.Tensor), key
            if isinstance(tv, torch.Tensor):
                assert str(ev.dtype) == str(tv.dtype) and tuple(ev.shape) == tuple(tv.shape)
                np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-10, atol=1e-13)
    for eg, tg in zip(esd["param_groups"], tsd["param_groups"]):
        assert set(eg) == set(tg)
        assert eg["params"] == tg["params"]
        for key in tg:
            assert eg[key] == tg[key], key


@pytest.mark.parametrize("name", list(GRIDS))
def test_resume_from_state_dict_is_bitwise_identical(name):
    fixed, grid = GRIDS[name]
    kw = {**fixed, **grid[-1]}
    params = make_params(ember)
    opt = getattr(ember.optim, name)(params, **kw)
    run_steps(ember, opt, params, 10)
    saved = copy.deepcopy(opt.state_dict())
    mid = [p.detach().numpy().copy() for p in params]
    run_steps(ember, opt, params, 10)
    straight = [p.detach().numpy().copy() for p in params]

    resumed = [ember.nn.Parameter(ember.tensor(m)) for m in mid]
    opt2 = getattr(ember.optim, name)(resumed, **kw)
    opt2.load_state_dict(saved)
    run_steps(ember, opt2, resumed, 10)
    for a, b in zip(straight, resumed):
        assert np.array_equal(a, b.detach().numpy())
    assert not np.array_equal(straight[0], mid[0])


def test_resume_through_numpy_round_trip():
    """A state dict whose tensors went through NumPy (as a checkpoint file would) resumes
    the run exactly, and the step counter comes back as a tensor."""
    params = make_params(ember)
    opt = ember.optim.Adam(params, lr=0.05, amsgrad=True)
    run_steps(ember, opt, params, 5)
    sd = opt.state_dict()
    plain = {"state": {i: {k: v.numpy().copy() for k, v in s.items()}
                       for i, s in sd["state"].items()},
             "param_groups": copy.deepcopy(sd["param_groups"])}
    mid = [p.detach().numpy().copy() for p in params]
    run_steps(ember, opt, params, 5)

    resumed = [ember.nn.Parameter(ember.tensor(m)) for m in mid]
    opt2 = ember.optim.Adam(resumed, lr=0.05, amsgrad=True)
    opt2.load_state_dict({"state": {i: {k: ember.tensor(v) for k, v in s.items()}
                                    for i, s in plain["state"].items()},
                          "param_groups": plain["param_groups"]})
    assert isinstance(opt2.state[resumed[0]]["step"], ember.Tensor)
    run_steps(ember, opt2, resumed, 5)
    for a, b in zip(params, resumed):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_load_state_dict_casts_state_to_param_dtype_but_not_step():
    src = make_params(ember)
    opt = ember.optim.Adam(src, lr=0.1)
    run_steps(ember, opt, src, 2)
    dst = make_params(ember, "float32")
    opt2 = ember.optim.Adam(dst, lr=0.1)
    opt2.load_state_dict(opt.state_dict())
    st = opt2.state[dst[0]]
    assert st["exp_avg"].dtype is ember.float32
    assert st["step"].dtype is ember.float32 and float(st["step"]) == 2.0

    tsrc = make_params(torch)
    topt = torch.optim.Adam(tsrc, lr=0.1)
    run_steps(torch, topt, tsrc, 2)
    tdst = make_params(torch, "float32")
    topt2 = torch.optim.Adam(tdst, lr=0.1)
    topt2.load_state_dict(topt.state_dict())
    assert topt2.state[tdst[0]]["exp_avg"].dtype == torch.float32


# -- LBFGS -------------------------------------------------------------------------


def rosenbrock(lib, xy):
    x, y = xy[0], xy[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def lbfgs_run(lib, kw, steps, problem, dtype="float64"):
    if problem == "rosenbrock":
        params = [lib.nn.Parameter(lib.tensor([-1.2, 1.0], dtype=lib.float64))]

        def loss_fn():
            return rosenbrock(lib, params[0])
    else:
        params = make_params(lib, dtype)

        def loss_fn():
            return mlp_loss(lib, params)
    opt = lib.optim.LBFGS(params, **kw)
    losses = []

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
    return [p.detach().numpy().copy() for p in params], losses, opt


LBFGS_CASES = _grid(line_search_fn=[None, "strong_wolfe"], history_size=[100, 3],
                    problem=["rosenbrock", "mlp"])


@pytest.mark.parametrize("case", LBFGS_CASES,
                         ids=["-".join(map(str, c.values())) for c in LBFGS_CASES])
def test_lbfgs_matches_torch(case):
    case = dict(case)
    problem = case.pop("problem")
    kw = {**case, "lr": 1.0 if case["line_search_fn"] else 0.1, "max_iter": 5}
    got, glosses, eopt = lbfgs_run(ember, kw, 4, problem)
    want, wlosses, topt = lbfgs_run(torch, kw, 4, problem)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(glosses, wlosses, rtol=1e-10)
    est, tst = eopt.state_dict()["state"][0], topt.state_dict()["state"][0]
    assert set(est) == set(tst)
    assert est["func_evals"] == tst["func_evals"] and est["n_iter"] == tst["n_iter"]
    assert glosses[-1] < glosses[0]


def test_lbfgs_strong_wolfe_converges_on_rosenbrock():
    kw = {"lr": 1.0, "max_iter": 50, "line_search_fn": "strong_wolfe"}
    got, _, _ = lbfgs_run(ember, kw, 5, "rosenbrock")
    want, _, _ = lbfgs_run(torch, kw, 5, "rosenbrock")
    np.testing.assert_allclose(got[0], [1.0, 1.0], atol=1e-4)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-9)


def test_lbfgs_resume_and_errors():
    kw = {"lr": 1.0, "max_iter": 3, "line_search_fn": "strong_wolfe", "history_size": 4}
    params = make_params(ember)
    opt = ember.optim.LBFGS(params, **kw)

    def closure_for(o, ps):
        def closure():
            o.zero_grad()
            loss = mlp_loss(ember, ps)
            loss.backward()
            return loss
        return closure
    for _ in range(2):
        opt.step(closure_for(opt, params))
    saved = copy.deepcopy(opt.state_dict())
    mid = [p.detach().numpy().copy() for p in params]
    for _ in range(2):
        opt.step(closure_for(opt, params))
    resumed = [ember.nn.Parameter(ember.tensor(m)) for m in mid]
    opt2 = ember.optim.LBFGS(resumed, **kw)
    opt2.load_state_dict(saved)
    for _ in range(2):
        opt2.step(closure_for(opt2, resumed))
    for a, b in zip(params, resumed):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())

    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        ember.optim.LBFGS([{"params": params[:1]}, {"params": params[1:]}])
    bad = ember.optim.LBFGS(params, line_search_fn="backtracking")
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        bad.step(closure_for(bad, params))


COMPLEX_CASES = [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.1, "amsgrad": True}),
                 ("AdamW", {}), ("Adamax", {}), ("NAdam", {}), ("RAdam", {}),
                 ("RMSprop", {"centered": True, "momentum": 0.5}),
                 ("Adagrad", {"initial_accumulator_value": 0.1}), ("Adadelta", {}),
                 ("ASGD", {"t0": 3.0}), ("Rprop", {})]


@pytest.mark.parametrize("name,kw", COMPLEX_CASES, ids=[c[0] for c in COMPLEX_CASES])
def test_complex_parameters_update_real_and_imaginary_parts_like_torch(name, kw):
    init = np.array([0.5 + 1.0j, -1.5 + 0.25j, 2.0 - 0.75j])
    out = []
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.tensor(init))
        opt = getattr(lib.optim, name)([p], **kw)
        for i in range(10):
            x = p.detach().numpy()
            p.grad = lib.tensor(np.sin(x.real * (i + 1)) + 1j * np.cos(x.imag))
            opt.step()
        out.append(p.detach().numpy().copy())
    assert out[0].dtype == np.complex128
    np.testing.assert_allclose(out[0], out[1], rtol=1e-12, atol=1e-14)
    assert not np.allclose(out[0].imag, init.imag)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_float32_close_to_torch(line_search_fn):
    kw = {"lr": 1.0 if line_search_fn else 0.1, "max_iter": 5, "line_search_fn": line_search_fn}
    got, _, _ = lbfgs_run(ember, kw, 4, "mlp", dtype="float32")
    want, _, _ = lbfgs_run(torch, kw, 4, "mlp", dtype="float32")
    for e, t in zip(got, want):
        assert e.dtype == np.float32
        np.testing.assert_allclose(e, t, rtol=1e-3, atol=1e-4)
