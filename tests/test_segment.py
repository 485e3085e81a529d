import cv2
import numpy as np
import pytest

from ocrlib.data.lines import HEIGHT, ink_on_paper
from ocrlib.data.pages import generate_pages
from ocrlib.segment import estimate_skew, segment_lines


@pytest.fixture(scope="module")
def pages():
    """Printed and handwritten pages, turned by up to 4 degrees either way."""
    return generate_pages(6, seed=0, styles=("printed",), max_skew=4) + \
        generate_pages(6, seed=0, styles=("handwritten",), max_skew=4)


def overlap(a, b) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    width, height = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    inter = max(0, width) * max(0, height)
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def assert_finds_the_lines_drawn(lines, page):
    assert len(lines) == len(page.texts), (len(lines), page.texts)
    for found, (line, truth) in enumerate(zip(lines, page.boxes)):
        assert overlap(line.box, truth) >= 0.5, (found, line.box, truth)


def test_finds_every_line_drawn_top_to_bottom_each_box_on_its_true_box(pages):
    for page in pages:
        assert_finds_the_lines_drawn(segment_lines(page.image), page)


def test_estimates_the_skew_to_within_a_quarter_of_a_degree(pages):
    # Closer than that, a line a few hundred pixels long drifts by under 2 pixels, which rows of
    # pixels barely tell apart from none; handwriting's wandering baselines blur it a little more.
    errors = [abs(estimate_skew(page.image) - page.skew) for page in pages]
    assert max(errors) < 0.3 and np.mean(errors) < 0.15, errors


def test_line_crops_are_straight_lines_of_ink_as_high_as_a_line(pages):
    for line in segment_lines(pages[0].image):
        height, width = line.image.shape
        assert HEIGHT / 2 < height < 2 * HEIGHT and width > 2 * height
        assert line.image.min() + 60 < np.median(line.image), "ink in the crop"
        rows = (line.image < np.median(line.image) - 60).mean(axis=1)
        assert rows[0] == rows[-1] == 0, "the margins above and below hold no ink: the line is whole"


@pytest.mark.parametrize("blank", ["white", "paper", "specks"])
def test_a_page_without_text_has_no_lines(blank):
    rng = np.random.default_rng(0)
    page = ink_on_paper(np.zeros((400, 600), np.float32), rng)  # uneven paper and noise
    if blank == "white":
        page = np.full((400, 600), 255, np.uint8)
    if blank == "specks":
        for x, y in rng.integers(0, 400, (60, 2)):
            cv2.circle(page, (int(x), int(y)), 1, 0, -1)
    assert segment_lines(page) == []
    skew = estimate_skew(page)
    assert skew == 0.0 or blank == "specks" and abs(skew) <= 5  # touching specks may pass for a letter


def test_specks_and_noise_on_a_page_are_not_lines(pages):
    rng = np.random.default_rng(1)
    for page in pages[:4] + pages[6:8]:
        image = page.image.copy()
        for x, y in rng.random((40, 2)) * image.shape[::-1]:
            cv2.circle(image, (int(x), int(y)), int(rng.integers(0, 2)), 0, -1)
        image[rng.random(image.shape) < 0.002] = 0
        assert_finds_the_lines_drawn(segment_lines(image), page)


def test_light_text_on_a_dark_page_and_colour_pages_give_the_same_lines(pages):
    page = pages[1]
    boxes = [line.box for line in segment_lines(page.image)]
    assert [line.box for line in segment_lines(255 - page.image)] == boxes
    colour = segment_lines(cv2.cvtColor(page.image, cv2.COLOR_GRAY2BGRA))
    assert [line.box for line in colour] == boxes and colour[0].image.shape[2] == 4


def test_bad_pages_are_named():
    with pytest.raises(ValueError, match="float32"):
        segment_lines(np.zeros((10, 10), np.float32))
    with pytest.raises(ValueError, match=r"\(10, 10, 2\)"):
        segment_lines(np.zeros((10, 10, 2), np.uint8))
