"""Fonts for synthetic text: TrueType faces that ship with installed packages (matplotlib's DejaVu,
Computer Modern and STIX, the captcha package's DroidSansMono), OpenCV's Hershey faces, and stroke
faces drawn from them the way plates are lettered (``STROKE_FACES``). Nothing is downloaded.

Each face draws a character once, into an ink mask cached at a reference size: every mask of a face
shares one vertical frame (cap height ``CAP_HEIGHT`` pixels, baselines aligned), so a line of text is
the masks side by side, and any size is one resize away. The plate frame holds capitals and digits;
the text frame, every printable ASCII character (descenders, parentheses, italic overhangs).

OpenCV 5 has no Hershey stroke fonts any more, script faces included: it draws every
``FONT_HERSHEY_*`` constant in one built-in sans face (simplex lighter, the others alike). A pen that
follows a glyph's centre line (``centre_line``) stands in for handwriting.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import captcha
import cv2
import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocrlib.errors import OcrlibError

CAP_HEIGHT = 40  # pixels from baseline to the top of "H" in the cached masks
# How far a frame reaches above the cap top and below the baseline, as shares of the cap height.
PLATE_FRAME = (0.12, 0.25)
TEXT_FRAME = (0.25, 0.5)

_MATPLOTLIB_FONTS = Path(matplotlib.get_data_path(), "fonts", "ttf")
TRUETYPE_FACES = {
    **{name: str(_MATPLOTLIB_FONTS / file) for name, file in (
        ("DejaVu Sans", "DejaVuSans.ttf"), ("DejaVu Sans Bold", "DejaVuSans-Bold.ttf"),
        ("DejaVu Sans Mono", "DejaVuSansMono.ttf"), ("DejaVu Sans Mono Bold", "DejaVuSansMono-Bold.ttf"),
        ("DejaVu Sans Oblique", "DejaVuSans-Oblique.ttf"),
        ("DejaVu Serif", "DejaVuSerif.ttf"), ("DejaVu Serif Bold", "DejaVuSerif-Bold.ttf"),
        ("DejaVu Serif Italic", "DejaVuSerif-Italic.ttf"),
        ("Computer Modern Roman", "cmr10.ttf"), ("Computer Modern Sans", "cmss10.ttf"),
        ("Computer Modern Bold", "cmb10.ttf"), ("Computer Modern Italic", "cmti10.ttf"),
        ("Computer Modern Typewriter", "cmtt10.ttf"),
        ("STIX", "STIXGeneral.ttf"), ("STIX Bold", "STIXGeneralBol.ttf"), ("STIX Italic", "STIXGeneralItalic.ttf"),
    )},
    "Droid Sans Mono": str(Path(captcha.__file__).parent / "data" / "DroidSansMono.ttf"),
}
HERSHEY_FACES = {
    "Hershey Simplex": cv2.FONT_HERSHEY_SIMPLEX,
    "Hershey Duplex": cv2.FONT_HERSHEY_DUPLEX,
    "Hershey Complex": cv2.FONT_HERSHEY_COMPLEX,
    "Hershey Triplex": cv2.FONT_HERSHEY_TRIPLEX,
}


class StrokeFace(NamedTuple):
    """Plate lettering (DIN 1451, FE-Schrift and their kin) is a pen of one width along condensed strokes:
    ``base``'s centre lines, condensed to ``width`` of their own proportions (M and W, ``WIDE``, less),
    pushed out towards the glyph's box by ``squareness`` (0: as drawn; towards 1, round letters grow
    straight sides and flat tops, O a rounded rectangle as on older Argentine plates; characters with
    slanted strokes, ``DIAGONAL``, stay), then stroked by a round pen ``pen`` cap heights wide.
    ``plate_shapes``: the characters of ``PLATE_SHAPES`` it draws in the shapes plates give them."""
    base: str
    width: float
    pen: float
    squareness: float = 0.0
    plate_shapes: str = ""


STROKE_FACES = {
    "Plate Sans": StrokeFace("DejaVu Sans", 0.62, 0.17),
    "Plate Sans Narrow": StrokeFace("DejaVu Sans", 0.5, 0.15),
    "Plate Mono": StrokeFace("Droid Sans Mono", 0.72, 0.17),
    "Plate DIN": StrokeFace("DejaVu Sans", 0.58, 0.16, 0.6, plate_shapes="IJMW"),
    "Plate DIN Narrow": StrokeFace("DejaVu Sans", 0.46, 0.12, 0.6, plate_shapes="JMW"),
}
# Characters that plate lettering draws unlike any base face: DIN 1451's J hooks up to nearly half its
# height (a base face's J, hooked low, is read as U), plates letter M and W as wide as H, on upright
# sides (condensed from a base face, they are a third and two thirds wider, and a real W is read as
# H), and older Argentine plates give I bars at its top and foot (a real barred I was read as T).
# Each: its width before condensing as a share of the cap height, and its centre line, x from 0
# (left) to 1 (right), y from 0 (cap top) to 1 (baseline).
PLATE_SHAPES = {
    "I": (0.4, ((0, 0), (1, 0), (0.5, 0), (0.5, 1), (0, 1), (1, 1))),
    "J": (0.6, ((1, 0), (1, 0.75), (0.85, 0.95), (0.65, 1), (0.35, 1), (0.15, 0.95), (0, 0.75), (0, 0.55))),
    "M": (0.8, ((0, 1), (0, 0), (0.5, 0.6), (1, 0), (1, 1))),
    "W": (0.82, ((0, 0), (0, 1), (0.5, 0.42), (1, 1), (1, 0))),
}
DIAGONAL = set("AKMNRVWXYZ1247")  # pushed out, their slanted strokes would bend
WIDE = set("MW")  # condensed less (to the square root of the face's width), as condensed faces draw them
INNER = 0.35  # squaring moves only what lies further from the glyph's centre, as a share of its half-size
FACES = (*TRUETYPE_FACES, *HERSHEY_FACES, *STROKE_FACES)
# Plates are lettered in plain sans-serif faces: those, and one of each serif family for variety.
PLATE_FACES = ("DejaVu Sans", "DejaVu Sans Bold", "DejaVu Sans Mono", "DejaVu Sans Mono Bold",
               "Droid Sans Mono", "Computer Modern Sans", "DejaVu Serif Bold", "Computer Modern Roman",
               "Hershey Simplex", "Hershey Duplex", *STROKE_FACES)


class FontError(OcrlibError):
    """A font file cannot be read, a face name is unknown, or a face has no glyph for a character."""


def check_face(face: str, chars: str = "") -> None:
    """Raise ``FontError`` naming ``face`` (a name in ``FACES`` or a TrueType file path) unless it can be
    read and draws every character of ``chars``."""
    for char in chars:
        glyph(face, char)
    if not chars:
        _frame(face, PLATE_FRAME)


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
def _frame(face: str, frame: tuple[float, float]) -> tuple[int, int]:
    """(height of every mask of ``face`` in ``frame``, row of the cap top in it)."""
    if face not in HERSHEY_FACES and face not in STROKE_FACES:
        _truetype(face)
    above, below = frame
    top = round(above * CAP_HEIGHT)
    return top + CAP_HEIGHT + round(below * CAP_HEIGHT), top


def _draw_truetype(face: str, char: str, frame: tuple[float, float]) -> np.ndarray:
    font = _truetype(face)
    height, top = _frame(face, frame)
    cap_top = font.getbbox("H")[1]
    width = font.getbbox(char)[2] + CAP_HEIGHT
    tile = Image.new("L", (width, height))
    ImageDraw.Draw(tile).text((CAP_HEIGHT // 2, top - cap_top), char, font=font, fill=255)
    return np.asarray(tile)


def _draw_hershey(face: str, char: str, frame: tuple[float, float]) -> np.ndarray:
    font = HERSHEY_FACES[face]
    height, top = _frame(face, frame)
    (_, cap), _ = cv2.getTextSize("H", font, 1.0, 1)
    scale = CAP_HEIGHT / cap
    thickness = max(1, round(0.07 * CAP_HEIGHT))
    (width, _), _ = cv2.getTextSize(char, font, scale, thickness)
    tile = np.zeros((height, width + CAP_HEIGHT), np.uint8)
    cv2.putText(tile, char, (CAP_HEIGHT // 2, top + CAP_HEIGHT), font, scale, 255, thickness, cv2.LINE_AA)
    return tile


def _draw_stroke(face: str, char: str, frame: tuple[float, float]) -> np.ndarray:
    base, width, pen, squareness, plate_shapes = STROKE_FACES[face]
    height, cap_top = _frame(face, frame)
    if char in plate_shapes:
        centre = _shape_line(*PLATE_SHAPES[char], width, height, cap_top)
    else:
        width = width ** 0.5 if char in WIDE else width
        line = _thin(glyph(base, char, frame) > 127).astype(np.uint8) * 255
        condensed = cv2.resize(line, (max(1, round(line.shape[1] * width)), height), interpolation=cv2.INTER_AREA)
        centre = _square(_thin(condensed > 0), cap_top, 0.0 if char in DIAGONAL else squareness)
    size = round(pen * CAP_HEIGHT)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.dilate(np.pad(centre.astype(np.uint8) * 255, ((0, 0), (size, size))), disk)


def _shape_line(share: float, points: Sequence[tuple[float, float]], width: float, height: int, cap_top: int
                ) -> np.ndarray:
    """A ``PLATE_SHAPES`` centre line, ``share`` cap heights wide condensed to ``width`` of that, in a
    bool mask (height, ink width) whose cap starts at row ``cap_top``."""
    right = max(1, round(share * width * CAP_HEIGHT))
    line = np.zeros((height, right + 1), np.uint8)
    cv2.polylines(line, [np.int32([(round(x * right), round(cap_top + y * CAP_HEIGHT)) for x, y in points])], False, 1)
    return line > 0


def _square(line: np.ndarray, cap_top: int, squareness: float) -> np.ndarray:
    """A bool centre line (H, W) pushed out towards its box. Each point's offset u from the box's centre,
    in [-1, 1] across the width and across the cap height (from row ``cap_top``), moves out where
    |u| > ``INNER``: (|u| - INNER) / (1 - INNER) becomes its power 1 - squareness. Straight strokes stay
    straight, the middle (crossbars, waists) stays put, curves near the box grow straight sides; points
    outside the cap stay. Neighbouring points stay joined."""
    if not squareness:
        return line
    rows, columns = np.nonzero(line)

    def push(v: np.ndarray, centre: float, half: float) -> np.ndarray:
        u = np.abs(v - centre) / half
        outer = (u > INNER) & (u <= 1)
        u[outer] = INNER + (1 - INNER) * ((u[outer] - INNER) / (1 - INNER)) ** (1 - squareness)
        return np.round(centre + np.sign(v - centre) * half * u).astype(int)

    half_width = max(1.0, (line.shape[1] - 1) / 2)
    moved = dict(zip(zip(rows.tolist(), columns.tolist()),
                     zip(push(columns, half_width, half_width).tolist(),
                         push(rows, cap_top + CAP_HEIGHT / 2, CAP_HEIGHT / 2).tolist())))
    squared = np.zeros(line.shape, np.uint8)
    for (row, column), point in moved.items():
        squared[point[1], point[0]] = 1
        for down, right in ((0, 1), (1, -1), (1, 0), (1, 1)):  # each neighbouring pair once
            if (row + down, column + right) in moved:
                cv2.line(squared, point, moved[row + down, column + right], 1)
    return squared > 0


@lru_cache(maxsize=None)
def _missing_glyph(face: str, frame: tuple[float, float]) -> bytes:
    """What ``face`` draws for a code point no font has (its .notdef box, or nothing)."""
    return _draw_truetype(face, "\U0010fffd", frame).tobytes()


@lru_cache(maxsize=None)
def glyph(face: str, char: str, frame: tuple[float, float] = PLATE_FRAME) -> np.ndarray:
    """One character of ``face`` as an ink mask: uint8 (frame height, ink width), 255 = ink, cropped to
    its ink left and right, cap top and baseline on the same rows for every character of the face.
    frame: ``PLATE_FRAME`` (capitals and digits) or ``TEXT_FRAME`` (any printable ASCII character)."""
    if len(char) != 1 or char.isspace():
        raise FontError(f"glyph: {char!r} is not one visible character")
    if face in HERSHEY_FACES:
        if not 33 <= ord(char) <= 126:
            raise FontError(f"font {face!r} has no glyph for {char!r} (Hershey faces draw ASCII only)")
        tile = _draw_hershey(face, char, frame)
    elif face in STROKE_FACES:
        tile = _draw_stroke(face, char, frame)
    else:
        tile = _draw_truetype(face, char, frame)
        if tile.tobytes() == _missing_glyph(face, frame):
            raise FontError(f"font {face!r} has no glyph for {char!r}")
    columns = np.flatnonzero(tile.max(axis=0))
    if not len(columns):
        raise FontError(f"font {face!r} draws nothing for {char!r}")
    return tile[:, columns[0] : columns[-1] + 1]


@lru_cache(maxsize=None)
def centre_line(face: str, char: str) -> np.ndarray:
    """The centre line of ``glyph(face, char, TEXT_FRAME)``, one pixel wide: the path a pen drawing the
    character follows. uint8 (frame height, ink width), 255 = on the line."""
    return _thin(glyph(face, char, TEXT_FRAME) > 127).astype(np.uint8) * 255


def _thin(mask: np.ndarray) -> np.ndarray:
    """Zhang and Suen's thinning (1984) of a bool mask (H, W): strokes worn down to one pixel, their
    ends and connections kept."""
    image = np.pad(mask, 1).astype(np.uint8)
    changed = True
    while changed:
        changed = False
        for first in (True, False):
            # The 8 neighbours clockwise from the one above: p2, p3, ..., p9.
            n = [image[:-2, 1:-1], image[:-2, 2:], image[1:-1, 2:], image[2:, 2:],
                 image[2:, 1:-1], image[2:, :-2], image[1:-1, :-2], image[:-2, :-2]]
            count = sum(n)
            crossings = sum((a == 0) & (b == 1) for a, b in zip(n, n[1:] + n[:1]))
            p2, p4, p6, p8 = n[0], n[2], n[4], n[6]
            side = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0) if first else (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            remove = (image[1:-1, 1:-1] == 1) & (count >= 2) & (count <= 6) & (crossings == 1) & side
            if remove.any():
                image[1:-1, 1:-1][remove] = 0
                changed = True
    return image[1:-1, 1:-1].astype(bool)


def line_mask(face: str, text: str, spacing: float = 0.1, fixed_pitch: bool = False,
              frame: tuple[float, float] = PLATE_FRAME, word_spacing: float = 0.4) -> np.ndarray:
    """``text`` in ``face`` at the reference size: uint8 (frame height, width), 255 = ink.

    spacing: the gap between neighbouring glyphs as a share of the cap height; below 0 they overlap
    (touching glyphs). fixed_pitch: every glyph centred in a cell as wide as the face's widest digit
    or capital, as plate fonts are drawn. frame: as ``glyph``'s. word_spacing: what a space adds to
    the gap, as a share of the cap height.
    """
    return line_mask_and_boxes(face, text, spacing, fixed_pitch, frame, word_spacing)[0]


def line_mask_and_boxes(face: str, text: str, spacing: float = 0.1, fixed_pitch: bool = False,
                        frame: tuple[float, float] = PLATE_FRAME, word_spacing: float = 0.4
                        ) -> tuple[np.ndarray, np.ndarray]:
    """``line_mask`` (same arguments), and where each visible character's ink is on it: (characters, 2)
    int, the (left, right) columns of its glyph, right exclusive; spaces have none."""
    cell = _widest(face) if fixed_pitch else 0
    step = round(spacing * CAP_HEIGHT)
    glyphs, lefts, x = [], [], 0
    for char in text:
        if char == " ":
            x += round(word_spacing * CAP_HEIGHT)
            continue
        g = glyph(face, char, frame)
        width = max(cell, g.shape[1])
        glyphs.append(g)
        lefts.append(x + (width - g.shape[1]) // 2)
        x += width + step
    mask = compose(glyphs, lefts)  # refuses a text without glyphs
    return mask, np.array([(left, left + g.shape[1]) for left, g in zip(lefts, glyphs)]) - min(lefts)


def compose(masks: Sequence[np.ndarray], lefts: Sequence[int]) -> np.ndarray:
    """Masks of one height, uint8 (H, w_i), placed with their left edges at ``lefts`` (the leftmost at
    0), overlaps taking the larger value: uint8 (H, width)."""
    if not masks:
        raise ValueError("no glyphs to compose: the text has no visible character")
    shift = min(lefts)
    line = np.zeros((masks[0].shape[0], max(left + m.shape[1] for left, m in zip(lefts, masks)) - shift), np.uint8)
    inked = 0  # the columns before this one may hold ink already
    for left, m in zip(lefts, masks):
        start, end = left - shift, left - shift + m.shape[1]
        if start >= inked:  # nothing to overlap: a copy is cheaper
            line[:, start:end] = m
        else:
            np.maximum(line[:, start:end], m, out=line[:, start:end])
        inked = max(inked, end)
    return line


def embolden(mask: np.ndarray, weight: int) -> np.ndarray:
    """``mask`` uint8 (H, W) with its strokes ``weight`` pixels thicker (> 0) or thinner (< 0)."""
    if not weight:
        return mask
    size = 1 + abs(weight)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.dilate(mask, kernel) if weight > 0 else cv2.erode(mask, kernel)


@lru_cache(maxsize=None)
def _widest(face: str) -> int:
    return max(glyph(face, char).shape[1] for char in "0123456789")
