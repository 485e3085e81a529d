"""Reading by vote: a model reads each image as it is and in six slightly moved or scaled copies, and
the text most of the seven readings agree on wins.

A CRNN's reading of a real photograph can hang on a pixel: where the image is unlike anything it trained
on, moving it by two pixels can change one character. The seven readings rarely fail in the same way,
so their majority is right more often than any one of them (Benchmarks, Plates: reading by vote). The
copies are fixed, chosen before any measurement, not tuned on a test set. No Keras here.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import cv2
import numpy as np

# (dx, dy, scale) of each copy: moved by two pixels left, right, up and down, and scaled about the
# centre to 92% and 108%; in the model's input (64 x 128 for plates, where a time step is 4 pixels wide).
JITTERS = ((2, 0, 1.0), (-2, 0, 1.0), (0, 2, 1.0), (0, -2, 1.0), (0, 0, 0.92), (0, 0, 1.08))


def jittered(images: np.ndarray, dx: float, dy: float, scale: float) -> np.ndarray:
    """(N, H, W, C) images (uint8 or float32) -> the same shape and dtype, each scaled by ``scale`` about
    its centre and moved by (dx, dy) pixels; its edge pixels are repeated into what the move uncovers."""
    height, width = images.shape[1:3]
    matrix = np.float32([[scale, 0, (1 - scale) * width / 2 + dx], [0, scale, (1 - scale) * height / 2 + dy]])
    moved = [cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
             for image in images]
    return np.stack(moved).reshape(images.shape)


def voted(readings: Sequence[Sequence[str]]) -> list[str]:
    """readings: one text per image from each reading, the images as they are first -> per image, the
    text most readings agree on; on a tie, the first reading's text if it is among the tied, else the tied
    text read first."""
    winners = []
    for texts in zip(*readings, strict=True):
        counts = Counter(texts)  # in the order the texts were first read
        winners.append(max(counts, key=lambda text: (counts[text], text == texts[0])))
    return winners
