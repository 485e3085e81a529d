"""Seeded synthetic pages: lines of text (``ocrlib.data.lines``) composed into one image, to test line
segmentation (``ocrlib.segment``) and reading a page line by line.

A page is a paragraph wrapped at 30 to 60 characters into 3 to 12 lines, all in one style and face
at one line height, left-aligned (the first line indented one time in two), 1.2 to 1.8 line heights
apart, with margins of 0.5 to 2 line heights; the whole page is then turned by up to 2 degrees either
way and inked on paper (``ocrlib.data.lines.ink_on_paper``). Its labels are its lines, top to bottom,
and its boxes where each line's ink lies in the image.
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ocrlib.data.lines import HEIGHT, STYLES, check_styles, ink_on_paper, line_ink, random_style
from ocrlib.data.vocabulary import check_lengths, random_text

LINE_COUNTS = (3, 12)  # the default (fewest, most) lines of a page
LINE_LENGTHS = (30, 60)  # the default (shortest, longest) width, in characters, a page's paragraph is wrapped at
MAX_SKEW = 2.0  # degrees


@dataclass(frozen=True)
class Page:
    """image: uint8 (H, W) gray. texts: the lines, top to bottom. boxes: (x0, y0, x1, y1) of each line
    in ``image`` (x1, y1 exclusive): the bounding box of its ink (where the ink covers at least half a
    pixel), turned with the page. skew: the degrees the page is turned, counter-clockwise positive as
    in ``cv2.getRotationMatrix2D``."""

    image: np.ndarray
    texts: list[str]
    boxes: list[tuple[int, int, int, int]]
    skew: float


def render_page(texts: Sequence[str], rng: np.random.Generator, line_height: int = HEIGHT, style: str = "printed",
                face: str | None = None, max_skew: float = MAX_SKEW) -> Page:
    """``texts`` as the lines of one page (the module docstring says how it is laid out), all in one
    random style of kind ``style`` (``ocrlib.data.lines.random_style``) in ``face`` (default: one of
    the kind's faces), turned by up to ``max_skew`` degrees either way."""
    check_styles(line_height, (style,), None if face is None else (face,))
    if not texts:
        raise ValueError("a page needs at least one line of text")
    line_style = random_style(rng, style, face)
    inks = [_trimmed(line_ink(text, line_style, rng, line_height)) for text in texts]
    pitch = round(line_height * rng.uniform(1.2, 1.8))
    margin_x, margin_y = (round(m) for m in rng.uniform(0.5, 2.0, 2) * line_height)
    indents = [round(rng.uniform(1, 3) * line_height) if rng.random() < 0.5 else 0] + [0] * (len(inks) - 1)
    width = 2 * margin_x + max(indent + ink.shape[1] for indent, ink in zip(indents, inks))
    height = 2 * margin_y + (len(inks) - 1) * pitch + line_height
    coverage = np.zeros((height, width), np.float32)
    corners = []
    for i, (indent, ink) in enumerate(zip(indents, inks)):
        left, top = margin_x + indent, margin_y + i * pitch
        coverage[top : top + line_height, left : left + ink.shape[1]] = ink
        rows, columns = np.flatnonzero(ink.max(axis=1) >= 0.5), np.flatnonzero(ink.max(axis=0) >= 0.5)
        x0, y0, x1, y1 = left + columns[0], top + rows[0], left + columns[-1] + 1, top + rows[-1] + 1
        corners.append([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    skew = float(rng.uniform(-max_skew, max_skew))
    coverage, turn = _turned(coverage, skew)
    turned = cv2.transform(np.float32(corners), turn)
    boxes = [(int(np.floor(c[:, 0].min())), int(np.floor(c[:, 1].min())), int(np.ceil(c[:, 0].max())),
              int(np.ceil(c[:, 1].max()))) for c in turned]
    return Page(ink_on_paper(coverage, rng), list(texts), boxes, skew)


def _trimmed(ink: np.ndarray) -> np.ndarray:
    """A line's coverage (H, W) without the empty columns left and right of its ink."""
    columns = np.flatnonzero(ink.max(axis=0) > 0)
    return ink[:, columns[0] : columns[-1] + 1]


def _turned(coverage: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """``coverage`` (H, W) turned by ``degrees`` about its centre, on a canvas grown to hold all of it,
    and the 2 x 3 affine matrix that maps its points there."""
    height, width = coverage.shape
    cos, sin = abs(np.cos(np.radians(degrees))), abs(np.sin(np.radians(degrees)))
    new_width, new_height = int(np.ceil(width * cos + height * sin)), int(np.ceil(width * sin + height * cos))
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    turn[:, 2] += ((new_width - width) / 2, (new_height - height) / 2)
    return cv2.warpAffine(coverage, turn, (new_width, new_height), flags=cv2.INTER_LINEAR), turn


def generate_pages(n: int, seed: int, line_counts: tuple[int, int] = LINE_COUNTS,
                   line_lengths: tuple[int, int] = LINE_LENGTHS, line_height: int = HEIGHT,
                   styles: Sequence[str] = STYLES, max_skew: float = MAX_SKEW) -> list[Page]:
    """``n`` pages, the same for the same seed. line_counts: (fewest, most) lines of a page, inclusive.
    line_lengths: (shortest, longest) width in characters its paragraph is wrapped at, drawn per page.
    styles: those of ``ocrlib.data.lines.STYLES`` to draw from, each page's uniformly."""
    fewest, most = line_counts
    if not 1 <= fewest <= most:
        raise ValueError(f"line_counts {line_counts}: need 1 <= fewest <= most")
    shortest, longest = check_lengths(line_lengths)
    check_styles(line_height, styles, None)
    text_rng, rng = np.random.default_rng(seed).spawn(2)
    pages = []
    for _ in range(n):
        count, wrap = int(text_rng.integers(fewest, most + 1)), int(text_rng.integers(shortest, longest + 1))
        texts = textwrap.wrap(random_text(text_rng, count * wrap), wrap)[:count]
        pages.append(render_page(texts, rng, line_height, styles[rng.integers(len(styles))], max_skew=max_skew))
    return pages
