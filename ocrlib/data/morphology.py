"""Dilation, erosion, opening and closing of a whole batch at once with ``keras.ops``, so they run where
the model runs (GPU, TPU) on any backend, as a batch augmentation or preprocessing step.

Dilation is a max-pool with stride 1 over a rectangular structuring element; erosion is the negated
max-pool of the negated batch. The results equal OpenCV's ``cv2.dilate``/``cv2.erode`` with the
kernel ``np.ones((height, width), np.uint8)`` (only rectangles: no ellipse or cross), its default
anchor (the kernel's centre, ``(height // 2, width // 2)``, also for even sizes) and its default
border (pixels outside the image take no part in the max or min). ``ocrlib.data.augment.opening`` and
``closing`` are the OpenCV versions, one uint8 image at a time, without Keras.
"""
from __future__ import annotations

import keras
from keras import ops


def _kernel(size: int | tuple[int, int]) -> tuple[int, int]:
    """(height, width) of a ``size`` x ``size`` square or a (height, width) rectangle; ValueError unless both >= 1."""
    height, width = (size, size) if isinstance(size, int) else tuple(size)
    if height < 1 or width < 1:
        raise ValueError(f"structuring element size {size}: height and width must be at least 1")
    return height, width


def dilate(batch, size: int | tuple[int, int] = 3):
    """batch: (B, H, W, C), any real dtype (uint8 or float32). Each pixel becomes the maximum of the
    ``size`` rectangle anchored at its centre. Returns a backend tensor of the same shape and dtype."""
    height, width = _kernel(size)
    if len(batch.shape) != 4:
        raise ValueError(f"batch of shape {tuple(batch.shape)} is not (B, H, W, C)")
    dtype = keras.backend.standardize_dtype(batch.dtype)
    top, left = height // 2, width // 2
    padded = ops.pad(ops.cast(batch, "float32"), ((0, 0), (top, height - 1 - top), (left, width - 1 - left), (0, 0)),
                     constant_values=float("-inf"))
    pooled = ops.max_pool(padded, (height, width), strides=1, padding="valid", data_format="channels_last")
    return ops.cast(pooled, dtype)


def erode(batch, size: int | tuple[int, int] = 3):
    """batch: (B, H, W, C). Each pixel becomes the minimum of the ``size`` rectangle anchored at its
    centre: minus the dilation of minus the batch. Same shape and dtype."""
    dtype = keras.backend.standardize_dtype(batch.dtype)
    return ops.cast(-dilate(-ops.cast(batch, "float32"), size), dtype)


def opening(batch, size: int | tuple[int, int] = 3):
    """Erode, then dilate: bright specks and gaps narrower than ``size`` go (``cv2.MORPH_OPEN``)."""
    return dilate(erode(batch, size), size)


def closing(batch, size: int | tuple[int, int] = 3):
    """Dilate, then erode: dark specks and lines thinner than ``size`` go (``cv2.MORPH_CLOSE``)."""
    return erode(dilate(batch, size), size)
