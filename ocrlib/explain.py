"""What a trained recognizer looks at: where each character's CTC peak sits against the image columns
that support it.

CTC trains the order of the characters, never their positions. A model whose time step sees only a
window of the image (CNN-only) must put each peak over its glyph; a CRNN's LSTMs see the whole line
and may put it anywhere. ``peak_offsets`` measures which happens: it hides one band of columns at a
time and finds, for each character read, the band whose hiding lowers that character's peak the most.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ocrlib.recognizer import Image, Recognizer


def character_peaks(probs: np.ndarray) -> list[tuple[int, int]]:
    """(time step, class) of each character that best path reads from ``probs`` (T, C), blank at 0:
    for each run of one non-blank class in the argmax, the step where that class is most probable."""
    classes = probs.argmax(axis=1)
    peaks, start = [], 0
    for t in range(1, len(classes) + 1):
        if t == len(classes) or classes[t] != classes[start]:
            if classes[start] != 0:
                peaks.append((start + int(probs[start:t, classes[start]].argmax()), int(classes[start])))
            start = t
    return peaks


def peak_offsets(recognizer: Recognizer, images: Sequence[Image], band: int = 8) -> np.ndarray:
    """For each character best path reads in ``images``: its peak's time step minus the time step under
    the centre of the ``band``-pixel-wide band of columns whose hiding (filled with the image's median)
    lowers the peak's probability most. (N_characters,) float, in time steps: about 0 where the peak
    sits over the glyph that supports it, positive where it sits to the right of it."""
    _, width, _ = recognizer.input_shape
    if not 0 < band <= width:
        raise ValueError(f"band {band}: must be between 1 and the model's input width {width}")
    if not len(images):
        return np.empty(0)
    starts = np.arange(0, width - band + 1, max(1, band // 2))
    offsets = []
    for image in recognizer.preprocess(images):
        probs = np.asarray(recognizer.model.predict_on_batch(image[None]))[0]
        peaks = character_peaks(probs)
        if not peaks:
            continue
        hidden = np.repeat(image[None], len(starts), axis=0)
        for i, x in enumerate(starts):
            hidden[i, :, x:x + band] = np.median(image)
        drop = probs[None] - np.asarray(recognizer.model.predict_on_batch(hidden))  # (bands, T, C)
        pixels_per_step = width / probs.shape[0]
        for t, k in peaks:
            centre = starts[drop[:, t, k].argmax()] + band / 2
            offsets.append(t - (centre / pixels_per_step - 0.5))
    return np.array(offsets)
