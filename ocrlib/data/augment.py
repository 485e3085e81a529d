"""On-the-fly augmentation of a batch, seeded by the caller's random generator.

Only changes that keep the text readable the same way: no flips or large rotations.
"""
from __future__ import annotations

import numpy as np


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
