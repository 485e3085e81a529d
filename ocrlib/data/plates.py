"""Seeded synthetic number plates: dark characters on a light plate with a border, photographed badly.

Two formats: the Russian one of the original tutorial (``A123BC77``: letter, three digits, two letters,
two-digit region, letters from the 12 that look alike in Cyrillic and Latin) and a generic one of
5 to 8 Latin letters and digits. Rendered with OpenCV's built-in Hershey fonts: nothing is downloaded.
"""
from __future__ import annotations

import string

import cv2
import numpy as np

RUSSIAN_LETTERS = "ABEKMHOPCTYX"
ALPHABET = string.digits + string.ascii_uppercase
FORMATS = ("russian", "latin")
FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
)


def random_plate_text(rng: np.random.Generator, plate_format: str) -> str:
    """One plate number: ``russian`` -> e.g. ``A123BC77``; ``latin`` -> 5 to 8 of A-Z0-9."""
    def pick(chars: str, n: int) -> str:
        return "".join(chars[i] for i in rng.integers(0, len(chars), n))

    if plate_format == "russian":
        return pick(RUSSIAN_LETTERS, 1) + pick(string.digits, 3) + pick(RUSSIAN_LETTERS, 2) + pick(string.digits, 2)
    if plate_format == "latin":
        return pick(ALPHABET, int(rng.integers(5, 9)))
    raise ValueError(f"unknown plate format {plate_format!r}: choose from {FORMATS}")


def _put_monospaced(canvas, text, box, font, thickness, ink):
    """Draw ``text`` in box = (x0, y0, x1, y1) as plate fonts look: one equal-width cell per character,
    characters as tall as the box, the line condensed sideways when it would not fit otherwise."""
    x0, y0, x1, y1 = box
    height, width = y1 - y0, x1 - x0
    sizes = [cv2.getTextSize(char, font, 1.0, thickness)[0] for char in text]
    scale = height / max(h for _, h in sizes)
    cell = max(w for w, _ in sizes) * scale * 1.15
    mask = np.zeros((height, round(cell * len(text))), np.uint8)
    baseline_y = round((height + max(h for _, h in sizes) * scale) / 2)
    for i, (char, (char_width, _)) in enumerate(zip(text, sizes)):
        x = round((i + 0.5) * cell - char_width * scale / 2)
        cv2.putText(mask, char, (x, baseline_y), font, scale, 255, thickness, cv2.LINE_AA)
    if mask.shape[1] > width:
        mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_AREA)
    left = x0 + (width - mask.shape[1]) // 2
    region = canvas[y0:y1, left : left + mask.shape[1]]
    alpha = mask.astype(np.float32) / 255
    region[:] = (region * (1 - alpha) + ink * alpha).astype(np.uint8)


def render_plate(text: str, rng: np.random.Generator, size: tuple[int, int] = (64, 128),
                 plate_format: str = "latin") -> np.ndarray:
    """Draw one plate crop, before photometric noise. Returns uint8 (H, W) gray."""
    height, width = size
    background = int(rng.integers(0, 256))
    canvas = np.full((height, width), background, np.uint8)
    margin_x = rng.integers(1, max(2, width // 12), 2)
    margin_y = rng.integers(1, max(2, height // 5), 2)
    x0, y0, x1, y1 = margin_x[0], margin_y[0], width - margin_x[1], height - margin_y[1]
    paper, ink = int(rng.integers(170, 256)), int(rng.integers(0, 80))
    cv2.rectangle(canvas, (x0, y0), (x1, y1), paper, -1)
    border = int(rng.integers(1, 3))
    cv2.rectangle(canvas, (x0, y0), (x1, y1), ink, border)
    font = FONTS[rng.integers(0, len(FONTS))]
    thickness = int(rng.integers(1, 3))
    pad = border + 2
    inner_height = y1 - y0 - 2 * pad
    if plate_format == "russian":
        # Main part, a divider, then the region in a smaller box at the right, as on real plates.
        split = x0 + round((x1 - x0) * 0.76)
        cv2.line(canvas, (split, y0), (split, y1), ink, border)
        _put_monospaced(canvas, text[:6], (x0 + pad, y0 + pad, split - pad, y1 - pad), font, thickness, ink)
        _put_monospaced(canvas, text[6:], (split + pad, y0 + pad, x1 - pad, y0 + pad + inner_height * 2 // 3),
                         font, thickness, ink)
    else:
        fill = rng.uniform(0.75, 1.0)
        right = x0 + pad + round((x1 - x0 - 2 * pad) * fill)
        _put_monospaced(canvas, text, (x0 + pad, y0 + pad, right, y1 - pad), font, thickness, ink)
    return _photograph(canvas, rng)


def _photograph(canvas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Small rotation and perspective, then sometimes a blur. uint8 (H, W) -> uint8 (H, W)."""
    height, width = canvas.shape
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    angle = np.deg2rad(rng.uniform(-4, 4))
    rotation = np.float32([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    centre = np.float32([width / 2, height / 2])
    moved = (corners - centre) @ rotation.T + centre + rng.uniform(-0.04, 0.04, (4, 2)) * [width, height]
    warp = cv2.getPerspectiveTransform(corners, moved.astype(np.float32))
    image = cv2.warpPerspective(canvas, warp, (width, height), borderMode=cv2.BORDER_REPLICATE)
    if rng.random() < 0.5:
        image = cv2.GaussianBlur(image, (3, 3), rng.uniform(0.3, 1.0))
    return image


def generate_plates(n: int, seed: int, size: tuple[int, int] = (64, 128),
                    formats: tuple[str, ...] = FORMATS) -> tuple[np.ndarray, list[str]]:
    """``n`` plates, the same for the same seed. Returns uint8 images (n, H, W) and their texts.

    The format of each plate is drawn uniformly from ``formats``. After drawing, each image gets its
    own contrast, brightness and Gaussian noise (``add_photometric_noise``).
    """
    for plate_format in formats:
        random_plate_text(np.random.default_rng(0), plate_format)  # validates the name
    rng = np.random.default_rng(seed)
    texts, images = [], np.empty((n, *size), np.uint8)
    for i in range(n):
        plate_format = formats[rng.integers(0, len(formats))]
        texts.append(random_plate_text(rng, plate_format))
        images[i] = render_plate(texts[-1], rng, size, plate_format)
    return add_photometric_noise(images, rng), texts


def add_photometric_noise(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8 (N, H, W) or (N, H, W, C) -> the same shape, each image with its own contrast (x0.5 to
    x1.2 around gray 128), brightness (-40 to +40) and Gaussian noise (sigma 0 to 12), drawn from ``rng``.

    The last step of ``generate_plates``; call it on plates drawn with ``render_plate`` from other texts.
    """
    per_image = (len(images),) + (1,) * (np.ndim(images) - 1)  # one draw per image, broadcast over its pixels
    contrast = rng.uniform(0.5, 1.2, per_image).astype(np.float32)
    brightness = rng.uniform(-40, 40, per_image).astype(np.float32)
    sigma = rng.uniform(0, 12, per_image).astype(np.float32)
    noisy = rng.standard_normal(np.shape(images), np.float32)
    noisy *= sigma
    noisy += (images - np.float32(128)) * contrast + (128 + brightness)
    return np.clip(noisy, 0, 255, out=noisy).astype(np.uint8)
