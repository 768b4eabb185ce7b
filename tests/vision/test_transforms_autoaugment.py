"""AutoAugment, RandAugment, TrivialAugmentWide and the single-op random transforms."""

import numpy as np
import pytest

import ember
from ember.vision import transforms as T
from ember.vision.transforms import autoaugment
from ember.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image")


def _u8(shape, seed=0):
    return (np.random.RandomState(seed).rand(*shape) * 255).astype(np.uint8)


@pytest.mark.parametrize("make", [
    lambda: T.AutoAugment(), lambda: T.AutoAugment(T.AutoAugmentPolicy.CIFAR10),
    lambda: T.AutoAugment(T.AutoAugmentPolicy.SVHN), lambda: T.RandAugment(),
    lambda: T.TrivialAugmentWide(),
])
def test_augment_policies_shapes_dtypes_and_seed(make):
    aug = make()
    t = ember.from_numpy(_u8((3, 24, 28)))
    pil = Image.fromarray(_u8((24, 28, 3), 1))
    ember.manual_seed(0)
    first = [aug(t).numpy() for _ in range(8)]
    pils = [np.asarray(aug(pil)) for _ in range(4)]
    ember.manual_seed(0)
    second = [aug(t).numpy() for _ in range(8)]
    for a, b in zip(first, second):
        assert a.dtype == np.uint8 and a.shape == (3, 24, 28)
        np.testing.assert_array_equal(a, b)
    assert all(p.shape == (24, 28, 3) for p in pils)
    assert any(not np.array_equal(a, t.numpy()) for a in first)  # something was applied


def test_policy_tables_are_well_formed():
    names = set(autoaugment._space(10, 8, 8, wide=False)) | {"Invert"}
    for policy in T.AutoAugmentPolicy:
        subs = autoaugment._POLICIES[policy]
        assert len(subs) == 25
        for sub in subs:
            assert len(sub) == 2
            for op, p, bin_ in sub:
                assert op in names and 0.0 <= p <= 1.0 and (bin_ is None or 0 <= bin_ <= 9)


def test_magnitude_spaces():
    space = autoaugment._space(31, 331, 662, wide=False)
    assert space["TranslateX"][0][-1] == pytest.approx(300.0)  # 150/331 of the width
    assert space["TranslateY"][0][-1] == pytest.approx(150.0)
    assert space["Posterize"][0].tolist()[:3] == [8, 8, 8] and space["Posterize"][0][-1] == 4
    assert space["Solarize"][0][0] == 255.0 and space["Solarize"][0][-1] == 0.0
    wide = autoaugment._space(31, 8, 8, wide=True)
    assert wide["Rotate"][0][-1] == 135.0 and wide["Posterize"][0][-1] == 2


def test_apply_op_matches_functional():
    t = ember.from_numpy(_u8((3, 10, 12)))
    nearest = T.InterpolationMode.NEAREST
    np.testing.assert_array_equal(
        autoaugment._apply_op(t, "Rotate", 90.0, nearest, None).numpy(),
        F.rotate(t, 90.0).numpy())
    np.testing.assert_array_equal(
        autoaugment._apply_op(t, "TranslateX", 3.7, nearest, None).numpy(),
        F.affine(t, 0.0, [3, 0], 1.0, [0.0, 0.0]).numpy())
    np.testing.assert_array_equal(
        autoaugment._apply_op(t, "Color", -0.5, nearest, None).numpy(),
        F.adjust_saturation(t, 0.5).numpy())
    assert autoaugment._apply_op(t, "Identity", 0.0, nearest, None) is t
    with pytest.raises(ValueError, match="operator Blur is not recognized"):
        autoaugment._apply_op(t, "Blur", 0.0, nearest, None)


def test_augment_validation_and_reprs():
    with pytest.raises(ValueError, match="policy"):
        T.AutoAugment("imagenet")
    with pytest.raises(ValueError, match="magnitude should be in"):
        T.RandAugment(magnitude=31)
    assert repr(T.AutoAugment()) == \
        "AutoAugment(policy=AutoAugmentPolicy.IMAGENET, fill=None)"
    assert repr(T.RandomInvert()) == "RandomInvert(p=0.5)"
    assert repr(T.RandomPosterize(2)) == "RandomPosterize(bits=2,p=0.5)"
    assert repr(T.RandomSolarize(128, p=0.2)) == "RandomSolarize(threshold=128,p=0.2)"
    assert repr(T.RandomAdjustSharpness(2)) == "RandomAdjustSharpness(sharpness_factor=2,p=0.5)"


def test_single_op_random_transforms():
    t = ember.from_numpy(_u8((3, 6, 7)))
    for tr, fn in [(T.RandomInvert(1.0), F.invert), (T.RandomEqualize(1.0), F.equalize),
                   (T.RandomAutocontrast(1.0), F.autocontrast),
                   (T.RandomPosterize(3, 1.0), lambda x: F.posterize(x, 3)),
                   (T.RandomSolarize(99, 1.0), lambda x: F.solarize(x, 99)),
                   (T.RandomAdjustSharpness(3.0, 1.0), lambda x: F.adjust_sharpness(x, 3.0))]:
        np.testing.assert_array_equal(tr(t).numpy(), fn(t).numpy())
        tr.p = 0.0
        assert tr(t) is t


def test_v2_to_image_to_dtype():
    from ember.vision.transforms import v2
    pil = Image.fromarray(_u8((4, 5, 3)))
    img = v2.ToImage()(pil)
    assert img.dtype == ember.uint8 and tuple(img.shape) == (3, 4, 5)
    f = v2.ToDtype(ember.float32, scale=True)(img)
    np.testing.assert_array_equal(f.numpy(), T.ToTensor()(pil).numpy())
    assert v2.ToDtype(ember.float32)(img).max().item() == float(img.max().item())
    assert tuple(v2.ToImage()(np.zeros((4, 5), np.uint8)).shape) == (1, 4, 5)
