import re

import numpy as np
import pytest

from ocrlib.data.plates import ALPHABET, FORMATS, add_photometric_noise, generate_plates, random_plate_text, render_plate

RUSSIAN = re.compile(r"^[ABEKMHOPCTYX]\d{3}[ABEKMHOPCTYX]{2}\d{2}$")
LATIN = re.compile(r"^[A-Z0-9]{5,8}$")


def test_same_seed_gives_identical_images_and_texts():
    images_a, texts_a = generate_plates(12, seed=5)
    images_b, texts_b = generate_plates(12, seed=5)
    np.testing.assert_array_equal(images_a, images_b)
    assert texts_a == texts_b


def test_another_seed_gives_other_plates():
    images_a, texts_a = generate_plates(12, seed=5)
    images_b, texts_b = generate_plates(12, seed=6)
    assert texts_a != texts_b
    assert not np.array_equal(images_a, images_b)


def test_images_are_uint8_n_by_64_by_128(plates32):
    images, texts = plates32
    assert images.dtype == np.uint8
    assert images.shape == (32, 64, 128)
    assert len(texts) == 32
    assert images.std() > 10  # something is drawn


def test_other_sizes_are_honoured():
    images, texts = generate_plates(3, seed=0, size=(32, 96))
    assert images.shape == (3, 32, 96) and len(texts) == 3


def test_russian_texts_match_the_russian_format():
    _, texts = generate_plates(40, seed=1, formats=("russian",))
    assert all(RUSSIAN.match(t) for t in texts), texts


def test_latin_texts_are_5_to_8_latin_letters_and_digits():
    _, texts = generate_plates(40, seed=1, formats=("latin",))
    assert all(LATIN.match(t) for t in texts), texts
    assert len({len(t) for t in texts}) > 1


def test_default_formats_mix_both_and_fit_the_alphabet(plates32):
    _, texts = plates32
    assert any(RUSSIAN.match(t) for t in texts) and any(not RUSSIAN.match(t) for t in texts)
    assert all(LATIN.match(t) or RUSSIAN.match(t) for t in texts)
    assert set("".join(texts)) <= set(ALPHABET)


def test_unknown_format_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="german"):
        generate_plates(2, seed=0, formats=("latin", "german"))
    with pytest.raises(ValueError, match="german"):
        random_plate_text(np.random.default_rng(0), "german")


def test_render_plate_is_seeded():
    a = render_plate("AB123", np.random.default_rng(3))
    b = render_plate("AB123", np.random.default_rng(3))
    assert a.dtype == np.uint8 and a.shape == (64, 128)
    np.testing.assert_array_equal(a, b)


def test_generate_plates_is_render_plate_then_photometric_noise():
    rng = np.random.default_rng(4)
    texts, images = [], []
    for _ in range(5):
        plate_format = FORMATS[rng.integers(0, len(FORMATS))]
        texts.append(random_plate_text(rng, plate_format))
        images.append(render_plate(texts[-1], rng, plate_format=plate_format))
    expected_images, expected_texts = generate_plates(5, seed=4)
    assert texts == expected_texts
    np.testing.assert_array_equal(add_photometric_noise(np.stack(images), rng), expected_images)


def test_photometric_noise_is_seeded_keeps_shape_and_changes_each_image_differently():
    clean = np.stack([render_plate("SUN7FUN", np.random.default_rng(0))] * 3)
    noisy = add_photometric_noise(clean, np.random.default_rng(1))
    assert noisy.dtype == np.uint8 and noisy.shape == clean.shape
    np.testing.assert_array_equal(noisy, add_photometric_noise(clean, np.random.default_rng(1)))
    assert not np.array_equal(noisy[0], noisy[1])
    with_channel = add_photometric_noise(clean[..., None], np.random.default_rng(1))
    assert with_channel.shape == (3, 64, 128, 1)
