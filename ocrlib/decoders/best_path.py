"""Best path (greedy) decoding: the most probable class at each step, repeats merged, blanks dropped."""
from __future__ import annotations

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet


def best_path(probs: np.ndarray, chars: str | Alphabet) -> str:
    """probs: (T, len(chars) + 1), blank at 0. The collapsed argmax path, e.g. ``-aa-b-`` -> ``ab``."""
    return best_path_batch(np.asarray(probs)[None], chars)[0]


def best_path_batch(probs: np.ndarray, chars: str | Alphabet) -> list[str]:
    """probs: (B, T, C) -> B texts. Vectorised: one argmax, one mask and one string conversion for the batch."""
    alphabet = as_alphabet(chars)
    probs = np.asarray(probs)
    if probs.shape[-1] != alphabet.num_classes:
        raise ValueError(f"probs have {probs.shape[-1]} classes but {alphabet!r} needs {alphabet.num_classes}")
    if probs.ndim != 3 or probs.shape[1] == 0:
        raise ValueError(f"probs of shape {probs.shape} are not (B, T >= 1, {alphabet.num_classes})")
    path = probs.argmax(axis=-1)
    keep = path != 0
    keep[:, 1:] &= path[:, 1:] != path[:, :-1]
    # Move the kept classes of each row to its front, in order, blanks (read as "") behind them; then a
    # row of T one-character strings is one string of length T whose trailing "" NumPy drops.
    front = np.take_along_axis(np.where(keep, path, 0), np.argsort(~keep, axis=1, kind="stable"), axis=1)
    lookup = np.array(["", *alphabet.chars])
    return lookup[front].view(f"<U{path.shape[1]}").ravel().tolist()


def best_path_probability(probs: np.ndarray) -> np.ndarray:
    """probs: (..., T, C) -> (...,) the probability of the single best path (product of per-step maxima)."""
    return np.exp(np.log(np.asarray(probs, np.float64).max(axis=-1)).sum(axis=-1))
