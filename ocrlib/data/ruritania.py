"""Plates of Ruritania, a made-up country: a small target domain to fine-tune a plate reader on.

A Ruritanian plate prints two letters, four digits and a letter (``ЖK 4821 Я``) in black bold
capitals on a light yellow plate, a blue band with the country's code on its left. Its alphabet is
Cyrillic: the 11 letters whose capitals look like Latin ones are labelled as the Latin letters
(``ABEKMHOPCTX``, as plate registers transliterate them), the 14 others as themselves
(``БГДЖИЛПУФЦЧШЭЯ``), characters a model trained on Latin plates has never seen. So fine-tuning a
pretrained plate model here both adapts its features to a new style and grows its alphabet.

The style is narrower than ``ocrlib.data.plates``' (one country, one layout, three DejaVu bold faces,
which draw Cyrillic), and so is the camera: a crop with some car around the plate, a small tilt, blur,
a lower resolution, JPEG. Every plate then goes through ``fit_to_size`` and ``add_photometric_noise``,
as generated plates do.
"""
from __future__ import annotations

import string

import cv2
import numpy as np

from ocrlib.data.fonts import check_face, embolden, line_mask
from ocrlib.data.plates import add_photometric_noise, jpeg
from ocrlib.data.preprocess import fit_to_size

LATIN_LOOKALIKES = "ABEKMHOPCTX"  # Cyrillic А В Е К М Н О Р С Т Х, labelled as these Latin capitals
CYRILLIC_ONLY = "БГДЖИЛПУФЦЧШЭЯ"
LETTERS = LATIN_LOOKALIKES + CYRILLIC_ONLY
ALPHABET = string.digits + LETTERS
FACES = ("DejaVu Sans Bold", "DejaVu Sans Mono Bold", "DejaVu Serif Bold")
_COUNTRY_CODE = "RT"


def random_ruritanian_text(rng: np.random.Generator) -> str:
    """Two letters, four digits, a letter: ``ЖK4821Я`` (the label has no spaces)."""
    letters = rng.choice(list(LETTERS), 3)
    return f"{letters[0]}{letters[1]}{rng.integers(10_000):04d}{letters[2]}"


def render_ruritanian_plate(text: str, rng: np.random.Generator, size: tuple[int, int] = (64, 128)) -> np.ndarray:
    """One plate of ``text`` (7 characters of ``ALPHABET``: letters, digits, letter as
    ``random_ruritanian_text`` makes them) photographed: uint8 (H, W) gray fitted to ``size`` as
    ``fit_to_size`` fits a real crop, before photometric noise."""
    unknown = sorted(set(text) - set(ALPHABET))
    if unknown:
        raise ValueError(f"Ruritanian plate text {text!r} has characters its plates do not carry: {unknown}; "
                         f"they carry {ALPHABET!r}")
    plate = _plate([text[:2], text[2:6], text[6:]], rng)
    return _photograph(plate, rng, size)


def generate_ruritanian_plates(n: int, seed: int, size: tuple[int, int] = (64, 128)) -> tuple[np.ndarray, list[str]]:
    """``n`` Ruritanian plates, the same for the same seed: uint8 images (n, H, W) and their texts."""
    for face in FACES:
        check_face(face, ALPHABET)
    text_rng, rng = np.random.default_rng(seed).spawn(2)
    texts = [random_ruritanian_text(text_rng) for _ in range(n)]
    images = np.empty((n, *size), np.uint8)
    for i, text in enumerate(texts):
        images[i] = render_ruritanian_plate(text, rng, size)
    return add_photometric_noise(images, rng), texts


def _plate(groups: list[str], rng: np.random.Generator) -> np.ndarray:
    """The plate alone, float32 gray (height, width): yellow, a black border, the blue band with the
    country code at the left, the groups in black bold capitals spread over the rest."""
    height = 60
    width = round(height * rng.uniform(3.6, 4.2))
    yellow, black, blue = rng.uniform(185, 235), rng.uniform(0, 45), rng.uniform(55, 95)
    plate = np.full((height, width), yellow, np.float32)
    band = round(width * rng.uniform(0.09, 0.12))
    plate[:, :band] = blue
    mask = np.zeros((height, width), np.uint8)
    cv2.putText(mask, _COUNTRY_CODE, (round(band * 0.12), round(height * 0.85)), cv2.FONT_HERSHEY_SIMPLEX,
                band * 0.028, 255, 1, cv2.LINE_AA)
    plate += (yellow - plate) * (mask / 255)  # the code in the plate's colour
    cv2.rectangle(plate, (1, 1), (width - 2, height - 2), black, 2)

    face = FACES[rng.integers(len(FACES))]
    gap = rng.uniform(0.25, 0.5)  # between groups, share of the cap height
    text = embolden(line_mask(face, " ".join(groups), rng.uniform(0.02, 0.12), word_spacing=gap),
                    int(rng.integers(0, 3)))
    box_left, box_right = band + 4, width - 4
    text_height = round(height * rng.uniform(0.8, 0.92))
    text_width = min(box_right - box_left, round(text.shape[1] * text_height / text.shape[0] * rng.uniform(0.8, 1.1)))
    glyphs = cv2.resize(text, (text_width, text_height), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    left = box_left + (box_right - box_left - text_width) // 2
    top = (height - text_height) // 2
    region = plate[top:top + text_height, left:left + text_width]
    region += (black - region) * glyphs
    return plate


def _photograph(plate: np.ndarray, rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """The plate on a car, cropped with a margin, tilted a little, blurred, at a lower resolution
    some of the time, JPEG-compressed some of the time: uint8 (H, W) fitted to ``size``."""
    height, width = plate.shape
    margin_x, margin_y = round(width * rng.uniform(0.0, 0.08)), round(height * rng.uniform(0.05, 0.3))
    scene = np.full((height + 2 * margin_y, width + 2 * margin_x), rng.uniform(0, 255), np.float32)
    scene[margin_y:margin_y + height, margin_x:margin_x + width] = plate
    turn = cv2.getRotationMatrix2D((scene.shape[1] / 2, scene.shape[0] / 2), rng.uniform(-3, 3), 1.0)
    scene = cv2.warpAffine(scene, turn, scene.shape[::-1], borderMode=cv2.BORDER_REPLICATE)
    scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.3, 1.2))
    if rng.random() < 0.3:  # a camera of lower resolution, upscaled
        small = rng.uniform(0.35, 0.7)
        low = cv2.resize(scene, None, fx=small, fy=small, interpolation=cv2.INTER_AREA)
        scene = cv2.resize(low, scene.shape[::-1], interpolation=cv2.INTER_LINEAR)
    image = np.clip(scene, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        image = jpeg(image, int(rng.integers(25, 80)))
    return fit_to_size(image, (*size, 1))[:, :, 0]
