"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict against torch."""

from collections import OrderedDict

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def outcome(fn, lib):
    try:
        return ("ok", fn(lib))
    except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
        return (type(e).__name__, str(e).replace("ember.", "torch."))


def same_outcome(fn):
    t, e = outcome(fn, torch), outcome(fn, ember)
    assert t == e
    return t


def names(m):
    return [type(c).__name__ for c in m]


def seq(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(2, 3), nn.Identity(), nn.Flatten(), nn.Linear(3, 1))


# -- Sequential ------------------------------------------------------------------------
def test_sequential_forward_matches_torch():
    t = seq(torch)
    e = seq(ember)
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    x = np.random.RandomState(1).randn(4, 2).astype("float32")
    np.testing.assert_allclose(e(ember.tensor(x)).detach().numpy(),
                               t(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert list(e.state_dict()) == list(t.state_dict()) == ["0.weight", "0.bias", "3.weight",
                                                             "3.bias"]


def test_sequential_indexing_and_mutation():
    def run(lib):
        nn = lib.nn
        s = seq(lib)
        out = [len(s), type(s[-1]).__name__, names(s[1:3]), type(s[1:3]).__name__,
               list(s[::2]._modules), repr(s[-2:])]
        s[1] = nn.Sequential()
        del s[0]
        out.append(list(s._modules))
        del s[0:1]
        out.append((list(s._modules), names(s)))
        s.append(nn.Identity())
        s.insert(0, nn.Sequential())
        s.insert(-1, nn.Flatten())
        s.extend([nn.Identity(), nn.Identity()])
        out.append((list(s._modules), names(s)))
        popped = s.pop(1)
        out.append((type(popped).__name__, names(s), list(s._modules)))
        out.append(names(s + nn.Sequential(nn.Identity())))
        s += nn.Sequential(nn.Flatten())
        out.append(names(s))
        out.append(names(nn.Sequential(nn.Identity(), nn.Flatten()) * 2))
        out.append(len(dir(s)) > 0 and "0" not in dir(s))
        return out
    assert same_outcome(run)[0] == "ok"


def test_sequential_ordered_dict_constructor():
    def run(lib):
        nn = lib.nn
        s = nn.Sequential(OrderedDict([("conv", nn.Identity()), ("fc", nn.Linear(1, 2))]))
        return list(s._modules), list(s.state_dict()), type(s.fc).__name__, repr(s)
    assert same_outcome(run)[0] == "ok"


@pytest.mark.parametrize("case", range(6))
def test_sequential_errors(case):
    def run(lib):
        nn = lib.nn
        s = nn.Sequential(nn.Identity(), nn.Identity())
        if case == 0:
            return s[2]
        if case == 1:
            return s[-3]
        if case == 2:
            return s.insert(5, nn.Identity())
        if case == 3:
            return s + nn.ModuleList()
        if case == 4:
            return s.insert(0, 3)
        return s * 0
    assert same_outcome(run)[0] != "ok"


def test_sequential_iteration_and_empty():
    s = ember.nn.Sequential()
    x = ember.ones(2)
    assert s(x) is x and len(s) == 0 and repr(s) == "Sequential()"


# -- ModuleList -------------------------------------------------------------------------
def test_module_list_ops():
    def run(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(1, 1), nn.Identity()])
        ml.append(nn.Flatten())
        ml.extend([nn.Identity()])
        ml.insert(1, nn.Sequential())
        out = [names(ml), list(ml._modules), type(ml[-1]).__name__, names(ml[1:3]),
               type(ml[1:3]).__name__]
        ml[0] = nn.Identity()
        del ml[1]
        out.append((names(ml), list(ml._modules)))
        del ml[::2]
        out.append((names(ml), list(ml._modules)))
        out.append(type(ml.pop(0)).__name__)
        ml += [nn.Identity()]
        out.append(names(ml + nn.ModuleList([nn.Flatten()])))
        out.append([n for n, _ in nn.ModuleList([nn.Linear(1, 1)]).named_parameters()])
        out.append(repr(ml))
        return out
    assert same_outcome(run)[0] == "ok"


@pytest.mark.parametrize("case", range(4))
def test_module_list_errors(case):
    def run(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Identity()])
        if case == 0:
            return ml[1]
        if case == 1:
            return ml.extend(3)
        if case == 2:
            return ml.append(3)
        return ml(1)
    assert same_outcome(run)[0] != "ok"


def test_module_list_repr_compresses_repeats():
    def run(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Identity()]
                           + [nn.Linear(1, 1)] * 2)
        return repr(ml) + repr(nn.ModuleList())
    kind, text = same_outcome(run)
    assert "(0-2): 3 x Linear(in_features=2, out_features=2, bias=True)" in text
    assert text.endswith("ModuleList()")


# -- ModuleDict -------------------------------------------------------------------------
def test_module_dict_ops():
    def run(lib):
        nn = lib.nn
        md = nn.ModuleDict({"b": nn.Identity(), "a": nn.Linear(1, 1)})
        md["c"] = nn.Flatten()
        md.update([("d", nn.Identity())])
        md.update(nn.ModuleDict({"e": nn.Identity()}))
        out = [list(md.keys()), names(md.values()), [k for k, _ in md.items()], "a" in md,
               len(md), list(md), type(md.pop("b")).__name__, list(md.keys()),
               list(md.state_dict()), repr(md)]
        del md["c"]
        out.append(list(md))
        md.clear()
        out.append(len(md))
        return out
    assert same_outcome(run)[0] == "ok"


@pytest.mark.parametrize("arg", [3, [("a",)], [3]])
def test_module_dict_update_errors(arg):
    assert same_outcome(lambda lib: lib.nn.ModuleDict().update(arg))[0] != "ok"


# -- ParameterList / ParameterDict -----------------------------------------------------
def test_parameter_list():
    def run(lib):
        nn = lib.nn
        pl = nn.ParameterList([nn.Parameter(lib.ones(2)), lib.zeros(3, 2)])
        pl.append(lib.ones(1, dtype=lib.float64))
        pl.extend([nn.Parameter(lib.ones(4), requires_grad=False)])
        out = [len(pl), [type(p).__name__ for p in pl], [p.requires_grad for p in pl],
               [n for n, _ in pl.named_parameters()], list(pl.state_dict()),
               tuple(pl[-1].shape), len(pl[1:3]), type(pl[1:3]).__name__, repr(pl)]
        pl[0] = lib.full((2,), 5.0)
        out.append((type(pl[0]).__name__, pl[0].tolist()))
        pl.append("text")
        out.append(repr(pl))
        return out
    assert same_outcome(run)[0] == "ok"


@pytest.mark.parametrize("case", range(3))
def test_parameter_list_errors(case):
    def run(lib):
        pl = lib.nn.ParameterList([lib.ones(1)])
        if case == 0:
            return pl[3]
        if case == 1:
            return pl.extend(lib.ones(2))
        return pl(1)
    assert same_outcome(run)[0] != "ok"


def test_parameter_list_grads_flow():
    pl = ember.nn.ParameterList([ember.ones(2), ember.ones(2)])
    (pl[0] * 2 + pl[1] * 3).sum().backward()
    assert pl[0].grad.tolist() == [2.0, 2.0] and pl[1].grad.tolist() == [3.0, 3.0]


def test_parameter_dict():
    def run(lib):
        nn = lib.nn
        pd = nn.ParameterDict({"b": lib.ones(2), "a": nn.Parameter(lib.zeros(1))})
        pd["c"] = lib.ones(3, 2)
        pd.update([("d", lib.ones(1))])
        pd.update(OrderedDict([("z", lib.ones(1)), ("y", lib.ones(1))]))
        out = [list(pd.keys()), [type(v).__name__ for v in pd.values()], len(pd), "a" in pd,
               list(pd.state_dict()), [n for n, _ in pd.named_parameters()], repr(pd),
               list(reversed(pd)), pd.get("nope", 7), list(pd.copy().keys())]
        out.append((tuple(pd.pop("c").shape), list(pd)))
        out.append(tuple(pd.setdefault("q", lib.ones(2)).shape))
        k, v = pd.popitem()
        out.append((k, list(pd)))
        del pd["a"]
        out.append(list(pd))
        out.append(list((pd | nn.ParameterDict({"n": lib.ones(1)})).keys()))
        pd.clear()
        out.append(len(pd))
        return out
    assert same_outcome(run)[0] == "ok"


def test_parameter_dict_errors():
    assert same_outcome(lambda lib: lib.nn.ParameterDict()[3])[0] == "TypeError"
    assert same_outcome(lambda lib: lib.nn.ParameterDict().update(3))[0] == "TypeError"
    assert same_outcome(lambda lib: lib.nn.ParameterDict()(1))[0] == "RuntimeError"


def test_containers_in_model_state_dict_keys():
    def run(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 1)])
                self.heads = nn.ModuleDict({"x": nn.Linear(1, 1)})
                self.pl = nn.ParameterList([lib.ones(1)])
                self.pd = nn.ParameterDict({"s": lib.ones(1)})
        return [(k, tuple(v.shape)) for k, v in Net().state_dict().items()]
    assert same_outcome(run)[0] == "ok"
