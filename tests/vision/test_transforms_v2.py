"""ember.vision.transforms.v2: MixUp / CutMix batch transforms and the v1 re-exports."""

import numpy as np
import pytest

import ember
from ember.vision import transforms
from ember.vision.transforms import v2

Image = pytest.importorskip("PIL.Image")


def _batch(b=6, c=3, h=10, w=12, classes=5):
    # image k is constant k+1, so every pixel says which image it came from
    images = (ember.arange(b, dtype=ember.float32) + 1).view(b, 1, 1, 1).expand(b, c, h, w)
    labels = ember.arange(b) % classes
    return images.contiguous(), labels


def _one_hot(labels, n):
    return np.eye(n, dtype=np.float32)[labels.numpy()]


def test_mixup_mixes_images_and_labels_with_the_same_lambda():
    images, labels = _batch()
    ember.manual_seed(0)
    out, soft = v2.MixUp(alpha=1.0, num_classes=5)(images, labels)
    assert out.dtype == ember.float32 and tuple(out.shape) == (6, 3, 10, 12)
    assert soft.dtype == ember.float32 and tuple(soft.shape) == (6, 5)
    np.testing.assert_allclose(soft.numpy().sum(1), 1.0, rtol=1e-6)
    x = images.numpy()
    # image i is lam * x_i + (1 - lam) * x_(i-1): recover lam from image 1 (2 and 1 mixed)
    lam = float(out.numpy()[1, 0, 0, 0] - 1.0)
    assert 0.0 <= lam <= 1.0
    np.testing.assert_allclose(out.numpy(), lam * x + (1 - lam) * np.roll(x, 1, 0), rtol=1e-5)
    oh = _one_hot(labels, 5)
    np.testing.assert_allclose(soft.numpy(), lam * oh + (1 - lam) * np.roll(oh, 1, 0),
                               rtol=1e-5, atol=1e-6)


def test_mixup_reproducible_and_lambda_distribution():
    images, labels = _batch()
    mix = v2.MixUp(alpha=1.0, num_classes=5)
    ember.manual_seed(3)
    a = mix(images, labels)
    ember.manual_seed(3)
    b = mix(images, labels)
    np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())
    np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())
    ember.manual_seed(0)
    lams = np.array([mix(images, labels)[0][1, 0, 0, 0].item() - 1.0 for _ in range(400)])
    assert abs(lams.mean() - 0.5) < 0.05  # Beta(1, 1) is uniform: mean 1/2, var 1/12
    assert abs(lams.var() - 1 / 12) < 0.02
    sharp = v2.MixUp(alpha=0.1, num_classes=5)
    lams = np.array([sharp(images, labels)[0][1, 0, 0, 0].item() - 1.0 for _ in range(400)])
    assert np.mean((lams < 0.1) | (lams > 0.9)) > 0.6  # small alpha: mostly near 0 or 1


def test_cutmix_box_area_matches_label_weights():
    images, labels = _batch(h=16, w=20)
    ember.manual_seed(1)
    seen_partial = False
    for _ in range(20):
        out, soft = v2.CutMix(alpha=1.0, num_classes=5)((images, labels))
        np.testing.assert_allclose(soft.numpy().sum(1), 1.0, rtol=1e-6)
        o = out.numpy()
        from_prev = o[2, 0] == 2.0  # image 2 (value 3) receives pixels of image 1 (value 2)
        assert np.all((o[2, 0] == 3.0) | from_prev)
        frac = from_prev.mean()
        lam = 1.0 - frac
        oh = _one_hot(labels, 5)
        np.testing.assert_allclose(soft.numpy(), lam * oh + (1 - lam) * np.roll(oh, 1, 0),
                                   rtol=1e-5, atol=1e-6)
        if frac > 0:
            rows, cols = np.nonzero(from_prev)
            assert from_prev[rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()
            seen_partial = True
        # every image in the batch gets the same box
        np.testing.assert_array_equal(o[4, 0] == 4.0, from_prev)
    assert seen_partial


def test_cutmix_reproducible_under_seed():
    images, labels = _batch()
    cut = v2.CutMix(num_classes=5)
    ember.manual_seed(9)
    a = cut(images, labels)
    ember.manual_seed(9)
    b = cut(images, labels)
    np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())
    np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())


def test_dict_input_and_soft_labels_and_custom_getter():
    images, labels = _batch()
    ember.manual_seed(0)
    out = v2.MixUp(num_classes=5)({"image": images, "labels": labels})
    assert set(out) == {"image", "labels"} and tuple(out["labels"].shape) == (6, 5)
    soft = ember.from_numpy(_one_hot(labels, 5))
    _, mixed = v2.MixUp()(images, soft)  # already one-hot: no num_classes needed
    np.testing.assert_allclose(mixed.numpy().sum(1), 1.0, rtol=1e-6)
    getter = v2.CutMix(num_classes=5, labels_getter=lambda sample: sample[0])
    new_labels, new_images = getter(labels, images)
    assert tuple(new_labels.shape) == (6, 5) and tuple(new_images.shape) == (6, 3, 10, 12)


def test_mixup_cutmix_errors():
    images, labels = _batch()
    for cls in (v2.MixUp, v2.CutMix):
        with pytest.raises(ValueError, match="Alpha should be greater than 0"):
            cls(alpha=0.0, num_classes=5)
        t = cls(num_classes=5)
        with pytest.raises(ValueError, match="Expected a batched input with 4 dims, but got 3"):
            t(images[0], labels[:3])
        with pytest.raises(ValueError, match="batch size .* does not match .*: 6 != 4"):
            t(images, labels[:4])
        with pytest.raises(RuntimeError, match="LongTensor.*torch.int32"):
            t(images, labels.to(ember.int32))
        with pytest.raises(ValueError, match="labels must be a tensor"):
            t(images, [0, 1, 2, 3, 4, 0])
        with pytest.raises(ValueError, match="does not support PIL images"):
            t(Image.new("RGB", (4, 4)), labels)
        with pytest.raises(ValueError, match="labels should be index based"):
            t(images, labels.view(2, 3, 1))
        with pytest.raises(ValueError, match="num_classes must be given"):
            cls()(images, labels)


def test_v2_reexports_v1_and_reprs():
    assert v2.RandomHorizontalFlip is transforms.RandomHorizontalFlip
    flip = v2.RandomHorizontalFlip(p=1.0)
    t = ember.arange(6.0).view(1, 2, 3)
    assert flip(t).tolist() == [[[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]]
    pipe = v2.Compose([v2.RandomResizedCrop(8), v2.ToTensor()])
    assert tuple(pipe(Image.new("RGB", (20, 16))).shape) == (3, 8, 8)
    assert repr(v2.MixUp(num_classes=10)) == \
        "MixUp(alpha=1.0, num_classes=10, labels_getter=default)"
    assert repr(v2.CutMix(alpha=0.5, num_classes=3)) == \
        "CutMix(alpha=0.5, num_classes=3, labels_getter=default)"


def test_v2_functional_namespace():
    import ember.vision.transforms.v2.functional as F2

    t = ember.arange(6.0).view(1, 2, 3)
    assert F2.horizontal_flip(t).tolist() == [[[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]]
    assert F2.vertical_flip(t).tolist() == [[[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]]
    assert F2.get_size(t) == [2, 3] and F2.get_num_channels(t) == 1
    u8 = F2.to_image(Image.new("RGB", (3, 2), (255, 0, 51)))
    assert u8.dtype == ember.uint8 and u8[:, 0, 0].tolist() == [255, 0, 51]
    np.testing.assert_allclose(F2.to_dtype(u8, ember.float32, scale=True)[:, 0, 0].numpy(),
                               [1.0, 0.0, 0.2], rtol=1e-6)
    assert F2.to_dtype(u8, ember.float32)[0, 0, 0].item() == 255.0
    assert F2.resize is transforms.functional.resize
