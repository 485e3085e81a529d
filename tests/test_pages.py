import numpy as np
import pytest

from ocrlib.data.lines import LINE_ALPHABET
from ocrlib.data.pages import generate_pages, render_page


@pytest.fixture(scope="module")
def pages():
    return generate_pages(8, seed=0)


def test_same_seed_gives_identical_pages_and_another_seed_others(pages):
    again = generate_pages(8, seed=0)
    for page, same in zip(pages, again):
        np.testing.assert_array_equal(page.image, same.image)
        assert (page.texts, page.boxes, page.skew) == (same.texts, same.boxes, same.skew)
    assert [page.texts for page in generate_pages(8, seed=1)] != [page.texts for page in pages]


def test_pages_hold_3_to_12_lines_of_a_wrapped_paragraph_in_the_line_alphabet(pages):
    for page in pages:
        assert page.image.dtype == np.uint8 and page.image.ndim == 2
        assert 3 <= len(page.texts) <= 12 and len(page.boxes) == len(page.texts)
        assert all(1 <= len(text) <= 60 and text == text.strip() for text in page.texts)
        assert set("".join(page.texts)) <= set(LINE_ALPHABET)
    lengths = [len(text) for page in pages for text in page.texts[:-1]]
    assert np.median(lengths) > 25, "lines but the last are filled up to the wrapping width"


def test_boxes_lie_in_the_image_top_to_bottom_and_pages_are_turned_by_up_to_2_degrees(pages):
    for page in pages:
        height, width = page.image.shape
        assert all(0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height for x0, y0, x1, y1 in page.boxes)
        centres = [(y0 + y1) / 2 for _, y0, _, y1 in page.boxes]
        assert centres == sorted(centres)
        assert abs(page.skew) <= 2
    assert len({round(page.skew, 3) for page in pages}) == len(pages)


def test_on_a_straight_page_the_boxes_hold_the_ink_and_the_rows_between_them_none():
    for page in generate_pages(4, seed=2, max_skew=0):
        assert page.skew == 0
        image = page.image.astype(float)
        paper = np.median(image, axis=1)  # each row's paper, where the paper darkens across the page
        inked = image.min(axis=1) < paper - 60
        in_boxes = np.zeros(len(image), bool)
        for x0, y0, x1, y1 in page.boxes:
            in_boxes[max(0, y0 - 1) : y1 + 1] = True
            assert inked[y0:y1].mean() > 0.5
            assert (image[y0:y1, x0:x1].min(axis=0) < paper[y0:y1].min() - 60).mean() > 0.3, "ink across the box"
        assert not inked[~in_boxes].any()


def test_render_page_keeps_the_texts_and_draws_them_in_one_style():
    texts = ["A first line, short.", "And a second (longer) one: 42!"]
    page = render_page(texts, np.random.default_rng(0), style="handwritten", max_skew=0)
    assert page.texts == texts and len(page.boxes) == 2
    (_, _, first_right, _), (_, _, second_right, _) = page.boxes
    assert first_right < second_right


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"\(0, 3\)"):
        generate_pages(1, seed=0, line_counts=(0, 3))
    with pytest.raises(ValueError, match="typewritten"):
        generate_pages(1, seed=0, styles=("typewritten",))
    with pytest.raises(ValueError, match="at least one line"):
        render_page([], np.random.default_rng(0))
