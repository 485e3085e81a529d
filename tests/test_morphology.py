import cv2
import numpy as np
import pytest
from keras import ops

from ocrlib.data import augment, morphology

SIZES = [1, 2, 3, 4, 5, (2, 5), (5, 2)]


@pytest.fixture(scope="module")
def batch():
    """Random uint8 (4, 17, 23, 2): odd sizes, so no window fits the image evenly."""
    return np.random.default_rng(7).integers(0, 256, (4, 17, 23, 2), dtype=np.uint8)


def opencv_each(function, batch, size, *args):
    """``function`` (cv2.dilate, cv2.erode, cv2.morphologyEx) on each channel of each image, defaults kept."""
    height, width = (size, size) if isinstance(size, int) else size
    kernel = np.ones((height, width), np.uint8)
    return np.stack([np.stack([function(image[:, :, c], *args, kernel) for c in range(image.shape[2])], axis=-1)
                     for image in batch])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["dilate", "erode"])
def test_batch_dilation_and_erosion_equal_opencv_on_random_uint8_images(batch, name, size):
    ours = ops.convert_to_numpy(getattr(morphology, name)(batch, size))
    assert ours.dtype == np.uint8
    np.testing.assert_array_equal(ours, opencv_each(getattr(cv2, name), batch, size))


@pytest.mark.parametrize("size", [3, 5, (3, 5)])
@pytest.mark.parametrize("name, operation", [("opening", cv2.MORPH_OPEN), ("closing", cv2.MORPH_CLOSE)])
def test_batch_opening_and_closing_equal_opencv(batch, name, operation, size):
    ours = ops.convert_to_numpy(getattr(morphology, name)(batch, size))
    np.testing.assert_array_equal(ours, opencv_each(cv2.morphologyEx, batch, size, operation))


def test_batch_closing_of_float_model_input_equals_the_augment_step_per_image():
    images = np.random.default_rng(3).integers(0, 256, (3, 16, 32), dtype=np.uint8)
    closed = ops.convert_to_numpy(morphology.closing(images[..., None].astype(np.float32) / 255, 3))
    assert closed.dtype == np.float32
    expected = augment.augment_images(images, augment.closing(3), seed=0)
    np.testing.assert_array_equal(np.round(closed[..., 0] * 255).astype(np.uint8), expected)


def test_the_border_is_left_out_as_opencv_does_not_padded_with_zeros():
    bright = np.full((1, 5, 5, 1), 200, np.uint8)
    np.testing.assert_array_equal(ops.convert_to_numpy(morphology.erode(bright, 3)), bright)
    np.testing.assert_array_equal(ops.convert_to_numpy(morphology.dilate(255 - bright, 3)), 255 - bright)


@pytest.mark.parametrize("size", [0, (3, 0), -1])
def test_an_empty_structuring_element_is_refused(batch, size):
    with pytest.raises(ValueError, match="size"):
        morphology.dilate(batch, size)


def test_a_batch_without_a_channel_axis_is_refused_naming_its_shape(batch):
    with pytest.raises(ValueError, match=r"\(4, 17, 23\)"):
        morphology.erode(batch[..., 0], 3)
