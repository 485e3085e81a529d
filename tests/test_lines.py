import re
from collections import Counter

import numpy as np
import pytest

from ocrlib.ctc_reference import min_time_steps
from ocrlib.data.fonts import TEXT_FRAME, FontError, glyph
from ocrlib.data.lines import (HANDWRITING_FACES, HEIGHT, LINE_ALPHABET, PRINTED_FACES, STYLES, generate_lines,
                               render_line)
from ocrlib.data.vocabulary import random_line_text, random_sentence, word_counts
from tests.helpers import assert_unreadable_fonts_are_named


@pytest.fixture(scope="module")
def lines60():
    """60 seeded lines of both styles: uint8 images (32, W_i) and their texts."""
    return generate_lines(60, seed=0)


@pytest.fixture(scope="module")
def texts():
    rng = np.random.default_rng(0)
    return [random_line_text(rng) for _ in range(3000)]


def test_same_seed_gives_identical_lines_and_another_seed_others():
    (images, texts), (again, texts_again) = generate_lines(5, seed=3), generate_lines(5, seed=3)
    assert texts == texts_again and all(np.array_equal(a, b) for a, b in zip(images, again))
    other_images, other_texts = generate_lines(5, seed=4)
    assert other_texts != texts
    assert not any(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(images, other_images))


def test_lines_are_gray_uint8_of_the_height_asked_and_dark_ink_on_light_paper(lines60):
    images, texts = lines60
    assert len(images) == len(texts) == 60
    assert all(image.dtype == np.uint8 and image.ndim == 2 and image.shape[0] == HEIGHT for image in images)
    assert all(np.percentile(image, 2) + 60 < np.median(image) for image in images), "some ink on every line"
    tall, _ = generate_lines(3, seed=0, height=64)
    assert {image.shape[0] for image in tall} == {64}


def test_every_width_is_a_multiple_of_4_that_gives_ctc_the_safe_number_of_time_steps(lines60):
    images, texts = lines60
    for image, text in zip(images, texts):
        steps = image.shape[1] // 4
        assert image.shape[1] % 4 == 0
        assert steps >= 2 * len(text) + 1 >= min_time_steps(text), (text, image.shape)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("text", ["iiiiiiiiiiiiiiiiiiii", ".,:;'.,:;'.,:;'", "l!l!l!l!l!l!l!l!", "ii ii ii ii ii"])
def test_texts_narrower_than_the_safe_rule_are_stretched_to_it(style, text):
    image = render_line(text, np.random.default_rng(0), style=style)
    assert image.shape[1] == 4 * (2 * len(text) + 1)


def test_lines_are_as_wide_as_their_text():
    short, _ = generate_lines(20, seed=1, lengths=(10, 10))
    long, _ = generate_lines(20, seed=1, lengths=(50, 50))
    per_character = [image.shape[1] / 50 for image in long]
    assert 8 <= min(per_character) and max(per_character) <= 24, "about 3 time steps per character, never under 2"
    assert np.median([image.shape[1] for image in long]) > 3 * np.median([image.shape[1] for image in short])


def test_styles_change_the_pictures_and_not_the_texts():
    printed, printed_texts = generate_lines(4, seed=2, styles=("printed",))
    written, written_texts = generate_lines(4, seed=2, styles=("handwritten",))
    assert printed_texts == written_texts
    assert not any(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(printed, written))


def test_a_chosen_face_is_used():
    serif, _ = generate_lines(3, seed=5, styles=("printed",), faces=["DejaVu Serif"])
    mono, _ = generate_lines(3, seed=5, styles=("printed",), faces=["DejaVu Sans Mono"])
    assert [a.shape for a in serif] != [b.shape for b in mono]


@pytest.mark.parametrize("face", sorted(set(PRINTED_FACES + HANDWRITING_FACES)))
def test_every_line_face_draws_every_line_character_inside_the_text_frame(face):
    for char in LINE_ALPHABET.replace(" ", ""):
        rows = glyph(face, char, TEXT_FRAME).max(axis=1)
        assert rows.any() and not rows[0] and not rows[-1], f"{face!r} {char!r} reaches the frame's edge"


def test_unreadable_or_unknown_fonts_and_missing_glyphs_are_named(tmp_path):
    assert_unreadable_fonts_are_named(lambda faces: generate_lines(2, seed=0, faces=faces), tmp_path)
    with pytest.raises(FontError, match="'水'"):
        render_line("水", np.random.default_rng(0))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="cursive"):
        generate_lines(2, seed=0, styles=("printed", "cursive"))
    with pytest.raises(ValueError, match=r"\(5, 2\)"):
        generate_lines(2, seed=0, lengths=(5, 2))
    with pytest.raises(ValueError, match="height 4"):
        generate_lines(2, seed=0, height=4)
    with pytest.raises(ValueError, match="nothing to draw"):
        render_line("  ", np.random.default_rng(0))


def test_texts_hold_only_the_line_alphabet_within_the_lengths_without_stray_spaces(texts):
    assert set("".join(texts)) == set(LINE_ALPHABET), "every character of the alphabet occurs, and no other"
    assert min(map(len, texts)) == 1 and max(map(len, texts)) == 60
    assert all(text == text.strip() and "  " not in text for text in texts)
    exact = [random_line_text(np.random.default_rng(seed), (40, 40)) for seed in range(200)]
    assert {len(text) for text in exact} == {40}


def test_words_are_drawn_about_as_often_as_in_the_source_text(texts):
    counts, source = Counter(re.findall(r"[a-z]+(?:'[a-z]+)?", " ".join(texts).lower())), word_counts()
    total, source_total = sum(counts.values()), sum(source.values())
    assert counts.most_common(1)[0][0] == "the"
    for word in ("the", "is", "object"):
        assert counts[word] / total == pytest.approx(source[word] / source_total, rel=0.25), word


def test_sentences_start_with_a_capital_and_end_with_a_mark_and_hold_digits_and_punctuation():
    rng = np.random.default_rng(1)
    sentences = [random_sentence(rng) for _ in range(1000)]
    assert all(re.match(r"[\"'(]?[A-Z0-9]", s) and s[-1] in ".?!:" for s in sentences)
    shares = {mark: np.mean([mark in s for s in sentences]) for mark in ",;-\"'()0123456789"}
    assert all(0.01 < share < 0.8 for share in shares.values()), shares
    assert np.mean([s.endswith(".") for s in sentences]) > 0.7


def test_the_vocabulary_is_thousands_of_words_most_frequent_first():
    counts = word_counts()
    assert len(counts) > 2000
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
    assert all(re.fullmatch(r"[A-Za-z]+(?:'[a-z]+)?", word) for word in counts)
    assert "Python" in counts and "python" not in counts, "names keep their capital"
