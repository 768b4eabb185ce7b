"""ember.vision.transforms.functional: numerics on tensors (vs torch ops and hand-computed
expectations) and on PIL images (vs Pillow), and argument validation."""

import colorsys
import warnings

import numpy as np
import pytest

import ember
from ember.vision.transforms import functional as F
from ember.vision.transforms.functional import InterpolationMode

torch = pytest.importorskip("torch")
Image = pytest.importorskip("PIL.Image")


def _rng():
    return np.random.RandomState(0)


def _u8(shape, seed=0):
    return (np.random.RandomState(seed).rand(*shape) * 255).astype(np.uint8)


def _pil_rgb(h=20, w=26, seed=0):
    return Image.fromarray(_u8((h, w, 3), seed))


def _chw(pil) -> np.ndarray:
    a = np.asarray(pil)
    return (a[..., None] if a.ndim == 2 else a).transpose(2, 0, 1)


# ---------------------------------------------------------------------------- conversions


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_to_tensor_uint8_modes_scale_by_255(mode):
    pil = _pil_rgb().convert(mode)
    out = F.to_tensor(pil)
    expected = _chw(pil).astype(np.float32) / np.float32(255)
    assert out.dtype == ember.float32
    assert tuple(out.shape) == (len(mode), 20, 26)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_to_tensor_mode_1_i_f():
    bits = Image.fromarray(np.array([[0, 255], [255, 0]], np.uint8)).convert("1")
    np.testing.assert_array_equal(F.to_tensor(bits).numpy(), [[[0.0, 1.0], [1.0, 0.0]]])
    np.testing.assert_array_equal(F.pil_to_tensor(bits).numpy(), [[[0, 255], [255, 0]]])
    ints = Image.fromarray(np.array([[70000, -3]], np.int32))
    out = F.to_tensor(ints)
    assert out.dtype == ember.int32 and out.tolist() == [[[70000, -3]]]
    floats = Image.fromarray(np.array([[0.25, 7.5]], np.float32))
    out = F.to_tensor(floats)
    assert out.dtype == ember.float32 and out.tolist() == [[[0.25, 7.5]]]


def test_to_tensor_ndarray_hwc_and_errors():
    arr = _u8((4, 5, 3))
    out = F.to_tensor(arr)
    np.testing.assert_array_equal(out.numpy(), arr.transpose(2, 0, 1) / np.float32(255))
    f64 = np.random.RandomState(1).rand(4, 5)
    out = F.to_tensor(f64)
    assert out.dtype == ember.float64 and tuple(out.shape) == (1, 4, 5)
    np.testing.assert_array_equal(out.numpy()[0], f64)  # non-uint8 arrays are not scaled
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        F.to_tensor([[1, 2]])
    with pytest.raises(ValueError, match="2/3 dimensional. Got 4"):
        F.to_tensor(np.zeros((1, 2, 3, 4), np.uint8))


def test_pil_to_tensor_keeps_uint8():
    pil = _pil_rgb()
    out = F.pil_to_tensor(pil)
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), _chw(pil))
    with pytest.raises(TypeError, match="pic should be PIL Image"):
        F.pil_to_tensor(np.zeros((2, 2), np.uint8))


@pytest.mark.parametrize("channels,mode", [(1, "L"), (2, "LA"), (3, "RGB"), (4, "RGBA")])
def test_to_pil_image_mode_inference_roundtrip(channels, mode):
    t = ember.from_numpy(_u8((channels, 6, 7)))
    pil = F.to_pil_image(t)
    assert pil.mode == mode and pil.size == (7, 6)
    np.testing.assert_array_equal(F.pil_to_tensor(pil).numpy(), t.numpy())


def test_to_pil_image_float_and_explicit_modes():
    t = ember.tensor([[[0.0, 0.5, 1.0]]])
    assert np.asarray(F.to_pil_image(t)).tolist() == [[0, 127, 255]]  # x*255 truncated
    f = F.to_pil_image(t, mode="F")
    assert f.mode == "F" and np.asarray(f).tolist() == [[0.0, 0.5, 1.0]]
    i32 = F.to_pil_image(ember.tensor([[[5, -7]]], dtype=ember.int32))
    assert i32.mode == "I" and np.asarray(i32).tolist() == [[5, -7]]
    hsv = F.to_pil_image(ember.from_numpy(_u8((3, 2, 2))), mode="HSV")
    assert hsv.mode == "HSV"
    with pytest.raises(ValueError, match="Incorrect mode"):
        F.to_pil_image(ember.zeros(1, 2, 2, dtype=ember.uint8), mode="RGB")
    with pytest.raises(ValueError, match="Only modes"):
        F.to_pil_image(ember.zeros(3, 2, 2, dtype=ember.uint8), mode="RGBA")
    with pytest.raises(ValueError, match="> 4 channels. Got 5"):
        F.to_pil_image(ember.zeros(5, 2, 2))
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        F.to_pil_image([1, 2])
    with pytest.raises(TypeError, match="Input type int64 is not supported"):
        F.to_pil_image(ember.zeros(3, 2, 2, dtype=ember.int64))


def test_convert_image_dtype_matches_torchvision_rules():
    u8 = ember.tensor([[[0, 1, 128, 255]]], dtype=ember.uint8)
    f = F.convert_image_dtype(u8, ember.float32)
    np.testing.assert_array_equal(f.numpy(), u8.numpy().astype(np.float32) / np.float32(255))
    back = F.convert_image_dtype(f, ember.uint8)
    assert back.tolist() == u8.tolist()  # x * (256 - 1e-3) truncated round-trips
    assert F.convert_image_dtype(ember.tensor([[[0.999]]]), ember.uint8).item() == 255
    i16 = F.convert_image_dtype(u8, ember.int16)  # upcast multiplies by 2**7
    assert i16.dtype == ember.int16 and i16.tolist() == [[[0, 128, 16384, 32640]]]
    down = F.convert_image_dtype(ember.tensor([[[32767, 256]]], dtype=ember.int16), ember.uint8)
    assert down.tolist() == [[[255, 2]]]
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(ember.zeros(1, 1, 1), ember.int32)
    with pytest.raises(TypeError):
        F.convert_image_dtype(np.zeros((1, 1, 1)), ember.float32)


def test_normalize_values_inplace_and_errors():
    x = ember.from_numpy(np.random.RandomState(0).rand(2, 3, 4, 5).astype(np.float32))
    mean, std = [0.1, 0.2, 0.3], [0.5, 0.25, 2.0]
    out = F.normalize(x, mean, std)
    ref = (torch.from_numpy(x.numpy()) - torch.tensor(mean).view(-1, 1, 1)) / \
        torch.tensor(std).view(-1, 1, 1)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    assert out is not x and not np.array_equal(x.numpy(), out.numpy())
    same = F.normalize(x, mean, std, inplace=True)
    assert same is x
    np.testing.assert_allclose(x.numpy(), ref.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(ember.zeros(3, 2, 2), [0, 0, 0], [1, 0, 1])
    with pytest.raises(TypeError, match="float tensor. Got torch.uint8"):
        F.normalize(ember.zeros(3, 2, 2, dtype=ember.uint8), [0], [1])
    with pytest.raises(TypeError, match="Tensor Image"):
        F.normalize(np.zeros((3, 2, 2)), [0], [1])
    with pytest.raises(ValueError, match=r"\(\.\.\., C, H, W\). Got tensor.size\(\) = \(2, 2\)"):
        F.normalize(ember.zeros(2, 2), [0], [1])


# ---------------------------------------------------------------------------- resize


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("size", [(8, 11), (30, 40), (17, 9)])
def test_tensor_resize_matches_torch_interpolate(mode, antialias, size):
    a = np.random.RandomState(0).rand(2, 3, 17, 23).astype(np.float32)
    out = F.resize(ember.from_numpy(a), list(size), InterpolationMode(mode),
                   antialias=antialias)
    aa = antialias and mode in ("bilinear", "bicubic")
    corners = False if mode in ("bilinear", "bicubic") else None
    ref = torch.nn.functional.interpolate(torch.from_numpy(a), size=size, mode=mode,
                                          align_corners=corners, antialias=aa)
    assert out.dtype == ember.float32 and tuple(out.shape) == (2, 3) + size
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-5)


def test_tensor_resize_uint8_rounds_and_keeps_dtype():
    a = _u8((3, 17, 23))
    out = F.resize(ember.from_numpy(a), [9, 12], InterpolationMode.BICUBIC)
    ref = torch.nn.functional.interpolate(torch.from_numpy(a)[None].float(), size=(9, 12),
                                          mode="bicubic", antialias=True)[0]
    ref = ref.clamp(0, 255).round()
    assert out.dtype == ember.uint8
    assert np.abs(out.numpy().astype(float) - ref.numpy()).max() <= 1  # float rounding ties


def test_resize_int_size_smaller_edge_and_max_size():
    t = ember.zeros(3, 30, 45)
    assert tuple(F.resize(t, 20).shape) == (3, 20, 30)
    assert tuple(F.resize(t, [20]).shape) == (3, 20, 30)
    assert tuple(F.resize(ember.zeros(3, 45, 30), 20).shape) == (3, 30, 20)
    assert tuple(F.resize(t, 20, max_size=25).shape) == (3, 16, 25)
    assert tuple(F.resize(t, [7, 9]).shape) == (3, 7, 9)
    assert F.resize(t, 30) is t  # already the requested size
    pil = Image.new("RGB", (45, 30))
    assert F.resize(pil, 20).size == (30, 20)
    with pytest.raises(ValueError, match="max_size = 20 must be strictly greater"):
        F.resize(t, 20, max_size=20)
    with pytest.raises(ValueError, match="max_size should only be passed"):
        F.resize(t, [20, 20], max_size=30)
    with pytest.raises(ValueError, match="not a 3 element"):
        F.resize(t, [1, 2, 3])
    with pytest.raises(TypeError, match="InterpolationMode"):
        F.resize(t, 10, interpolation="bilinear")
    with pytest.raises(ValueError, match="unsupported with Tensor"):
        F.resize(t, 10, interpolation=InterpolationMode.LANCZOS)


@pytest.mark.parametrize("mode,pil_filter", [
    (InterpolationMode.NEAREST, Image.Resampling.NEAREST),
    (InterpolationMode.BILINEAR, Image.Resampling.BILINEAR),
    (InterpolationMode.BICUBIC, Image.Resampling.BICUBIC),
    (InterpolationMode.LANCZOS, Image.Resampling.LANCZOS),
    (InterpolationMode.BOX, Image.Resampling.BOX),
])
def test_pil_resize_equals_pillow(mode, pil_filter):
    pil = _pil_rgb(37, 50)
    out = F.resize(pil, [19, 23], mode)
    ref = pil.resize((23, 19), pil_filter)
    assert out.size == (23, 19)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(ref))


def test_pil_resize_int_interpolation_and_antialias_false_warns():
    pil = _pil_rgb()
    out = F.resize(pil, 10, interpolation=Image.Resampling.BICUBIC)  # Pillow constants work
    np.testing.assert_array_equal(np.asarray(out), np.asarray(pil.resize((13, 10), 3)))
    with pytest.warns(UserWarning, match="Anti-alias option is always applied"):
        F.resize(pil, 10, antialias=False)


def test_tensor_and_pil_bilinear_resize_agree():
    pil = _pil_rgb(40, 52)
    t = F.resize(F.pil_to_tensor(pil), [20, 26])
    p = F.resize(pil, [20, 26])
    assert np.abs(t.numpy().astype(int) - _chw(p).astype(int)).max() <= 1


# ---------------------------------------------------------------------------- crop/flip/pad


def test_flips_match_torch_flip():
    a = _u8((2, 3, 5, 6))
    t = ember.from_numpy(a)
    np.testing.assert_array_equal(F.hflip(t).numpy(), torch.from_numpy(a).flip(-1).numpy())
    np.testing.assert_array_equal(F.vflip(t).numpy(), torch.from_numpy(a).flip(-2).numpy())
    pil = _pil_rgb()
    np.testing.assert_array_equal(np.asarray(F.hflip(pil)), np.asarray(pil)[:, ::-1])
    np.testing.assert_array_equal(np.asarray(F.vflip(pil)), np.asarray(pil)[::-1])
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        F.hflip(np.zeros((2, 2)))


def test_crop_inside_and_outside_the_image():
    a = _u8((3, 10, 12))
    t = ember.from_numpy(a)
    np.testing.assert_array_equal(F.crop(t, 2, 3, 4, 5).numpy(), a[:, 2:6, 3:8])
    out = F.crop(t, -2, 9, 5, 6)  # 2 rows above and 3 columns right of the image are zero
    ref = np.zeros((3, 5, 6), np.uint8)
    ref[:, 2:, :3] = a[:, :3, 9:12]
    np.testing.assert_array_equal(out.numpy(), ref)
    pil = Image.fromarray(a.transpose(1, 2, 0))
    np.testing.assert_array_equal(_chw(F.crop(pil, -2, 9, 5, 6)), ref)


def test_center_crop_and_padding_when_larger():
    a = _u8((3, 10, 12))
    t = ember.from_numpy(a)
    np.testing.assert_array_equal(F.center_crop(t, [4, 6]).numpy(), a[:, 3:7, 3:9])
    np.testing.assert_array_equal(F.center_crop(t, 5).numpy(), a[:, 2:7, 4:9])  # round(2.5)=2
    big = F.center_crop(t, [13, 15])
    ref = np.pad(a, ((0, 0), (1, 2), (1, 2)))
    np.testing.assert_array_equal(big.numpy(), ref)
    pil = Image.fromarray(a.transpose(1, 2, 0))
    np.testing.assert_array_equal(_chw(F.center_crop(pil, [13, 15])), ref)
    np.testing.assert_array_equal(_chw(F.center_crop(pil, [4, 6])), a[:, 3:7, 3:9])


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding,ltrb", [(2, (2, 2, 2, 2)), ([1, 3], (1, 3, 1, 3)),
                                          ((1, 2, 3, 4), (1, 2, 3, 4)), ([2], (2, 2, 2, 2))])
def test_pad_modes_match_numpy_pad(mode, padding, ltrb):
    a = _u8((3, 6, 7))
    left, top, right, bottom = ltrb
    kwargs = {"constant_values": 9} if mode == "constant" else {}
    ref = np.pad(a, ((0, 0), (top, bottom), (left, right)), mode=mode, **kwargs)
    out = F.pad(ember.from_numpy(a), padding, fill=9, padding_mode=mode)
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), ref)
    pil = Image.fromarray(a.transpose(1, 2, 0))
    np.testing.assert_array_equal(_chw(F.pad(pil, padding, fill=9, padding_mode=mode)), ref)


def test_pad_negative_crops_and_validation():
    a = _u8((1, 6, 7))
    out = F.pad(ember.from_numpy(a), [-1, 2, 0, -2])
    np.testing.assert_array_equal(out.numpy(), np.pad(a[:, :4, 1:], ((0, 0), (2, 0), (0, 0))))
    t = ember.zeros(1, 3, 3)
    with pytest.raises(TypeError, match="inappropriate padding arg"):
        F.pad(t, "2")
    with pytest.raises(TypeError, match="inappropriate fill arg"):
        F.pad(t, 2, fill="red")
    with pytest.raises(ValueError, match="not a 3 element tuple"):
        F.pad(t, [1, 2, 3])
    with pytest.raises(ValueError, match="constant, edge, reflect or symmetric"):
        F.pad(t, 1, padding_mode="wrap")


def test_pad_pil_fill_per_channel():
    pil = Image.new("RGB", (2, 2), (1, 2, 3))
    out = np.asarray(F.pad(pil, 1, fill=(10, 20, 30)))
    assert out[0, 0].tolist() == [10, 20, 30] and out[1, 1].tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match=r"does not match the number of channels .*\(2 != 3\)"):
        F.pad(pil, 1, fill=(1, 2))


def test_five_and_ten_crop():
    a = _u8((3, 8, 10))
    t = ember.from_numpy(a)
    tl, tr, bl, br, c = F.five_crop(t, [4, 6])
    np.testing.assert_array_equal(tl.numpy(), a[:, :4, :6])
    np.testing.assert_array_equal(tr.numpy(), a[:, :4, 4:])
    np.testing.assert_array_equal(bl.numpy(), a[:, 4:, :6])
    np.testing.assert_array_equal(br.numpy(), a[:, 4:, 4:])
    np.testing.assert_array_equal(c.numpy(), a[:, 2:6, 2:8])
    ten = F.ten_crop(t, [4, 6])
    assert len(ten) == 10
    np.testing.assert_array_equal(ten[5].numpy(), a[:, :4, ::-1][:, :, :6])
    ten_v = F.ten_crop(t, 4, vertical_flip=True)
    np.testing.assert_array_equal(ten_v[5].numpy(), a[:, ::-1][:, :4, :4])
    with pytest.raises(ValueError, match="bigger than input size"):
        F.five_crop(t, [9, 4])


# ---------------------------------------------------------------------------- warps


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("angle,translate,scale,shear", [
    (25.0, [2, -1], 1.1, [8.0, -4.0]), (-40.0, [0, 0], 0.8, [0.0, 0.0]),
])
def test_tensor_affine_equals_torch_affine_grid_and_grid_sample(mode, angle, translate, scale,
                                                                shear):
    a = np.random.RandomState(0).rand(2, 3, 9, 12).astype(np.float32)
    h, w = a.shape[-2:]
    out = F.affine(ember.from_numpy(a), angle, translate, scale, shear, InterpolationMode(mode))
    # The inverse matrix in centred pixel units, rescaled to normalised coordinates.
    m = F._inverse_affine_matrix([0.0, 0.0], angle, translate, scale, shear)
    theta = torch.tensor([[m[0], m[1] * h / w, 2 * m[2] / w],
                          [m[3] * w / h, m[4], 2 * m[5] / h]]).expand(2, 2, 3)
    grid = torch.nn.functional.affine_grid(theta, [2, 3, h, w], align_corners=False)
    ref = torch.nn.functional.grid_sample(torch.from_numpy(a), grid, mode=mode,
                                          padding_mode="zeros", align_corners=False)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-5)


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("mode", [InterpolationMode.NEAREST, InterpolationMode.BILINEAR])
def test_rotate_by_multiples_of_90_equals_rot90(k, mode):
    a = _u8((3, 8, 8))
    out = F.rotate(ember.from_numpy(a), 90.0 * k, mode)
    ref = torch.rot90(torch.from_numpy(a), k, [-2, -1]).numpy()
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), ref)
    pil = Image.fromarray(a.transpose(1, 2, 0))
    np.testing.assert_array_equal(_chw(F.rotate(pil, 90.0 * k, mode)), ref)
    # affine's angle is clockwise, rotate's counter-clockwise
    aff = F.affine(ember.from_numpy(a), -90.0 * k, [0, 0], 1.0, [0.0, 0.0], mode)
    np.testing.assert_array_equal(aff.numpy(), ref)


def test_tensor_warps_match_pillow_nearest():
    pil = _pil_rgb(20, 26)
    t = F.pil_to_tensor(pil)
    pairs = [
        (F.rotate(pil, 30), F.rotate(t, 30)),
        (F.rotate(pil, 30, expand=True), F.rotate(t, 30, expand=True)),
        (F.rotate(pil, -17, center=[5, 7]), F.rotate(t, -17, center=[5, 7])),
        (F.affine(pil, 20, [3, -2], 1.1, [5, 3]), F.affine(t, 20, [3, -2], 1.1, [5, 3])),
        (F.affine(pil, 30, [1, 2], 0.9, 0.0, center=[5, 7]),
         F.affine(t, 30, [1, 2], 0.9, 0.0, center=[5, 7])),
    ]
    for p, q in pairs:
        np.testing.assert_array_equal(q.numpy(), _chw(p))
    sp = [[0, 0], [25, 0], [25, 19], [0, 19]]
    ep = [[3, 2], [22, 1], [24, 17], [1, 18]]
    p = F.perspective(pil, sp, ep, InterpolationMode.NEAREST)
    q = F.perspective(t, sp, ep, InterpolationMode.NEAREST)
    assert (q.numpy() != _chw(p)).mean() < 0.01  # a few half-pixel ties round differently


def test_rotate_expand_sizes_match_pillow():
    for w, h in [(26, 23), (9, 14), (8, 8)]:
        pil = Image.new("L", (w, h))
        t = ember.zeros(1, h, w)
        for angle in [45, 30, -10, 17, 180]:
            out = F.rotate(t, angle, expand=True)
            assert (out.shape[-1], out.shape[-2]) == pil.rotate(angle, expand=True).size


def test_rotate_fill_and_batched_and_float():
    x = ember.ones(2, 3, 6, 6)
    out = F.rotate(x, 45, fill=[0.25, 0.5, 0.75])
    assert tuple(out.shape) == (2, 3, 6, 6) and out.dtype == ember.float32
    assert out[0, :, 0, 0].tolist() == [0.25, 0.5, 0.75]  # corner is outside: fill
    assert out[1, :, 3, 3].tolist() == [1.0, 1.0, 1.0]  # centre stays
    with pytest.raises(ValueError, match="unsupported with Tensor"):
        F.rotate(x, 10, InterpolationMode.BICUBIC)
    with pytest.raises(TypeError, match="angle should be int or float"):
        F.rotate(x, "10")


def test_affine_translate_only_shifts_pixels():
    a = _u8((1, 6, 7))
    out = F.affine(ember.from_numpy(a), 0.0, [2, 1], 1.0, [0.0, 0.0]).numpy()
    ref = np.zeros_like(a)
    ref[:, 1:, 2:] = a[:, :-1, :-2]
    np.testing.assert_array_equal(out, ref)
    with pytest.raises(ValueError, match="scale should be positive"):
        F.affine(ember.from_numpy(a), 0.0, [0, 0], 0.0, [0.0, 0.0])


def test_perspective_identity_and_validation():
    a = _u8((3, 7, 9))
    pts = [[0, 0], [8, 0], [8, 6], [0, 6]]
    out = F.perspective(ember.from_numpy(a), pts, pts, InterpolationMode.NEAREST)
    np.testing.assert_array_equal(out.numpy(), a)
    with pytest.raises(ValueError, match="four corners"):
        F.perspective(ember.from_numpy(a), pts[:3], pts)


# ---------------------------------------------------------------------------- colour


def test_rgb_to_grayscale_weights():
    a = np.random.RandomState(0).rand(3, 4, 5).astype(np.float32)
    out = F.rgb_to_grayscale(ember.from_numpy(a))
    np.testing.assert_allclose(out.numpy()[0], 0.2989 * a[0] + 0.587 * a[1] + 0.114 * a[2],
                               rtol=1e-6)
    three = F.rgb_to_grayscale(ember.from_numpy(a), num_output_channels=3)
    assert tuple(three.shape) == (3, 4, 5)
    np.testing.assert_array_equal(three.numpy()[2], out.numpy()[0])
    pil = _pil_rgb()
    rgb = np.asarray(pil).astype(np.int64)
    # Pillow's 'L' conversion: 299/587/114 per mille with rounding
    ref = (rgb[..., 0] * 299 + rgb[..., 1] * 587 + rgb[..., 2] * 114 + 500) // 1000
    assert np.abs(np.asarray(F.rgb_to_grayscale(pil)).astype(int) - ref).max() <= 1
    g3 = F.rgb_to_grayscale(pil, 3)
    assert g3.mode == "RGB"
    with pytest.raises(ValueError, match="num_output_channels should be either 1 or 3"):
        F.rgb_to_grayscale(ember.from_numpy(a), 2)
    with pytest.raises(TypeError, match="permitted channel values are \\[1, 3\\]"):
        F.rgb_to_grayscale(ember.zeros(2, 3, 3))


def test_adjust_brightness_contrast_saturation_tensor_by_hand():
    a = np.random.RandomState(0).rand(3, 4, 5).astype(np.float32)
    t = ember.from_numpy(a)
    np.testing.assert_allclose(F.adjust_brightness(t, 1.5).numpy(), np.clip(a * 1.5, 0, 1))
    gray = 0.2989 * a[0] + 0.587 * a[1] + 0.114 * a[2]
    np.testing.assert_allclose(F.adjust_contrast(t, 0.3).numpy(),
                               np.clip(0.3 * a + 0.7 * gray.mean(), 0, 1), rtol=1e-5)
    np.testing.assert_allclose(F.adjust_saturation(t, 2.0).numpy(),
                               np.clip(2.0 * a - gray, 0, 1), rtol=1e-5, atol=1e-6)
    u8 = ember.from_numpy(_u8((3, 4, 5)))
    out = F.adjust_brightness(u8, 0.5)
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), (u8.numpy() * np.float32(0.5)).astype(np.uint8))
    for fn in (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation):
        np.testing.assert_array_equal(fn(u8, 1.0).numpy(), u8.numpy())  # factor 1: identity
        with pytest.raises(ValueError, match=r"\(-1\) is not non-negative"):
            fn(u8, -1)


def test_adjust_tensor_close_to_pillow_enhance():
    pil = _pil_rgb()
    t = F.pil_to_tensor(pil)
    for fn in (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation):
        for factor in (0.0, 0.5, 1.3):
            diff = np.abs(fn(t, factor).numpy().astype(int) - _chw(fn(pil, factor)).astype(int))
            assert diff.max() <= 1  # Pillow rounds, torchvision truncates


def test_adjust_hue_against_colorsys():
    a = np.random.RandomState(0).rand(3, 3, 4)
    out = F.adjust_hue(ember.from_numpy(a.astype(np.float32)), 0.2).numpy()
    for i in range(3):
        for j in range(4):
            h, s, v = colorsys.rgb_to_hsv(*a[:, i, j])
            ref = colorsys.hsv_to_rgb((h + 0.2) % 1.0, s, v)
            np.testing.assert_allclose(out[:, i, j], ref, atol=1e-5)
    x = ember.from_numpy(a.astype(np.float32))
    np.testing.assert_allclose(F.adjust_hue(x, 0.0).numpy(), x.numpy(), atol=1e-6)
    gray = ember.zeros(1, 2, 2)
    assert F.adjust_hue(gray, 0.3) is gray
    pil = _pil_rgb()  # factor 0: just Pillow's (lossy) HSV round trip
    np.testing.assert_array_equal(np.asarray(F.adjust_hue(pil, 0.0)),
                                  np.asarray(pil.convert("HSV").convert("RGB")))
    red = Image.new("RGB", (2, 2), (255, 0, 0))  # a third of a turn: red -> green
    assert np.asarray(F.adjust_hue(red, 1 / 3)).reshape(-1, 3).tolist() == [[0, 255, 0]] * 4
    green = F.adjust_hue(F.pil_to_tensor(red), 1 / 3)
    assert green.dtype == ember.uint8 and green[:, 0, 0].tolist() == [0, 255, 0]
    with pytest.raises(ValueError, match=r"hue_factor \(0.7\) is not in \[-0.5, 0.5\]"):
        F.adjust_hue(x, 0.7)


def test_gaussian_blur_matches_torch_conv2d():
    a = np.random.RandomState(0).rand(2, 3, 9, 10).astype(np.float32)
    out = F.gaussian_blur(ember.from_numpy(a), [5, 3], [1.2, 0.7])
    x = torch.from_numpy(a)

    def k1d(k, s):
        v = torch.linspace(-(k - 1) / 2, (k - 1) / 2, k)
        p = torch.exp(-0.5 * (v / s) ** 2)
        return p / p.sum()

    kernel = (k1d(3, 0.7)[:, None] * k1d(5, 1.2)[None, :]).expand(3, 1, 3, 5)
    padded = torch.nn.functional.pad(x, [2, 2, 1, 1], mode="reflect")
    ref = torch.nn.functional.conv2d(padded, kernel, groups=3)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-6)
    pil = _pil_rgb()
    blurred = F.gaussian_blur(pil, 5, 1.2)
    assert blurred.mode == "RGB"
    ref_u8 = F.gaussian_blur(F.pil_to_tensor(pil), 5, 1.2)
    np.testing.assert_array_equal(_chw(blurred), ref_u8.numpy())
    with pytest.raises(ValueError, match="odd and positive"):
        F.gaussian_blur(ember.from_numpy(a), 4)
    with pytest.raises(ValueError, match="sigma should have positive values"):
        F.gaussian_blur(ember.from_numpy(a), 3, -1.0)
    with pytest.raises(ValueError, match="kernel_size is a sequence its length should be 2"):
        F.gaussian_blur(ember.from_numpy(a), [3])
    with pytest.raises(TypeError, match="kernel_size should be int or a sequence"):
        F.gaussian_blur(ember.from_numpy(a), 3.0)
    with pytest.raises(TypeError, match="sigma should be either float or sequence"):
        F.gaussian_blur(ember.from_numpy(a), 3, "1")
    with pytest.raises(RuntimeError, match="reflect padding"):
        F.gaussian_blur(ember.zeros(1, 2, 2), 5, 1.0)


def test_erase_and_dimension_queries():
    t = ember.zeros(3, 5, 6)
    out = F.erase(t, 1, 2, 2, 3, ember.tensor(7.0))
    ref = np.zeros((3, 5, 6), np.float32)
    ref[:, 1:3, 2:5] = 7
    np.testing.assert_array_equal(out.numpy(), ref)
    assert float(t.sum()) == 0.0
    F.erase(t, 0, 0, 1, 1, 2.0, inplace=True)
    assert float(t.sum()) == 6.0
    with pytest.raises(TypeError, match="Tensor Image"):
        F.erase(Image.new("L", (2, 2)), 0, 0, 1, 1, 0)
    assert F.get_dimensions(ember.zeros(2, 3, 5, 6)) == [3, 5, 6]
    assert F.get_image_size(ember.zeros(3, 5, 6)) == [6, 5]
    assert F.get_dimensions(Image.new("RGBA", (6, 5))) == [4, 5, 6]
    assert F.get_image_num_channels(Image.new("L", (6, 5))) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.get_image_size(Image.new("L", (6, 5))) == [6, 5]


# ---------------------------------------------------------------------------- tone ops


@pytest.mark.parametrize("name,args", [
    ("invert", ()), ("posterize", (3,)), ("solarize", (100,)), ("adjust_sharpness", (0.3,)),
    ("adjust_sharpness", (2.0,)), ("autocontrast", ()), ("equalize", ()),
    ("adjust_gamma", (0.7, 1.1)),
])
def test_tone_ops_tensor_equal_pillow(name, args):
    a = (np.random.RandomState(0).rand(20, 26, 3) * 200 + 20).astype(np.uint8)
    pil = Image.fromarray(a)
    fn = getattr(F, name)
    out = fn(F.pil_to_tensor(pil), *args)
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), _chw(fn(pil, *args)))


def test_tone_ops_by_hand_and_errors():
    u8 = ember.tensor([[[0, 100, 200, 255]]], dtype=ember.uint8)
    assert F.invert(u8).tolist() == [[[255, 155, 55, 0]]]
    assert F.invert(ember.tensor([[[0.25]]])).item() == 0.75
    assert F.posterize(u8, 2).tolist() == [[[0, 64, 192, 192]]]
    assert F.solarize(u8, 150).tolist() == [[[0, 100, 55, 0]]]
    np.testing.assert_allclose(F.autocontrast(ember.tensor([[[0.2, 0.4, 0.6]]])).numpy(),
                               [[[0.0, 0.5, 1.0]]], atol=1e-6)
    flat = ember.full((1, 2, 2), 7, dtype=ember.uint8)
    assert F.autocontrast(flat).tolist() == flat.tolist()  # constant channel left alone
    assert F.adjust_sharpness(u8, 1.0).tolist() == u8.tolist()
    np.testing.assert_allclose(F.adjust_gamma(ember.tensor([[[0.25]]]), 0.5).numpy(), 0.5)
    with pytest.raises(TypeError, match="only torch.uint8 .* found torch.float32"):
        F.posterize(ember.zeros(1, 2, 2), 2)
    with pytest.raises(TypeError, match="only torch.uint8"):
        F.equalize(ember.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="between 0 and 8"):
        F.posterize(u8, 9)
    with pytest.raises(TypeError, match="Threshold should be less than bound"):
        F.solarize(ember.zeros(1, 2, 2), 2.0)
    with pytest.raises(ValueError, match="non-negative real number"):
        F.adjust_gamma(u8, -1)
    with pytest.raises(ValueError, match=r"sharpness_factor \(-1\) is not non-negative"):
        F.adjust_sharpness(u8, -1)


def test_int16_images_roundtrip_through_mode_i16():
    t = ember.tensor([[[5, 300, 32767]]], dtype=ember.int16)
    pil = F.to_pil_image(t)
    assert pil.mode == "I;16" and np.asarray(pil).tolist() == [[5, 300, 32767]]
    back = F.to_tensor(pil)
    assert back.dtype == ember.int16 and back.tolist() == t.tolist()


def test_affine_argument_validation():
    t = ember.zeros(1, 4, 4)
    with pytest.raises(TypeError, match="translate should be a sequence"):
        F.affine(t, 0.0, 3, 1.0, 0.0)
    with pytest.raises(ValueError, match="translate should be a sequence of length 2"):
        F.affine(t, 0.0, [1, 2, 3], 1.0, 0.0)
    with pytest.raises(TypeError, match="Shear should be either a single value or a sequence"):
        F.affine(t, 0.0, [0, 0], 1.0, "x")
    with pytest.raises(ValueError, match="Shear should be a sequence containing two values"):
        F.affine(t, 0.0, [0, 0], 1.0, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="center should be a sequence"):
        F.affine(t, 0.0, [0, 0], 1.0, 0.0, center=2)
    with pytest.raises(TypeError, match="angle should be int or float"):
        F.affine(t, None, [0, 0], 1.0, 0.0)
    # one shear value shears along x only; [s] shears both axes by s
    img = ember.from_numpy(_u8((1, 9, 9)))
    x_only = F.affine(img, 0.0, [0, 0], 1.0, 20.0)
    both = F.affine(img, 0.0, [0, 0], 1.0, [20.0])
    np.testing.assert_array_equal(x_only.numpy(),
                                  F.affine(img, 0.0, [0, 0], 1.0, [20.0, 0.0]).numpy())
    np.testing.assert_array_equal(both.numpy(),
                                  F.affine(img, 0.0, [0, 0], 1.0, [20.0, 20.0]).numpy())
    assert not np.array_equal(x_only.numpy(), both.numpy())


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_palette_image_keeps_indices_and_palette(mode):
    idx = np.arange(12, dtype=np.uint8).reshape(3, 4)
    pal = Image.fromarray(idx, "L")
    pal.putpalette([(3 * i) % 256 for i in range(768)])
    assert pal.mode == "P"
    out = F.pad(pal, [1, 2], padding_mode=mode)
    assert out.mode == "P" and out.getpalette() == pal.getpalette()
    kwargs = {"constant_values": 0} if mode == "constant" else {}
    np.testing.assert_array_equal(np.asarray(out), np.pad(idx, ((2, 2), (1, 1)), mode, **kwargs))


@pytest.mark.parametrize("op", [
    lambda x: F.adjust_brightness(x, 1.4), lambda x: F.adjust_contrast(x, 0.6),
    lambda x: F.adjust_saturation(x, 1.7), lambda x: F.adjust_hue(x, -0.2),
    lambda x: F.rgb_to_grayscale(x, 3), lambda x: F.gaussian_blur(x, 3, 0.8),
    lambda x: F.rotate(x, 33.0, InterpolationMode.BILINEAR, fill=[0.5, 0.5, 0.5]),
    lambda x: F.affine(x, 10.0, [1, -2], 1.2, [5.0, 3.0]),
    lambda x: F.resize(x, [7, 9]), lambda x: F.pad(x, [1, 2], padding_mode="reflect"),
    lambda x: F.adjust_sharpness(x, 2.0), lambda x: F.autocontrast(x), F.invert,
])
def test_batched_tensor_ops_equal_per_image(op):
    a = np.random.RandomState(0).rand(2, 4, 3, 10, 11).astype(np.float32)
    out = op(ember.from_numpy(a)).numpy()
    for i in range(2):
        for j in range(4):
            np.testing.assert_allclose(out[i, j], op(ember.from_numpy(a[i, j])).numpy(),
                                       atol=1e-6)


def test_two_dimensional_tensor_images():
    a = _u8((6, 6))
    t = ember.from_numpy(a)
    np.testing.assert_array_equal(F.rotate(t, 90.0).numpy(), np.rot90(a))
    np.testing.assert_array_equal(F.hflip(t).numpy(), a[:, ::-1])
    assert tuple(F.resize(t, [3, 4]).shape) == (3, 4)
    assert tuple(F.pad(t, 1).shape) == (8, 8) and F.get_dimensions(t) == [1, 6, 6]
