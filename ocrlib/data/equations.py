"""Seeded synthetic arithmetic equations such as ``(3-8)*2=-10``, drawn like a noisy scan or captcha.

The text follows the 2017 equation-recognition competition: three single digits, two operators from
``+ - *``, at most one pair of parentheses (templates ``abc``, ``(ab)c``, ``a(bc)`` in operator terms),
then ``=`` and the result, which may be negative or have up to three digits. Each image gets a font
(the DejaVu and STIX fonts matplotlib ships, the DroidSansMono font captcha ships: nothing is
downloaded), each character its own size, vertical jitter and slight rotation; minus signs are thin
bars; the line is drawn on a coloured paper with half-tone noise curves, shrunk to fit, then sprinkled
with dots and pixel noise. Dots keep off the characters: one that touches a 6 can close it into an 8,
and then the label would be wrong for a person too.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import captcha
import cv2
import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocrlib.arithmetic import evaluate

ALPHABET = "0123456789+-*()="
OPERATORS = "+-*"
TEMPLATES = ("abc", "(ab)c", "a(bc)")
_MATPLOTLIB_FONTS = Path(matplotlib.get_data_path(), "fonts", "ttf")
FONTS = tuple(str(_MATPLOTLIB_FONTS / name) for name in (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf",
    "STIXGeneral.ttf", "STIXGeneralBol.ttf",
)) + (str(Path(captcha.__file__).parent / "data" / "DroidSansMono.ttf"),)


def random_expression(rng: np.random.Generator) -> str:
    """Three digits and two operators in one of ``TEMPLATES``, e.g. ``"7*(2-9)"``."""
    a, b, c = (str(d) for d in rng.integers(0, 10, 3))
    p, q = (OPERATORS[i] for i in rng.integers(0, len(OPERATORS), 2))
    template = TEMPLATES[rng.integers(0, len(TEMPLATES))]
    return {"abc": f"{a}{p}{b}{q}{c}", "(ab)c": f"({a}{p}{b}){q}{c}", "a(bc)": f"{a}{p}({b}{q}{c})"}[template]


def random_equation(rng: np.random.Generator, with_result: bool = True, wrong_share: float = 0.0) -> str:
    """An expression, then (``with_result``) ``=`` and its value; with probability ``wrong_share`` the
    value is off by 1 to 10 either way, for a checking exercise."""
    expression = random_expression(rng)
    if not with_result:
        return expression
    result = evaluate(expression)
    if rng.random() < wrong_share:
        result += int(rng.integers(1, 11)) * (1 if rng.random() < 0.5 else -1)
    return f"{expression}={result}"


@lru_cache(maxsize=None)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _character(char: str, font_path: str, size: int, bold: int, ink: tuple[int, ...],
               rng: np.random.Generator) -> Image.Image:
    """One character on a transparent RGBA tile, its strokes ``bold`` pixels thicker, rotated by up to
    5 degrees. A minus is a thin bar."""
    font = _font(font_path, size)
    ascent, descent = font.getmetrics()
    top, bottom = font.getbbox("0")[1::2]
    width = font.getbbox(char)[2] + 2 * bold if char != "-" else round(size * rng.uniform(0.35, 0.55))
    # Every tile of a font is as tall as its ascent + descent, so baselines line up and nothing is clipped.
    tile = Image.new("RGBA", (width + 4, ascent + descent + 4 + 2 * bold), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    if char == "-":
        y, thickness = (top + bottom) // 2 + 2 + bold, max(1, round(size * rng.uniform(0.05, 0.09)))
        draw.rectangle((2, y, width + 1, y + thickness - 1), fill=ink)
    else:
        draw.text((2 + bold, 2 + bold), char, font=font, fill=ink, stroke_width=bold, stroke_fill=ink)
    return tile.rotate(rng.uniform(-5, 5), resample=Image.BILINEAR, expand=True)


def _colours(rng: np.random.Generator) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(background, ink) RGB, at least 110 gray levels apart; one time in five the ink is the lighter."""
    while True:
        background, ink = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        gap = (background - ink) @ np.array([0.299, 0.587, 0.114])
        if rng.random() < 0.2:
            gap = -gap
        if gap >= 110:
            return tuple(int(v) for v in background), tuple(int(v) for v in ink)


def render_equation(text: str, rng: np.random.Generator, size: tuple[int, int] = (64, 128),
                    fonts: Sequence[str] = FONTS) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``text`` (any characters the fonts have) as a uint8 BGR image (H, W, 3): noise curves on
    the paper, the text over them, dots around the text and pixel noise over everything. Also returns
    each character's glyph box: (len(text), 2) float, the (left, right) columns its ink spans."""
    height, width = size
    background, ink = _colours(rng)
    line, boxes = _line_of_text(text, rng, fonts, ink)
    # Fit the line into the image with a 2-pixel margin, up to 1.5 times taller than wide as condensed
    # type is (long equations would be tiny otherwise); place it anywhere that fits.
    squeeze = rng.uniform(1.0, 1.5)
    scale = min(rng.uniform(0.8, 0.96) * width / line.width, rng.uniform(0.55, 0.9) * height / (line.height * squeeze))
    natural_width = line.width
    line = line.resize((max(1, round(line.width * scale)), max(1, round(line.height * scale * squeeze))),
                       Image.LANCZOS)
    paper = np.full((height, width, 3), background, np.uint8)
    _draw_curves(paper, ink, rng)
    canvas = Image.fromarray(paper).convert("RGBA")
    left, top = int(rng.integers(2, width - line.width - 1)), int(rng.integers(2, height - line.height - 1))
    canvas.alpha_composite(line, (left, top))
    image = np.ascontiguousarray(np.asarray(canvas.convert("RGB"))[:, :, ::-1])
    text_mask = np.zeros((height, width), np.uint8)
    text_mask[top:top + line.height, left:left + line.width] = np.asarray(line)[:, :, 3] > 0
    _add_dots(image, ink[::-1], cv2.dilate(text_mask, np.ones((7, 7), np.uint8)).astype(bool), rng)
    sigma = rng.uniform(0, 10)
    image = np.clip(image + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)
    return image, left + boxes * (line.width / natural_width)


def _line_of_text(text: str, rng: np.random.Generator, fonts: Sequence[str], ink: tuple[int, ...]
                  ) -> tuple[Image.Image, np.ndarray]:
    """The characters side by side on a transparent RGBA line, cropped to the ink: one font (bold one
    time in three), sizes within +/- 3 points, gaps of -3 to 2 pixels, baselines jittered by up to 3
    pixels. Also returns the (left, right) columns of each character's ink on the line, (len(text), 2)."""
    font_path = fonts[rng.integers(0, len(fonts))]
    base, bold = int(rng.integers(28, 44)), int(rng.random() < 0.3)
    tiles = [_character(c, font_path, max(12, base + int(rng.integers(-3, 4))), bold, ink, rng) for c in text]
    gaps = rng.integers(-3, 3, len(tiles))
    jitter = rng.integers(-3, 4, len(tiles))
    line = Image.new("RGBA", (sum(t.width for t in tiles) + int(gaps.sum()) + 8, max(t.height for t in tiles) + 12),
                     (0, 0, 0, 0))
    x, boxes = 4, []
    for tile, gap, dy in zip(tiles, gaps, jitter):
        line.alpha_composite(tile, (x, 6 + int(dy) + (line.height - 12 - tile.height) // 2))
        ink_left, _, ink_right, _ = tile.getbbox()
        boxes.append((x + ink_left, x + ink_right))
        x += tile.width + int(gap)
    crop = line.getbbox() or (0, 0, 1, 1)
    return line.crop(crop), np.array(boxes, dtype=float) - crop[0]


def _draw_curves(paper: np.ndarray, ink: tuple[int, ...], rng: np.random.Generator) -> None:
    """Zero to two one-pixel sine waves across ``paper`` (H, W, 3) RGB, each in a half tone between paper
    and ink: where a curve crosses a stroke, the stroke stays darker (or lighter) than it. Modifies it."""
    height, width = paper.shape[:2]
    background = paper[0, 0].astype(float)
    for _ in range(int(rng.integers(0, 3))):
        tone = tuple(int(v) for v in background + (np.array(ink) - background) * rng.uniform(0.35, 0.65))
        x = np.linspace(0, width, 33)
        y = rng.uniform(0.2, 0.8) * height + rng.uniform(0, 0.2) * height * np.sin(
            rng.uniform(0.5, 2) * 2 * np.pi * x / width + rng.uniform(0, 2 * np.pi))
        cv2.polylines(paper, [np.stack([x, y], axis=1).astype(np.int32)], False, tone, 1, cv2.LINE_AA)


def _add_dots(image: np.ndarray, ink: tuple[int, ...], keep_off: np.ndarray, rng: np.random.Generator) -> None:
    """Up to 10 to 60 dots of radius 0 or 1 (a third in the ink colour) on ``image`` (H, W, 3); those
    centred where the bool mask ``keep_off`` (H, W) is set are left out. Modifies ``image``."""
    height, width = image.shape[:2]
    for _ in range(int(rng.integers(10, 60))):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        colour = ink if rng.random() < 0.3 else tuple(int(v) for v in rng.integers(0, 256, 3))
        radius = int(rng.integers(0, 2))
        if not keep_off[y, x]:
            cv2.circle(image, (x, y), radius, colour, -1)


def generate_equations(n: int, seed: int, size: tuple[int, int] = (64, 128), with_result: bool = True,
                       wrong_share: float = 0.0, fonts: Sequence[str] = FONTS, glyph_boxes: bool = False):
    """``n`` equations, the same for the same seed. Returns uint8 BGR images (n, H, W, 3) and their texts,
    and with ``glyph_boxes`` a third list: per image, (len(text), 2) float, the (left, right) columns
    of each character's ink (as ``ocrlib.explain.peak_positions`` takes them; the same images either way).

    with_result: False gives the expression alone (the competition's format; the result is computed).
    wrong_share: the share of equations whose written result is off by 1 to 10 (labels stay the truth of
    what is drawn).
    """
    if not 0 <= wrong_share <= 1:
        raise ValueError(f"wrong_share must be between 0 and 1, got {wrong_share}")
    if wrong_share and not with_result:
        raise ValueError("wrong_share needs with_result=True: an expression alone has no result to get wrong")
    if not fonts:
        raise ValueError("fonts is empty: give at least one TrueType file")
    for path in fonts:
        if not Path(path).is_file():
            raise FileNotFoundError(f"font file {path} does not exist")
    rng = np.random.default_rng(seed)
    texts = [random_equation(rng, with_result, wrong_share) for _ in range(n)]
    images, boxes = np.empty((n, *size, 3), np.uint8), []
    for i, text in enumerate(texts):
        images[i], glyphs = render_equation(text, rng, size, fonts)
        boxes.append(glyphs)
    return (images, texts, boxes) if glyph_boxes else (images, texts)
