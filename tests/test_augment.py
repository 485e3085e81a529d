import numpy as np
import pytest

from ocrlib.data import augment
from ocrlib.data.equations import generate_equations

RANDOM_STEPS = {
    "rotation": augment.rotation(5), "gaussian_blur": augment.gaussian_blur(1.5),
    "brightness_contrast": augment.brightness_contrast(0.3), "elastic": augment.elastic(2.0, 4.0),
}
ALL_STEPS = {**RANDOM_STEPS, "median_blur": augment.median_blur(3), "opening": augment.opening(3),
             "closing": augment.closing(3)}


@pytest.fixture(scope="module")
def images():
    colour, _ = generate_equations(4, seed=0)
    return colour


@pytest.mark.parametrize("name", sorted(ALL_STEPS))
@pytest.mark.parametrize("channels", [1, 3])
def test_each_step_keeps_shape_and_dtype(images, name, channels):
    batch = images if channels == 3 else images[..., 0]
    out = augment.augment_images(batch, ALL_STEPS[name], seed=0)
    assert out.shape == batch.shape and out.dtype == np.uint8


@pytest.mark.parametrize("name", sorted(RANDOM_STEPS))
def test_random_steps_are_seeded(images, name):
    first = augment.augment_images(images, RANDOM_STEPS[name], seed=5)
    np.testing.assert_array_equal(first, augment.augment_images(images, RANDOM_STEPS[name], seed=5))
    assert not np.array_equal(first, augment.augment_images(images, RANDOM_STEPS[name], seed=6))
    assert not np.array_equal(first, images)


def test_zero_strength_steps_change_nothing(images):
    rng = np.random.default_rng(0)
    for step in (augment.rotation(0), augment.brightness_contrast(0), augment.elastic(alpha=0)):
        np.testing.assert_array_equal(step(images[0], rng), images[0])


def test_large_rotations_are_refused_because_they_change_the_text():
    with pytest.raises(ValueError, match="max_degrees=20"):
        augment.rotation(20)


def test_elastic_moves_no_pixel_further_than_alpha():
    gradient = np.tile(np.arange(0, 256, 2, dtype=np.uint8), (64, 1))  # value / 2 = x
    moved = augment.elastic(alpha=3.0, sigma=4.0)(gradient, np.random.default_rng(0))
    shift = np.abs(moved.astype(int) - gradient.astype(int)) / 2
    assert shift.max() <= 3.0 + 0.5 and shift.mean() > 0.3


def test_median_blur_removes_an_isolated_dot():
    page = np.full((20, 20), 255, np.uint8)
    page[10, 10] = 0
    assert augment.median_blur(3)(page, None).min() == 255


def test_closing_removes_dark_lines_thinner_than_its_size_and_keeps_thick_strokes():
    page = np.full((30, 30), 255, np.uint8)
    page[5, :] = 0          # a one-pixel noise line
    page[15:20, 5:25] = 0   # a five-pixel stroke
    closed = augment.closing(3)(page, None)
    assert closed[5].min() == 255 and (closed[15:20, 5:25] == 0).all()


def test_opening_fills_a_light_speck_inside_a_dark_stroke():
    page = np.full((30, 30), 255, np.uint8)
    page[10:20, 10:20] = 0
    page[15, 15] = 255
    assert augment.opening(3)(page, None)[15, 15] == 0


@pytest.mark.parametrize("background, ink", [((40, 200, 230), (90, 20, 10)), ((30, 30, 30), (250, 250, 250))])
def test_binarize_gives_black_ink_on_white_whatever_the_colours(background, ink):
    image = np.zeros((40, 80, 3), np.uint8) + np.uint8(background)
    image[15:25, 20:60] = ink
    binary = augment.binarize()(image, None)
    assert binary.shape == (40, 80) and set(np.unique(binary)) == {0, 255}
    assert (binary[15:25, 20:60] == 0).all() and binary[:10].min() == 255


def test_compose_runs_the_steps_in_order_from_one_generator(images):
    steps = (augment.rotation(5), augment.binarize(), augment.median_blur(3))
    composed = augment.augment_images(images, augment.compose(*steps), seed=3)
    rng, by_hand = np.random.default_rng(3), []
    for image in images:
        for step in steps:
            image = step(image, rng)
        by_hand.append(image)
    np.testing.assert_array_equal(composed, np.stack(by_hand))


@pytest.mark.parametrize("factory, argument", [(augment.median_blur, 4), (augment.opening, 2), (augment.closing, 1)])
def test_bad_kernel_sizes_are_refused_naming_the_size(factory, argument):
    with pytest.raises(ValueError, match=str(argument)):
        factory(argument)
