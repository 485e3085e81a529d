"""Seeded synthetic captchas drawn by the ``captcha`` package's ``ImageCaptcha``.

Each character is drawn in the package's own font (DroidSansMono, shipped with it: nothing is
downloaded), rotated, warped and pasted so that neighbours touch and overlap; then come noise dots, a
noise curve and a smoothing filter. ``ImageCaptcha`` draws its randomness from ``secrets``, which
cannot be seeded, so while generating, the module's ``secrets`` is swapped for a seeded stand-in:
the same seed gives the same images.
"""
from __future__ import annotations

import random
import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import captcha.image
import numpy as np
from captcha.image import ImageCaptcha

from ocrlib.alphabet import Alphabet

# Digits and uppercase, as in the best-known captcha CRNN, without the letter O: the package's one font
# draws 0 and O as the same oval a few pixels apart in width, and its random warp is wider than that.
# Real captcha schemes leave such pairs out. (Lowercase would add o/O, s/S, x/X, drawn at random sizes.)
ALPHABET = string.digits + string.ascii_uppercase.replace("O", "")
LENGTHS = (4, 6)
# ImageCaptcha's default font sizes, meant for its default height of 60 pixels.
FONT_SIZES_AT_HEIGHT_60 = (42, 50, 56)


class _SeededSecrets:
    """The three ``secrets`` functions ``captcha.image`` calls, drawn from a seeded generator."""

    def __init__(self, seed: int):
        self._random = random.Random(seed)

    def randbelow(self, n: int) -> int:
        return self._random.randrange(n)

    def randbits(self, k: int) -> int:
        return self._random.getrandbits(k)

    def choice(self, sequence: Sequence):
        return self._random.choice(sequence)


@contextmanager
def _seeded_captcha_module(seed: int) -> Iterator[None]:
    original = captcha.image.secrets
    captcha.image.secrets = _SeededSecrets(seed)
    try:
        yield
    finally:
        captcha.image.secrets = original


def random_captcha_text(rng: np.random.Generator, charset: str = ALPHABET, lengths: tuple[int, int] = LENGTHS) -> str:
    """A text of ``lengths[0]`` to ``lengths[1]`` characters (inclusive) drawn uniformly from ``charset``."""
    length = int(rng.integers(lengths[0], lengths[1] + 1))
    return "".join(charset[i] for i in rng.integers(0, len(charset), length))


def generate_captchas(n: int, seed: int, size: tuple[int, int] = (64, 128), charset: str = ALPHABET,
                      lengths: tuple[int, int] = LENGTHS, fonts: Sequence[str] | None = None
                      ) -> tuple[np.ndarray, list[str]]:
    """``n`` captchas, the same for the same seed. Returns uint8 images (n, H, W, 3) in OpenCV's BGR
    order and their texts.

    size: (H, W); font sizes scale with H. lengths: (shortest, longest) text, inclusive.
    fonts: TrueType files to draw with (default: the package's DroidSansMono).
    """
    Alphabet(charset)  # rejects duplicates
    if not charset:
        raise ValueError("charset is empty: give at least one character to draw")
    shortest, longest = lengths
    if not 1 <= shortest <= longest:
        raise ValueError(f"lengths {lengths}: need 1 <= shortest <= longest")
    height, width = size
    font_sizes = tuple(round(s * height / 60) for s in FONT_SIZES_AT_HEIGHT_60)
    drawer = ImageCaptcha(width=width, height=height, fonts=list(fonts) if fonts else None, font_sizes=font_sizes)
    rng = np.random.default_rng(seed)
    texts = [random_captcha_text(rng, charset, lengths) for _ in range(n)]
    images = np.empty((n, height, width, 3), np.uint8)
    with _seeded_captcha_module(seed):
        for i, text in enumerate(texts):
            images[i] = np.asarray(drawer.generate_image(text))[:, :, ::-1]
    return images, texts
