import re

import cv2
import numpy as np
import pytest

from ocrlib.data.plates import (ALPHABET, FAMILIES, FORMATS, ORIGINAL_FORMATS, _draw_text, _field, _interlace, _TextStyle,
                                _tilt, add_photometric_noise, generate_plates, random_plate_text, render_plate)
from tests.helpers import assert_seeded, assert_unreadable_fonts_are_named

PATTERNS = {
    "russian": r"[ABEKMHOPCTYX]\d{3}[ABEKMHOPCTYX]{2}\d{2}",
    "latin": r"[A-Z0-9]{5,8}",
    "mercosur": r"[A-Z]{2}\d{3}[A-Z]{2}|[A-Z]{3}\d[A-Z]\d{2}",
    "two_group": r"[A-Z]{3}\d{3}|[A-Z]{2}\d{4}|[A-Z]{3}\d{4}|\d{3}[A-Z]{3}",
    "eu": r"[A-Z]{2}\d{3}[A-Z]{2}|[A-Z]{3}\d{4}|[A-Z]{2}\d{2}[A-Z]{3}|\d{2}[A-Z]{3}\d",
    "us": r"\d[A-Z]{3}\d{3}|[A-Z]{3}\d{4}|\d{3}[A-Z]{3}|[A-Z]{2}\d{5}",
}


def test_same_seed_gives_identical_images_and_texts_and_another_seed_others():
    assert_seeded(generate_plates)


def test_images_are_uint8_n_by_64_by_128(plates32):
    images, texts = plates32
    assert images.dtype == np.uint8
    assert images.shape == (32, 64, 128)
    assert len(texts) == 32
    assert images.std() > 10  # something is drawn


def test_other_sizes_are_honoured():
    images, texts = generate_plates(3, seed=0, size=(32, 96))
    assert images.shape == (3, 32, 96) and len(texts) == 3


@pytest.mark.parametrize("plate_format", FORMATS)
def test_texts_follow_their_format(plate_format):
    _, texts = generate_plates(40, seed=1, formats=(plate_format,))
    assert all(re.fullmatch(PATTERNS[plate_format], t) for t in texts), texts


def test_latin_texts_vary_in_length():
    _, texts = generate_plates(40, seed=1, formats=("latin",))
    assert len({len(t) for t in texts}) > 1


def test_default_formats_mix_all_and_labels_hold_only_capitals_and_digits():
    _, texts = generate_plates(300, seed=2)
    matched = {name for name in FORMATS for t in texts if re.fullmatch(PATTERNS[name], t)}
    assert matched == set(FORMATS)
    assert set("".join(texts)) <= set(ALPHABET)


def test_without_layouts_only_the_original_formats_are_drawn():
    _, texts = generate_plates(60, seed=3, families=[f for f in FAMILIES if f != "layouts"])
    assert all(any(re.fullmatch(PATTERNS[name], t) for name in ORIGINAL_FORMATS) for t in texts)


@pytest.mark.parametrize("family", FAMILIES)
def test_switching_a_family_off_changes_the_pictures(family):
    images, texts = generate_plates(6, seed=4)
    other_images, other_texts = generate_plates(6, seed=4, families=[f for f in FAMILIES if f != family])
    assert not np.array_equal(images, other_images)
    if family != "layouts":  # the texts come from a generator of their own
        assert texts == other_texts


def test_colours_give_light_on_dark_plates_too_and_without_them_all_are_dark_on_light():
    # A plate of one thin character filling its image: nearly every pixel is the plate, a few the
    # character, which pulls the mean below the median when it is the darker.
    def dark_on_light(families, plate_format):
        rng = np.random.default_rng(5)
        flat = np.array([render_plate("1", rng, plate_format=plate_format, families=families).ravel()
                         for _ in range(100)], float)
        return flat.mean(axis=1) < np.median(flat, axis=1)

    assert 0.2 < dark_on_light(["colours"], "two_group").mean() < 0.8  # black plates with white characters
    assert dark_on_light(["colours"], "mercosur").mean() > 0.8
    assert dark_on_light([], "two_group").all()


def test_unknown_format_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="german"):
        generate_plates(2, seed=0, formats=("latin", "german"))
    with pytest.raises(ValueError, match="german"):
        random_plate_text(np.random.default_rng(0), "german")
    with pytest.raises(ValueError, match="german"):
        render_plate("AB123", np.random.default_rng(0), plate_format="german")


def test_unknown_family_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="weather"):
        generate_plates(2, seed=0, families=("fonts", "weather"))


def test_characters_a_plate_cannot_carry_are_named():
    with pytest.raises(ValueError, match=r"\['a', 'é'\]"):
        render_plate("AB1aé", np.random.default_rng(0))


def test_unreadable_fonts_are_named(tmp_path):
    assert_unreadable_fonts_are_named(lambda fonts: generate_plates(2, seed=0, fonts=fonts), tmp_path)


def test_render_plate_is_seeded_and_draws_groups_without_their_spaces_in_the_label():
    a = render_plate("AB 123 CD", np.random.default_rng(3), plate_format="mercosur")
    b = render_plate("AB 123 CD", np.random.default_rng(3), plate_format="mercosur")
    assert a.dtype == np.uint8 and a.shape == (64, 128)
    np.testing.assert_array_equal(a, b)


def test_a_chosen_font_is_used():
    images = {face: generate_plates(4, seed=6, fonts=[face])[0] for face in ("DejaVu Serif", "Hershey Simplex")}
    assert not np.array_equal(*images.values())


def test_photometric_noise_is_seeded_keeps_shape_and_changes_each_image_differently():
    clean = np.stack([render_plate("SUN7FUN", np.random.default_rng(0))] * 3)
    noisy = add_photometric_noise(clean, np.random.default_rng(1))
    assert noisy.dtype == np.uint8 and noisy.shape == clean.shape
    np.testing.assert_array_equal(noisy, add_photometric_noise(clean, np.random.default_rng(1)))
    assert not np.array_equal(noisy[0], noisy[1])
    with_channel = add_photometric_noise(clean[..., None], np.random.default_rng(1))
    assert with_channel.shape == (3, 64, 128, 1)


def test_photometric_noise_has_the_standard_deviation_it_draws():
    flat = np.full((400, 64, 128), 128, np.uint8)
    noisy = add_photometric_noise(flat, np.random.default_rng(2)).astype(float)
    # Each image: a constant (brightness) plus noise of a standard deviation drawn from [0, 12].
    spread = noisy.reshape(400, -1).std(axis=1)
    assert 0 <= spread.min() < 1 and 11 < spread.max() <= 12.5
    assert abs(spread.mean() - 6) < 0.5


def _inside(boxes, width):
    """(width,) bool: the columns within a pixel of a box."""
    inside = np.zeros(width, bool)
    for left, right in boxes:
        inside[max(0, int(left) - 1):int(np.ceil(right)) + 1] = True
    return inside


def test_glyph_boxes_come_with_the_same_plates_one_box_per_character_left_to_right():
    images, texts = generate_plates(60, seed=3)
    boxed, boxed_texts, boxes = generate_plates(60, seed=3, glyph_boxes=True)
    assert (boxed == images).all() and boxed_texts == texts
    for text, glyphs in zip(texts, boxes):
        assert glyphs.shape == (len(text), 2)
        assert np.all(glyphs[:, 0] < glyphs[:, 1]) and glyphs.min() >= 0 and glyphs.max() <= 128
        assert np.all(np.diff(glyphs.mean(axis=1)) > 0), text


def test_on_plain_plates_the_ink_lies_in_the_glyph_boxes_and_every_box_holds_ink():
    images, texts, boxes = generate_plates(40, seed=5, families=(), glyph_boxes=True)
    for image, text, glyphs in zip(images, texts, boxes):
        ink = image < (int(image.min()) + int(np.median(image))) / 2  # dark glyphs on a light plate
        inked = ink[8:-8].sum(axis=0) >= 3  # between the frame's top and bottom edges
        inside = _inside(glyphs, image.shape[1])
        assert inside[inked].mean() > 0.9, text
        assert all(inked[int(left):int(np.ceil(right))].any() for left, right in glyphs), text


def test_the_older_argentine_layout_puts_a_dark_field_inside_a_light_rim():
    plate = np.full((60, 140), 20.0, np.float32)
    x0, y0, x1, y1 = _field(plate, {"plate": 20.0, "ink": 230.0}, np.random.default_rng(0))
    assert 0 < x0 < x1 < 140 and 0 < y0 < y1 < 60
    assert (plate[y0 + 2 : y1 - 2, x0 + 2 : x1 - 2] == 20).all(), "the field the text goes in is dark"
    rim = np.concatenate([plate[:, 0], plate[:, -1], plate[-1]])
    assert (rim == 230).all(), "around it the plate has the characters' light tone"


def test_embossed_characters_keep_their_ink_on_the_rim_and_fade_inside():
    def drawn(emboss):
        plate = np.zeros((40, 60), np.float32)
        style = _TextStyle("Plate Sans", 0.9, (0.5, 1.5), 6, 0.1, False, "space", 0.9, emboss)
        _draw_text(plate, (0, 0, 60, 40), ["H"], style, 200.0, np.random.default_rng(0), 0.0)
        return plate

    flat, raised = drawn(0.0), drawn(0.5)
    strokes = flat > 190
    assert (raised[strokes] < flat[strokes] - 50).mean() > 0.2, "the inside of the strokes fades"
    assert raised.max() > 190, "the rim keeps the ink"
    assert np.array_equal(raised > 0, flat > 0), "the glyph covers the same pixels"


def test_an_interlaced_frame_moves_its_odd_rows_sideways_and_keeps_its_even_rows():
    scene = np.zeros((20, 40), np.float32)
    scene[:, 10:14] = 255.0  # an upright stroke
    combed = _interlace(scene.copy(), 3.0)
    assert np.array_equal(combed[0::2], scene[0::2]), "the first field stays"
    assert np.array_equal(combed[1::2, 13:17], np.full((10, 4), 255.0)), "the second is 3 pixels to the right"
    assert (combed[1::2, 10:13] == 0).all()


def test_some_crops_are_slanted_beyond_what_rotation_and_perspective_alone_give():
    """Rotation by 4 degrees and corners moved by 3% lean an upright by at most about 0.18 of its
    height; a slanted plate (a camera beside the road) leans more."""
    rng, scene = np.random.default_rng(0), np.zeros((64, 160), np.float32)
    leans = []
    for _ in range(300):
        _, warp = _tilt(scene, rng)
        top, bottom = cv2.perspectiveTransform(np.float32([[[80, 0], [80, 64]]]), warp)[0]
        leans.append(abs(top[0] - bottom[0]) / (bottom[1] - top[1]))
    assert 0.05 < np.mean(np.array(leans) > 0.15) < 0.3
