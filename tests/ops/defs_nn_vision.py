"""Registry entries for nn.functional spatial ops added with the nn sweep: grid_sample,
affine_grid, channel_shuffle, fractional max pooling (fixed samples), conv_tbc,
linear_cross_entropy."""

import numpy as np

from tests.opinfo import OpInfo, S, arr

F = "nn.functional."


def _grid(shape, dt, rng):
    # beyond [-1, 1] so padding is exercised; away from the pixel lattice so finite
    # differences never cross a floor/round boundary
    return arr(shape, dt, rng, -1.3, 1.3)


def _grid_sample_2d(dt, rng):
    out = []
    for mode, pad, ac in [("bilinear", "zeros", False), ("bilinear", "border", True),
                          ("bilinear", "reflection", False), ("nearest", "zeros", True),
                          ("bicubic", "reflection", True), ("bicubic", "zeros", False)]:
        out.append(S(arr((1, 2, 3, 3), dt, rng), _grid((1, 2, 2, 2), dt, rng), mode=mode,
                     padding_mode=pad, align_corners=ac))
    return out


def _grid_sample_3d(dt, rng):
    return [S(arr((1, 1, 2, 3, 2), dt, rng), _grid((1, 1, 2, 2, 3), dt, rng), mode=m,
              padding_mode=p, align_corners=a)
            for m, p, a in [("bilinear", "zeros", False), ("bilinear", "reflection", True),
                            ("nearest", "border", False)]]


def _grid_errors():
    return [(S(arr((1, 2, 3, 4)), arr((1, 2, 2, 3)), align_corners=False), RuntimeError),
            (S(arr((1, 2, 3, 4)), arr((2, 2, 2, 2)), align_corners=False), RuntimeError),
            (S(arr((1, 2, 3, 4)), arr((1, 2, 2, 2)), mode="cubic", align_corners=False),
             ValueError)]


OpInfo(F + "grid_sample", _grid_sample_2d, errors=_grid_errors)
OpInfo(F + "grid_sample_3d", _grid_sample_3d, ember_fn=lambda *a, **k: _lib("ember")(*a, **k),
       torch_fn=lambda *a, **k: _lib("torch")(*a, **k))


def _lib(name):
    return __import__(name).nn.functional.grid_sample


OpInfo(F + "affine_grid",
       lambda dt, rng: [S(arr((2, 2, 3), dt, rng), (2, 1, 3, 4), align_corners=False),
                        S(arr((1, 2, 3), dt, rng), (1, 3, 2, 2), align_corners=True),
                        S(arr((2, 3, 4), dt, rng), (2, 1, 2, 3, 2), align_corners=False)],
       errors=lambda: [(S(arr((1, 3, 3)), (1, 2, 3, 4), align_corners=False), ValueError),
                       (S(arr((1, 2, 3)), (1, 2, 3), align_corners=False),
                        NotImplementedError)])

OpInfo(F + "channel_shuffle",
       lambda dt, rng: [S(arr((2, 6, 3), dt, rng), 2), S(arr((1, 4, 2, 2), dt, rng), 4),
                        S(arr((0, 6, 2), dt, rng), 3)],
       dtypes=("float32", "float64", "int64"),
       errors=lambda: [(S(arr((2, 6)), 2), RuntimeError), (S(arr((2, 6, 3)), 4), RuntimeError)])

_SAMPLES = np.random.default_rng(11).uniform(size=(2, 3, 3))


def _fmp(lib_name, nd):
    def call(x, kernel_size, output_size=None, output_ratio=None):
        lib = __import__(lib_name)
        batch = x.shape[0] if x.dim() == nd + 2 else 1
        c = x.shape[-nd - 1]
        samples = lib.tensor(_SAMPLES[:batch, :c, :nd], dtype=x.dtype)
        fn = getattr(lib.nn.functional, f"fractional_max_pool{nd}d")
        return fn(x, kernel_size, output_size, output_ratio, return_indices=True,
                  _random_samples=samples)
    return call


OpInfo(F + "fractional_max_pool2d",
       lambda dt, rng: [S(arr((2, 3, 7, 6), dt, rng), 2, (3, 4)),
                        S(arr((3, 5, 5), dt, rng), (2, 3), None, (0.5, 0.6))],
       ember_fn=_fmp("ember", 2), torch_fn=_fmp("torch", 2))
OpInfo(F + "fractional_max_pool3d",
       lambda dt, rng: [S(arr((2, 2, 4, 5, 4), dt, rng), 2, (2, 3, 2))],
       ember_fn=_fmp("ember", 3), torch_fn=_fmp("torch", 3))

OpInfo(F + "conv_tbc",
       lambda dt, rng: [S(arr((5, 2, 3), dt, rng), arr((2, 3, 4), dt, rng), arr((4,), dt, rng)),
                        S(arr((4, 1, 2), dt, rng), arr((3, 2, 2), dt, rng), arr((2,), dt, rng),
                          1)],
       errors=lambda: [(S(arr((5, 3)), arr((2, 3, 4)), arr((4,))), RuntimeError),
                       (S(arr((5, 2, 3)), arr((2, 2, 4)), arr((4,))), RuntimeError)])


def _lce(lib_name):
    def call(x, w, target, **kw):
        lib = __import__(lib_name)
        return lib.nn.functional.linear_cross_entropy(x, w, target, **kw)
    return call


OpInfo(F + "linear_cross_entropy",
       lambda dt, rng: [S(arr((4, 3), dt, rng), arr((5, 3), dt, rng), np.array([0, 4, 2, 1])),
                        S(arr((2, 3), dt, rng), arr((5, 2, 3), dt, rng),
                          np.array([[0, 1], [4, 3]]), linear_bias=arr((5, 2), dt, rng),
                          label_smoothing=0.1)],
       ember_fn=_lce("ember"), torch_fn=_lce("torch"))
