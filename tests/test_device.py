"""ember.device, ember.cuda, ember.accelerator, ember.backends and the default device."""

import pickle

import pytest

import ember

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda:1",), ("cuda", 1), ("cuda", 0),
                                  ("cpu", 0), ("meta",), ("mps",)])
def test_device_forms_match_torch(args):
    e, t = ember.device(*args), torch.device(*args)
    assert repr(e) == repr(t) and str(e) == str(t)
    assert e.type == t.type and e.index == t.index
    assert pickle.loads(pickle.dumps(e)) == e


@pytest.mark.parametrize("args", [("foo",), ("cuda:x",), ("cuda:-1",), ("cuda:1", 2), (1,),
                                  ("cuda", -1)])
def test_device_errors_match_torch(args):
    with pytest.raises(Exception) as t:
        torch.device(*args)
    with pytest.raises(Exception) as e:
        ember.device(*args)
    assert e.type is t.type


def test_device_equality_and_hash():
    assert ember.device("cuda", 1) == ember.device("cuda:1")
    assert ember.device("cpu") != ember.device("cuda")
    assert ember.device("cuda") != ember.device("cuda:0")
    assert len({ember.device("cpu"), ember.device("cpu")}) == 1
    # like torch, a device never equals a string; compare .type instead
    assert (ember.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")
    assert ember.zeros(1).device.type == "cpu"
    assert ember.device(ember.device("cuda:2")).index == 2
    assert ember.zeros(1, device=torch.device("cpu")).device == ember.device("cpu")


def test_cuda_module_without_gpu():
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    assert ember.cuda.manual_seed_all(1) is None
    assert ember.cuda.manual_seed(1) is None
    assert ember.cuda.seed() is None
    assert ember.cuda.empty_cache() is None
    assert ember.cuda.memory_allocated() == 0 == ember.cuda.max_memory_allocated()
    assert ember.cuda.memory_reserved() == 0
    assert ember.cuda.is_bf16_supported() is False
    for f in (ember.cuda.synchronize, ember.cuda.current_device, ember.cuda.get_device_name,
              ember.cuda.get_rng_state, ember.cuda.initial_seed, ember.cuda.get_device_properties,
              ember.cuda.get_device_capability):
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            f()


def test_accelerator_and_backends():
    assert ember.accelerator.is_available() is torch.accelerator.is_available() is False
    assert ember.accelerator.current_accelerator() is None
    assert ember.accelerator.device_count() == 0
    assert ember.backends.mps.is_available() is False
    assert ember.backends.mps.is_built() is False
    assert ember.backends.cudnn.is_available() is False
    assert ember.backends.cudnn.version() is None
    assert ember.backends.cudnn.enabled is True
    ember.backends.cudnn.benchmark = True
    ember.backends.cudnn.deterministic = True
    ember.backends.cudnn.benchmark = False
    ember.backends.cudnn.deterministic = False
    ember.backends.cuda.matmul.allow_tf32 = True
    ember.backends.cuda.matmul.allow_tf32 = False


def test_default_device():
    assert ember.get_default_device() == ember.device("cpu")
    try:
        ember.set_default_device("cpu")
        assert ember.zeros(2).device.type == "cpu"
        ember.set_default_device("cuda")
        with pytest.raises(AssertionError):
            ember.zeros(2)
    finally:
        ember.set_default_device(None)
    assert ember.get_default_device() == ember.device("cpu")
    assert ember.ones(1).device.type == "cpu"


def test_legacy_cuda_types():
    assert repr(ember.cuda.FloatTensor) == repr(torch.cuda.FloatTensor)
    assert repr(ember.LongTensor) == repr(torch.LongTensor)
    with pytest.raises(TypeError, match="not available"):
        ember.cuda.FloatTensor([1.])
    assert not isinstance(ember.zeros(1), ember.cuda.FloatTensor)
    assert isinstance(ember.zeros(1), ember.FloatTensor)


def test_device_context_manager_sets_default_device():
    with ember.device("cpu") as d:
        assert d == ember.device("cpu")
        assert ember.get_default_device() == ember.device("cpu")
    with ember.device("cuda"):
        assert ember.get_default_device() == ember.device("cuda")
        with pytest.raises(AssertionError):
            ember.zeros(1)
    assert ember.get_default_device() == ember.device("cpu")
    assert ember.zeros(1).device.type == "cpu"


def test_accelerator_errors_match_torch():
    for name in ("current_device_index", "synchronize"):
        with pytest.raises(RuntimeError):
            getattr(torch.accelerator, name)()
        with pytest.raises(RuntimeError):
            getattr(ember.accelerator, name)()


@pytest.mark.parametrize("expr", ["T.zeros(1).cuda(0)", "T.zeros(1).to(0)", "T.zeros(1, device=0)",
                                  "T.zeros(1).cuda('cuda:1')", "T.zeros(1).cuda(T.device('cuda'))",
                                  "T.tensor([1.], device='cuda')", "T.ones(2).to('cuda:0')",
                                  "T.randn(2, device='cuda')", "T.arange(3, device='cuda')"])
def test_cuda_requests_fail_like_torch(expr):
    with pytest.raises(Exception) as t:
        eval(expr, {"T": torch})
    with pytest.raises(Exception) as e:
        eval(expr, {"T": ember})
    assert e.type is t.type
    assert str(e.value).startswith(str(t.value)[:30])
