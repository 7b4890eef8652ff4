"""The private image helpers every estimator relies on."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skpager._image import (
    as_flat_images,
    check_divisible,
    crop_images,
    pad_images,
    resize,
    resolve_image_shape,
    to_layout,
)


def test_nd_input_is_flattened_and_sets_shape():
    imgs = np.random.default_rng(0).random((4, 6, 5, 3))
    X, shape, is_nd = as_flat_images(imgs)
    assert X.shape == (4, 90) and shape == (6, 5, 3) and is_nd
    np.testing.assert_array_equal(X[1], imgs[1].ravel())
    X, shape, is_nd = as_flat_images(imgs[..., 0].tolist())
    assert X.shape == (4, 30) and shape == (6, 5) and is_nd


def test_uint8_is_rescaled_not_cast():
    X, _, _ = as_flat_images(np.array([[0, 128, 255]], dtype=np.uint8))
    np.testing.assert_allclose(X, [[0, 128 / 255, 1]])


def test_shape_checks():
    assert resolve_image_shape((4, 4), 16) == (4, 4, 1)
    assert resolve_image_shape(None, 7) == (1, 1, 7)
    assert resolve_image_shape(None, 7, default="row") == (1, 7, 1)
    with pytest.raises(ValueError, match="implies 48 features"):
        resolve_image_shape((4, 4, 3), 16)
    with pytest.raises(ValueError, match=r"\(H, W\) or \(H, W, C\)"):
        resolve_image_shape((4,), 4)
    with pytest.raises(ValueError, match="divisible by 4"):
        check_divisible(8, 6, 4, "two stages")
    with pytest.raises(ValueError, match="does not match"):
        as_flat_images(np.zeros((2, 4, 4)), image_shape=(4, 4, 3))
    with pytest.raises(ValueError, match="5 dimensions"):
        as_flat_images(np.zeros((2, 2, 2, 2, 2)))


def test_layout_round_trip():
    imgs = np.zeros((3, 4, 4, 1))
    assert to_layout(imgs, (4, 4)).shape == (3, 4, 4)
    assert to_layout(imgs, (4, 4, 1)).shape == (3, 4, 4, 1)
    assert to_layout(imgs, None).shape == (3, 16)


def test_pad_then_crop_is_identity():
    imgs = np.random.default_rng(1).random((2, 28, 28, 1))
    padded = pad_images(imgs, 32, 32)
    assert padded.shape == (2, 32, 32, 1)
    assert padded[:, :2].sum() == 0 and padded[:, -2:].sum() == 0
    np.testing.assert_array_equal(crop_images(padded, 28, 28), imgs)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 300),
    st.sampled_from([1, 3]),
    st.sampled_from([(4, 8), (8, 4), (16, 32), (32, 4), (28, 32), (6, 10)]),
    st.sampled_from([np.float32, np.float64]),
)
def test_resize_matches_per_image_cv2_order(n, channels, sizes, dtype):
    import cv2

    src, dst = sizes
    imgs = np.random.default_rng(n).random((n, src, src + 2, channels)).astype(dtype)
    out = resize(imgs, (dst, dst + 1))
    assert out.shape == (n, dst, dst + 1, channels) and out.dtype == dtype
    if dst * 2 >= src:  # one direct step: equal to OpenCV image by image
        ref = cv2.resize(imgs[-1], (dst + 1, dst), interpolation=cv2.INTER_LANCZOS4)
        np.testing.assert_allclose(out[-1], ref.reshape(out[-1].shape), rtol=1e-5, atol=1e-5)


def test_resize_keeps_constants_and_rejects_unknown_filter():
    imgs = np.full((3, 32, 32, 3), 0.25)
    np.testing.assert_allclose(resize(imgs, 4), 0.25, atol=1e-6)
    np.testing.assert_allclose(resize(imgs[:, :4, :4], 32), 0.25, atol=1e-6)
    with pytest.raises(ValueError, match="interpolation"):
        resize(imgs, 4, interpolation="bogus")


def test_downsampling_by_halvings_does_not_alias():
    # a checkerboard at the Nyquist frequency must average out, not alias
    board = (np.indices((32, 32)).sum(axis=0) % 2).astype(float)[None, :, :, None]
    small = resize(board, 4)
    np.testing.assert_allclose(small, 0.5, atol=0.05)


def test_public_image_utilities_keep_the_layout(tmp_path):
    from skpager import image

    grey = np.random.default_rng(0).random((3, 28, 28))
    assert image.resize(grey, 14).shape == (3, 14, 14)
    assert image.resize(grey[..., None], (7, 14)).shape == (3, 7, 14, 1)
    padded = image.pad_images(grey, 32)
    assert padded.shape == (3, 32, 32)
    np.testing.assert_array_equal(image.crop_images(padded, 28), grey)
    grid = image.image_grid(grey, 2, row_labels=["a", "b"])
    assert grid.dtype == np.uint8 and grid.shape[2] == 3
    assert image.save_png(tmp_path / "g.png", grid).stat().st_size > 100


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda im: im.resize(np.zeros((28, 28)), 14), "batch of shape"),
        (lambda im: im.pad_images(np.zeros((2, 28, 28), dtype=object), 32), "numbers"),
        (lambda im: im.pad_images(np.zeros((2, 28, 28)), 16), "smaller size"),
        (lambda im: im.save_png("x.png", np.zeros((4, 4))), "uint8 array"),
    ],
)
def test_public_image_utilities_reject_bad_input(call, match):
    from skpager import image

    with pytest.raises(ValueError, match=match):
        call(image)
