"""Tensor attributes, conversion, the Python protocol and DLPack, against torch."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def outcome(mod, expr):
    try:
        r = eval(expr, {"T": mod, "np": np})
    except Exception as exc:  # noqa: BLE001 - the type is the outcome
        return ("error", type(exc).__name__)
    if isinstance(r, (ember.Tensor, torch.Tensor)):
        vals = r.detach().cpu()
        vals = vals.tolist() if vals.dtype.is_complex else vals.double().tolist()
        return ("tensor", str(r.dtype), tuple(r.shape), vals)
    if isinstance(r, np.ndarray):
        return ("ndarray", str(r.dtype), r.tolist())
    return ("value", repr(r))


CASES = """
T.tensor([1, 2]).numpy().dtype
T.tensor([1., 2], requires_grad=True).numpy()
T.tensor([1., 2], requires_grad=True).detach().numpy()
T.tensor([1., 2]).tolist()
T.tensor(2.5).tolist()
T.tensor([[1, 2]], dtype=T.bfloat16).tolist()
T.tensor([[True]]).tolist()
T.tensor([1 + 2j]).tolist()
T.tensor(2.5).item()
T.tensor([1, 2]).item()
T.tensor([7]).item()
T.tensor([[True]]).item()
T.tensor([], dtype=T.float32).item()
T.tensor([1.5]).to(T.int64)
T.tensor([1.5]).to(T.float64, copy=True)
T.tensor([1.5]).to('cpu')
T.tensor([1.5]).to(T.device('cpu'))
T.tensor([1.5]).to(T.tensor([1], dtype=T.int32))
T.tensor([1.5]).to('cpu', T.float16)
T.tensor([1.5]).to(device='cpu', dtype=T.float16)
T.tensor([1.5]).to(dtype=T.float64)
T.tensor([1.5]).cuda()
T.tensor([1.5]).to('cuda')
T.tensor([1.5]).to('cuda:0')
T.zeros(2, device='cuda')
T.tensor([1.5]).type()
T.tensor([1]).type()
T.tensor([True]).type()
T.tensor([1.5]).type(T.int32)
T.tensor([1.5]).type('torch.DoubleTensor')
T.tensor([1.5]).type(T.DoubleTensor)
T.tensor([1.5]).type(T.IntTensor)
T.tensor([1.5]).type('torch.Bogus')
T.tensor([1.5]).to(T.float64, False, True)
T.tensor([1.5, 2.7]).half()
T.tensor([1.5, 2.7]).bfloat16()
T.tensor([1.5, 2.7]).bfloat16().float()
T.tensor([1.5, 2.7]).half().float()
T.tensor([1.5, 2.7]).half().double()
T.tensor([3.14159, 65504., 1e-3]).half().float()
T.tensor([3.14159, 1e30, 1e-3]).bfloat16().float()
T.tensor([1.5, -2.7]).byte()
T.tensor([1.5, -2.7]).char()
T.tensor([1.5, 0]).bool()
T.tensor([1.5, 2.7]).long()
T.tensor([1.5, -2.7]).int()
T.tensor([1.5, 2.7]).short()
T.tensor([1.5, 2.7]).double()
T.tensor([1, 2]).float()
T.zeros(2, 3).copy_(T.tensor([1, 2, 3]))
T.zeros(2, 3, dtype=T.int64).copy_(T.tensor([1.7, 2, 3]))
T.zeros(2, 3).copy_(T.tensor([1, 2]))
T.zeros(2, 3).copy_(T.zeros(2, 3, 3))
T.zeros(2, 3).copy_(T.tensor(5.))
T.zeros(2).copy_(T.tensor([True, False]))
T.tensor([[1, 2], [3, 4]]).t().contiguous().is_contiguous()
T.tensor([[1, 2], [3, 4]]).t().is_contiguous()
T.tensor([[1, 2], [3, 4]]).t().contiguous().stride()
T.tensor([[1, 2], [3, 4]]).t().stride()
T.zeros(2, 3, 4).stride()
T.zeros(2, 3, 4).stride(1)
T.zeros(2, 3, 4).stride(-1)
T.zeros(2, 1, 4).stride()
T.zeros(2, 0, 4).stride()
T.zeros(()).stride()
T.zeros(2, 3)[:, None].stride()
T.zeros(2, 3)[None, :, None].stride()
T.zeros(2, 3)[:, :, None].stride()
T.zeros(2, 3).t()[:, None].stride()
T.zeros(3).expand(2, 3).stride()
T.zeros(3, 1).expand(3, 4).stride()
T.zeros(1, 3).t().stride()
T.zeros(2, 3, 4).permute(2, 0, 1).stride()
T.zeros(4, 3)[::2].stride()
T.zeros(2, 3, 4)[:, 1:].storage_offset()
T.zeros(2, 3, 4)[1].storage_offset()
T.zeros(2, 3, 4).storage_offset()
T.zeros(2, 3, 4).element_size()
T.zeros(2, dtype=T.float64).element_size()
T.zeros(2, 3, 4, dtype=T.int16).itemsize
T.zeros(2, 3, 4, dtype=T.int16).nbytes
T.zeros(2, 3).nelement()
T.zeros(2, 3).numel()
T.numel(T.zeros(2, 3))
T.zeros(2, 3).size()
T.zeros(2, 3).size(-1)
T.zeros(2, 3).size(2)
T.zeros(2, 3).shape[1:]
T.zeros(2, 3).shape[0]
T.zeros(2, 3).dim()
T.zeros(2, 3).ndim
T.zeros(2, 3).ndimension()
T.zeros(2, 3).dtype
T.zeros(2, 3).device
T.zeros(2, 3).is_cuda
T.zeros(2, 3).is_cpu
T.zeros(2, 3).get_device()
T.zeros(2, 3).is_floating_point()
T.zeros(2, dtype=T.int8).is_signed()
T.zeros(2, dtype=T.uint8).is_signed()
T.zeros(2, dtype=T.complex64).is_complex()
T.is_tensor(T.zeros(1))
T.is_tensor([1])
T.is_floating_point(T.zeros(1))
T.is_nonzero(T.tensor([1.]))
T.is_nonzero(T.tensor([1., 2.]))
T.tensor(5).shape
len(T.zeros(3, 2))
len(T.tensor(1))
bool(T.tensor([1, 2]))
bool(T.tensor([0.]))
bool(T.tensor([]))
int(T.tensor([2.7]))
int(T.tensor([-2.7]))
float(T.tensor([1, 2]))
float(T.tensor(3))
complex(T.tensor(2.))
T.tensor([3]).__index__()
T.tensor([3.]).__index__()
[10, 20, 30][T.tensor(1)]
list(T.tensor([1, 2]))
list(T.tensor(1))
T.Size([2, 3])
T.Size([2, 3]).numel()
T.Size([]).numel()
T.Size([2, 3]) == (2, 3)
T.Size([2, 3]) == [2, 3]
T.Size([2, 3])[1:]
T.Size([2, 3])[0]
T.Size([2, 3])[-1]
T.Size([2, 3]) + (4,)
(1,) + T.Size([2, 3])
T.Size([2, 3]) * 2
str(T.Size([]))
T.Size([2.5])
T.Size((T.tensor(2), 3))
isinstance(T.Size([1]), tuple)
T.zeros(2, 3).shape == T.Size([2, 3])
T.get_default_dtype()
T.tensor([1, 2], dtype=T.int8) + T.tensor([1], dtype=T.uint8)
T.tensor([1., 2.], requires_grad=True).clone().requires_grad
T.tensor([1., 2.]).clone()
np.sin(T.tensor([1., 2.]))
np.add(T.tensor([1, 2]), 1)
np.sin(T.tensor(1.))
np.negative(T.tensor([1.5], dtype=T.float64))
T.zeros(2).pin_memory()
T.zeros(2).is_pinned()
T.zeros(2).share_memory_()
T.zeros(2, 3).t().dim_order()
T.zeros(2, 3, 4).dim_order()
T.zeros(2).to_dense()
T.tensor([1., 2.]).apply_(lambda v: v * 2)
T.tensor([1, 2]).apply_(lambda v: v * 2.7)
T.zeros(3, 2).t().apply_(lambda v: v + 1)
T.tensor([1., 2.]).map_(T.tensor([3., 4.]), lambda a, b: a + b)
T.zeros(2, 2).map_(T.tensor([3., 4.]), lambda a, b: a + b)
""".strip().splitlines()


@pytest.mark.parametrize("expr", CASES)
def test_matches_torch(expr):
    assert outcome(ember, expr) == outcome(torch, expr)


def test_numpy_shares_memory():
    t = ember.zeros(3)
    a = t.numpy()
    a[0] = 4
    t[1] = 5
    assert t.tolist() == [4., 5., 0.] and a.tolist() == [4., 5., 0.]
    assert np.asarray(t).tolist() == [4., 5., 0.]
    assert np.asarray(t, dtype=np.int64).dtype == np.int64
    c = np.asarray(t, copy=True)
    c[2] = 7
    assert t[2].item() == 0
    assert t.numpy(force=True) is not None


def test_to_returns_self_unless_copy():
    x = ember.tensor([1., 2.])
    assert x.to(ember.float32) is x and x.to("cpu") is x and x.cpu() is x
    assert x.float() is x
    y = x.to(ember.float32, copy=True)
    assert y is not x and y.data_ptr() != x.data_ptr()
    y = x.to(x.device, copy=True)
    assert y.tolist() == x.tolist() and y.data_ptr() != x.data_ptr()


def test_to_is_differentiable():
    x = ember.tensor([1.5, 2.5], requires_grad=True)
    y = x.to(ember.float64)
    assert y.grad_fn is not None
    (y * 2).sum().backward()
    assert x.grad.dtype is ember.float32 and x.grad.tolist() == [2., 2.]


def test_cuda_absent_errors():
    assert not ember.cuda.is_available()
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ember.tensor([1.]).cuda()
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ember.zeros(2, device="cuda")


def test_device_agnostic_idiom():
    device = "cuda" if ember.cuda.is_available() else "cpu"
    x = ember.ones(2).to(device)
    assert x.device.type == "cpu"
    dev = ember.device(device)
    assert ember.zeros(2, device=dev).device == dev


def test_clone_contiguous_copy():
    x = ember.arange(6.).reshape(2, 3)
    c = x.clone()
    c[0, 0] = 10
    assert x[0, 0].item() == 0
    t = x.t()
    assert not t.is_contiguous()
    tc = t.contiguous()
    assert tc.is_contiguous() and tc.tolist() == t.tolist()
    assert x.contiguous() is x
    dst = ember.zeros(2, 3, dtype=ember.float64)
    assert dst.copy_(ember.tensor([1, 2, 3])) is dst
    assert dst.tolist() == [[1., 2., 3.], [1., 2., 3.]] and dst.dtype is ember.float64


def test_copy_into_view_writes_base():
    x = ember.zeros(3, 3)
    x[1].copy_(ember.tensor([1., 2., 3.]))
    assert x.tolist()[1] == [1., 2., 3.]


def test_data_ptr_and_views():
    x = ember.arange(10.)
    assert x[2:].data_ptr() == x.data_ptr() + 2 * 4
    assert x.data_ptr() == x.numpy().ctypes.data


def test_item_errors():
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted"):
        ember.tensor([1, 2]).item()
    assert isinstance(ember.tensor([3]).item(), int)
    assert isinstance(ember.tensor(3.).item(), float)
    assert isinstance(ember.tensor(True).item(), bool)


def test_bfloat16_float16_roundtrip():
    vals = [0.1, 1.0, -3.5, 1000.25, 1e-3]
    for d in ("bfloat16", "float16"):
        e = ember.tensor(vals).to(getattr(ember, d)).float()
        t = torch.tensor(vals).to(getattr(torch, d)).float()
        assert e.tolist() == t.tolist()
        e = ember.tensor(vals, dtype=getattr(ember, d))
        assert e.dtype is getattr(ember, d) and e.element_size() == 2


# ----- DLPack -------------------------------------------------------------------------

def test_dlpack_to_torch_shares_memory():
    e = ember.tensor([1., 2., 3.])
    t = torch.from_dlpack(e)
    t[0] = 10
    e[1] = 20
    assert e.tolist() == [10., 20., 3.] and t.tolist() == [10., 20., 3.]
    assert t.dtype == torch.float32 and e.__dlpack_device__()[0] == 1


def test_dlpack_from_torch_shares_memory():
    t = torch.arange(6, dtype=torch.int64).reshape(2, 3)
    e = ember.from_dlpack(t)
    assert e.dtype is ember.int64 and e.shape == (2, 3)
    t[0, 0] = 42
    e[1, 2] = -1
    assert e[0, 0].item() == 42 and t[1, 2].item() == -1
    assert ember.from_dlpack(t.t()).tolist() == t.t().tolist()


def test_dlpack_with_numpy():
    a = np.arange(4.)
    e = ember.from_dlpack(a)
    a[0] = 9
    assert e[0].item() == 9
    b = np.from_dlpack(e)
    b[1] = 8
    assert e[1].item() == 8


def test_dlpack_refuses_requires_grad():
    with pytest.raises(RuntimeError):
        torch.from_dlpack(ember.tensor([1.], requires_grad=True))


def test_tensor_pickles_and_deepcopies():
    import copy
    import pickle
    x = ember.tensor([[1., 2.]], requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == x.tolist() and y.requires_grad
    z = copy.deepcopy(x)
    assert z.tolist() == x.tolist() and z.data_ptr() != x.data_ptr()
    s = pickle.loads(pickle.dumps(ember.Size([2, 3])))
    assert isinstance(s, ember.Size) and s == (2, 3)


def test_positional_copy_flag_and_tensor_copy_warning():
    x = ember.tensor([1., 2.])
    assert x.to(ember.float32, False, True) is not x
    assert x.to(ember.float32, False) is x
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        y = ember.tensor(x)
    assert y.data_ptr() != x.data_ptr() and y.tolist() == x.tolist()


def test_bool_of_empty_message():
    with pytest.raises(RuntimeError, match="with no values is ambiguous"):
        bool(ember.tensor([]))
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        bool(ember.tensor([1, 2]))


def test_from_numpy_readonly_warns():
    a = np.zeros(2)
    a.flags.writeable = False
    with pytest.warns(UserWarning, match="not writable"):
        ember.from_numpy(a)


def test_dlpack_from_torch_bfloat16_shares_memory():
    t = torch.tensor([1.5, 2.], dtype=torch.bfloat16)
    e = ember.from_dlpack(t)
    assert e.dtype is ember.bfloat16 and e.tolist() == [1.5, 2.0]
    t[0] = 3.0
    assert e[0].item() == 3.0
