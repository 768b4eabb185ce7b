"""The Optimizer base against torch: parameter groups, errors, hooks, zero_grad, closures,
in-place updates without graphs, and hyper-parameter validation messages."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

ALL = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta",
       "ASGD", "Rprop", "LBFGS", "SparseAdam"]


def param(lib, values=(1.0, -2.0, 3.0)):
    return lib.nn.Parameter(lib.tensor(values, dtype=lib.float64))


def raised(fn):
    """(exception type name, message) raised by ``fn`` (None when it returns)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared against torch's exception below
        return type(e).__name__, str(e)
    return None


def assert_same_error(build):
    """``build(lib)`` raises the same exception type and message in ember and torch."""
    want = raised(lambda: build(torch))
    got = raised(lambda: build(ember))
    assert want is not None, "torch accepted it"
    assert got == want


BAD_HYPERPARAMETERS = [
    ("SGD", {"lr": -1}), ("SGD", {"momentum": -0.5}), ("SGD", {"weight_decay": -1e-3}),
    ("SGD", {"nesterov": True}), ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("Adam", {"lr": -1}), ("Adam", {"eps": -1e-8}), ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, -0.1)}), ("Adam", {"weight_decay": -1}),
    ("Adam", {"betas": (0.9, 1)}), ("AdamW", {"lr": -0.5}), ("AdamW", {"betas": (-0.1, 0.9)}),
    ("Adamax", {"eps": -1.0}), ("Adamax", {"betas": (0.9, 1.5)}),
    ("NAdam", {"momentum_decay": -1}), ("NAdam", {"weight_decay": -2}),
    ("RAdam", {"betas": (0.9, 1.0)}), ("RMSprop", {"alpha": -0.1}),
    ("RMSprop", {"momentum": -1}), ("RMSprop", {"eps": -1}),
    ("Adagrad", {"lr_decay": -1}), ("Adagrad", {"initial_accumulator_value": -1}),
    ("Adagrad", {"eps": -1}), ("Adadelta", {"rho": 1.5}), ("Adadelta", {"lr": -1}),
    ("ASGD", {"weight_decay": -1}), ("Rprop", {"etas": (1.2, 0.5)}),
    ("Rprop", {"etas": (0.0, 1.2)}), ("LBFGS", {"lr": -1}), ("SparseAdam", {"lr": 0.0}),
    ("SparseAdam", {"eps": 0.0}), ("SparseAdam", {"betas": (0.9, 1.0)}),
]


@pytest.mark.parametrize("name,kw", BAD_HYPERPARAMETERS,
                         ids=[f"{n}-{k}" for n, k in BAD_HYPERPARAMETERS])
def test_invalid_hyperparameters_raise_like_torch(name, kw):
    assert_same_error(lambda lib: getattr(lib.optim, name)([param(lib)], **kw))


def test_invalid_learning_rate_message():
    with pytest.raises(ValueError, match="^Invalid learning rate: -1$"):
        ember.optim.SGD([param(ember)], lr=-1)


@pytest.mark.parametrize("name", ALL)
def test_bad_params_raise_like_torch(name):
    assert_same_error(lambda lib: getattr(lib.optim, name)([]))
    assert_same_error(lambda lib: getattr(lib.optim, name)(param(lib)))
    assert_same_error(lambda lib: getattr(lib.optim, name)([param(lib), 1.0]))
    assert_same_error(lambda lib: getattr(lib.optim, name)([param(lib) * 2]))


def test_empty_parameter_list_message():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        ember.optim.Adam([])


def test_parameter_in_two_groups_and_duplicates_within_a_group():
    def two_groups(lib):
        p = param(lib)
        return lib.optim.SGD([{"params": [p]}, {"params": [param(lib), p]}], lr=0.1)
    assert_same_error(two_groups)

    def add_again(lib):
        p = param(lib)
        opt = lib.optim.SGD([p], lr=0.1)
        opt.add_param_group({"params": p})
    assert_same_error(add_again)
    assert_same_error(lambda lib: lib.optim.SGD([param(lib)]).add_param_group([param(lib)]))
    assert_same_error(lambda lib: lib.optim.SGD([param(lib)]).add_param_group(
        {"params": {param(lib)}}))
    p = param(ember)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        ember.optim.SGD([p, p], lr=0.1)


def test_required_hyperparameter_and_named_group_mixing():
    from ember.optim.optimizer import required

    class Plain(ember.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": required, "beta": 0.5})

        def step(self, closure=None):
            return None
    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Plain([param(ember)])
    opt = Plain([{"params": [param(ember)], "lr": 0.1}])
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["beta"] == 0.5

    def mixed(lib):
        opt = lib.optim.SGD([("a", param(lib))], lr=0.1)
        opt.add_param_group({"params": [param(lib)]})
    assert_same_error(mixed)


def test_param_groups_defaults_named_parameters_and_repr():
    lin_e, lin_t = ember.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    eo = ember.optim.Adam(lin_e.named_parameters(), lr=0.01)
    to = torch.optim.Adam(lin_t.named_parameters(), lr=0.01)
    eg, tg = eo.param_groups[0], to.param_groups[0]
    assert list(eg) == list(tg)
    assert eg["param_names"] == tg["param_names"] == ["weight", "bias"]
    assert eg["params"][0] is lin_e.weight
    assert eo.state_dict()["param_groups"] == [
        {k: v for k, v in to.state_dict()["param_groups"][0].items()}]
    assert repr(eo) == repr(to)
    assert isinstance(eo.defaults, dict) and eo.defaults["lr"] == 0.01


def test_load_state_dict_group_mismatch_errors():
    def fewer_groups(lib):
        a, b = param(lib), param(lib)
        src = lib.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
        lib.optim.SGD([a, b], lr=0.1).load_state_dict(src.state_dict())
    assert_same_error(fewer_groups)

    def group_size(lib):
        a, b = param(lib), param(lib)
        src = lib.optim.SGD([a, b], lr=0.1)
        lib.optim.SGD([a], lr=0.1).load_state_dict(src.state_dict())
    assert_same_error(group_size)


def test_load_state_dict_restores_hyperparameters_and_keeps_params():
    a = param(ember)
    src = ember.optim.SGD([a], lr=0.5, momentum=0.9)
    dst = ember.optim.SGD([param(ember)], lr=0.1, momentum=0.9)
    dst.load_state_dict(src.state_dict())
    assert dst.param_groups[0]["lr"] == 0.5
    assert dst.param_groups[0]["params"][0] is not a


def test_step_hooks_run_in_order_and_handles_remove_them():
    from ember.optim.optimizer import (
        register_optimizer_step_post_hook,
        register_optimizer_step_pre_hook,
    )
    p = param(ember)
    p.grad = ember.ones(3, dtype=ember.float64)
    opt = ember.optim.SGD([p], lr=0.1)
    calls = []
    handles = [
        opt.register_step_pre_hook(lambda o, a, k: calls.append("pre1")),
        opt.register_step_pre_hook(lambda o, a, k: calls.append("pre2")),
        opt.register_step_post_hook(lambda o, a, k: calls.append("post")),
        register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global_pre")),
        register_optimizer_step_post_hook(lambda o, a, k: calls.append("global_post")),
    ]
    try:
        opt.step()
        assert calls == ["global_pre", "pre1", "pre2", "post", "global_post"]
        calls.clear()
        handles[0].remove()
        handles[3].remove()
        opt.step()
        assert calls == ["pre2", "post", "global_post"]
    finally:
        for h in handles:
            h.remove()
    calls.clear()
    opt.step()
    assert calls == []


def test_pre_hook_can_replace_arguments():
    p = param(ember)
    opt = ember.optim.SGD([p], lr=0.1)
    p.grad = ember.ones(3, dtype=ember.float64)
    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {"closure": lambda: 42.0}))
    assert opt.step() == 42.0
    opt.register_step_pre_hook(lambda o, args, kwargs: "bad")
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()


def test_step_is_an_ordinary_class_method_schedulers_can_wrap():
    p = param(ember)
    opt = ember.optim.Adam([p], lr=0.1)
    assert "step" not in vars(opt)
    assert type(opt).step is ember.optim.Adam.step
    seen = []
    original = opt.step

    def wrapped(*args, **kwargs):
        seen.append(True)
        return original(*args, **kwargs)
    opt.step = wrapped
    p.grad = ember.ones(3, dtype=ember.float64)
    opt.step()
    assert seen == [True] and float(opt.state[p]["step"]) == 1.0


def test_zero_grad_set_to_none_and_in_place():
    p = param(ember)
    p.grad = ember.ones(3, dtype=ember.float64)
    g = p.grad
    opt = ember.optim.SGD([p], lr=0.1)
    version = g._version
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and np.array_equal(g.numpy(), np.zeros(3))
    assert g._version > version
    opt.zero_grad()
    assert p.grad is None


def test_zero_grad_detaches_a_grad_with_history():
    p = param(ember)
    x = ember.ones(3, dtype=ember.float64, requires_grad=True)
    p.grad = x * 2
    ember.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad.grad_fn is None and not p.grad.requires_grad
    assert np.array_equal(p.grad.numpy(), np.zeros(3))


@pytest.mark.parametrize("name", [n for n in ALL if n not in ("LBFGS", "SparseAdam")])
def test_step_updates_in_place_without_graph_and_skips_params_without_grad(name):
    a, b = param(ember), param(ember, (0.5, 0.25, -1.0))
    opt = getattr(ember.optim, name)([a, b], lr=0.1)
    data_a, version = a._data, a._version
    (a * a).sum().backward()
    opt.step()
    assert a._data is data_a and a._version > version
    assert a.grad_fn is None and a.is_leaf and a.requires_grad
    assert np.array_equal(b.detach().numpy(), [0.5, 0.25, -1.0])
    ta, tb = param(torch), param(torch, (0.5, 0.25, -1.0))
    topt = getattr(torch.optim, name)([ta, tb], lr=0.1)
    (ta * ta).sum().backward()
    topt.step()
    np.testing.assert_allclose(a.detach().numpy(), ta.detach().numpy(), rtol=1e-12)
    assert sorted(opt.state_dict()["state"]) == sorted(topt.state_dict()["state"])


def test_step_with_closure_returns_its_loss_and_evaluates_with_grad():
    p = param(ember)
    opt = ember.optim.SGD([p], lr=0.1)
    seen = {}

    def closure():
        seen["grad_enabled"] = ember.is_grad_enabled()
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss
    with ember.no_grad():
        loss = opt.step(closure)
    assert seen["grad_enabled"] and float(loss) == 14.0
    np.testing.assert_allclose(p.detach().numpy(), [0.8, -1.6, 2.4], rtol=1e-15)
    assert ember.is_grad_enabled()


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam",
                                  "RMSprop", "Adagrad", "Adadelta"])
def test_tensor_lr_matches_torch(name):
    e, t = param(ember), param(torch)
    eo = getattr(ember.optim, name)([e], lr=ember.tensor(0.05), weight_decay=0.1)
    to = getattr(torch.optim, name)([t], lr=torch.tensor(0.05), weight_decay=0.1)
    for _ in range(5):
        for p, o, lib in ((e, eo, ember), (t, to, torch)):
            o.zero_grad()
            (lib.sin(p) * p).sum().backward()
            o.step()
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-10)
    assert_same_error(lambda lib: lib.optim.SGD([param(lib)], lr=lib.tensor([0.1, 0.2])))


def test_differentiable_is_refused_clearly_and_fused_flags_checked():
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        ember.optim.Adam([param(ember)], differentiable=True)
    assert_same_error(lambda lib: lib.optim.SGD([param(lib)], fused=True, foreach=True))
    opt = ember.optim.Adam([param(ember)], foreach=True, capturable=True)
    assert opt.param_groups[0]["foreach"] is True


def test_sparse_adam_refuses_dense_gradients_like_torch():
    def step(lib):
        p = param(lib)
        opt = lib.optim.SparseAdam([p])
        (p * p).sum().backward()
        opt.step()
    assert_same_error(step)
    p = param(ember)
    assert ember.optim.SparseAdam([p]).step() is None  # nothing to do without gradients


def test_state_is_created_lazily_and_keyed_by_parameter():
    p, q = param(ember), param(ember)
    opt = ember.optim.Adam([p, q], lr=0.1)
    assert len(opt.state) == 0
    (p * 3).sum().backward()
    opt.step()
    assert list(opt.state) == [p]
    assert set(opt.state[p]) == {"step", "exp_avg", "exp_avg_sq"}
    adagrad = ember.optim.Adagrad([p, q], initial_accumulator_value=0.5)
    assert set(adagrad.state) == {p, q}  # Adagrad builds its state eagerly, like torch
    assert np.array_equal(adagrad.state[q]["sum"].numpy(), np.full(3, 0.5))


def test_state_dict_and_load_state_dict_hooks():
    p = param(ember)
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    calls = []
    opt.register_state_dict_pre_hook(lambda o: calls.append("sd_pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append("load_pre"))
    h = opt.register_load_state_dict_post_hook(lambda o: calls.append("load_post"))
    opt.register_load_state_dict_post_hook(lambda o: calls.append("first"), prepend=True)
    sd = opt.state_dict()
    assert sd["extra"] == 1 and calls == ["sd_pre"]
    sd["param_groups"][0]["lr"] = 0.25
    opt.load_state_dict(sd)
    assert calls == ["sd_pre", "load_pre", "first", "load_post"]
    assert opt.param_groups[0]["lr"] == 0.25
    h.remove()
    calls.clear()
    opt.load_state_dict(sd)
    assert calls == ["load_pre", "first"]


def test_adagrad_share_memory_keeps_values():
    p = param(ember)
    opt = ember.optim.Adagrad([p], initial_accumulator_value=0.3)
    opt.share_memory()
    assert np.array_equal(opt.state[p]["sum"].numpy(), np.full(3, 0.3))


def test_subclass_step_calling_super_runs_hooks_once():
    class LoggedSGD(ember.optim.SGD):
        def step(self, closure=None):
            self.calls = getattr(self, "calls", 0) + 1
            return super().step(closure)
    p = param(ember)
    p.grad = ember.ones(3, dtype=ember.float64)
    opt = LoggedSGD([p], lr=0.5)
    seen = []
    opt.register_step_post_hook(lambda o, a, k: seen.append("post"))
    opt.step()
    assert seen == ["post"] and opt.calls == 1
    np.testing.assert_allclose(p.detach().numpy(), [0.5, -2.5, 2.5])


@pytest.mark.parametrize("flags", [{"foreach": True}, {"fused": True}, {"capturable": True}],
                         ids=["foreach", "fused", "capturable"])
def test_implementation_flags_are_accepted_and_change_nothing(flags):
    results = []
    for kw in ({}, flags):
        p = param(ember)
        opt = ember.optim.Adam([p], lr=0.1, **kw)
        for _ in range(3):
            opt.zero_grad()
            (ember.sin(p) * p).sum().backward()
            opt.step()
        assert all(opt.param_groups[0][k] == v for k, v in kw.items())
        results.append(p.detach().numpy().copy())
    assert np.array_equal(results[0], results[1])
    assert not np.array_equal(results[0], [1.0, -2.0, 3.0])
