"""Seeded synthetic number plates, randomised widely enough that real plate crops fall inside the range.

A plate is drawn in five steps, each a *family* of randomisation that can be switched off (``families``)
to measure what it buys:

- ``fonts``: TrueType faces that ship with matplotlib and the captcha package, OpenCV's Hershey
  faces and the stroke faces drawn from them (``ocrlib.data.fonts``); per plate a stretch (condensed
  to wide), a stroke weight, a character spacing down to touching glyphs, fixed or proportional
  pitch, embossed strokes (a light rim, a darker inside). Off: the Hershey faces, fixed pitch.
- ``layouts``: the formats of the original tutorial (``russian`` ``A123BC77``, generic ``latin`` of 5 to
  8 characters) and ``mercosur`` (``AB123CD``, blue band with the country on top), ``two_group``
  (``ABC 123``; light on dark, often the older Argentine plate: a broad light rim around a dark field
  that the characters fill), ``eu`` (blue strip on the left), ``us`` (state or slogan in small
  letters, coloured characters); separators between the groups (space, dot, dash, emblem, sticker),
  frames, bolts.
  Off: the two original formats on a plain bordered plate.
- ``colours``: each format's colours (black on white, white on black, blue bands, coloured
  characters), tints and inverted polarity, turned to gray with each camera's own channel weights.
  Off: dark gray characters on a light gray plate.
- ``crops``: tight (plate edge cut off) to loose (holder, car body, bumper around it), off-centre text,
  rotation, slant and perspective. Off: the plate filling the image, straight.
- ``camera``: low resolution then upscaled, or high resolution then shrunk as real crops are; defocus
  and motion blur or sharpening, uneven lighting, shadows, glare, dirt, interlaced video frames, JPEG
  artefacts. Off: a light blur one time in two.

Every plate, whatever its aspect ratio, goes through ``fit_to_size``, the preprocessing real crops get,
then through ``add_photometric_noise``. Labels hold only the plate's capitals and digits.
"""
from __future__ import annotations

import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import cv2
import numpy as np

from ocrlib.data.fonts import CAP_HEIGHT, HERSHEY_FACES, PLATE_FACES, check_face, embolden, line_mask_and_boxes
from ocrlib.data.preprocess import fit_to_size, fitted_size

RUSSIAN_LETTERS = "ABEKMHOPCTYX"
ALPHABET = string.digits + string.ascii_uppercase
FAMILIES = ("fonts", "layouts", "colours", "crops", "camera")


@dataclass(frozen=True)
class PlateFormat:
    """patterns: groups split by spaces; ``L`` a letter, ``D`` a digit, ``X`` either, ``R`` a letter that
    looks the same in Cyrillic. aspect: (min, max) plate width / height."""

    patterns: tuple[str, ...]
    aspect: tuple[float, float]


PLATE_FORMATS = {
    "russian": PlateFormat(("R DDD RR DD",), (4.2, 4.8)),
    "latin": PlateFormat(("XXXXX", "XXXXXX", "XXXXXXX", "XXXXXXXX", "XXX XXX", "XXX XXXX", "XXXX XXXX"), (2.0, 4.7)),
    "mercosur": PlateFormat(("LL DDD LL", "LLL DLDD"), (2.8, 3.3)),
    "two_group": PlateFormat(("LLL DDD", "LL DDDD", "LLL DDDD", "DDD LLL"), (2.1, 2.8)),
    "eu": PlateFormat(("LL DDD LL", "L LL DDDD", "LLDD LLL", "DD LLL D"), (4.2, 4.8)),
    "us": PlateFormat(("DLLLDDD", "LLL DDDD", "DDD LLL", "LL DDDDD"), (1.9, 2.1)),
}
FORMATS = tuple(PLATE_FORMATS)
ORIGINAL_FORMATS = ("russian", "latin")
SEPARATORS = ("space", "dot", "dash", "emblem", "sticker")
CROP_ASPECT = (1.8, 3.4)  # width / height of a plate crop, plate and surroundings, as detectors cut them
_MARGINS = np.array([[-0.02, -0.02, -0.05, -0.05], [0.1, 0.1, 0.2, 0.2]])  # a crop's least and most margins
_SMALL_WORDS = ("REPUBLICA ARGENTINA", "ARGENTINA", "BRASIL", "URUGUAY", "PARAGUAY", "CALIFORNIA", "TEXAS",
                "FLORIDA", "SUNSHINE STATE", "LAND OF LINCOLN", "EMPIRE STATE", "RUS", "AUTO SALES",
                "GRUPO MOTORS", "DEALER 24", "MERCOSUR")
_SQUARE = np.ones((3, 3), np.uint8)  # a 3 x 3 structuring element
_STAR_RING = [(float(np.cos(angle)), float(np.sin(angle))) for angle in np.linspace(0, 2 * np.pi, 12, endpoint=False)]
_GRAY = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601 luma weights of R, G, B


def random_plate_text(rng: np.random.Generator, plate_format: str) -> str:
    """One plate number of ``plate_format`` (a name in ``FORMATS``), e.g. ``russian`` -> ``A123BC77``."""
    return "".join(_random_groups(rng, plate_format))


def _random_groups(rng: np.random.Generator, plate_format: str) -> list[str]:
    """The groups a plate of ``plate_format`` prints, e.g. ``mercosur`` -> ``["AB", "123", "CD"]``."""
    _check_format(plate_format)
    patterns = PLATE_FORMATS[plate_format].patterns
    pools = {"L": string.ascii_uppercase, "D": string.digits, "X": ALPHABET, "R": RUSSIAN_LETTERS}
    pattern = patterns[rng.integers(len(patterns))]
    codes = rng.integers(0, 10**6, len(pattern))
    return "".join(pools[p][c % len(pools[p])] if p in pools else " " for p, c in zip(pattern, codes)).split()


def _uniform(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """``rng.uniform(low, high)`` for float64 arrays of bounds: the same numbers, without the checks of
    the bounds that cost it seven times the draw."""
    return low + (high - low) * rng.random(low.shape)


def _check_format(plate_format: str) -> None:
    if plate_format not in PLATE_FORMATS:
        raise ValueError(f"unknown plate format {plate_format!r}: choose from {FORMATS}")


def _check_drawable(text: str, plate_format: str) -> None:
    _check_format(plate_format)
    unknown = sorted(set(text.replace(" ", "")) - set(ALPHABET))
    if unknown:
        raise ValueError(f"plate text {text!r} has characters a plate cannot carry: {unknown}; "
                         f"plates draw capitals and digits ({ALPHABET})")
    if not text.strip():
        raise ValueError("plate text is empty")


# ----------------------------------------------------------------------------------------------------
# Colours


# RGB ranges of the colours plates are made of, one row each.
_COLOURS = ("white", "black", "blue", "dark", "light", "yellow")
_COLOUR_LOW = np.array([[190, 190, 190], [0, 0, 0], [0, 30, 120], [0, 0, 0], [150, 150, 150], [200, 160, 0]], float)
_COLOUR_HIGH = np.array([[255, 255, 255], [60, 60, 60], [60, 110, 220], [160, 160, 160], [255, 255, 255], [255, 220, 80]],
                        float)
_COLOUR_SPAN = _COLOUR_HIGH - _COLOUR_LOW


def _palette(rng: np.random.Generator, plate_format: str, colours: bool) -> dict[str, float]:
    """Gray levels (0-255) of the plate, its characters, band or strip, small print and frame, as one
    camera sees them: colours drawn per format in RGB, then weighted by the camera's channel response."""
    if not colours:
        plate, ink, band = rng.uniform([170, 0, 60], [255, 80, 130])
        return {"plate": plate, "ink": ink, "band": band, "small": plate, "frame": ink}
    # A camera's gray: the luma weights, moved per camera (infrared and cheap sensors weigh red more).
    draw = rng.random(24)  # one call: three weights, six RGB colours, three chances
    weights = _GRAY * (0.4 + 1.2 * draw[:3])
    weights /= weights.sum()
    gray = dict(zip(_COLOURS, ((_COLOUR_LOW + _COLOUR_SPAN * draw[3:21].reshape(6, 3)) @ weights).tolist()))
    chance = draw[21:].tolist()
    if plate_format == "two_group" and chance[0] < 0.6 or plate_format == "latin" and chance[0] < 0.3:
        plate, ink = "black", "white"
    elif plate_format in ("us", "latin"):
        plate, ink = "light", "dark" if chance[1] < 0.6 else "black"
    elif plate_format == "eu" and chance[1] < 0.3:
        plate, ink = "yellow", "black"
    else:
        plate, ink = "white", "black"
    if chance[2] < 0.1:  # inverted: a negative, or a plate seen in another light
        plate, ink = ink, plate
    flag = plate_format in ("mercosur", "eu")
    palette = {"plate": gray[plate], "ink": gray[ink], "band": gray["blue" if flag else "dark"],
               "small": gray["white" if flag else "dark"], "frame": gray[ink if chance[1] < 0.7 else "white"]}
    if abs(palette["plate"] - palette["ink"]) < 90:  # keep it readable: less contrast no person could read either
        palette["ink"] = palette["plate"] - 110 if palette["plate"] > 128 else palette["plate"] + 110
    return palette


# ----------------------------------------------------------------------------------------------------
# Text


class _TextStyle(NamedTuple):
    face: str
    fill: float  # share of the text box's width the text spans, as plates are designed
    stretch: tuple[float, float]  # the least and most the glyphs are widened (> 1) or condensed (< 1) to do so
    weight: int  # pixels (at the reference size) added to (> 0) or taken from (< 0) each stroke
    spacing: float  # gap between glyphs, share of the cap height; < 0: they touch
    fixed_pitch: bool
    separator: str
    height: float  # cap height, share of the text box's height
    emboss: float  # 0, or how far the strokes' inside fades towards the plate, their rim kept: raised characters


def _text_style(rng: np.random.Generator, fonts: Sequence[str], varied: bool, separators: bool,
                light_ink: bool) -> _TextStyle:
    """How the characters are drawn. Light characters on a dark plate get heavier strokes: bright
    strokes bleed into their dark surround on a camera's sensor (up to 4 pixels at the 40-pixel cap
    height: beyond that, condensed characters melt into one blob no one could read)."""
    face = fonts[rng.integers(len(fonts))]
    if not varied:
        return _TextStyle(face, rng.uniform(0.85, 0.95), (0.6, 1.0), 0, 0.12, True, "space", rng.uniform(0.75, 0.9), 0.0)
    weight = int(rng.integers(0, 5) if light_ink else rng.integers(-1, 4))
    return _TextStyle(face, rng.uniform(0.75, 0.95), (0.45, 1.2), weight, rng.uniform(-0.05, 0.25),
                      rng.random() < 0.6, SEPARATORS[rng.integers(len(SEPARATORS))] if separators else "space",
                      rng.uniform(0.55, 0.85), rng.uniform(0.2, 0.6) if rng.random() < 0.3 else 0.0)


def _text_mask(groups: Sequence[str], style: _TextStyle, rng: np.random.Generator
               ) -> tuple[np.ndarray, list[int], int, np.ndarray]:
    """The groups side by side at the reference size: uint8 mask (frame height, width), the x centre
    of each gap between groups, where a separator goes, the gaps' width, and each character's glyph
    box on the mask ((characters, 2) float: left, right)."""
    masks, boxes = zip(*(line_mask_and_boxes(style.face, group, style.spacing, style.fixed_pitch) for group in groups))
    gap = round(CAP_HEIGHT * rng.uniform(0.35, 0.9)) if style.separator != "space" else \
        round(CAP_HEIGHT * rng.uniform(0.15, 0.8))
    widths = [m.shape[1] for m in masks]
    line = np.zeros((masks[0].shape[0], sum(widths) + gap * (len(masks) - 1)), np.uint8)
    x, centres, placed = 0, [], []
    for mask, group_boxes in zip(masks, boxes):
        if x:
            centres.append(x - gap // 2)
        line[:, x : x + mask.shape[1]] = mask
        placed.append(group_boxes + x)
        x += mask.shape[1] + gap
    bolder = max(style.weight, 0) / 2  # embolden widens each stroke by half the weight on each side
    return embolden(line, style.weight), centres, gap, np.concatenate(placed) + [-bolder, bolder]


def _draw_text(plate: np.ndarray, box: tuple[int, int, int, int], groups: Sequence[str], style: _TextStyle,
               ink: float, rng: np.random.Generator, off_centre: float) -> np.ndarray:
    """Draw ``groups`` into ``box`` = (x0, y0, x1, y1) of ``plate`` (float32 gray): as tall as the style
    says, widened or condensed to span the share of the width it says (smaller if even the most
    condensed glyphs would not fit), centred (up to ``off_centre`` of the width away), separators in
    the gaps; embossed strokes keep ``ink`` on their rim only. Modifies ``plate``; returns each
    character's glyph box in its columns, (characters, 2)."""
    x0, y0, x1, y1 = box
    mask, centres, gap, boxes = _text_mask(groups, style, rng)
    scale = style.height * (y1 - y0) / CAP_HEIGHT
    natural = mask.shape[1] * scale  # the width at the face's own proportions
    width = natural * min(max(style.fill * (x1 - x0) / natural, style.stretch[0]), style.stretch[1])
    if width > x1 - x0:
        scale *= (x1 - x0) / width
        width = x1 - x0
    cap = scale * CAP_HEIGHT
    width_px, height_px = max(1, round(width)), max(1, round(mask.shape[0] * scale))
    # Area averaging where the mask shrinks to less than half; bilinear, a third of its cost, where it
    # shrinks less (every mask pixel still counts) or grows (where area averaging repeats pixels).
    shrunk = min(width_px / mask.shape[1], height_px / mask.shape[0]) < 0.5
    small = cv2.resize(mask, (width_px, height_px), interpolation=cv2.INTER_AREA if shrunk else cv2.INTER_LINEAR)
    small = np.multiply(small, np.float32(1 / 255), dtype=np.float32)
    shift = min(off_centre * (x1 - x0), max(0.0, (x1 - x0 - width_px) / 2))  # never out of the box
    left = round((x0 + x1 - width_px) / 2 + rng.uniform(-shift, shift))
    top = round((y0 + y1) / 2 - cap / 2 - scale * CAP_HEIGHT * 0.12 + rng.uniform(-0.06, 0.06) * (y1 - y0))
    if style.emboss:  # the inside fades towards what is under it, one pixel of rim stays
        inside = cv2.erode(small, _SQUARE)
        region = _region(plate, small.shape, left, top)
        under = float(plate[region[0]].mean()) if region else ink
        _blend(plate, small - inside, left, top, ink)
        _blend(plate, inside, left, top, ink + (under - ink) * style.emboss)
    else:
        _blend(plate, small, left, top, ink)
    x_scale = width_px / mask.shape[1]
    for centre in centres:
        _draw_separator(plate, style.separator, left + centre * x_scale, gap * x_scale,
                        top + scale * CAP_HEIGHT * 0.12, cap, ink, rng)
    return left + boxes * x_scale


def _region(canvas: np.ndarray, shape: tuple[int, int], left: int, top: int):
    """The part of ``canvas`` a patch of ``shape`` placed at (left, top) covers, and the part of the
    patch inside the canvas: (canvas slices, patch slices), or None if they do not meet."""
    rows = (max(0, top), min(canvas.shape[0], top + shape[0]))
    columns = (max(0, left), min(canvas.shape[1], left + shape[1]))
    if rows[0] >= rows[1] or columns[0] >= columns[1]:
        return None
    inside = (slice(*rows), slice(*columns))
    return inside, (slice(rows[0] - top, rows[1] - top), slice(columns[0] - left, columns[1] - left))


def _blend(canvas: np.ndarray, alpha: np.ndarray, left: int, top: int, tone: float) -> None:
    """canvas = canvas * (1 - alpha) + tone * alpha, with ``alpha`` (h, w) in [0, 1] placed at (left, top),
    clipped to the canvas. Modifies ``canvas``."""
    region = _region(canvas, alpha.shape, left, top)
    if region:
        part = canvas[region[0]]
        change = tone - part  # in place after this: one temporary array instead of two
        change *= alpha[region[1]]
        part += change


def _draw_separator(plate: np.ndarray, kind: str, x: float, room: float, cap_top: float, cap: float, ink: float,
                    rng: np.random.Generator) -> None:
    """A mark between two groups, not part of the label, centred at ``x`` in a gap ``room`` pixels wide
    that it does not overflow: a dot, a dash, a round emblem or a sticker."""
    middle, half = cap_top + cap / 2, room * rng.uniform(0.2, 0.35)
    if kind == "dot":
        cv2.circle(plate, (round(x), round(middle)), max(1, round(min(half, cap * 0.1))), ink, -1, cv2.LINE_AA)
    elif kind == "dash":
        thick = max(1.0, cap * 0.07)
        cv2.rectangle(plate, (round(x - half), round(middle - thick)), (round(x + half), round(middle + thick)), ink, -1)
    elif kind == "emblem":
        radius = max(1, round(min(half, cap * 0.3)))
        centre = (round(x), round(cap_top + cap * rng.uniform(0.25, 0.6)))
        cv2.circle(plate, centre, radius, float(rng.uniform(0, 255)), -1, cv2.LINE_AA)
        cv2.circle(plate, centre, radius, ink, 1, cv2.LINE_AA)
    elif kind == "sticker":
        height = cap * rng.uniform(0.25, 0.5)
        top = cap_top + rng.uniform(0, cap - height)
        cv2.rectangle(plate, (round(x - half), round(top)), (round(x + half), round(top + height)),
                      float(rng.uniform(0, 255)), -1)


def _small_text(canvas: np.ndarray, box: tuple[float, float, float, float], tone: float,
                rng: np.random.Generator) -> None:
    """A word or two in small Hershey letters (a country, state, slogan or dealer), centred in ``box``."""
    x0, y0, x1, y1 = (round(v) for v in box)
    text = _SMALL_WORDS[rng.integers(len(_SMALL_WORDS))]
    font = cv2.FONT_HERSHEY_SIMPLEX if rng.random() < 0.5 else cv2.FONT_HERSHEY_PLAIN
    width, height = _text_size(text, font)
    scale = min((y1 - y0) * 0.8 / height, (x1 - x0) * rng.uniform(0.4, 0.95) / width)
    if scale * height < 2:
        return
    mask = _word_mask(text, font, round(scale, 2))
    _blend(canvas, mask, round((x0 + x1 - mask.shape[1]) / 2), round((y0 + y1 - mask.shape[0]) / 2), tone)


@lru_cache(maxsize=None)
def _text_size(text: str, font: int) -> tuple[int, int]:
    """(width, height) of ``text`` in the Hershey ``font`` at scale 1, as ``cv2.getTextSize`` measures it."""
    return cv2.getTextSize(text, font, 1.0, 1)[0]


@lru_cache(maxsize=None)
def _word_mask(text: str, font: int, scale: float) -> np.ndarray:
    """``text`` in the Hershey ``font`` at ``scale``, a pixel of margin round it: float32 (h, w) in [0, 1].
    Cached: the small print has a few words, and its scales are rounded to hundredths."""
    width, height = (round(v * scale) for v in _text_size(text, font))
    mask = np.zeros((height + 3, width + 3), np.uint8)  # OpenCV writes text into 8-bit images only
    cv2.putText(mask, text, (1, height + 1), font, scale, 255, 1, cv2.LINE_AA)
    return mask.astype(np.float32) / 255


# ----------------------------------------------------------------------------------------------------
# The plate


def _draw_plate(height: int, width: int, groups: Sequence[str], plate_format: str, palette: dict[str, float],
                style: _TextStyle, layouts: bool, off_centre: float, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray]:
    """The plate alone, float32 gray (height, width): background, frame, the format's decorations, text;
    and each character's glyph box in its columns, (characters, 2) float."""
    plate = np.full((height, width), palette["plate"], np.float32)
    ink, thin = palette["ink"], max(1, round(height / 30))
    box = [thin * 2, round(height * 0.08), width - thin * 2, round(height * 0.92)]
    if not layouts or rng.random() < 0.7:
        inset = int(rng.integers(0, 3)) if layouts else 1
        cv2.rectangle(plate, (inset, inset), (width - 1 - inset, height - 1 - inset), palette["frame"],
                      thin * int(rng.integers(1, 4 if layouts else 3)))
    if layouts and plate_format == "two_group" and palette["ink"] > palette["plate"] and rng.random() < 0.6:
        box = _field(plate, palette, rng)
        style = style._replace(height=rng.uniform(0.85, 1.05))  # the characters fill the field, may touch its rim
    elif layouts:
        box = _decorate(plate, plate_format, palette, box, thin, rng)
    if plate_format == "russian":  # the region sits in a box of its own at the right
        split = round(width * rng.uniform(0.74, 0.8))
        cv2.line(plate, (split, 0), (split, height), palette["frame"], thin)
        number = _draw_text(plate, (box[0], box[1], split - thin, box[3]), groups[:-1], style, ink, rng, off_centre)
        region = (split + thin, box[1], box[2], round(box[1] + (box[3] - box[1]) * 0.7))
        boxes = np.concatenate([number, _draw_text(plate, region, groups[-1:], style, ink, rng, 0.0)])
        if layouts:
            _small_text(plate, (split, region[3], width, height), ink, rng)
    else:
        boxes = _draw_text(plate, tuple(box), groups if layouts else ["".join(groups)], style, ink, rng, off_centre)
    return plate, boxes


def _field(plate: np.ndarray, palette: dict[str, float], rng: np.random.Generator) -> list[int]:
    """The older Argentine plate: a broad rim in the characters' light tone, the country's name and bolt
    slots in it, around a dark field with rounded corners. Returns the field's box for the text."""
    height, width = plate.shape
    dark = palette["plate"]
    plate[:] = palette["ink"]
    top, bottom, side = (round(height * share) for share in rng.uniform([0.14, 0.1, 0.03], [0.26, 0.2, 0.07]))
    radius = max(1, round(height * rng.uniform(0.03, 0.1)))
    field = np.zeros((height, width), np.uint8)
    cv2.rectangle(field, (side + radius, top), (width - side - radius, height - bottom), 255, -1)
    cv2.rectangle(field, (side, top + radius), (width - side, height - bottom - radius), 255, -1)
    for x in (side + radius, width - side - radius):
        for y in (top + radius, height - bottom - radius):
            cv2.circle(field, (x, y), radius, 255, -1)
    plate[field > 0] = dark
    _small_text(plate, (width * 0.25, top * 0.1, width * 0.75, top * 0.9), dark, rng)
    for x in (width * 0.2, width * 0.8):  # bolt slots above and below the field
        for y in (top / 2, height - bottom / 2):
            cv2.ellipse(plate, (round(x), round(y)), (max(1, round(width * 0.02)), max(1, round(height * 0.02))), 0, 0, 360,
                        dark, -1)
    return [side + radius, top, width - side - radius, height - bottom]


def _decorate(plate: np.ndarray, plate_format: str, palette: dict[str, float], box: list[int], thin: int,
              rng: np.random.Generator) -> list[int]:
    """Bands, strips, small print and bolts of ``plate_format``; returns the box left for the main text."""
    height, width = plate.shape
    x0, y0, x1, y1 = box
    if plate_format == "mercosur":
        band = round(height * rng.uniform(0.17, 0.27))
        plate[:band] = palette["band"]
        _small_text(plate, (0, 0, width, band), palette["small"], rng)
        flag_x = round(width * (0.05, 0.88)[rng.integers(2)])
        cv2.rectangle(plate, (flag_x, band // 4), (flag_x + band, band * 3 // 4), palette["plate"], -1)
        y0 = band + thin
    elif plate_format == "eu":
        strip = round(width * rng.uniform(0.07, 0.11))
        plate[:, :strip] = palette["band"]
        for cos, sin in _STAR_RING:
            centre = (round(strip / 2 + strip * 0.3 * cos), round(height * 0.3 + strip * 0.3 * sin))
            cv2.circle(plate, centre, max(1, strip // 14), palette["small"], -1)
        _small_text(plate, (0, height * 0.55, strip, height * 0.9), palette["small"], rng)
        x0 = strip + thin * 2
    elif plate_format == "us" or rng.random() < 0.3:  # state or slogan above, below or both
        where = rng.integers(3) if plate_format == "us" else 0
        share = rng.uniform(0.14, 0.22)
        if where in (0, 2):
            _small_text(plate, (x0, 0, x1, height * share), palette["small"], rng)
            y0 = round(height * share)
        if where in (1, 2):
            _small_text(plate, (x0, height * (1 - share), x1, height), palette["small"], rng)
            y1 = round(height * (1 - share))
    if rng.random() < 0.3:  # bolts
        for x in (width * 0.2, width * 0.8):
            cv2.circle(plate, (round(x), round(height * 0.1)), max(1, height // 25), palette["frame"], -1)
    return [x0, y0, x1, y1]


def _scene(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """What is around a plate: car body, bumper, lights, a holder. float32 gray (height, width)."""
    body = rng.uniform(0, 255)
    scene = np.empty((height, width), np.float32)
    scene[:] = body + rng.uniform(-60, 60) * _axis(height)[:, None]
    for _ in range(int(rng.integers(0, 3))):  # bumper edges, lights, grille bars
        x, y = rng.uniform(0, width, 2).tolist(), rng.uniform(0, height, 2).tolist()
        cv2.rectangle(scene, (round(x[0]), round(y[0])), (round(x[1]), round(y[1])), float(rng.uniform(0, 255)), -1)
    return scene


def _crop_margins(aspect: float, rng: np.random.Generator) -> tuple[float, float, float, float]:
    """Margins (left, right, top, bottom) of a crop around a plate ``aspect`` times as wide as tall, as
    shares of the plate's width (left, right) and height (top, bottom); negative ones cut the plate.
    A crop comes out as detectors cut them, ``CROP_ASPECT`` wide: a long plate gets more of the car
    above and below it, a tall one more beside it."""
    left, right, top, bottom = _uniform(rng, *_MARGINS).tolist()
    crop_aspect = aspect * (1 + left + right) / (1 + top + bottom)
    low, high = CROP_ASPECT
    if crop_aspect > high:  # more above and below
        more = (aspect * (1 + left + right) / high - 1 - top - bottom) / 2
        top, bottom = top + more, bottom + more
    elif crop_aspect < low:  # more beside
        more = (low * (1 + top + bottom) / aspect - 1 - left - right) / 2
        left, right = left + more, right + more
    return left, right, top, bottom


def _tilt(scene: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rotate by up to 4 degrees, three times in ten slant the uprights by up to 14 degrees (a camera
    beside the road, or above it), and move each corner by up to 3% of the size: the plate seen from
    off its axis. Edges repeated. Also returns the (3, 3) perspective transform applied."""
    height, width = scene.shape
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-4, 4), 1.0)
    slant = rng.uniform(-0.25, 0.25) if rng.random() < 0.3 else 0.0  # the top moves right by slant * height
    slanted = corners.copy()
    slanted[:, 0] -= slant * (corners[:, 1] - height / 2)
    nudge = (rng.random((4, 2), np.float32) - 0.5) * corners[2] * 0.06  # up to 3% of the width and the height
    moved = cv2.transform(slanted[None], rotation)[0] + nudge
    warp = cv2.getPerspectiveTransform(corners, moved.astype(np.float32))
    return cv2.warpPerspective(scene, warp, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), warp


def _photograph(scene: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """What a camera does to the scene (float32 gray): defocus or motion blur or sharpening, uneven
    light, a shadow, glare, dirt. Each one some of the time."""
    height, width = scene.shape
    if rng.random() < 0.15:
        scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.3, 0.9))
    elif rng.random() < 0.15:
        length = int(rng.integers(3, 5))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2] = 1 / length
        turn = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), rng.uniform(-30, 30), 1.0)
        kernel = cv2.warpAffine(kernel, turn, (length, length))
        scene = cv2.filter2D(scene, -1, kernel / max(kernel.sum(), 1e-6), borderType=cv2.BORDER_REPLICATE)
    elif rng.random() < 0.3:  # a camera's sharpening (unsharp masking): a halo along every edge
        amount = rng.uniform(0.5, 1.5)
        scene = cv2.addWeighted(scene, 1 + amount, cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.8, 2.0)), -amount, 0)
    x, y = _axis(width)[None, :], _axis(height)[:, None]
    if rng.random() < 0.4:  # light falling off across the plate
        scene = scene * (1 + rng.uniform(-0.25, 0.25) * x + rng.uniform(-0.25, 0.25) * y)
    if rng.random() < 0.15:  # a soft-edged shadow over one side of a line
        a, b = rng.uniform(-1, 1, 2)
        side = 1 / (1 + np.exp(-rng.uniform(4, 20) * (a * x + b * y + rng.uniform(-0.5, 0.5))))
        scene = scene * (1 - rng.uniform(0.2, 0.45) * side)
    if rng.random() < 0.1:  # glare: a bright blob
        cx, cy, radius = rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0.2, 0.6)
        scene = scene + rng.uniform(30, 90) * np.exp(-((x - cx) ** 2 + ((y - cy) * height / width) ** 2) / radius**2)
    if rng.random() < 0.15:  # dirt and specks
        for _ in range(int(rng.integers(2, 12))):
            centre = (int(rng.integers(width)), int(rng.integers(height)))
            cv2.circle(scene, centre, int(rng.integers(0, 2)), float(rng.uniform(0, 255)), -1)
    return scene


def _interlace(scene: np.ndarray, shift: float) -> np.ndarray:
    """A frame of interlaced video (float32 gray): its odd rows, the second field, taken a fiftieth of a
    second after the even ones, ``shift`` pixels sideways by the car's motion: a comb along every
    upright stroke. Modifies ``scene``; returns it."""
    field = np.ascontiguousarray(scene[1::2])
    move = np.float32([[1, 0, shift], [0, 1, 0]])
    scene[1::2] = cv2.warpAffine(field, move, field.shape[::-1], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return scene


@lru_cache(maxsize=None)
def _axis(length: int) -> np.ndarray:
    """(length,) float32 from -1 to 1: a coordinate across the image."""
    return np.linspace(-1, 1, length, dtype=np.float32)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """uint8 (H, W) through a JPEG encoder at ``quality`` (0-100) and back: blocks and ringing."""
    _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)


def render_plate(text: str, rng: np.random.Generator, size: tuple[int, int] = (64, 128),
                 plate_format: str = "latin", families: Sequence[str] = FAMILIES,
                 fonts: Sequence[str] = PLATE_FACES) -> np.ndarray:
    """Draw one plate crop, before photometric noise. Returns uint8 (H, W) gray, fitted to ``size`` as
    ``fit_to_size`` fits a real crop.

    text: the plate's capitals and digits; spaces split it into groups, printed with a separator
    between them that is not part of the label (a ``russian`` text without spaces gets its last two
    characters, the region, in a box of their own). families: the randomisation families to use (the
    module docstring says what each does). fonts: face names of ``ocrlib.data.fonts.FACES`` or
    TrueType file paths (used with the ``fonts`` family; without it, the Hershey faces).
    """
    _check_drawable(text, plate_format)
    _check_families(families)
    groups = text.split()
    if plate_format == "russian" and len(groups) == 1 and len(text) > 2:
        groups = [text[:-2], text[-2:]]
    return _render(groups, rng, size, plate_format, set(families), fonts)[0]


def _check_families(families: Sequence[str]) -> None:
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown randomisation families {sorted(unknown)}: choose from {FAMILIES}")


def _render(groups: Sequence[str], rng: np.random.Generator, size: tuple[int, int], plate_format: str,
            families: set[str], fonts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``render_plate`` after its checks, and each character's glyph box in the image's columns,
    (characters, 2) float: where the left and right edges of its ink, at the text's middle row, went."""
    layouts, crops, camera = "layouts" in families, "crops" in families, "camera" in families
    palette = _palette(rng, plate_format, "colours" in families)
    style = _text_style(rng, fonts if "fonts" in families else tuple(HERSHEY_FACES), "fonts" in families, layouts,
                        palette["ink"] > palette["plate"])

    # Geometry: the plate's aspect ratio; the crop's margins around it (left, right, top, bottom, as
    # shares of the plate; negative: cut off); the resolution the camera had: below the output's,
    # upscaled at the end; above it, shrunk at the end as fit_to_size shrinks a real crop.
    aspect = rng.uniform(*PLATE_FORMATS[plate_format].aspect) if crops else size[1] / size[0]
    margins = _crop_margins(aspect, rng) if crops else (0.03,) * 4
    scene_aspect = aspect * (1 + margins[0] + margins[1]) / (1 + margins[2] + margins[3])
    out_height, out_width = size
    if scene_aspect >= out_width / out_height:
        out_height = max(8, round(out_width / scene_aspect))
    else:
        out_width = max(8, round(out_height * scene_aspect))
    resolution = 1.0
    if camera:
        chance = rng.random()
        resolution = rng.uniform(0.6, 1.0) if chance < 0.1 else rng.uniform(1.0, 2.0) if chance < 0.85 else 1.0
    height, width = max(8, round(out_height * resolution)), max(8, round(out_width * resolution))
    plate_height = height / (1 + margins[2] + margins[3])
    plate_width = plate_height * aspect
    plate, boxes = _draw_plate(max(8, round(plate_height)), max(16, round(plate_width)), groups, plate_format,
                               palette, style, layouts, 0.04 if crops else 0.0, rng)

    left, top = round(margins[0] * plate_width), round(margins[2] * plate_height)
    scene = _scene(height, width, rng) if crops else np.full((height, width), palette["plate"], np.float32)
    if crops and rng.random() < 0.3:  # a holder a little larger than the plate, a dealer's name below it
        pad = plate_height * rng.uniform(0.05, 0.2)
        x0, y0, x1, y1 = left - pad, top - pad, left + plate_width + pad, top + plate_height + 3 * pad
        cv2.rectangle(scene, (round(x0), round(y0)), (round(x1), round(y1)), float(rng.uniform(0, 255)), -1)
        _small_text(scene, (x0, y1 - 2 * pad, x1, y1), float(rng.uniform(0, 255)), rng)
    region = _region(scene, plate.shape, left, top)
    if region:
        scene[region[0]] = plate[region[1]]
    edges = np.empty((boxes.size, 2))  # both edges of each glyph at the text's middle row, on the scene
    edges[:, 0], edges[:, 1] = boxes.ravel() + left, top + plate.shape[0] / 2
    if crops:
        scene, warp = _tilt(scene, rng)
        edges = cv2.perspectiveTransform(edges[None].astype(np.float32), warp)[0]
    if camera:
        scene = _photograph(scene, rng)
        if rng.random() < 0.25:
            scene = _interlace(scene, rng.uniform(0.5, 2) * (-1, 1)[rng.integers(2)] * resolution)
    elif rng.random() < 0.5:
        scene = cv2.GaussianBlur(scene, (3, 3), rng.uniform(0.3, 1.0))
    image = cv2.multiply(scene, 1.0, dtype=cv2.CV_8U)  # rounded and clipped to 0-255 in one pass
    if camera and rng.random() < 0.3:
        image = jpeg(image, int(rng.integers(30, 90)))
    if image.shape != (out_height, out_width):
        image = cv2.resize(image, (out_width, out_height),
                           interpolation=cv2.INTER_AREA if resolution > 1 else cv2.INTER_LINEAR)
    x_scale = fitted_size((out_height, out_width), (*size, 1))[1] / width  # to the output, then as fit_to_size does
    return fit_to_size(image, (*size, 1))[:, :, 0], np.clip(edges[:, 0].reshape(-1, 2) * x_scale, 0, size[1])


def generate_plates(n: int, seed: int, size: tuple[int, int] = (64, 128), formats: Sequence[str] | None = None,
                    families: Sequence[str] = FAMILIES, fonts: Sequence[str] = PLATE_FACES, glyph_boxes: bool = False):
    """``n`` plates, the same for the same seed. Returns uint8 images (n, H, W) and their texts, and with
    ``glyph_boxes`` a third list: per image, (len(text), 2) float, the (left, right) columns of each
    character's ink (as ``ocrlib.explain.peak_positions`` takes them; the same images either way).

    formats: names in ``FORMATS``, each plate's drawn uniformly (default: all of them, or with the
    ``layouts`` family switched off, the two ``ORIGINAL_FORMATS``). families: the randomisation
    families to use (all by default; the module docstring says what each does). fonts: face names
    of ``ocrlib.data.fonts.FACES`` or TrueType file paths. After drawing, each image gets its own
    contrast, brightness and uniform noise (``add_photometric_noise``).
    """
    if formats is None:
        formats = FORMATS if "layouts" in families else ORIGINAL_FORMATS
    for plate_format in formats:
        _check_format(plate_format)
    if not formats:
        raise ValueError(f"formats is empty: choose from {FORMATS}")
    if not fonts:
        raise ValueError("fonts is empty: give face names or TrueType files")
    for face in fonts:
        check_face(face, ALPHABET)
    _check_families(families)
    # Texts and pictures from two generators: switching a family off changes the pictures, not the texts.
    text_rng, rng = np.random.default_rng(seed).spawn(2)
    plates = [(plate_format, _random_groups(text_rng, plate_format))
              for plate_format in (formats[i] for i in text_rng.integers(len(formats), size=n))]
    images, boxes = np.empty((n, *size), np.uint8), []
    with _opencv_threads(1):  # on images this small, OpenCV's threads cost more than they save
        for i, (plate_format, groups) in enumerate(plates):
            images[i], glyphs = _render(groups, rng, size, plate_format, set(families), fonts)
            boxes.append(glyphs)
    images, texts = add_photometric_noise(images, rng), ["".join(groups) for _, groups in plates]
    return (images, texts, boxes) if glyph_boxes else (images, texts)


@contextmanager
def _opencv_threads(count: int) -> Iterator[None]:
    previous = cv2.getNumThreads()
    cv2.setNumThreads(count)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


def add_photometric_noise(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8 (N, H, W) or (N, H, W, C) -> the same shape, each image with its own contrast (x0.5 to
    x1.2 around gray 128), brightness (-40 to +40) and pixel noise (standard deviation 0 to 12 gray
    levels, uniformly distributed: random bytes are cheaper to draw than Gaussian noise, and no
    different to the network), drawn from ``rng``.

    The last step of ``generate_plates``; call it on plates drawn with ``render_plate`` from other texts.
    """
    contrast = rng.uniform(0.5, 1.2, len(images))
    brightness = rng.uniform(-40, 40, len(images))
    width = rng.uniform(0, 12, len(images)) * 12**0.5  # uniform noise this wide has a standard deviation of 0 to 12
    # contrast * (image - 128) + 128 + brightness + width * (byte / 255 - 1 / 2), rounded and clipped to
    # 0-255, in one pass over each image (cv2.addWeighted) instead of six over arrays of floats.
    offset = 128 * (1 - contrast) + brightness - width / 2
    flat = images.reshape(len(images), int(np.prod(images.shape[1:])))
    noisy = np.empty_like(flat)
    for start in range(0, len(flat), 32):  # the bytes of 32 images at a time: 256 kB, in the CPU's cache
        noise = np.frombuffer(rng.bytes(flat[start : start + 32].size), np.uint8).reshape(-1, flat.shape[1])
        for i, bytes_ in enumerate(noise, start):
            cv2.addWeighted(flat[i], contrast[i], bytes_, width[i] / 255, offset[i], dst=noisy[i])
    return noisy.reshape(images.shape)
