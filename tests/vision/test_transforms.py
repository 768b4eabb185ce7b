"""ember.vision.transforms classes: behaviour on PIL images and tensors, random parameter
sampling, reproducibility under ember.manual_seed, validation errors and reprs."""

import math

import numpy as np
import pytest

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image")


def _u8(shape, seed=0):
    return (np.random.RandomState(seed).rand(*shape) * 255).astype(np.uint8)


def _pil(h=60, w=80, seed=0):
    return Image.fromarray(_u8((h, w, 3), seed))


def _chw(pil) -> np.ndarray:
    a = np.asarray(pil)
    return (a[..., None] if a.ndim == 2 else a).transpose(2, 0, 1)


IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])


def test_lecture_pipeline_on_pil_gives_normalised_float_tensor():
    pipeline = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor(),
                          T.Normalize(*IMAGENET)])
    out = pipeline(_pil(300, 400))
    assert out.dtype == ember.float32 and tuple(out.shape) == (3, 224, 224)
    mean = ember.tensor(IMAGENET[0]).view(3, 1, 1)
    std = ember.tensor(IMAGENET[1]).view(3, 1, 1)
    pixels = out * std + mean  # undoing Normalize gives ToTensor's [0, 1] range back
    assert float(pixels.min()) >= -1e-5 and float(pixels.max()) <= 1 + 1e-5


def test_eval_pipeline_resize_centercrop():
    pipeline = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor()])
    pil = _pil(300, 400)
    out = pipeline(pil)
    assert tuple(out.shape) == (3, 224, 224)
    resized = pil.resize((341, 256), Image.Resampling.BILINEAR)  # int(256 * 400 / 300) = 341
    ref = np.asarray(resized)[16:240, 58:282].transpose(2, 0, 1) / np.float32(255)
    np.testing.assert_array_equal(out.numpy(), ref.astype(np.float32))


def _augment():
    return T.Compose([
        T.RandomResizedCrop(32, scale=(0.3, 1.0)), T.RandomHorizontalFlip(),
        T.RandomVerticalFlip(), T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomGrayscale(0.3),
        T.RandomRotation(20), T.RandomAffine(10, translate=(0.1, 0.1), scale=(0.9, 1.1),
                                             shear=5),
        T.RandomPerspective(), T.RandomApply([T.GaussianBlur(3)], p=0.5),
        T.RandomCrop(28, padding=2), T.ToTensor(), T.RandomErasing(p=0.7, value="random"),
    ])


def test_augmentation_pipeline_reproducible_under_manual_seed():
    pil = _pil()
    pipe = _augment()
    ember.manual_seed(123)
    first = [pipe(pil).numpy() for _ in range(3)]
    ember.manual_seed(123)
    second = [pipe(pil).numpy() for _ in range(3)]
    for a, b in zip(first, second):
        assert a.shape == (3, 28, 28)
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])  # the stream moves on between calls
    ember.manual_seed(124)
    assert not np.array_equal(pipe(pil).numpy(), first[0])


def test_tensor_pipeline_reproducible_and_keeps_uint8():
    t = ember.from_numpy(_u8((3, 40, 50)))
    pipe = T.Compose([T.RandomResizedCrop(24), T.RandomHorizontalFlip(), T.RandomRotation(15),
                      T.ColorJitter(0.3, 0.3, 0.3, 0.05), T.RandomErasing(p=1.0)])
    ember.manual_seed(5)
    a = pipe(t)
    ember.manual_seed(5)
    b = pipe(t)
    assert a.dtype == ember.uint8 and tuple(a.shape) == (3, 24, 24)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


# ---------------------------------------------------------------------------- reprs


@pytest.mark.parametrize("transform,text", [
    (T.Compose([T.ToTensor(), T.Normalize(mean=[0.5], std=[0.5])]),
     "Compose(\n    ToTensor()\n    Normalize(mean=[0.5], std=[0.5])\n)"),
    (T.Resize(256), "Resize(size=256, interpolation=bilinear, max_size=None, antialias=True)"),
    (T.Resize((32, 48), T.InterpolationMode.NEAREST, antialias=False),
     "Resize(size=(32, 48), interpolation=nearest, max_size=None, antialias=False)"),
    (T.CenterCrop(224), "CenterCrop(size=(224, 224))"),
    (T.RandomCrop(32, padding=4), "RandomCrop(size=(32, 32), padding=4)"),
    (T.RandomResizedCrop(224),
     "RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
     "interpolation=bilinear, antialias=True)"),
    (T.RandomHorizontalFlip(), "RandomHorizontalFlip(p=0.5)"),
    (T.RandomVerticalFlip(0.2), "RandomVerticalFlip(p=0.2)"),
    (T.Pad(2), "Pad(padding=2, fill=0, padding_mode=constant)"),
    (T.Lambda(lambda x: x), "Lambda()"),
    (T.ColorJitter(brightness=0.5, hue=0.1),
     "ColorJitter(brightness=(0.5, 1.5), contrast=None, saturation=None, hue=(-0.1, 0.1))"),
    (T.Grayscale(3), "Grayscale(num_output_channels=3)"),
    (T.RandomGrayscale(), "RandomGrayscale(p=0.1)"),
    (T.RandomRotation(30), "RandomRotation(degrees=[-30.0, 30.0], interpolation=nearest, "
                           "expand=False, fill=0)"),
    (T.RandomAffine(10, translate=(0.1, 0.2)),
     "RandomAffine(degrees=[-10.0, 10.0], translate=(0.1, 0.2))"),
    (T.RandomAffine(0, shear=5, interpolation=T.InterpolationMode.BILINEAR, fill=1),
     "RandomAffine(degrees=[0.0, 0.0], shear=[-5.0, 5.0], interpolation=bilinear, fill=1)"),
    (T.RandomPerspective(), "RandomPerspective(p=0.5)"),
    (T.GaussianBlur(3), "GaussianBlur(kernel_size=(3, 3), sigma=(0.1, 2.0))"),
    (T.FiveCrop(10), "FiveCrop(size=(10, 10))"),
    (T.TenCrop(10), "TenCrop(size=(10, 10), vertical_flip=False)"),
    (T.RandomApply([T.RandomHorizontalFlip()], p=0.3),
     "RandomApply(\n    p=0.3\n    RandomHorizontalFlip(p=0.5)\n)"),
    (T.RandomErasing(), "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, "
                        "inplace=False)"),
    (T.ConvertImageDtype(ember.float32), "ConvertImageDtype(dtype=torch.float32)"),
    (T.ToPILImage(), "ToPILImage()"),
    (T.PILToTensor(), "PILToTensor()"),
])
def test_reprs_match_torchvision(transform, text):
    assert repr(transform) == text


# ---------------------------------------------------------------------------- conversions


def test_conversion_classes():
    pil = _pil(6, 7)
    u8 = T.PILToTensor()(pil)
    assert u8.dtype == ember.uint8
    f = T.ConvertImageDtype(ember.float32)(u8)
    np.testing.assert_array_equal(f.numpy(), T.ToTensor()(pil).numpy())
    back = T.ToPILImage()(f)
    assert back.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(back), np.asarray(pil))


def test_normalize_class_inplace_flag():
    x = ember.ones(3, 2, 2)
    out = T.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])(x)
    assert float(out.sum()) == 12.0 and float(x.sum()) == 12.0
    out = T.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25], inplace=True)(x)
    assert out is x and x[0, 0, 0].item() == 2.0


# ---------------------------------------------------------------------------- geometry


def test_resize_class_pil_and_tensor_and_validation():
    assert T.Resize((20, 30))(_pil()).size == (30, 20)
    assert tuple(T.Resize(30)(ember.zeros(2, 3, 60, 80)).shape) == (2, 3, 30, 40)
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="1 or 2 values"):
        T.Resize((1, 2, 3))
    assert T.Resize(10, interpolation=0).interpolation == T.InterpolationMode.NEAREST
    assert T.Resize(10, interpolation=1).interpolation == T.InterpolationMode.LANCZOS
    with pytest.raises(TypeError, match="InterpolationMode or a corresponding Pillow"):
        T.Resize(10, interpolation=9)


def test_random_crop_padding_and_pad_if_needed():
    a = _u8((3, 6, 8))
    t = ember.from_numpy(a)
    out = T.RandomCrop((10, 12), padding=2)(t)
    np.testing.assert_array_equal(out.numpy(), np.pad(a, ((0, 0), (2, 2), (2, 2))))
    out = T.RandomCrop((9, 8), pad_if_needed=True, padding_mode="edge")(t)
    padded = np.pad(a, ((0, 0), (3, 3), (0, 0)), "edge")  # the missing 3 rows on both sides
    assert tuple(out.shape) == (3, 9, 8)
    assert any(np.array_equal(out.numpy(), padded[:, r:r + 9]) for r in range(4))
    out = T.RandomCrop((9, 11), pad_if_needed=True, fill=5)(_pil(6, 8))
    assert out.size == (11, 9)
    with pytest.raises(ValueError, match=r"Required crop size \(7, 8\) is larger than input "
                                         r"image size \(6, 8\)"):
        T.RandomCrop((7, 8))(t)


def test_random_crop_positions_cover_all_offsets():
    t = ember.arange(30.0).view(1, 5, 6)
    ember.manual_seed(0)
    corners = {int(T.RandomCrop(3)(t)[0, 0, 0].item()) for _ in range(200)}
    assert corners == {r * 6 + c for r in range(3) for c in range(4)}


def test_random_resized_crop_params_in_range():
    pil = _pil(60, 80)
    ember.manual_seed(0)
    for _ in range(200):
        i, j, h, w = T.RandomResizedCrop.get_params(pil, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 < h <= 60 and 0 < w <= 80 and 0 <= i <= 60 - h and 0 <= j <= 80 - w
        area = h * w / (60 * 80)
        assert 0.06 <= area <= 1.0 and 0.6 <= w / h <= 1.6  # rounding slack


def test_random_resized_crop_central_fallback():
    wide = ember.zeros(1, 10, 100)
    # scale > 1 can never fit: after 10 tries, a central crop at the largest allowed ratio
    assert T.RandomResizedCrop.get_params(wide, (2.0, 3.0), (3 / 4, 4 / 3)) == (0, 43, 10, 13)
    tall = ember.zeros(1, 100, 10)
    assert T.RandomResizedCrop.get_params(tall, (2.0, 3.0), (3 / 4, 4 / 3)) == (43, 0, 13, 10)
    square = ember.zeros(1, 10, 10)
    assert T.RandomResizedCrop.get_params(square, (2.0, 3.0), (3 / 4, 4 / 3)) == (0, 0, 10, 10)


def test_random_resized_crop_output_and_validation():
    out = T.RandomResizedCrop((20, 30))(ember.from_numpy(_u8((3, 50, 60))))
    assert tuple(out.shape) == (3, 20, 30) and out.dtype == ember.uint8
    assert T.RandomResizedCrop(16)(_pil()).size == (16, 16)
    with pytest.raises(TypeError, match="Scale should be a sequence"):
        T.RandomResizedCrop(16, scale=0.5)
    with pytest.raises(TypeError, match="Ratio should be a sequence"):
        T.RandomResizedCrop(16, ratio=1.0)
    with pytest.warns(UserWarning, match=r"\(min, max\)"):
        T.RandomResizedCrop(16, scale=(1.0, 0.5))
    with pytest.raises(ValueError, match="two dimensions"):
        T.RandomResizedCrop((1, 2, 3))


def test_flips_with_probability_zero_and_one():
    a = _u8((3, 4, 5))
    t = ember.from_numpy(a)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(t).numpy(), a[..., ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(1.0)(t).numpy(), a[:, ::-1])
    assert T.RandomHorizontalFlip(0.0)(t) is t
    pil = _pil()
    np.testing.assert_array_equal(np.asarray(T.RandomHorizontalFlip(1.0)(pil)),
                                  np.asarray(pil)[:, ::-1])
    ember.manual_seed(0)
    flips = sum(T.RandomHorizontalFlip(0.3)(t) is not t for _ in range(1000))
    assert 240 <= flips <= 360


def test_pad_class_and_validation():
    t = ember.from_numpy(_u8((1, 3, 4)))
    out = T.Pad((1, 2), padding_mode="reflect")(t)
    np.testing.assert_array_equal(out.numpy(), np.pad(t.numpy(), ((0, 0), (2, 2), (1, 1)),
                                                      "reflect"))
    with pytest.raises(TypeError, match="inappropriate padding arg"):
        T.Pad("1")
    with pytest.raises(TypeError, match="inappropriate fill arg"):
        T.Pad(1, fill="x")
    with pytest.raises(ValueError, match="constant, edge, reflect or symmetric"):
        T.Pad(1, padding_mode="circular")
    with pytest.raises(ValueError, match="not a 3 element tuple"):
        T.Pad((1, 2, 3))


def test_five_ten_crop_classes():
    crops = T.FiveCrop(4)(_pil(10, 12))
    assert len(crops) == 5 and all(c.size == (4, 4) for c in crops)
    stacked = ember.stack([T.ToTensor()(c) for c in T.TenCrop((4, 6))(_pil(10, 12))])
    assert tuple(stacked.shape) == (10, 3, 4, 6)


def test_random_rotation_params_and_validation():
    ember.manual_seed(0)
    angles = [T.RandomRotation.get_params([-10.0, 30.0]) for _ in range(300)]
    assert -10 <= min(angles) < -8 and 28 < max(angles) <= 30
    t = ember.from_numpy(_u8((3, 9, 9)))
    assert tuple(T.RandomRotation(40, expand=True)(t).shape)[0] == 3
    assert T.RandomRotation((90, 90))(_pil(9, 9)).size == (9, 9)
    np.testing.assert_array_equal(T.RandomRotation((90, 90))(t).numpy(),
                                  np.rot90(t.numpy(), 1, (1, 2)))
    with pytest.raises(ValueError, match="If degrees is a single number, it must be positive"):
        T.RandomRotation(-5)
    with pytest.raises(ValueError, match="degrees should be a sequence of length 2"):
        T.RandomRotation([1, 2, 3])
    with pytest.raises(TypeError, match="center should be a sequence of length 2"):
        T.RandomRotation(5, center=3)
    with pytest.raises(TypeError, match="Fill should be either a sequence or a number"):
        T.RandomRotation(5, fill={0})


def test_random_affine_params_and_validation():
    ember.manual_seed(0)
    for _ in range(100):
        angle, (tx, ty), scale, (sx, sy) = T.RandomAffine.get_params(
            [-5.0, 5.0], (0.1, 0.2), (0.8, 1.2), [-3.0, 3.0, 1.0, 2.0], [50, 40])
        assert -5 <= angle <= 5 and abs(tx) <= 5 and abs(ty) <= 8
        assert isinstance(tx, int) and 0.8 <= scale <= 1.2
        assert -3 <= sx <= 3 and 1 <= sy <= 2
    out = T.RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=(-5, 5, -5, 5),
                         interpolation=T.InterpolationMode.BILINEAR)(_pil())
    assert out.size == (80, 60)
    with pytest.raises(ValueError, match="translation values should be between 0 and 1"):
        T.RandomAffine(0, translate=(0.5, 1.5))
    with pytest.raises(ValueError, match="scale values should be positive"):
        T.RandomAffine(0, scale=(0.0, 1.0))
    with pytest.raises(ValueError, match="shear should be a sequence of length 2 or 4"):
        T.RandomAffine(0, shear=(1, 2, 3))
    with pytest.raises(TypeError, match="translate should be a sequence of length 2"):
        T.RandomAffine(0, translate=0.1)


def test_random_perspective_params_and_output():
    ember.manual_seed(0)
    start, end = T.RandomPerspective.get_params(40, 30, 0.5)
    assert start == [[0, 0], [39, 0], [39, 29], [0, 29]]
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = end
    assert 0 <= x0 <= 10 and 0 <= y0 <= 7 and 29 <= x1 <= 39 and 0 <= y1 <= 7
    assert 29 <= x2 <= 39 and 22 <= y2 <= 29 and 0 <= x3 <= 10 and 22 <= y3 <= 29
    t = ember.from_numpy(_u8((3, 30, 40)))
    assert T.RandomPerspective(p=0.0)(t) is t
    out = T.RandomPerspective(p=1.0)(t)
    assert out.dtype == ember.uint8 and tuple(out.shape) == (3, 30, 40)
    assert not np.array_equal(out.numpy(), t.numpy())
    with pytest.raises(ValueError, match="distortion_scale"):
        T.RandomPerspective(distortion_scale=1.5)


# ---------------------------------------------------------------------------- colour


def test_color_jitter_validation():
    with pytest.raises(ValueError, match="If brightness is a single number, it must be non neg"):
        T.ColorJitter(brightness=-0.1)
    with pytest.raises(TypeError, match="contrast should be a single number or a list/tuple"):
        T.ColorJitter(contrast=[1, 2, 3])
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\)"):
        T.ColorJitter(hue=0.7)
    with pytest.raises(ValueError, match="saturation values should be between"):
        T.ColorJitter(saturation=(-1.0, 1.0))
    jitter = T.ColorJitter(brightness=(1, 1), contrast=0, saturation=[0.5, 1.5], hue=0)
    assert jitter.brightness is None and jitter.contrast is None and jitter.hue is None
    assert jitter.saturation == (0.5, 1.5)
    assert T.ColorJitter(brightness=2).brightness == (0.0, 3.0)  # lower end clipped at 0


def test_color_jitter_identity_and_params():
    t = ember.from_numpy(_u8((3, 8, 9)))
    np.testing.assert_array_equal(T.ColorJitter()(t).numpy(), t.numpy())
    np.testing.assert_array_equal(T.ColorJitter((1, 1), (1, 1), (1, 1), (0, 0))(t).numpy(),
                                  t.numpy())
    ember.manual_seed(0)
    orders = set()
    for _ in range(60):
        order, b, c, s, h = T.ColorJitter.get_params((0.5, 1.5), None, (0.2, 0.4), (-0.1, 0.1))
        orders.add(tuple(order.tolist()))
        assert sorted(order.tolist()) == [0, 1, 2, 3]
        assert 0.5 <= b <= 1.5 and c is None and 0.2 <= s <= 0.4 and -0.1 <= h <= 0.1
    assert len(orders) > 5  # the order of the four adjustments is random


def test_color_jitter_applies_sampled_factor():
    t = ember.from_numpy(np.random.RandomState(0).rand(3, 5, 5).astype(np.float32))
    ember.manual_seed(7)
    out = T.ColorJitter(brightness=0.5)(t)
    ember.manual_seed(7)
    _, b, _, _, _ = T.ColorJitter.get_params((0.5, 1.5), None, None, None)
    np.testing.assert_allclose(out.numpy(), np.clip(t.numpy() * b, 0, 1), rtol=1e-6)
    assert T.ColorJitter(0.5, 0.5, 0.5, 0.2)(_pil()).size == (80, 60)


def test_grayscale_classes():
    pil = _pil()
    g = T.Grayscale()(pil)
    assert g.mode == "L"
    np.testing.assert_array_equal(np.asarray(g), np.asarray(pil.convert("L")))
    t = ember.from_numpy(_u8((3, 4, 5)))
    out = T.Grayscale(3)(t)
    assert tuple(out.shape) == (3, 4, 5)
    np.testing.assert_array_equal(out.numpy(), F.rgb_to_grayscale(t, 3).numpy())
    keep = T.RandomGrayscale(p=1.0)(t)  # keeps the channel count of the input
    assert tuple(keep.shape) == (3, 4, 5)
    np.testing.assert_array_equal(keep[0].numpy(), keep[2].numpy())
    assert T.RandomGrayscale(p=0.0)(t) is t


def test_gaussian_blur_class():
    t = ember.from_numpy(np.random.RandomState(0).rand(3, 9, 9).astype(np.float32))
    ember.manual_seed(3)
    out = T.GaussianBlur(5, sigma=(0.5, 1.5))(t)
    ember.manual_seed(3)
    sigma = T.GaussianBlur.get_params(0.5, 1.5)
    assert 0.5 <= sigma <= 1.5
    np.testing.assert_allclose(out.numpy(), F.gaussian_blur(t, [5, 5], [sigma, sigma]).numpy())
    with pytest.raises(ValueError, match="odd and positive"):
        T.GaussianBlur(4)
    with pytest.raises(ValueError, match="If sigma is a single number, it must be positive"):
        T.GaussianBlur(3, sigma=0)
    with pytest.raises(ValueError, match=r"positive and of the form \(min, max\)"):
        T.GaussianBlur(3, sigma=(2.0, 1.0))
    with pytest.raises(TypeError, match="sigma should be a single number or a list/tuple"):
        T.GaussianBlur(3, sigma=(1.0, 2.0, 3.0))


# ---------------------------------------------------------------------------- erasing


def test_random_erasing_box_and_values():
    t = ember.ones(3, 20, 30)
    ember.manual_seed(0)
    out = T.RandomErasing(p=1.0, value=(0.1, 0.2, 0.3))(t)
    assert float(t.sum()) == 1800.0  # not in place
    changed = out.numpy() != 1
    rows, cols = np.nonzero(changed[0])
    box = changed[0][rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    assert box.all()  # one solid rectangle
    area = box.size / 600
    assert 0.02 <= area <= 0.34
    np.testing.assert_allclose(out.numpy()[:, rows[0], cols[0]], [0.1, 0.2, 0.3], rtol=1e-6)
    noise = T.RandomErasing(p=1.0, value="random", inplace=True)(t)
    assert noise is t and float(t.std()) > 0.1
    assert T.RandomErasing(p=0.0)(t) is t


def test_random_erasing_get_params_gives_up_with_whole_image():
    img = ember.zeros(1, 4, 4)
    i, j, h, w, v = T.RandomErasing.get_params(img, scale=(1.0, 1.0), ratio=(1.0, 1.0))
    assert (i, j, h, w) == (0, 0, 4, 4) and v is img


def test_random_erasing_validation():
    with pytest.raises(TypeError, match="Argument value should be either a number or str"):
        T.RandomErasing(value={1})
    with pytest.raises(ValueError, match="If value is str, it should be 'random'"):
        T.RandomErasing(value="noise")
    with pytest.raises(TypeError, match="Scale should be a sequence"):
        T.RandomErasing(scale=0.5)
    with pytest.raises(ValueError, match="Scale should be between 0 and 1"):
        T.RandomErasing(scale=(0.5, 1.5))
    with pytest.raises(ValueError, match="probability should be between 0 and 1"):
        T.RandomErasing(p=1.5)
    with pytest.raises(ValueError, match="either a single value or 3"):
        T.RandomErasing(p=1.0, value=(1, 2))(ember.zeros(3, 4, 4))
    with pytest.raises(TypeError, match="Tensor Image"):
        T.RandomErasing(p=1.0)(_pil())


# ---------------------------------------------------------------------------- containers


def test_random_apply_choice_order_and_lambda():
    t = ember.full((1, 2, 2), 3.0)
    double = T.Lambda(lambda x: x * 2)
    plus = T.Lambda(lambda x: x + 1)
    assert T.RandomApply([double, plus], p=0.0)(t) is t
    assert T.RandomApply([double, plus], p=1.0)(t)[0, 0, 0].item() == 7.0
    ember.manual_seed(0)
    results = {T.RandomOrder([double, plus])(t)[0, 0, 0].item() for _ in range(40)}
    assert results == {7.0, 8.0}  # (3*2)+1 and (3+1)*2
    ember.manual_seed(0)
    picks = [T.RandomChoice([double, plus], p=[0.8, 0.2])(t)[0, 0, 0].item()
             for _ in range(500)]
    assert set(picks) == {6.0, 4.0}
    assert 370 <= picks.count(6.0) <= 430
    assert repr(T.RandomChoice([double])) == "RandomChoice(\n    Lambda()\n)(p=None)"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
    with pytest.raises(TypeError, match="Argument transforms should be a sequence"):
        T.RandomOrder(double)


def test_random_apply_probability_and_seed():
    t = ember.zeros(1, 1, 1)
    bump = T.RandomApply([T.Lambda(lambda x: x + 1)], p=0.25)
    ember.manual_seed(1)
    hits = [bump(t).item() for _ in range(800)]
    ember.manual_seed(1)
    assert hits == [bump(t).item() for _ in range(800)]
    assert abs(sum(hits) / 800 - 0.25) < 0.05


def test_random_resized_crop_scale_statistics():
    img = ember.zeros(1, 100, 100)
    ember.manual_seed(0)
    areas = [h * w / 1e4 for _, _, h, w in
             (T.RandomResizedCrop.get_params(img, (0.2, 0.6), (1.0, 1.0)) for _ in range(500))]
    assert abs(np.mean(areas) - 0.4) < 0.03 and min(areas) >= 0.19 and max(areas) <= 0.61
    ratios = []
    for _ in range(500):
        _, _, h, w = T.RandomResizedCrop.get_params(img, (0.3, 0.3), (0.5, 2.0))
        ratios.append(math.log(w / h))
    assert abs(np.mean(ratios)) < 0.08  # log-uniform aspect ratio is symmetric about 1


def test_pipelines_pickle_for_dataloader_workers():
    import pickle

    pipe = T.Compose([T.RandomResizedCrop(16), T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.ToTensor(),
                      T.Normalize(*IMAGENET), T.RandomErasing(p=1.0), T.AutoAugment()])
    clone = pickle.loads(pickle.dumps(pipe))
    assert repr(clone) == repr(pipe)
    t = ember.from_numpy(_u8((3, 20, 20)))
    aug = T.Compose([T.RandomResizedCrop(16), T.RandomRotation(10), T.AutoAugment()])
    aug_clone = pickle.loads(pickle.dumps(aug))
    ember.manual_seed(2)
    a = aug(t)
    ember.manual_seed(2)
    np.testing.assert_array_equal(aug_clone(t).numpy(), a.numpy())
