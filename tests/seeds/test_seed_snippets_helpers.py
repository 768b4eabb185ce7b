"""Shared helpers of the seed-snippet tests (no tests here; the name keeps it among them):
compare what a snippet gives under ember with what it gives under torch."""

from __future__ import annotations

import numpy as np

import ember


def dtype_name(dtype) -> str:
    """'float32' for torch.float32 and ember.float32 alike."""
    return str(dtype).rsplit(".", 1)[-1]


def is_tensor(obj) -> bool:
    """True for an ember or a torch tensor."""
    if isinstance(obj, ember.Tensor):
        return True
    return type(obj).__module__.startswith("torch") and hasattr(obj, "numpy")


def assert_same(e, t, rtol: float = 1e-5, atol: float = 1e-6, where: str = "") -> None:
    """Assert that an ember result `e` equals the torch result `t`: tensors in dtype,
    shape and values (NaNs equal), tuples/lists element-wise, other objects by ==."""
    if is_tensor(t):
        assert isinstance(e, ember.Tensor), f"{where}: ember gave {type(e).__name__}"
        assert dtype_name(e.dtype) == dtype_name(t.dtype), f"{where}: {e.dtype} vs {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{where}: {tuple(e.shape)} vs {tuple(t.shape)}"
        if dtype_name(t.dtype) in ("bfloat16", "complex32"):  # NumPy has no such dtype
            e, t = (e.cfloat(), t.cfloat()) if t.is_complex() else (e.float(), t.float())
        tn = t.detach().resolve_conj().numpy()
        np.testing.assert_allclose(e.detach().numpy(), tn, rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=where)
    elif isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), f"{where}: {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, rtol, atol, f"{where}[{i}]")
    elif isinstance(t, float):
        np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=where)
    elif t is None or isinstance(t, (bool, int, str)):
        assert e == t and type(e) is type(t), f"{where}: {e!r} vs {t!r}"
    else:  # dtypes, devices, torch.Size
        assert str(e).replace("ember", "torch") == str(t), f"{where}: {e!r} vs {t!r}"


def copy_weights(dst, src) -> None:
    """Load a torch module's state_dict into the ember module `dst`."""
    dst.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                         src.state_dict().items()})
