import secrets

import captcha.image
import numpy as np
import pytest

from ocrlib.data.captchas import ALPHABET, generate_captchas
from tests.helpers import assert_seeded


def test_same_seed_same_captchas_and_another_seed_other_ones():
    assert_seeded(generate_captchas)


def test_default_captchas_are_64x128_bgr_with_4_to_6_digits_and_uppercase_letters_but_not_o():
    images, texts = generate_captchas(200, seed=0)
    assert images.shape == (200, 64, 128, 3) and images.dtype == np.uint8
    assert {len(t) for t in texts} == {4, 5, 6}
    drawn = set("".join(texts))
    assert drawn == set("0123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"), sorted(drawn)  # 0 and O are one oval: no O


def test_the_text_is_drawn_darker_than_the_background():
    images, _ = generate_captchas(20, seed=0)
    gray = images.mean(axis=3)
    # The background is light (238..255 per channel); ink and noise are darker.
    assert np.median(gray) > 230 and (gray < 200).mean(axis=(1, 2)).min() > 0.03


def test_size_charset_and_lengths_are_configurable():
    images, texts = generate_captchas(30, seed=0, size=(50, 200), charset="2345678bcdefgmnpwxy", lengths=(5, 5))
    assert images.shape == (30, 50, 200, 3)
    assert {len(t) for t in texts} == {5} and set("".join(texts)) <= set("2345678bcdefgmnpwxy")


def test_the_package_is_left_with_its_own_unseeded_secrets():
    generate_captchas(1, seed=0)
    assert captcha.image.secrets is secrets


def test_the_package_gets_its_secrets_back_after_a_failure():
    with pytest.raises(OSError):
        generate_captchas(1, seed=0, fonts=["/no/such/font.ttf"])
    assert captcha.image.secrets is secrets


@pytest.mark.parametrize("kwargs, named", [
    ({"charset": ""}, "charset"),
    ({"charset": "AAB"}, "duplicate"),
    ({"lengths": (0, 3)}, "lengths"),
    ({"lengths": (5, 4)}, "lengths"),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, named):
    with pytest.raises(ValueError, match=named):
        generate_captchas(1, seed=0, **kwargs)
