import re
import string
import unicodedata

import numpy as np
import pytest

from ocrlib.cli import main
from ocrlib.data.folder import read_labels
from ocrlib.data.plates import ALPHABET as LATIN_PLATE_ALPHABET
from ocrlib.data.ruritania import ALPHABET, CYRILLIC_ONLY, generate_ruritanian_plates, render_ruritanian_plate
from tests.helpers import assert_seeded


def test_ruritanian_plates_are_seeded():
    assert_seeded(generate_ruritanian_plates)


def test_ruritanian_texts_are_two_letters_four_digits_and_a_letter_of_both_kinds():
    images, texts = generate_ruritanian_plates(300, seed=1)
    assert images.shape == (300, 64, 128) and images.dtype == np.uint8
    letter = f"[{re.escape(ALPHABET.strip(string.digits))}]"
    assert all(re.fullmatch(f"{letter}{{2}}[0-9]{{4}}{letter}", text) for text in texts)
    drawn = set("".join(texts))
    assert set(CYRILLIC_ONLY) <= drawn and drawn & set(string.ascii_uppercase)


def test_the_letters_that_look_latin_are_labelled_latin_so_a_latin_plate_model_keeps_them():
    shared = set(ALPHABET) & set(LATIN_PLATE_ALPHABET)
    assert shared == set(string.digits + "ABEKMHOPCTX")
    assert all("CYRILLIC" in unicodedata.name(char) for char in set(ALPHABET) - shared)


def test_each_cyrillic_letter_is_drawn_as_its_own_glyph():
    # The same plate (same seed) with its last letter swapped: every letter gives another image.
    plates = {char: render_ruritanian_plate(f"AB1234{char}", np.random.default_rng(0)) for char in CYRILLIC_ONLY + "A"}
    assert len({plate.tobytes() for plate in plates.values()}) == len(plates)


def test_a_character_ruritanian_plates_do_not_carry_is_refused_by_name():
    with pytest.raises(ValueError, match=r"\['Z'\]"):
        render_ruritanian_plate("AB1234Z", np.random.default_rng(0))


def test_generate_ruritania_writes_cyrillic_labels_that_round_trip(tmp_path):
    assert main(["generate", "ruritania", "--n", "8", "--seed", "2", "--out", str(tmp_path / "r")]) == 0
    assert [text for _, text in read_labels(tmp_path / "r")] == generate_ruritanian_plates(8, seed=2)[1]
