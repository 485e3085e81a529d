"""What a trained recognizer looks at. One experiment per function, each run through the model in batches:

- ``relevance``, ``character_relevance``: prediction difference (Zintgraf et al. 2017, as in SimpleHTR's
  ``analyze.py``). Each patch of the image is replaced by plausible values (the image's own blurred
  version, or several grey levels) and the change in the log-odds of p(text | image), or of one
  character at its peak, is spread over the patch's pixels: > 0 where the pixels support the text.
- ``shift_curve``: the image moved sideways inside the model's input; p(text) and where each
  character's peak goes, against the shift.
- ``peak_positions``: each character's CTC peak against its glyph's box, over a set of images.
- ``peak_offsets``: the same without boxes: the band of columns whose hiding lowers a peak most
  stands in for the glyph.

CTC trains the order of the characters, never their positions. A model whose time step sees only a
window of the image (CNN-only) must put each peak over its glyph; a CRNN's LSTMs see the whole line
and may put it anywhere. The last two measure which happens.

An image of another size than the model's input is fitted to it as everywhere else (``fit_to_size``:
aspect kept, padded), with a ``UserWarning`` saying so: maps and positions are then in the pixels of
the fitted image, ``recognizer.preprocess([image])[0]``. Probabilities are float32 softmax outputs:
below float32's smallest normal number and within its epsilon of 1 they hold no information, so the
scores clip them there (and a text of probability 0 or 1 keeps finite log-odds).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import cv2
import numpy as np

from ocrlib.alphabet import Alphabet
from ocrlib.ctc_reference import ctc_loss_reference, min_time_steps
from ocrlib.data.folder import read_image
from ocrlib.data.preprocess import fit_to_size, fitted_size
from ocrlib.decoders import best_alignment, best_path
from ocrlib.errors import LabelTooLongError, UnknownCharacterError
from ocrlib.recognizer import Image, Recognizer

PROBABILITY_FLOOR = float(np.finfo(np.float32).tiny)
PROBABILITY_CEILING = 1.0 - float(np.finfo(np.float32).eps)
Size = int | tuple[int, int]


def character_peaks(probs: np.ndarray) -> list[tuple[int, int]]:
    """(time step, class) of each character that best path reads from ``probs`` (T, C), blank at 0:
    for each run of one non-blank class in the argmax, the step where that class is most probable."""
    return _peaks_along(probs.argmax(axis=1), probs)


def text_peaks(probs: np.ndarray, text: str, chars: str | Alphabet) -> np.ndarray:
    """(len(text),) int: the time step of each character's peak in the most probable alignment of
    ``text`` (``best_alignment``) on ``probs`` (T, len(chars) + 1), blank at 0: the step of its run
    where it is most probable."""
    return np.array([t for t, _ in _peaks_along(best_alignment(probs, text, chars), probs)], dtype=int)


def _peaks_along(path: np.ndarray, probs: np.ndarray) -> list[tuple[int, int]]:
    """(step, class) for each run of one non-blank class in ``path`` (T,): the run's step where that
    class is most probable in ``probs`` (T, C)."""
    peaks, start = [], 0
    for t in range(1, len(path) + 1):
        if t == len(path) or path[t] != path[start]:
            if path[start] != 0:
                peaks.append((start + int(probs[start:t, path[start]].argmax()), int(path[start])))
            start = t
    return peaks


def relevance(recognizer: Recognizer, image: Image, text: str | None = None, patch: Size = 8, stride: Size = 4,
              fill: str | Sequence[float] = "blur", batch_size: int = 256) -> np.ndarray:
    """Which pixels make the model read ``text`` (default: what best path reads): (H, W) float64 over
    the model's input, in log-odds of p(text | image), > 0 where a pixel supports the text, < 0 where
    it opposes it, 0 where hiding it changes nothing.

    Each ``patch`` (H_p, W_p; an int for a square) placed every ``stride`` pixels (the last one flush
    with the edge) is replaced by each sample of ``fill``: ``"blur"``, the image blurred by a Gaussian
    of sigma half the patch's larger side, or grey levels in [0, 1] whose probabilities are averaged.
    A patch scores log-odds(p(text | image)) - log-odds(p(text | image without the patch)); a pixel
    the mean score of the patches that cover it. p is the CTC probability summed over all alignments.
    The occluded copies go through the model ``batch_size`` at a time.
    """
    occlusion = _occlude(recognizer, image, text, patch, stride, fill, batch_size)
    label = recognizer.alphabet.encode(occlusion.text)
    return occlusion.maps(_log_p_text(occlusion.seen, label)[None], _log_p_text(occlusion.hidden, label)[None])[0]


def character_relevance(recognizer: Recognizer, image: Image, text: str | None = None, patch: Size = 8,
                        stride: Size = 4, fill: str | Sequence[float] = "blur", batch_size: int = 256) -> np.ndarray:
    """Which pixels make the model emit each character of ``text``: (len(text), H, W) float64, map k
    for character k, as ``relevance`` (same arguments, same occluded images) but scoring the log-odds
    of character k's probability at its peak (``text_peaks`` on the whole image) instead of p(text)."""
    occlusion = _occlude(recognizer, image, text, patch, stride, fill, batch_size)
    steps = text_peaks(occlusion.seen, occlusion.text, recognizer.alphabet)
    classes = recognizer.alphabet.encode(occlusion.text)
    log_hidden = np.log(occlusion.hidden[:, :, steps, classes])                      # (P, S, L)
    return occlusion.maps(np.log(occlusion.seen[steps, classes]), np.moveaxis(log_hidden, -1, 0))


@dataclass(frozen=True)
class _Occlusion:
    """What both relevance maps measure. seen: probs (T, C) of the image; hidden: (P, S, T, C) with
    patch p hidden by sample s; corners: (y, x) of each patch's top-left pixel; patch: (H_p, W_p);
    shape: the image's (H, W)."""

    text: str
    seen: np.ndarray
    hidden: np.ndarray
    corners: list[tuple[int, int]]
    patch: tuple[int, int]
    shape: tuple[int, int]

    def maps(self, log_seen: np.ndarray, log_hidden: np.ndarray) -> np.ndarray:
        """K scores' patch differences spread onto pixels. log_seen: (K,) log p of each on the image;
        log_hidden: (K, P, S) the same on the occluded copies. Returns (K, H, W): each pixel the mean,
        over the patches covering it, of log-odds(seen) - log-odds(mean over samples of p hidden)."""
        log_mean_hidden = np.logaddexp.reduce(log_hidden, axis=-1) - np.log(log_hidden.shape[-1])
        scores = _log_odds(log_seen)[:, None] - _log_odds(log_mean_hidden)    # (K, P)
        (patch_height, patch_width), total, count = self.patch, np.zeros((len(scores), *self.shape)), np.zeros(self.shape)
        for (y, x), score in zip(self.corners, scores.T):
            total[:, y:y + patch_height, x:x + patch_width] += score[:, None, None]
            count[y:y + patch_height, x:x + patch_width] += 1
        return total / count


def _occlude(recognizer: Recognizer, image: Image, text: str | None, patch: Size, stride: Size,
             fill: str | Sequence[float], batch_size: int) -> _Occlusion:
    """The image and each copy of it with one patch hidden by each sample of ``fill``, read by the model."""
    fitted = _fitted(recognizer, image)
    patch_height, patch_width = _pair(patch, "patch")
    height, width = fitted.shape[:2]
    if patch_height > height or patch_width > width:
        raise ValueError(f"patch {patch} is larger than the model's input of {height} x {width} pixels")
    stride_y, stride_x = _pair(stride, "stride")
    if text is not None:
        _check_text(recognizer, text)
    samples = _fill_samples(fitted, fill, max(patch_height, patch_width))
    corners = list(product(_starts(height, patch_height, stride_y), _starts(width, patch_width, stride_x)))
    occluded = np.tile(fitted, (len(corners), len(samples), 1, 1, 1))          # (P, S, H, W, C)
    for i, (y, x) in enumerate(corners):
        occluded[i, :, y:y + patch_height, x:x + patch_width] = samples[:, y:y + patch_height, x:x + patch_width]
    probs = _predict(recognizer, np.concatenate([fitted[None], occluded.reshape(-1, *fitted.shape)]), batch_size)
    seen, hidden = probs[0], probs[1:].reshape(*occluded.shape[:2], *probs.shape[1:])
    return _Occlusion(best_path(seen, recognizer.alphabet) if text is None else text, seen, hidden, corners,
                      (patch_height, patch_width), (height, width))


def _fill_samples(fitted: np.ndarray, fill: str | Sequence[float], patch_size: int) -> np.ndarray:
    """(S, H, W, C) uint8 images whose pixels replace a hidden patch's."""
    if isinstance(fill, str):
        if fill != "blur":
            raise ValueError(f"fill {fill!r}: use 'blur' or a sequence of grey levels in [0, 1]")
        return cv2.GaussianBlur(fitted, (0, 0), patch_size / 2).reshape(1, *fitted.shape)
    levels = np.asarray(fill, dtype=float)
    if levels.ndim != 1 or not len(levels) or not np.all((levels >= 0) & (levels <= 1)):
        raise ValueError(f"fill {fill!r}: grey levels must be a non-empty sequence of numbers in [0, 1]")
    return np.stack([np.full_like(fitted, round(255 * level)) for level in levels])


def _log_odds(log_p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) from log p, p capped at ``PROBABILITY_CEILING``."""
    log_p = np.minimum(log_p, np.log(PROBABILITY_CEILING))
    return log_p - np.log(-np.expm1(log_p))


def _log_p_text(probs: np.ndarray, label: list[int]) -> np.ndarray:
    """log p(label | probs) for probs (..., T, C): the CTC forward algorithm of ``ctc_reference``."""
    return -np.asarray(ctc_loss_reference(probs, label))


def _starts(length: int, size: int, stride: int) -> list[int]:
    """Where windows of ``size`` start every ``stride`` along ``length``, the last flush with the end."""
    starts = list(range(0, length - size + 1, stride))
    return starts if starts[-1] == length - size else [*starts, length - size]


def _pair(value: Size, name: str) -> tuple[int, int]:
    """(vertical, horizontal) of an int or a pair; ValueError naming ``name`` unless both are whole numbers >= 1."""
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in pair):
        raise ValueError(f"{name} {value!r}: give a whole number of pixels >= 1, or a (height, width) pair of them")
    return int(pair[0]), int(pair[1])


def shift_curve(recognizer: Recognizer, image: Image, text: str, shifts: Sequence[int],
                batch_size: int = 256) -> ShiftCurve:
    """The image moved ``shifts`` pixels sideways inside the model's input (positive: to the right;
    the columns uncovered repeat the edge column, as ``fit_to_size`` pads; content pushed past the
    edge is lost), each shifted copy read once. Returns p(text) and each character's peak step per shift."""
    fitted = _fitted(recognizer, image)
    _check_text(recognizer, text)
    shifts = np.asarray(shifts)
    width = fitted.shape[1]
    if shifts.ndim != 1 or not len(shifts) or not np.issubdtype(shifts.dtype, np.integer):
        raise ValueError(f"shifts {shifts.tolist()!r}: give a non-empty sequence of whole numbers of pixels")
    if np.abs(shifts).max() >= width:
        raise ValueError(f"shift {shifts[np.abs(shifts).argmax()]}: moves the whole image out of the "
                         f"model's input, {width} pixels wide")
    probs = _predict(recognizer, np.stack([_shifted(fitted, int(s)) for s in shifts]), batch_size)
    label = recognizer.alphabet.encode(text)
    return ShiftCurve(text, shifts, np.exp(_log_p_text(probs, label)),
                      np.stack([text_peaks(p, text, recognizer.alphabet) for p in probs]))


@dataclass(frozen=True)
class ShiftCurve:
    """What ``shift_curve`` measured. shifts: (S,) int pixels; probability: (S,) p(text | shifted
    image); peak_steps: (S, len(text)) int, the time step of each character's peak."""

    text: str
    shifts: np.ndarray
    probability: np.ndarray
    peak_steps: np.ndarray


def _shifted(fitted: np.ndarray, shift: int) -> np.ndarray:
    """fitted (H, W, C) moved ``shift`` columns right (left if negative), edge columns repeated."""
    right, left = max(shift, 0), max(-shift, 0)
    padded = np.pad(fitted, ((0, 0), (right, left), (0, 0)), mode="edge")
    return padded[:, left:left + fitted.shape[1]]


def peak_positions(recognizer: Recognizer, images: Sequence[Image], texts: Sequence[str],
                   glyph_boxes: Sequence[Sequence[tuple[float, float]]], batch_size: int = 256) -> PeakPositions:
    """Where each character's CTC peak sits against its glyph, over ``images`` and their ``texts``.

    glyph_boxes: per image, one (left, right) pair per character of its text: the glyph covers the
    image's columns left to right - 1 (fractions allowed). The peak is ``text_peaks`` of the true text.
    Both come out in time steps of the model's input (step t spans its columns t * W / T to
    (t + 1) * W / T), the glyph as its box's centre.
    """
    if not len(images) == len(texts) == len(glyph_boxes):
        raise ValueError(f"{len(images)} images, {len(texts)} texts and {len(glyph_boxes)} glyph_boxes: "
                         "give one text and one list of boxes per image")
    if not len(images):
        return PeakPositions(np.empty(0), np.empty(0, int))
    fitted, centres = [], []
    for i, (image, text, boxes) in enumerate(zip(images, texts, glyph_boxes)):
        _check_text(recognizer, text, f"text {i}: ")
        boxes = np.asarray(boxes, dtype=float).reshape(-1, 2)
        if len(boxes) != len(text) or np.any(boxes[:, 0] >= boxes[:, 1]):
            raise ValueError(f"glyph_boxes {i}: {boxes.tolist()} is not one (left, right) pair with left < right "
                             f"for each of the {len(text)} characters of {text!r}")
        array = _image_array(image)
        scale = fitted_size(array.shape[:2], recognizer.input_shape)[1] / array.shape[1]  # fit_to_size's, along x
        centres.append(boxes.mean(axis=1) * scale)
        fitted.append(_fitted(recognizer, array))
    probs = _predict(recognizer, np.stack(fitted), batch_size)
    pixels_per_step = recognizer.input_shape[1] / probs.shape[1]
    peaks = [text_peaks(p, text, recognizer.alphabet) for p, text in zip(probs, texts)]
    return PeakPositions(np.concatenate(centres) / pixels_per_step - 0.5, np.concatenate(peaks))


@dataclass(frozen=True)
class PeakPositions:
    """What ``peak_positions`` measured, one entry per character of every text, in time steps.
    glyph_steps: (N,) float, the step under the centre of each glyph's box; peak_steps: (N,) int."""

    glyph_steps: np.ndarray
    peak_steps: np.ndarray

    @property
    def offsets(self) -> np.ndarray:
        """(N,) peak minus glyph: about 0 where peaks sit over their glyphs, > 0 to the right of them."""
        return self.peak_steps - self.glyph_steps


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


def _image_array(image: Image) -> np.ndarray:
    """An image array, or the image at a path as OpenCV reads it."""
    return read_image(image) if isinstance(image, (str, Path)) else np.asarray(image)


def _fitted(recognizer: Recognizer, image: Image) -> np.ndarray:
    """``image`` as the model sees it, uint8 (H, W, C); a ``UserWarning`` when that resized it."""
    array = _image_array(image)
    if None in recognizer.input_shape:
        raise ValueError(f"the model's input {recognizer.input_shape} has no fixed size: ocrlib.explain "
                         "measures models of one input size")
    height, width = recognizer.input_shape[:2]
    if array.shape[:2] != (height, width):
        warnings.warn(f"image of {array.shape[0]} x {array.shape[1]} pixels resized to the model's input of "
                      f"{height} x {width} (aspect kept, padded): results are in the resized image's pixels, "
                      "recognizer.preprocess([image])[0]", stacklevel=3)
    return fit_to_size(array, recognizer.input_shape)


def _check_text(recognizer: Recognizer, text: str, where: str = "") -> None:
    """``UnknownCharacterError`` naming a character of ``text`` outside the alphabet, ``LabelTooLongError``
    when CTC cannot emit it in the model's time steps; each message begins with ``where``."""
    try:
        recognizer.alphabet.encode(text)
    except UnknownCharacterError as error:
        raise UnknownCharacterError(f"{where}{error}") from None
    steps = recognizer.model.output_shape[1]
    if min_time_steps(text) > steps:
        raise LabelTooLongError(f"{where}text {text!r} needs at least {min_time_steps(text)} time steps "
                                f"(L + r), the model has {steps}")


def _predict(recognizer: Recognizer, fitted: np.ndarray, batch_size: int) -> np.ndarray:
    """Probabilities (N, T, C) float64 of fitted uint8 images (N, H, W, C), clipped to at least
    ``PROBABILITY_FLOOR``, so that every alignment has a probability above 0."""
    return np.maximum(recognizer.predict_proba(fitted, batch_size).astype(np.float64), PROBABILITY_FLOOR)
