"""The one preprocessing function shared by training, evaluation, prediction, export and the notebooks."""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ocrlib.errors import ImageTooWideError
from ocrlib.geometry import MAX_WIDTH, padded_width


def to_uint8(image: np.ndarray, rgb: bool = False) -> np.ndarray:
    """Any image array -> uint8 (H, W) gray or (H, W, 3) BGR colour; alpha is composited on white.

    Accepts uint8, uint16 (16-bit files), bool and float with every value in [0, 1] (a float image
    outside it, e.g. 0-255, is refused, naming the range found); (H, W), (H, W, 1), (H, W, 3) and
    (H, W, 4) in OpenCV's channel order (BGR/BGRA), or with ``rgb`` in RGB/RGBA order (arrays from PIL
    or matplotlib); at least one pixel.
    """
    image = np.asarray(image)
    if image.size == 0:
        raise ValueError(f"image of shape {image.shape} has no pixels")
    if image.dtype != np.uint8:
        image = _eight_bits(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 4:
        alpha = image[:, :, 3:].astype(np.float32) / 255.0
        image = (image[:, :, :3] * alpha + 255.0 * (1.0 - alpha)).round().astype(np.uint8)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(f"unsupported image shape {image.shape}: expected (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)")
    return np.ascontiguousarray(image[:, :, ::-1]) if rgb and image.ndim == 3 else image


def _eight_bits(image: np.ndarray) -> np.ndarray:
    """A uint16, bool or float image in [0, 1] -> uint8 of its shape; other dtypes are refused."""
    if image.dtype == np.uint16:
        return (image / 257.0).round().astype(np.uint8)
    if image.dtype == bool:
        return image.astype(np.uint8) * 255
    if np.issubdtype(image.dtype, np.floating):
        low, high = image.min(), image.max()
        if not 0.0 <= low <= high <= 1.0:  # also False for NaN
            raise ValueError(f"a float image must have its values in [0, 1], this one spans [{low:g}, {high:g}]: "
                             "divide it by its maximum (255 for 8-bit values) or pass it as uint8")
        return (image * 255.0).round().astype(np.uint8)
    raise ValueError(f"unsupported image dtype {image.dtype}: expected uint8, uint16, bool or float")


def fit_to_size(image: np.ndarray, input_shape: tuple[int, int | None, int], rgb: bool = False,
                name: str = "image") -> np.ndarray:
    """One image (as ``to_uint8`` takes it; BGR, or RGB with ``rgb``) -> uint8 (H, W, C) of
    ``input_shape``: channels converted, resized with its aspect ratio kept, vertically centred,
    left-aligned, padded by repeating its edge pixels.

    A width of None (a variable-width model) resizes to the height H alone and pads the width to the
    next multiple of ``WIDTH_MULTIPLE``; an image wider than ``MAX_WIDTH`` at that height is refused
    with an ``ImageTooWideError`` naming ``name`` (a file, say) and its width.
    """
    height, width, channels = input_shape
    image = to_uint8(image, rgb)
    if channels == 1 and image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    elif channels == 3 and image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    new_height, new_width = fitted_size(image.shape[:2], input_shape)
    if width is None:
        if new_width > MAX_WIDTH:
            raise ImageTooWideError(f"{name} is {new_width} pixels wide at the model's height of {height} (it is "
                             f"{image.shape[1]} x {image.shape[0]}): more than the maximum width {MAX_WIDTH}; "
                             "split the line, or use a model of a lower height")
        width = padded_width(new_width)
    if image.shape[:2] != (height, width):
        shrunk = image.shape[0] > height or image.shape[1] > width
        interpolation = cv2.INTER_AREA if shrunk else cv2.INTER_LINEAR
        image = cv2.resize(image, (new_width, new_height), interpolation=interpolation)
        top = (height - new_height) // 2
        image = cv2.copyMakeBorder(
            image, top, height - new_height - top, 0, width - new_width, cv2.BORDER_REPLICATE
        )
    return image.reshape(height, width, channels)


def fitted_size(size: tuple[int, int], input_shape: tuple[int, int | None, int]) -> tuple[int, int]:
    """(height, width) that an image of ``size`` (H, W) pixels is resized to by ``fit_to_size``: the
    largest with its aspect ratio that fits ``input_shape``, at least one pixel each way; for a width
    of None, the model's height and the width that keeps the aspect ratio."""
    height, width = input_shape[:2]
    if width is None:
        return height, max(1, round(size[1] * height / size[0]))
    scale = min(height / size[0], width / size[1])
    return max(1, min(height, round(size[0] * scale))), max(1, min(width, round(size[1] * scale)))


def preprocess(images: Sequence[np.ndarray] | np.ndarray, input_shape: tuple[int, int, int],
               rgb: bool = False) -> np.ndarray:
    """Images of any size, dtype and channel count (BGR, or RGB with ``rgb``) -> (B, H, W, C) float32
    in [0, 1], what the model is fed."""
    return stack_fitted([fit_to_size(image, input_shape, rgb) for image in images], input_shape)


def stack_fitted(fitted: Sequence[np.ndarray], input_shape: tuple[int, int | None, int]) -> np.ndarray:
    """uint8 (H, W, C) images already fitted to ``input_shape`` -> float32 (B, H, W, C) in [0, 1];
    (0, H, W, C) for no images. Images of different widths (a variable-width model) are padded to the
    widest (``pad_to_width``)."""
    if not len(fitted):
        return np.empty((0, input_shape[0], input_shape[1] or 0, input_shape[2]), np.float32)
    return to_model_range(pad_to_width(fitted, max(image.shape[1] for image in fitted)))


def pad_to_width(fitted: Sequence[np.ndarray], width: int) -> np.ndarray:
    """uint8 (H, W_i, C) images, each at most ``width`` wide -> uint8 (B, H, width, C), each widened by
    repeating its last column, as ``fit_to_size`` pads."""
    return np.stack([image if image.shape[1] == width else np.pad(image, ((0, 0), (0, width - image.shape[1]), (0, 0)),
                                                                  mode="edge") for image in fitted])


def to_model_range(batch: np.ndarray) -> np.ndarray:
    """uint8 (B, H, W, C) already fitted to size -> float32 in [0, 1]."""
    return batch.astype(np.float32) / 255.0
