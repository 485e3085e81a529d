import numpy as np
import pytest

from ocrlib.data.preprocess import fit_to_size, preprocess, to_model_range, to_uint8

GRAY = (64, 128, 1)
COLOUR = (64, 128, 3)


def ramp(height=64, width=128):
    return (np.arange(height * width).reshape(height, width) % 256).astype(np.uint8)


IMAGES = {
    "uint8 (H, W)": ramp(),
    "uint8 (H, W, 1)": ramp()[:, :, None],
    "uint16": ramp().astype(np.uint16) * 257,
    "BGR": np.stack([ramp(), ramp()[::-1], np.full((64, 128), 90, np.uint8)], axis=-1),
    "BGRA": np.dstack([ramp(), ramp(), ramp(), np.full((64, 128), 128, np.uint8)]),
    "float32": ramp().astype(np.float32) / 255.0,
    "float64": ramp().astype(np.float64) / 255.0,
    "bool": ramp() > 127,
    "50x200": np.full((50, 200), 200, np.uint8),
    "30x70 BGR": np.full((30, 70, 3), 40, np.uint8),
    "300x40": np.full((300, 40), 7, np.uint8),
}


@pytest.mark.parametrize("name", list(IMAGES))
@pytest.mark.parametrize("shape", [GRAY, COLOUR], ids=["gray", "colour"])
def test_any_image_becomes_float32_in_unit_range_of_the_requested_shape(name, shape):
    batch = preprocess([IMAGES[name]], shape)
    assert batch.shape == (1, *shape)
    assert batch.dtype == np.float32
    assert 0.0 <= batch.min() and batch.max() <= 1.0


def test_a_batch_of_mixed_images_is_stacked():
    batch = preprocess(list(IMAGES.values()), GRAY)
    assert batch.shape == (len(IMAGES), 64, 128, 1)


def test_gray_uint8_of_the_right_size_passes_through_unchanged():
    np.testing.assert_array_equal(preprocess([ramp()], GRAY)[0, :, :, 0], ramp() / np.float32(255))


def test_uint16_float_and_uint8_versions_of_an_image_agree():
    expected = fit_to_size(ramp(), GRAY)
    np.testing.assert_array_equal(fit_to_size(ramp().astype(np.uint16) * 257, GRAY), expected)
    np.testing.assert_array_equal(fit_to_size(ramp().astype(np.float32) / 255.0, GRAY), expected)
    np.testing.assert_array_equal(fit_to_size(ramp()[:, :, None], GRAY), expected)


def test_transparent_pixels_are_composited_on_white():
    bgra = np.zeros((64, 128, 4), np.uint8)  # black, fully transparent
    bgra[:, :64, 3] = 255                    # left half opaque black
    gray = to_uint8(bgra)
    assert gray.shape == (64, 128, 3)
    assert np.all(gray[:, :64] == 0) and np.all(gray[:, 64:] == 255)


def test_bgr_is_converted_to_gray_with_opencv_channel_order():
    red = np.zeros((64, 128, 3), np.uint8)
    red[..., 2] = 255  # red in BGR
    blue = np.zeros((64, 128, 3), np.uint8)
    blue[..., 0] = 255
    # Luma weights: red 0.299, blue 0.114.
    assert fit_to_size(red, GRAY).mean() == pytest.approx(0.299 * 255, abs=1)
    assert fit_to_size(blue, GRAY).mean() == pytest.approx(0.114 * 255, abs=1)


def test_rgb_arrays_are_flipped_to_bgr_before_the_gray_conversion():
    red_rgb = np.zeros((64, 128, 3), np.uint8)
    red_rgb[..., 0] = 255  # red in RGB: what PIL and matplotlib give
    red_rgba = np.dstack([red_rgb, np.full((64, 128), 255, np.uint8)])
    assert fit_to_size(red_rgb, GRAY, rgb=True).mean() == pytest.approx(0.299 * 255, abs=1)
    assert fit_to_size(red_rgba, GRAY, rgb=True).mean() == pytest.approx(0.299 * 255, abs=1)
    np.testing.assert_array_equal(fit_to_size(red_rgb, COLOUR, rgb=True), fit_to_size(red_rgb[..., ::-1], COLOUR))
    # A gray image has nothing to flip.
    np.testing.assert_array_equal(preprocess([ramp()], GRAY, rgb=True), preprocess([ramp()], GRAY))


@pytest.mark.parametrize(("image", "found"), [
    (ramp().astype(np.float32), r"\[0, 255\]"),
    (ramp().astype(np.float64) / 255.0 - 0.5, r"\[-0.5, 0.5\]"),
    (np.full((8, 8), np.nan), "nan"),
])
def test_float_image_outside_zero_one_is_refused_naming_the_range_found(image, found):
    with pytest.raises(ValueError, match=rf"\[0, 1\].*{found}"):
        to_uint8(image)


def test_gray_to_colour_repeats_the_channel():
    out = fit_to_size(ramp(), COLOUR)
    assert out.shape == COLOUR
    np.testing.assert_array_equal(out[..., 0], out[..., 2])


def white_blob_box(image):
    rows, cols = np.nonzero(np.squeeze(image) > 127)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


@pytest.mark.parametrize("size", [(100, 400), (32, 64), (200, 100), (30, 70)])
def test_aspect_ratio_is_kept(size):
    height, width = size
    image = np.zeros(size, np.uint8)
    side = min(height, width) // 2
    top, left = (height - side) // 2, (width - side) // 2
    image[top : top + side, left : left + side] = 255  # a centred white square on black
    out = fit_to_size(image, GRAY)
    assert out.shape == GRAY
    blob_height, blob_width = white_blob_box(out)
    assert abs(blob_height - blob_width) <= 1, (blob_height, blob_width)
    assert blob_height >= 8


def test_small_image_is_scaled_up_to_fill_one_side():
    # 32x64 has the model's aspect (1:2): it must fill the whole 64x128 input.
    image = np.zeros((32, 64), np.uint8)
    image[8:24, 16:48] = 255
    out = fit_to_size(image, GRAY)[:, :, 0]
    assert white_blob_box(out) == (32, 64)


def test_to_model_range_divides_by_255():
    batch = np.array([[[[0], [255]], [[51], [102]]]], np.uint8)
    np.testing.assert_allclose(to_model_range(batch)[..., 0], [[[0.0, 1.0], [0.2, 0.4]]])
    assert to_model_range(batch).dtype == np.float32


@pytest.mark.parametrize("image", [np.zeros((8, 8), np.int64), np.zeros((8, 8, 2), np.uint8), np.zeros(8, np.uint8)])
def test_unsupported_images_raise_value_error_naming_the_problem(image):
    with pytest.raises(ValueError, match=str(image.dtype) if image.dtype == np.int64 else r"\(8"):
        to_uint8(image)


def test_preprocess_of_no_images_is_an_empty_batch_of_the_input_shape():
    batch = preprocess([], GRAY)
    assert batch.shape == (0, *GRAY) and batch.dtype == np.float32
