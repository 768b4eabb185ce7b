"""make_grid / save_image: exact layouts and values computed by hand on tiny inputs
(torchvision is not installed, so its documented semantics are spelled out here)."""

import io
import os

import numpy as np
import pytest

import ember
from ember.vision.utils import make_grid, save_image


def images(n, c=1, h=2, w=2, dtype=ember.float32):
    """Image k holds 10k + (1, 2, 3, ...) in row-major order, in every channel."""
    base = np.arange(1, h * w + 1).reshape(h, w)
    arr = np.stack([np.broadcast_to(10 * k + base, (c, h, w)) for k in range(n)])
    return ember.tensor(arr.copy(), dtype=dtype)


def test_layout_padding_pad_value_and_empty_slots():
    grid = make_grid(images(3), nrow=2, padding=1, pad_value=9)
    expected = np.array([
        [9, 9, 9, 9, 9, 9, 9],
        [9, 1, 2, 9, 11, 12, 9],
        [9, 3, 4, 9, 13, 14, 9],
        [9, 9, 9, 9, 9, 9, 9],
        [9, 21, 22, 9, 9, 9, 9],
        [9, 23, 24, 9, 9, 9, 9],
        [9, 9, 9, 9, 9, 9, 9],
    ], dtype=np.float32)
    assert grid.dtype == ember.float32 and tuple(grid.shape) == (3, 7, 7)
    for channel in grid.numpy():  # one-channel images are repeated to three channels
        np.testing.assert_array_equal(channel, expected)


def test_no_padding_concatenates_and_keeps_channels():
    batch = ember.tensor(np.arange(3 * 3 * 1 * 2).reshape(3, 3, 1, 2), dtype=ember.float64)
    grid = make_grid(batch, nrow=3, padding=0)
    assert grid.dtype == ember.float64 and tuple(grid.shape) == (3, 1, 6)
    np.testing.assert_array_equal(grid.numpy(), np.concatenate(list(batch.numpy()), axis=2))


def test_grid_shape_for_partial_last_row():
    grid = make_grid(images(10, h=3, w=2), nrow=4, padding=2)
    assert tuple(grid.shape) == (3, 3 * (3 + 2) + 2, 4 * (2 + 2) + 2)
    assert tuple(make_grid(images(3), nrow=8, padding=2).shape) == (3, 6, 14)


def test_single_images_are_returned_unpadded():
    rgb = images(1, c=3)[0]
    np.testing.assert_array_equal(make_grid(rgb, padding=5).numpy(), rgb.numpy())
    grey = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = make_grid(grey, padding=3)
    assert tuple(out.shape) == (3, 2, 2)
    np.testing.assert_array_equal(out.numpy(), np.stack([grey.numpy()] * 3))
    assert tuple(make_grid(images(1), padding=4).shape) == (3, 2, 2)


def test_list_input_equals_stacked_input():
    batch = images(5, c=3)
    from_list = make_grid([batch[i] for i in range(5)], nrow=3, pad_value=0.5)
    np.testing.assert_array_equal(from_list.numpy(), make_grid(batch, nrow=3, pad_value=0.5).numpy())


def test_uint8_is_preserved():
    grid = make_grid(images(2, dtype=ember.uint8), padding=1, pad_value=255)
    assert grid.dtype == ember.uint8
    assert grid.numpy()[0, 0, 0] == 255 and grid.numpy()[0, 1, 1] == 1


def pair():
    return ember.tensor([[[[-1.0, 1.0]]], [[[3.0, 0.0]]]])  # two 1x1x2 images


def test_normalize_global_each_and_range():
    x = pair()
    glob = make_grid(x, nrow=2, padding=0, normalize=True)[0, 0]
    np.testing.assert_allclose(glob.numpy(), [0.0, 0.5, 1.0, 0.25])
    each = make_grid(x, nrow=2, padding=0, normalize=True, scale_each=True)[0, 0]
    np.testing.assert_allclose(each.numpy(), [0.0, 1.0, 1.0, 0.0])
    ranged = make_grid(x, nrow=2, padding=0, normalize=True, value_range=(0, 2))[0, 0]
    np.testing.assert_allclose(ranged.numpy(), [0.0, 0.5, 1.0, 0.0])
    np.testing.assert_array_equal(x.numpy().ravel(), [-1, 1, 3, 0])  # input untouched
    ignored = make_grid(x, nrow=2, padding=0, value_range=(0, 2))[0, 0]
    np.testing.assert_array_equal(ignored.numpy(), [-1, 1, 3, 0])  # no normalize: no effect


def test_normalize_constant_image_and_float32_result():
    out = make_grid(ember.full((2, 1, 2, 2), 4.0), normalize=True, padding=0)
    assert out.dtype == ember.float32
    np.testing.assert_array_equal(out.numpy(), np.zeros((3, 2, 4)))


def test_errors():
    with pytest.raises(TypeError, match=r"value_range has to be a tuple \(min, max\)"):
        make_grid(pair(), normalize=True, value_range=[0, 1])
    with pytest.raises(RuntimeError, match="needs a floating-point tensor, got torch.uint8"):
        make_grid(images(2, dtype=ember.uint8), normalize=True)
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got <class 'numpy"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match=r"expected, got a list containing <class 'int'>"):
        make_grid([ember.zeros(3, 2, 2), 1])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        make_grid([ember.zeros(3, 2, 2), ember.zeros(3, 2, 3)])
    with pytest.raises(ValueError, match=r"got shape \(2, 1, 3, 4, 4\)"):
        make_grid(ember.zeros(2, 1, 3, 4, 4))


Image = pytest.importorskip("PIL.Image")


def test_save_image_values_layout_and_atomic(tmp_path):
    values = [[0.5, 0.498], [1.7, -0.2]]  # 127.5+.5 -> 128, 126.99+.5 -> 127, clipped
    x = ember.tensor([[values], [[[0.0, 1.0], [0.25, 0.75]]]])
    path = tmp_path / "grid.png"
    path.write_bytes(b"old contents")
    save_image(x, path, nrow=2, padding=1)
    assert os.listdir(tmp_path) == ["grid.png"]  # replaced in place, no temporary left
    image = Image.open(path)
    assert image.mode == "RGB" and image.size == (7, 4)
    red = np.asarray(image)[..., 0]
    np.testing.assert_array_equal(red, [
        [0, 0, 0, 0, 0, 0, 0],
        [0, 128, 127, 0, 0, 255, 0],
        [0, 255, 0, 0, 64, 191, 0],
        [0, 0, 0, 0, 0, 0, 0],
    ])
    assert (np.asarray(image)[..., 2] == red).all()


def test_save_image_formats_and_file_objects(tmp_path):
    x = ember.rand(3, 4, 5)
    save_image(x, str(tmp_path / "a.dat"), format="PNG")
    expected = np.clip(x.numpy() * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "a.dat")), expected)
    buffer = io.BytesIO()
    save_image(x, buffer, format="PNG")
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(buffer.getvalue()))), expected)
    save_image(x, tmp_path / "b.jpg")
    assert Image.open(tmp_path / "b.jpg").format == "JPEG"


def test_save_image_errors_write_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"unknown file extension: \.xyz"):
        save_image(ember.rand(3, 2, 2), tmp_path / "out.xyz")
    with pytest.raises(RuntimeError, match="expects a floating-point tensor .* got torch.uint8"):
        save_image(images(2, dtype=ember.uint8), tmp_path / "out.png")
    assert os.listdir(tmp_path) == []


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(n=st.integers(2, 9), nrow=st.integers(1, 5), padding=st.integers(0, 3),
                  h=st.integers(1, 3), w=st.integers(1, 3))
def test_every_image_lands_in_its_cell(n, nrow, padding, h, w):
    batch = ember.tensor(np.arange(1, n * 3 * h * w + 1, dtype=np.float32).reshape(n, 3, h, w))
    grid = make_grid(batch, nrow=nrow, padding=padding, pad_value=-1).numpy()
    cols = min(nrow, n)
    rows = -(-n // cols)
    assert grid.shape == (3, rows * (h + padding) + padding, cols * (w + padding) + padding)
    covered = np.zeros(grid.shape, bool)
    for k in range(n):
        top = (k // cols) * (h + padding) + padding
        left = (k % cols) * (w + padding) + padding
        np.testing.assert_array_equal(grid[:, top:top + h, left:left + w], batch.numpy()[k])
        covered[:, top:top + h, left:left + w] = True
    assert (grid[~covered] == -1).all()


def test_make_grid_detaches_requires_grad_input():
    x = ember.rand(2, 3, 2, 2, requires_grad=True)
    grid = make_grid(x, padding=0)
    assert not grid.requires_grad and grid.grad_fn is None
    np.testing.assert_array_equal(grid.numpy()[:, :, :2], x.detach().numpy()[0])
