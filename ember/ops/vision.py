"""Spatial-transformer and channel ops: grid_sample, affine_grid, channel_shuffle.

grid_sample runs as one node (``_GridSample``): array forward, input and grid gradients
computed directly. Its reference, ``_grid_sample_composed``, writes the same sampling with
ember primitives (arithmetic, floor, gather): positions and interpolation weights are
differentiable functions of the grid, so under create_graph the node differentiates it
and gradients of any order exist. Integer tap positions carry no gradient, as in torch.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import is_grad_enabled
from ._common import Op, shape_str, xp_of

__all__ = ["grid_sample", "affine_grid", "channel_shuffle", "native_channel_shuffle"]


# ----- channel_shuffle -----------------------------------------------------------------------

def _check_shuffle(input: Tensor, groups: int) -> None:
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {shape_str(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) -> channels regrouped as (C/g, g) read column-wise (ShuffleNet)."""
    groups = int(groups)
    _check_shuffle(input, groups)
    n, c = input.shape[:2]
    rest = tuple(input.shape[2:])
    x = input.reshape((n, groups, c // groups) + rest).transpose(1, 2)
    return x.reshape((n, c) + rest)


class _NativeChannelShuffle(Op):
    """torch's kernel-level channel shuffle, which has no derivative."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, groups):
        n, c = x.shape[:2]
        rest = tuple(x.shape[2:])
        y = x.reshape((n, groups, c // groups) + rest).swapaxes(1, 2)
        return y.reshape((n, c) + rest)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::native_channel_shuffle is not implemented")


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """channel_shuffle's values without a derivative (backward raises), as in torch."""
    groups = int(groups)
    _check_shuffle(input, groups)
    return _NativeChannelShuffle.apply(input, groups)


# ----- affine_grid ---------------------------------------------------------------------------

def _align_default(align_corners) -> bool:
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if "
                      "the old behavior is desired.", stacklevel=3)
        return False
    return bool(align_corners)


def _base_coords(n: int, align_corners: bool) -> np.ndarray:
    """The normalized [-1, 1] positions of ``n`` pixel centres (or corners)."""
    if n <= 1:
        return np.zeros(max(n, 0))
    steps = np.linspace(-1.0, 1.0, n)
    return steps if align_corners else steps * (n - 1) / n


def affine_grid(theta: Tensor, size, align_corners=None) -> Tensor:
    """Sampling grid (N, *spatial, nd) of the affine maps ``theta`` (N, nd, nd+1)."""
    from .creation import tensor as _tensor
    align_corners = _align_default(align_corners)
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    nd = len(size) - 2
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (nd, nd + 1):
        raise ValueError(f"Expected a batch of {nd}D affine matrices of shape Nx{nd}x{nd + 1} "
                         f"for size {size}. Got {shape_str(theta.shape)}.")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"affine_grid: expected theta batch size {theta.shape[0]} to match "
                           f"size[0] = {size[0]}")
    if align_corners and min(size[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid.", stacklevel=2)
    spatial = size[2:]
    # base[..., j] holds the coordinate along the j-th fastest spatial dim (x, y, z), then 1
    axes = [_base_coords(n, align_corners) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")
    base = np.stack(list(mesh[::-1]) + [np.ones(spatial)], axis=-1).reshape(-1, nd + 1)
    base_t = _tensor(base, dtype=theta.dtype, device=theta.device)
    grid = base_t.matmul(theta.transpose(1, 2))  # (N, prod(spatial), nd)
    return grid.reshape((size[0],) + spatial + (nd,))


# ----- grid_sample ---------------------------------------------------------------------------

_MODES = ("bilinear", "nearest", "bicubic")
_PADS = ("zeros", "border", "reflection")


def _unnormalize(g: Tensor, n: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (g + 1) * ((n - 1) / 2)
    return ((g + 1) * n - 1) / 2


def _reflect(c: Tensor, lo2: int, hi2: int) -> Tensor:
    """Reflect ``c`` into [lo2/2, hi2/2] (bounds given doubled so they stay integers)."""
    if lo2 == hi2:
        return c * 0
    lo, span = lo2 / 2, (hi2 - lo2) / 2
    d = (c - lo).abs()
    flips = (d / span).detach().floor()
    extra = d - flips * span
    even = (flips.remainder(2) == 0)
    return (extra + lo).where(even, span - extra + lo)


def _pad_coord(c: Tensor, n: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Apply border/reflection padding to unnormalized float coordinates."""
    if padding_mode == "border":
        return c.clamp(0, n - 1)
    if padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (n - 1)) if align_corners else _reflect(c, -1, 2 * n - 1)
        return c.clamp(0, n - 1)
    return c


def _cubic_weights(t: Tensor) -> list:
    """The four cubic-convolution (A = -0.75) weights of taps at offsets -1, 0, 1, 2."""
    a = -0.75

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _check_grid_sample(input, grid, mode, padding_mode) -> None:
    if mode not in _MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADS:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have the same dtype, "
                           f"but input has {input.dtype} and grid has {grid.dtype}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {shape_str(input.shape)} and grid with "
                           f"sizes {shape_str(grid.shape)}")
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {shape_str(input.shape)} "
                           f"and grid with sizes {shape_str(grid.shape)}")
    nd = input.dim() - 2
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, "
                           f"but got grid with sizes {shape_str(grid.shape)}")
    for j, n in enumerate(input.shape[2:], 2):
        if n == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {shape_str(input.shape)} with "
                               f"dimension {j} being empty")
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")


def _gather_taps(input: Tensor, taps) -> Tensor:
    """Sum over taps of weight * input[index]: ``taps`` lists (per-dim integer positions,
    weight) with positions (N, P) arrays and weight a Tensor (N, P) or None (= 1).
    Positions outside the input contribute zero."""
    from .creation import tensor as _tensor
    n, c = input.shape[:2]
    sizes = input.shape[2:]
    flat = input.reshape(n, c, math.prod(sizes))
    out = None
    for pos, w in taps:
        inside = np.ones(pos[0].shape, dtype=bool)
        lin = np.zeros(pos[0].shape, dtype=np.int64)
        for p, m in zip(pos, sizes):
            inside &= (p >= 0) & (p < m)
            lin = lin * m + np.clip(p, 0, m - 1)
        idx = _tensor(lin, device=input.device).unsqueeze(1).expand(n, c, lin.shape[1])
        mask = _tensor(inside, dtype=input.dtype, device=input.device)
        w = mask if w is None else w * mask
        term = flat.gather(2, idx) * w.unsqueeze(1)
        out = term if out is None else out + term
    return out


def _grid_sample_composed(input: Tensor, grid: Tensor, mode: str, padding_mode: str,
                          align_corners: bool) -> Tensor:
    """grid_sample written with ember primitives: the reference the fused op's
    ``create_graph`` backward differentiates, so gradients of every order exist."""
    n, c = input.shape[:2]
    nd = input.dim() - 2
    sizes = tuple(input.shape[2:])
    out_sp = tuple(grid.shape[1:-1])
    g = grid.reshape(n, math.prod(out_sp), nd)  # explicit sizes: empty batches/grids
    # coordinate along input dim j is grid component nd-1-j (grid is (x, y[, z]))
    coords = [_unnormalize(g[:, :, nd - 1 - j], m, align_corners) for j, m in enumerate(sizes)]
    taps = []
    if mode == "bicubic":
        # padding applies to each integer tap, not to the coordinate
        base = [cc.detach().floor() for cc in coords]
        ws = [_cubic_weights(cc - b) for cc, b in zip(coords, base)]
        base_np = [b.cpu().numpy().astype(np.int64) for b in base]
        for offs in itertools.product(range(4), repeat=nd):
            pos = []
            for b, o, m in zip(base_np, offs, sizes):
                p = b + (o - 1)
                pos.append(_pad_index(p, m, padding_mode, align_corners))
            w = math.prod((wj[o] for wj, o in zip(ws, offs)), start=1)
            taps.append((pos, w))
    else:
        coords = [_pad_coord(cc, m, padding_mode, align_corners) for cc, m in zip(coords, sizes)]
        if mode == "nearest":
            # torch rounds half to even (nearbyint); numpy's rint does the same
            pos = [np.rint(cc.detach().cpu().numpy()).astype(np.int64) for cc in coords]
            # a unit weight that depends on the grid: torch's grid gradient is zeros, not None
            taps.append((pos, coords[0] * 0 + 1))
        else:
            lo = [cc.detach().floor() for cc in coords]
            frac = [cc - f for cc, f in zip(coords, lo)]
            lo_np = [f.cpu().numpy().astype(np.int64) for f in lo]
            for offs in itertools.product((0, 1), repeat=nd):
                pos = [f + o for f, o in zip(lo_np, offs)]
                w = math.prod((t if o else 1 - t for t, o in zip(frac, offs)), start=1)
                taps.append((pos, w))
    y = _gather_taps(input, taps)
    return y.reshape((n, c) + out_sp)


def _pad_index(p: np.ndarray, n: int, padding_mode: str, align_corners: bool) -> np.ndarray:
    """Integer tap positions after border/reflection padding (zeros: unchanged)."""
    if padding_mode == "zeros":
        return p
    return _pad_coord_np(p.astype(np.float64), n, padding_mode, align_corners)[0].astype(
        np.int64)


# ----- the fused grid_sample op --------------------------------------------------------------
# The same arithmetic as the composed version above, on arrays, in one graph node. Its
# backward computes both gradients directly; under create_graph it differentiates the
# composed version instead, so higher derivatives stay exact.

def _pad_coord_np(c, n: int, padding_mode: str, align_corners: bool):
    """Array version of ``_pad_coord``: (padded coordinates, their derivative w.r.t.
    ``c``, or None for 1)."""
    xp = xp_of(c)
    if padding_mode == "zeros":
        return c, None
    if padding_mode == "reflection":
        lo2, hi2 = (0, 2 * (n - 1)) if align_corners else (-1, 2 * n - 1)
        if lo2 == hi2:
            c, slope = c * 0, xp.zeros(c.shape, c.dtype)
        else:
            lo, span = lo2 / 2, (hi2 - lo2) / 2
            d = xp.abs(c - lo)
            flips = xp.floor(d / span)
            extra = d - flips * span
            even = flips % 2 == 0
            slope = xp.sign(c - lo) * xp.where(even, 1, -1).astype(c.dtype)
            c = xp.where(even, extra + lo, span - extra + lo)
    else:
        slope = None
    inside = (c >= 0) & (c <= n - 1)
    slope = inside.astype(c.dtype) if slope is None else slope * inside
    return xp.clip(c, 0, n - 1), slope


def _cubic_slopes(t) -> list:
    """d/dt of the four ``_cubic_weights``."""
    a = -0.75

    def near(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def far(x):
        return (3 * a * x - 10 * a) * x + 8 * a

    return [far(t + 1), near(t), -near(1 - t), -far(2 - t)]


def _grid_taps(g, sizes: tuple, mode: str, padding_mode: str, align_corners: bool,
               slopes: bool):
    """The taps of every sample point of ``g`` (N, P, nd): a list of (row index into the
    input as (N * prod(sizes), C), weight (N*P,), per-dim d weight / d coordinate or None),
    and per input dim d coordinate / d grid (N*P,) (None unless ``slopes``)."""
    xp = xp_of(g)
    n, p, nd = g.shape
    g = g.reshape(n * p, nd)
    coords, dcoord = [], []
    for j, m in enumerate(sizes):
        gj = g[:, nd - 1 - j]
        if align_corners:
            coords.append((gj + 1) * ((m - 1) / 2))
            dcoord.append((m - 1) / 2)
        else:
            coords.append(((gj + 1) * m - 1) / 2)
            dcoord.append(m / 2)
    if mode == "bicubic":
        base = [xp.floor(cc) for cc in coords]
        frac = [cc - b for cc, b in zip(coords, base)]
        ws = [_cubic_weights(t) for t in frac]
        dws = [_cubic_slopes(t) for t in frac] if slopes else None
        base = [b.astype(np.int64) for b in base]
        pos = [[_pad_index(b + (o - 1), m, padding_mode, align_corners) for o in range(4)]
               for b, m in zip(base, sizes)]
        offsets = list(itertools.product(range(4), repeat=nd))
    else:
        padded = [_pad_coord_np(cc, m, padding_mode, align_corners)
                  for cc, m in zip(coords, sizes)]
        coords = [cc for cc, _ in padded]
        if slopes:
            dcoord = [s if d is None else s * d for (_, d), s in zip(padded, dcoord)]
        if mode == "nearest":
            pos = [[xp.rint(cc).astype(np.int64)] for cc in coords]
            ws, dws, offsets = None, None, [(0,) * nd]
        else:
            lo = [xp.floor(cc) for cc in coords]
            frac = [cc - f for cc, f in zip(coords, lo)]
            lo = [f.astype(np.int64) for f in lo]
            pos = [[f, f + 1] for f in lo]
            ws = [[1 - t, t] for t in frac]
            one = xp.ones(1, g.dtype)
            dws = [[-one, one]] * nd if slopes else None
            offsets = list(itertools.product((0, 1), repeat=nd))
    batch_row = xp.repeat(xp.arange(n) * math.prod(sizes), p)
    taps = []
    for offs in offsets:
        inside = xp.ones(n * p, dtype=bool)
        row = xp.zeros(n * p, dtype=np.int64)
        for pj, o, m in zip(pos, offs, sizes):
            q = pj[o]
            inside &= (q >= 0) & (q < m)
            row = row * m + xp.clip(q, 0, m - 1)
        mask = inside.astype(g.dtype)
        if ws is None:
            taps.append((row + batch_row, mask, None))
            continue
        factors = [wj[o] for wj, o in zip(ws, offs)]
        w = math.prod(factors[1:], start=factors[0]) * mask
        dw = None
        if dws is not None:  # product rule: d w / d coordinate j
            dw = [math.prod((dws[j][o] if k == j else factors[k] for k, o in enumerate(offs)),
                            start=mask) for j in range(nd)]
        taps.append((row + batch_row, w, dw))
    return taps, (dcoord if slopes else None)


class _GridSample(Op):
    """grid_sample in one node: gathers the input (as rows of channels) at every tap."""

    node_name = "GridSampler2DBackward0"

    @staticmethod
    def forward(ctx, x, grid, mode, padding_mode, align_corners):
        n, c = x.shape[:2]
        sizes = tuple(x.shape[2:])
        out_sp = tuple(grid.shape[1:-1])
        p = math.prod(out_sp)
        rows = _channels_last(x)
        ctx.args = (mode, padding_mode, align_corners)
        # the channels-last copy of x serves the grid gradient too
        ctx.save_for_backward(x, grid, rows if ctx.needs_input_grad[1:2] == (True,) else None)
        taps, _ = _grid_taps(grid.reshape(n, p, len(sizes)), sizes, mode, padding_mode,
                             align_corners, slopes=False)
        out = None
        for row, w, _ in taps:
            term = rows.take(row, axis=0)
            term *= w[:, None]
            out = term if out is None else out.__iadd__(term)
        return out.reshape(n, p, c).transpose(0, 2, 1).reshape((n, c) + out_sp)

    @staticmethod
    def backward(ctx, g):
        x, grid, rows_x = ctx.saved_tensors
        mode, padding_mode, align_corners = ctx.args
        need_x, need_grid = ctx.needs_input_grad[:2]
        if is_grad_enabled():  # create_graph: differentiate the composed version
            from ..autograd import grad as _grad
            wrt = [t for t, need in ((x, need_x), (grid, need_grid)) if need]
            y = _grid_sample_composed(x, grid, mode, padding_mode, align_corners)
            res = list(_grad(y, wrt, g, create_graph=True, allow_unused=True))
            return ((res.pop(0) if need_x else None), (res.pop(0) if need_grid else None),
                    None, None, None)
        xd, gd, go = x._data, grid._data, g._data
        xp = xp_of(xd)
        n, c = xd.shape[:2]
        sizes = tuple(xd.shape[2:])
        nd = len(sizes)
        p = math.prod(gd.shape[1:-1])
        taps, dcoord = _grid_taps(gd.reshape(n, p, nd), sizes, mode, padding_mode,
                                  align_corners, slopes=need_grid)
        dx = dgrid = None
        if need_x:
            # scatter-add per channel: one bincount over all taps' rows
            rows = xp.concatenate([row for row, _, _ in taps])
            gc = go.reshape(n, c, p).transpose(1, 0, 2).reshape(c, 1, n * p)
            vals = (gc * xp.stack([w for _, w, _ in taps])).reshape(c, -1)
            s = math.prod(sizes)
            dx = xp.empty((n, c, s), xd.dtype)
            for k in range(c):
                dx[:, k] = xp.bincount(rows, weights=vals[k], minlength=n * s).reshape(n, s)
            dx = _wrap(dx.reshape(xd.shape))
        if need_grid:
            dgrid = xp.zeros((n * p, nd), gd.dtype)
            if mode != "nearest":
                gout = _channels_last(go.reshape(n, c, p))
                rows_x = rows_x._data
                dcoords = [0] * nd
                for row, _, dw in taps:
                    s = xp.einsum("ij,ij->i", gout, rows_x.take(row, axis=0))
                    for j in range(nd):
                        dcoords[j] = dcoords[j] + s * dw[j]
                for j in range(nd):
                    dgrid[:, nd - 1 - j] = dcoords[j] * dcoord[j]
            dgrid = _wrap(dgrid.reshape(gd.shape))
        return dx, dgrid, None, None, None


class _GridSample3d(_GridSample):
    node_name = "GridSampler3DBackward0"


def _channels_last(x):
    """(N, C, *S) -> a contiguous (N * prod(S), C) array of rows of channels."""
    n, c = x.shape[:2]
    s = math.prod(x.shape[2:])
    return xp_of(x).ascontiguousarray(x.reshape(n, c, s).transpose(0, 2, 1)).reshape(n * s, c)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners=None) -> Tensor:
    """Sample ``input`` (N, C, *in) at the normalized positions ``grid`` (N, *out, nd)."""
    _check_grid_sample(input, grid, mode, padding_mode)
    align_corners = _align_default(align_corners)
    if input.dtype.itemsize < 4 or not input.dtype.is_floating_point:
        return _grid_sample_composed(input, grid, mode, padding_mode, align_corners)
    op = _GridSample if input.dim() == 4 else _GridSample3d
    return op.apply(input, grid, mode, padding_mode, align_corners)


# ----- torch's top-level (aten) entry points -------------------------------------------------
# Not in nn.functional's namespace; ember/__init__.py exports them as torch does.

def grid_sampler(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                 align_corners: bool) -> Tensor:
    """grid_sample with integer modes (0/1/2 = bilinear/nearest/bicubic,
    0/1/2 = zeros/border/reflection), as torch.grid_sampler."""
    for name, v, names in (("interpolation_mode", interpolation_mode, _MODES),
                           ("padding_mode", padding_mode, _PADS)):
        if not 0 <= int(v) < len(names):
            raise RuntimeError(f"grid_sampler(): {name} must be 0, 1 or 2, but got {v}")
    return grid_sample(input, grid, _MODES[int(interpolation_mode)], _PADS[int(padding_mode)],
                       bool(align_corners))


def grid_sampler_2d(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                    align_corners: bool) -> Tensor:
    """grid_sampler for 4-D input only."""
    if input.dim() != 4:
        raise RuntimeError(f"grid_sampler_2d(): expected 4D input, but got input with sizes "
                           f"{shape_str(input.shape)}")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                    align_corners: bool) -> Tensor:
    """grid_sampler for 5-D input only."""
    if input.dim() != 5:
        raise RuntimeError(f"grid_sampler_3d(): expected 5D input, but got input with sizes "
                           f"{shape_str(input.shape)}")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def affine_grid_generator(theta: Tensor, size, align_corners: bool) -> Tensor:
    """affine_grid with a required ``align_corners``, as torch.affine_grid_generator."""
    return affine_grid(theta, size, bool(align_corners))
