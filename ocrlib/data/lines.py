"""Seeded synthetic text lines, printed or handwriting-like, for a CRNN that reads whole lines.

Texts come from ``ocrlib.data.vocabulary``: 1 to 60 characters of ``LINE_ALPHABET``, words as frequent
as in Python's documentation, numbers, punctuation, capitals. Two styles of drawing them:

- ``printed``: one of ``PRINTED_FACES`` (DejaVu Sans, Serif and Mono, Computer Modern, STIX; upright,
  bold and italic: TrueType files that ship with matplotlib, drawn by Pillow), per line a stroke
  weight, letter and word spacing and a width stretch.
- ``handwritten``: a pen of random width along the centre lines of ``HANDWRITING_FACES`` (sans-serif
  faces, whose centre lines have no spurs where serifs were; OpenCV 5 no longer has the Hershey
  script faces), every character with its own size, tilt and height on a wandering baseline, uneven
  gaps, the line slanted, then elastically distorted: neat handwriting in print letters.

Both are then inked on paper (``ink_on_paper``): tones of ink and paper, uneven paper, uneven ink
along the line, a light blur some of the time, pixel noise.

Lines are ``HEIGHT`` = 32 pixels high and as wide as their text. A CRNN reads a line in T = W / 4
time steps; at 32 pixels an average character is about 12 pixels (3 steps) wide, above the 2 steps
per character of the safe rule T >= 2L + 1, so lines need no widening, and 64 pixels would only double
the work. Each width is a multiple of 4 and at least 4 (2L + 1): a line whose text is narrower (``iiii``)
has its text stretched to that, so T >= 2L + 1 >= L + repeats, what CTC needs, holds for every line.

Speed, measured: 40-character lines take one core about 1.8 ms printed, 5 ms handwritten, 3 ms
mixed (``generate_lines(1000, seed=0, lengths=(40, 40))``: 550, 200 and 300 lines per second of CPU
time, on the 2-core development machine).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ocrlib.data.augment import elastic
from ocrlib.data.fonts import CAP_HEIGHT, TEXT_FRAME, centre_line, check_face, compose, embolden, line_mask
from ocrlib.data.vocabulary import LINE_ALPHABET, LINE_LENGTHS, check_lengths, random_line_text

__all__ = ["HANDWRITING_FACES", "HEIGHT", "LINE_ALPHABET", "LINE_LENGTHS", "PRINTED_FACES", "STYLES", "STYLE_FACES",
           "LineStyle", "check_styles", "generate_lines", "ink_on_paper", "line_ink", "random_style", "render_line"]

HEIGHT = 32
STYLES = ("printed", "handwritten")
PRINTED_FACES = ("DejaVu Sans", "DejaVu Sans Bold", "DejaVu Sans Oblique", "DejaVu Sans Mono", "DejaVu Serif",
                 "DejaVu Serif Bold", "DejaVu Serif Italic", "Computer Modern Roman", "Computer Modern Sans",
                 "Computer Modern Bold", "Computer Modern Italic", "Computer Modern Typewriter", "STIX",
                 "STIX Bold", "STIX Italic")
HANDWRITING_FACES = ("DejaVu Sans", "DejaVu Sans Oblique", "Computer Modern Sans")
STYLE_FACES = {"printed": PRINTED_FACES, "handwritten": HANDWRITING_FACES}
_BASELINE = round((TEXT_FRAME[0] + 1) * CAP_HEIGHT)  # the baseline's row in a text-frame mask


@dataclass(frozen=True)
class LineStyle:
    """How a line is drawn; lengths are shares of the cap height.

    kind: one of ``STYLES``. face: a face name of ``ocrlib.data.fonts.FACES`` or a TrueType file.
    spacing: the gap between glyphs (handwritten: its mean). word_spacing: what a space adds to it.
    weight: pixels added to (> 0) or taken from (< 0) each stroke at the reference size; handwritten:
    the pen's width less one. slant: degrees the tops lean right (handwritten only). stretch: width
    factor. size: the share of the line height the text frame takes.
    """

    kind: str
    face: str
    spacing: float
    word_spacing: float
    weight: int
    slant: float
    stretch: float
    size: float


def random_style(rng: np.random.Generator, kind: str = "printed", face: str | None = None) -> LineStyle:
    """A style of ``kind``: ``face`` (default: one of the kind's faces), the rest drawn from ``rng``."""
    _check_style(kind)
    faces = STYLE_FACES[kind]
    face = face or faces[rng.integers(len(faces))]
    stretch, size, word_spacing = rng.uniform([0.85, 0.8, 0.3], [1.15, 1.0, 0.65])
    if kind == "handwritten":
        return LineStyle(kind, face, rng.uniform(0, 0.1), word_spacing, int(rng.integers(1, 5)), rng.uniform(-10, 15),
                         stretch, size)
    return LineStyle(kind, face, rng.uniform(0.04, 0.16), word_spacing, int(rng.integers(-1, 3)), 0.0, stretch, size)


def _printed(text: str, style: LineStyle) -> np.ndarray:
    """``text`` set in the style's face at the reference size: uint8 (frame height, width), 255 = ink."""
    mask = line_mask(style.face, text, style.spacing, frame=TEXT_FRAME, word_spacing=style.word_spacing)
    return embolden(mask, style.weight)


def _handwritten(text: str, style: LineStyle, rng: np.random.Generator) -> np.ndarray:
    """``text`` written with a pen along the centre lines of the style's face, at the reference size:
    uint8 (frame height, width), 255 = ink. Each character gets its own size (x0.88 to x1.12), tilt
    (up to 6 degrees), gap (the style's +/- 0.05) and height on a baseline that wanders."""
    pad = CAP_HEIGHT // 4  # room around a glyph for its tilt
    chars = text.replace(" ", "")
    scales, tilts = rng.uniform(0.88, 1.12, len(chars)), rng.uniform(-6, 6, len(chars))
    baseline = np.clip(np.cumsum(rng.normal(0, 0.03 * CAP_HEIGHT, len(chars))), -0.1 * CAP_HEIGHT, 0.1 * CAP_HEIGHT)
    gaps = iter((style.spacing + rng.uniform(-0.05, 0.05, len(text))) * CAP_HEIGHT)
    tiles, lefts, x = [], [], 0.0
    for char in text:
        if char == " ":
            x += next(gaps) + style.word_spacing * CAP_HEIGHT
            continue
        line, i = centre_line(style.face, char), len(tiles)
        turn = cv2.getRotationMatrix2D((line.shape[1] / 2, _BASELINE), tilts[i], scales[i])
        turn[:, 2] += (pad, baseline[i])
        tiles.append(cv2.warpAffine(line, turn, (line.shape[1] + 2 * pad, line.shape[0]), flags=cv2.INTER_LINEAR))
        lefts.append(round(x) - pad)
        x += line.shape[1] * scales[i] + next(gaps)
    mask = compose(tiles, lefts)
    slant, (height, width) = np.tan(np.radians(style.slant)), mask.shape
    shear = np.float32([[1, -slant, max(0.0, slant) * height], [0, 1, 0]])  # tops right (slant > 0) or left
    mask = cv2.warpAffine(mask, shear, (width + round(abs(slant) * height), height), flags=cv2.INTER_LINEAR)
    return embolden(np.where(mask > 0, np.uint8(255), np.uint8(0)), style.weight)


def line_ink(text: str, style: LineStyle, rng: np.random.Generator, height: int = HEIGHT) -> np.ndarray:
    """Where the ink of ``text`` in ``style`` lies: float32 (height, W) coverage in [0, 1], W a
    multiple of 4 and at least 4 (2 len(text) + 1), the text stretched to that if it is narrower. The
    text frame (room for capitals, ascenders and descenders) takes ``style.size`` of the height, at a
    random height; margins of 0.1 to 1 cap height left and right. A handwritten line is elastically
    distorted (``ocrlib.data.augment.elastic``)."""
    if not text.strip():
        raise ValueError(f"line text {text!r} has nothing to draw")
    handwritten = style.kind == "handwritten"
    mask = _handwritten(text, style, rng) if handwritten else _printed(text, style)
    scale = height * style.size / mask.shape[0]
    text_height, text_width = round(mask.shape[0] * scale), max(1, round(mask.shape[1] * scale * style.stretch))
    left, right = (round(margin) for margin in rng.uniform(0.1, 1.0, 2) * CAP_HEIGHT * scale)
    text_width += max(0, 4 * (2 * len(text) + 1) - (left + text_width + right))
    width = -(-(left + text_width + right) // 4) * 4
    top = int(rng.integers(0, height - text_height + 1))
    coverage = np.zeros((height, width), np.float32)
    coverage[top : top + text_height, left : left + text_width] = cv2.resize(
        mask, (text_width, text_height), interpolation=cv2.INTER_AREA) / np.float32(255)
    if handwritten:
        coverage = elastic(alpha=rng.uniform(0.5, 1.5), sigma=height / 8)(coverage, rng)
    return coverage


def ink_on_paper(coverage: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink where ``coverage`` (H, W) float in [0, 1] says, on paper: uint8 (H, W) gray. Paper of 170 to
    255 that darkens or lightens by up to 15 levels across the image; ink of 0 to 100, at least 90
    levels darker than the paper, its tone varying by up to 40 along the width; one time in three a
    blur of 0.3 to 0.8 pixels; pixel noise of standard deviation 0 to 8 levels (uniformly distributed,
    as ``ocrlib.data.plates.add_photometric_noise`` draws it)."""
    height, width = coverage.shape
    paper = rng.uniform(170, 255)
    ink = min(rng.uniform(0, 100), paper - 90)
    across = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    down = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    paper_tone = paper + rng.uniform(-15, 15) * across + rng.uniform(-15, 15) * down
    ink_tone = ink + rng.uniform(0, 40) * cv2.resize(rng.random((1, 8), np.float32), (width, 1),
                                                     interpolation=cv2.INTER_CUBIC)
    image = paper_tone + (ink_tone - paper_tone) * coverage
    if rng.random() < 1 / 3:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 0.8))
    image += (rng.random(image.shape, np.float32) - np.float32(0.5)) * np.float32(rng.uniform(0, 8) * 12**0.5)
    return np.clip(image, 0, 255).astype(np.uint8)


def render_line(text: str, rng: np.random.Generator, height: int = HEIGHT, style: str = "printed",
                face: str | None = None) -> np.ndarray:
    """``text`` drawn as one line in a random style of kind ``style`` (and ``face``, default one of the
    kind's faces): uint8 (height, W) gray, W as ``line_ink`` says."""
    return ink_on_paper(line_ink(text, random_style(rng, style, face), rng, height), rng)


def generate_lines(n: int, seed: int, height: int = HEIGHT, lengths: tuple[int, int] = LINE_LENGTHS,
                   styles: Sequence[str] = STYLES, faces: Sequence[str] | None = None
                   ) -> tuple[list[np.ndarray], list[str]]:
    """``n`` lines, the same for the same seed: uint8 gray images (height, W_i), each as wide as its
    text (W_i a multiple of 4, W_i / 4 >= 2 L_i + 1), and their texts.

    lengths: (shortest, longest) text in characters, inclusive. styles: those of ``STYLES`` to draw
    from, each line's uniformly. faces: face names or TrueType files for every style (default: each
    style's own, ``PRINTED_FACES`` and ``HANDWRITING_FACES``).
    """
    check_lengths(lengths)
    check_styles(height, styles, faces)
    # Texts and pictures from two generators: choosing other styles or faces changes the pictures only.
    text_rng, rng = np.random.default_rng(seed).spawn(2)
    texts = [random_line_text(text_rng, lengths) for _ in range(n)]
    images = []
    for text in texts:
        style = styles[rng.integers(len(styles))]
        face = faces[rng.integers(len(faces))] if faces else None
        images.append(render_line(text, rng, height, style, face))
    return images, texts


def check_styles(height: int, styles: Sequence[str], faces: Sequence[str] | None) -> None:
    """A ValueError naming a bad line height, style or empty list, a ``FontError`` naming a face that
    cannot be read or lacks a character of ``LINE_ALPHABET`` (default faces: the styles' own)."""
    if height < 8:
        raise ValueError(f"height {height} is too small to draw a line of text: give 8 pixels or more")
    if not styles:
        raise ValueError(f"styles is empty: choose from {STYLES}")
    for style in styles:
        _check_style(style)
    if faces is not None and not faces:
        raise ValueError("faces is empty: give face names or TrueType files")
    for face in faces or sorted({face for style in styles for face in STYLE_FACES[style]}):
        check_face(face, LINE_ALPHABET.replace(" ", ""))


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"unknown line style {style!r}: choose from {STYLES}")
