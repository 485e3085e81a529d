import numpy as np
import pytest
from PIL import ImageFont

from ocrlib.arithmetic import check, evaluate, is_consistent
from ocrlib.data.augment import binarize
from ocrlib.data.equations import ALPHABET, FONTS, _add_dots, _line_of_text, generate_equations
from tests.helpers import assert_seeded


def test_same_seed_same_equations_and_another_seed_other_ones():
    assert_seeded(generate_equations)


def test_default_equations_are_64x128_bgr_with_right_results_of_every_kind():
    images, texts = generate_equations(300, seed=0)
    assert images.shape == (300, 64, 128, 3) and images.dtype == np.uint8
    assert set("".join(texts)) == set(ALPHABET)
    for text in texts:
        check(text)  # parses, and the written result is right
    expressions = [text.split("=")[0] for text in texts]
    assert all(sum(c in "+-*" for c in e) == 2 and sum(c.isdigit() for c in e) == 3 for e in expressions)
    assert {e.find("(") for e in expressions} == {-1, 0, 2}  # templates abc, (ab)c, a(bc)
    results = [int(text.split("=")[1]) for text in texts]
    assert min(results) < 0 and max(results) >= 100  # negative and three-digit results occur
    assert {len(t) for t in texts} >= set(range(7, 12))


def test_the_expression_alone_is_the_competition_format():
    _, texts = generate_equations(50, seed=0, with_result=False)
    assert all("=" not in text for text in texts)
    for text in texts:
        evaluate(text)


def test_a_share_of_wrong_results_for_a_checking_exercise():
    _, texts = generate_equations(400, seed=0, wrong_share=0.25)
    wrong = [text for text in texts if not is_consistent(text)]
    assert 0.18 < len(wrong) / len(texts) < 0.32
    for text in wrong:
        value = evaluate(text.split("=")[0])
        assert 1 <= abs(int(text.split("=")[1]) - value) <= 10


def test_the_text_is_drawn_with_ink_that_binarisation_keeps():
    images, _ = generate_equations(20, seed=1)
    ink_share = [(binarize()(image, None) == 0).mean() for image in images]
    assert min(ink_share) > 0.02 and max(ink_share) < 0.5


@pytest.mark.parametrize("path", FONTS)
def test_every_font_has_a_glyph_of_its_own_for_every_character(path):
    font = ImageFont.truetype(path, 32)
    masks = [bytes(font.getmask(char)) for char in ALPHABET]
    assert all(any(mask) for mask in masks)
    assert len(set(masks)) == len(ALPHABET)  # no character drawn as the missing-glyph box


@pytest.mark.parametrize("kwargs, named", [
    ({"wrong_share": 1.5}, "wrong_share"),
    ({"wrong_share": 0.1, "with_result": False}, "with_result"),
    ({"fonts": []}, "fonts"),
    ({"fonts": ["/no/such/font.ttf"]}, "/no/such/font.ttf"),
])
def test_bad_arguments_raise_an_error_naming_them(kwargs, named):
    with pytest.raises((ValueError, FileNotFoundError), match=named):
        generate_equations(1, seed=0, **kwargs)


def test_dots_keep_off_the_masked_area():
    image = np.full((64, 128, 3), 200, np.uint8)
    keep_off = np.zeros((64, 128), bool)
    keep_off[:, :64] = True
    for seed in range(20):
        _add_dots(image, (0, 0, 0), keep_off, np.random.default_rng(seed))
    assert (image[:, :63] == 200).all()  # a dot of radius 1 centred at column 64 reaches column 63
    assert (image[:, 64:] != 200).any(axis=-1).sum() > 100


def test_each_glyph_box_spans_its_characters_ink_on_the_line():
    rng = np.random.default_rng(0)
    for text in ["(3-8)*2=-10", "1+1=2", "9*(9*9)=729"]:
        line, boxes = _line_of_text(text, rng, FONTS[:1], (0, 0, 0))
        inked = np.asarray(line)[:, :, 3].max(axis=0) > 0
        covered = np.zeros(line.width, bool)
        for left, right in boxes:
            assert inked[int(left):int(right)].all()  # a box holds ink in every column (glyphs have no gaps)
            covered[int(left):int(right)] = True
        assert (covered == inked).all()
        assert np.all(np.diff(boxes.mean(axis=1)) > 0)


def test_glyph_boxes_come_with_the_same_images_one_box_per_character_left_to_right():
    images, texts = generate_equations(30, seed=3)
    boxed, boxed_texts, boxes = generate_equations(30, seed=3, glyph_boxes=True)
    assert (boxed == images).all() and boxed_texts == texts
    for image, text, glyphs in zip(images, texts, boxes):
        assert glyphs.shape == (len(text), 2)
        assert np.all(glyphs[:, 0] < glyphs[:, 1]) and glyphs.min() >= 0 and glyphs.max() <= image.shape[1]
        assert np.all(np.diff(glyphs.mean(axis=1)) > 0)
        # The image's darkest (or lightest) strokes, the ink itself, lie inside the boxes.
        gray = image.mean(axis=-1)
        distance = np.abs(gray - np.median(gray))
        ink_columns = np.flatnonzero((distance > 0.7 * np.percentile(distance, 99)).sum(axis=0) >= 4)
        inside = np.zeros(image.shape[1], bool)
        for left, right in glyphs:
            inside[int(left) - 1:int(np.ceil(right)) + 1] = True
        assert inside[ink_columns].mean() > 0.9, text
