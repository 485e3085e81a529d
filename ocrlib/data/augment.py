"""Augmentation: changes that keep the text reading the same way (no flips, no large rotations).

Two kinds:

- Image steps, for pictures, cleaning and your own pipelines. Each factory (``rotation``,
  ``gaussian_blur``, ``median_blur``, ``binarize``, ``opening``, ``closing``, ``brightness_contrast``,
  ``elastic``) returns a step ``f(image, rng) -> image`` on one uint8 image (H, W) or (H, W, C);
  ``compose`` chains steps and ``augment_images`` runs one over many images from a seed.
- The batch augmentation the ``Batches`` batcher applies while training (``augment_batch``): shift,
  brightness/contrast and noise, vectorised over a float32 batch (B, H, W, C) in [0, 1].
"""
from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

Step = Callable[[np.ndarray, np.random.Generator], np.ndarray]
MAX_ROTATION = 10.0  # degrees; beyond that a 6 starts to look like a 9 turned and lines stop being lines


def rotation(max_degrees: float = 3.0) -> Step:
    """Rotate about the centre by an angle drawn from [-max_degrees, max_degrees], edges repeated."""
    if not 0 <= max_degrees <= MAX_ROTATION:
        raise ValueError(f"max_degrees={max_degrees}: only small rotations (0 to {MAX_ROTATION:g}) keep text readable")

    def rotate(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        height, width = image.shape[:2]
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-max_degrees, max_degrees), 1.0)
        return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    return rotate


def gaussian_blur(max_sigma: float = 1.0) -> Step:
    """Blur with a Gaussian of sigma drawn from [0.3, max_sigma]: softens noise dots and pixel noise."""
    def blur(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, max(0.3, max_sigma)))
    return blur


def median_blur(size: int = 3) -> Step:
    """Each pixel becomes the median of its size x size window: isolated dots vanish, edges stay sharp."""
    if size < 3 or size % 2 == 0:
        raise ValueError(f"median_blur size must be odd and >= 3, got {size}")
    return lambda image, rng: cv2.medianBlur(image, size)


def binarize() -> Step:
    """Gray, then Otsu's threshold (the one that best splits the histogram in two): uint8 (H, W) of 0
    and 255, background white. Colour stops mattering; faint strokes may vanish."""
    def threshold(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 and image.shape[2] == 3 else image
        gray = gray.reshape(gray.shape[:2])
        _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        return binary if np.mean(binary) >= 128 else 255 - binary  # the majority, the background, is white
    return threshold


def _morphology(operation: int, size: int) -> Step:
    if size < 3 or size % 2 == 0:  # an even square has no centre: the result would shift by a pixel
        raise ValueError(f"morphology size must be odd and >= 3, got {size}")
    kernel = np.ones((size, size), np.uint8)
    return lambda image, rng: cv2.morphologyEx(image, operation, kernel)


def opening(size: int = 3) -> Step:
    """Erode then dilate with a size x size square: light specks and gaps narrower than it go; on dark
    text on light paper that fills small holes and joins strokes that almost touch."""
    return _morphology(cv2.MORPH_OPEN, size)


def closing(size: int = 3) -> Step:
    """Dilate then erode: dark specks and dark lines thinner than size go, from dark text on light paper,
    and so does a minus sign drawn thinner than that."""
    return _morphology(cv2.MORPH_CLOSE, size)


def brightness_contrast(strength: float = 0.2) -> Step:
    """Contrast x (1 +/- strength) about the image mean, brightness +/- strength / 2 (of the full range)."""
    def jitter(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        batch = image.reshape(1, *image.shape[:2], -1).astype(np.float32) / 255
        jittered = jitter_brightness_contrast(batch, rng, strength)[0].reshape(image.shape)
        return np.round(jittered * 255).astype(np.uint8)
    return jitter


def elastic(alpha: float = 2.0, sigma: float = 4.0) -> Step:
    """Move each pixel by a smooth random field (Gaussian-smoothed noise of ``sigma`` pixels, scaled so the
    largest move is about ``alpha`` pixels): strokes wobble as handwriting and cheap printers do."""
    def warp(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        height, width = image.shape[:2]
        fields = []
        for _ in range(2):
            field = cv2.GaussianBlur(rng.uniform(-1, 1, (height, width)).astype(np.float32), (0, 0), sigma)
            fields.append(field * (alpha / max(np.abs(field).max(), 1e-6)))
        x, y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
        return cv2.remap(image, x + fields[0], y + fields[1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return warp


def compose(*steps: Step) -> Step:
    """One step that runs ``steps`` in order, all drawing from the same generator."""
    def run(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        for step in steps:
            image = step(image, rng)
        return image
    return run


def augment_images(images: np.ndarray, step: Step, seed: int) -> np.ndarray:
    """uint8 (N, H, W[, C]) -> ``step`` applied to each image, the same for the same seed; stacked."""
    rng = np.random.default_rng(seed)
    return np.stack([step(image, rng) for image in images])


def jitter_brightness_contrast(batch: np.ndarray, rng: np.random.Generator, strength: float = 0.2) -> np.ndarray:
    """batch: (B, H, W, C) float32 in [0, 1]. Per image: contrast x (1 +/- strength), brightness +/- strength / 2."""
    shape = (len(batch), 1, 1, 1)
    contrast = rng.uniform(1 - strength, 1 + strength, shape).astype(np.float32)
    brightness = rng.uniform(-strength / 2, strength / 2, shape).astype(np.float32)
    mean = batch.mean(axis=(1, 2, 3), keepdims=True)
    return np.clip((batch - mean) * contrast + mean + brightness, 0.0, 1.0)


def add_gaussian_noise(batch: np.ndarray, rng: np.random.Generator, max_sigma: float = 0.05) -> np.ndarray:
    """batch: (B, H, W, C) float32 in [0, 1]. Per image noise with sigma drawn from [0, max_sigma]."""
    sigma = rng.uniform(0, max_sigma, (len(batch), 1, 1, 1)).astype(np.float32)
    return np.clip(batch + sigma * rng.standard_normal(batch.shape, dtype=np.float32), 0.0, 1.0)


def shift(batch: np.ndarray, rng: np.random.Generator, max_pixels: int = 3) -> np.ndarray:
    """batch: (B, H, W, C). Per image translation by up to ``max_pixels`` each way, edges repeated."""
    height, width = batch.shape[1:3]
    padded = np.pad(batch, ((0, 0), (max_pixels,) * 2, (max_pixels,) * 2, (0, 0)), mode="edge")
    dy, dx = rng.integers(0, 2 * max_pixels + 1, (2, len(batch)))
    return np.stack([p[y : y + height, x : x + width] for p, y, x in zip(padded, dy, dx)])


def augment_batch(batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The default training augmentation: shift, brightness/contrast, noise. (B, H, W, C) float32 in [0, 1]."""
    return add_gaussian_noise(jitter_brightness_contrast(shift(batch, rng), rng), rng)
