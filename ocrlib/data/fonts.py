"""Fonts for synthetic text: TrueType faces that ship with installed packages (matplotlib's DejaVu,
Computer Modern and STIX, the captcha package's DroidSansMono) and OpenCV's Hershey faces. Nothing is
downloaded.

Each face draws a character once, into an ink mask cached at a reference size: every mask of a face
shares one vertical frame (cap height ``CAP_HEIGHT`` pixels, baselines aligned), so a line of text is
the masks side by side, and any size is one resize away.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import captcha
import cv2
import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocrlib.errors import OcrlibError

CAP_HEIGHT = 40  # pixels from baseline to the top of "H" in the cached masks
ABOVE, BELOW = 0.12, 0.25  # the frame reaches this share of the cap height above it and below the baseline

_MATPLOTLIB_FONTS = Path(matplotlib.get_data_path(), "fonts", "ttf")
TRUETYPE_FACES = {
    **{name: str(_MATPLOTLIB_FONTS / file) for name, file in (
        ("DejaVu Sans", "DejaVuSans.ttf"), ("DejaVu Sans Bold", "DejaVuSans-Bold.ttf"),
        ("DejaVu Sans Mono", "DejaVuSansMono.ttf"), ("DejaVu Sans Mono Bold", "DejaVuSansMono-Bold.ttf"),
        ("DejaVu Serif", "DejaVuSerif.ttf"), ("DejaVu Serif Bold", "DejaVuSerif-Bold.ttf"),
        ("Computer Modern Roman", "cmr10.ttf"), ("Computer Modern Sans", "cmss10.ttf"),
        ("Computer Modern Bold", "cmb10.ttf"), ("Computer Modern Typewriter", "cmtt10.ttf"),
        ("STIX", "STIXGeneral.ttf"), ("STIX Bold", "STIXGeneralBol.ttf"),
    )},
    "Droid Sans Mono": str(Path(captcha.__file__).parent / "data" / "DroidSansMono.ttf"),
}
HERSHEY_FACES = {
    "Hershey Simplex": cv2.FONT_HERSHEY_SIMPLEX,
    "Hershey Duplex": cv2.FONT_HERSHEY_DUPLEX,
    "Hershey Complex": cv2.FONT_HERSHEY_COMPLEX,
    "Hershey Triplex": cv2.FONT_HERSHEY_TRIPLEX,
}
FACES = (*TRUETYPE_FACES, *HERSHEY_FACES)
# Plates are lettered in plain sans-serif faces: those, and one of each serif family for variety.
PLATE_FACES = ("DejaVu Sans", "DejaVu Sans Bold", "DejaVu Sans Mono", "DejaVu Sans Mono Bold",
               "Droid Sans Mono", "Computer Modern Sans", "DejaVu Serif Bold", "Computer Modern Roman",
               "Hershey Simplex", "Hershey Duplex")


class FontError(OcrlibError):
    """A font file cannot be read, a face name is unknown, or a face has no glyph for a character."""


def check_face(face: str, chars: str = "") -> None:
    """Raise ``FontError`` naming ``face`` (a name in ``FACES`` or a TrueType file path) unless it can be
    read and draws every character of ``chars``."""
    for char in chars:
        glyph(face, char)
    if not chars:
        _frame(face)


@lru_cache(maxsize=None)
def _truetype(face: str) -> ImageFont.FreeTypeFont:
    """The face at a size whose "H" is ``CAP_HEIGHT`` pixels tall."""
    path = TRUETYPE_FACES.get(face, face)
    if not Path(path).is_file():
        raise FontError(f"font {face!r}: no such face name ({', '.join(FACES)}) and no such file")
    try:
        probe = ImageFont.truetype(path, 100)
    except OSError as error:
        raise FontError(f"cannot read font file {path}: {error}") from None
    top, bottom = probe.getbbox("H")[1::2]
    return ImageFont.truetype(path, round(100 * CAP_HEIGHT / max(1, bottom - top)))


@lru_cache(maxsize=None)
def _frame(face: str) -> tuple[int, int]:
    """(height of every mask of ``face``, row of the cap top in it)."""
    if face not in HERSHEY_FACES:
        _truetype(face)
    top = round(ABOVE * CAP_HEIGHT)
    return top + CAP_HEIGHT + round(BELOW * CAP_HEIGHT), top


def _draw_truetype(face: str, char: str) -> np.ndarray:
    font = _truetype(face)
    height, top = _frame(face)
    cap_top = font.getbbox("H")[1]
    width = font.getbbox(char)[2] + CAP_HEIGHT
    tile = Image.new("L", (width, height))
    ImageDraw.Draw(tile).text((CAP_HEIGHT // 2, top - cap_top), char, font=font, fill=255)
    return np.asarray(tile)


def _draw_hershey(face: str, char: str) -> np.ndarray:
    font = HERSHEY_FACES[face]
    height, top = _frame(face)
    (_, cap), _ = cv2.getTextSize("H", font, 1.0, 1)
    scale = CAP_HEIGHT / cap
    thickness = max(1, round(0.07 * CAP_HEIGHT))
    (width, _), _ = cv2.getTextSize(char, font, scale, thickness)
    tile = np.zeros((height, width + CAP_HEIGHT), np.uint8)
    cv2.putText(tile, char, (CAP_HEIGHT // 2, top + CAP_HEIGHT), font, scale, 255, thickness, cv2.LINE_AA)
    return tile


@lru_cache(maxsize=None)
def _missing_glyph(face: str) -> bytes:
    """What ``face`` draws for a code point no font has (its .notdef box, or nothing)."""
    return _draw_truetype(face, "\U0010fffd").tobytes()


@lru_cache(maxsize=None)
def glyph(face: str, char: str) -> np.ndarray:
    """One character of ``face`` as an ink mask: uint8 (frame height, ink width), 255 = ink, cropped to
    its ink left and right, cap top and baseline on the same rows for every character of the face."""
    if len(char) != 1 or char.isspace():
        raise FontError(f"glyph: {char!r} is not one visible character")
    if face in HERSHEY_FACES:
        if not 33 <= ord(char) <= 126:
            raise FontError(f"font {face!r} has no glyph for {char!r} (Hershey faces draw ASCII only)")
        tile = _draw_hershey(face, char)
    else:
        tile = _draw_truetype(face, char)
        if tile.tobytes() == _missing_glyph(face):
            raise FontError(f"font {face!r} has no glyph for {char!r}")
    columns = np.flatnonzero(tile.max(axis=0))
    if not len(columns):
        raise FontError(f"font {face!r} draws nothing for {char!r}")
    return tile[:, columns[0] : columns[-1] + 1]


def line_mask(face: str, text: str, spacing: float = 0.1, fixed_pitch: bool = False) -> np.ndarray:
    """``text`` in ``face`` at the reference size: uint8 (frame height, width), 255 = ink.

    spacing: the gap between neighbouring glyphs as a share of the cap height; below 0 they overlap
    (touching glyphs). fixed_pitch: every glyph centred in a cell as wide as the face's widest digit
    or capital, as plate fonts are drawn.
    """
    glyphs = [glyph(face, char) for char in text]
    cell = _widest(face) if fixed_pitch else 0
    widths = [max(cell, g.shape[1]) for g in glyphs]
    step = round(spacing * CAP_HEIGHT)
    lefts, x = [], 0
    for g, width in zip(glyphs, widths):
        lefts.append(x + (width - g.shape[1]) // 2)
        x += width + step
    shift = min(lefts)
    line = np.zeros((glyphs[0].shape[0], max(left + g.shape[1] for left, g in zip(lefts, glyphs)) - shift), np.uint8)
    for left, g in zip(lefts, glyphs):
        part = line[:, left - shift : left - shift + g.shape[1]]
        np.maximum(part, g, out=part)
    return line


@lru_cache(maxsize=None)
def _widest(face: str) -> int:
    return max(glyph(face, char).shape[1] for char in "0123456789")
