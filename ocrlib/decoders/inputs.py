"""What the decoders check first: a probability matrix that fits the alphabet, dictionary words made of it."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ocrlib.alphabet import Alphabet


def check_probs(probs: np.ndarray, alphabet: Alphabet) -> np.ndarray:
    """probs as a float64 (T, len(alphabet) + 1) array, T >= 1, values in [0, 1], some above 0 at every step.

    Raises ValueError naming ``probs``, its shape and the expected one otherwise.
    """
    probs = np.asarray(probs, np.float64)
    if probs.ndim != 2 or probs.shape[1] != alphabet.num_classes or len(probs) == 0:
        raise ValueError(f"probs of shape {probs.shape} do not match (T >= 1, {alphabet.num_classes}) "
                         f"for {alphabet!r} (blank + {len(alphabet)} characters)")
    if not (np.all((probs >= 0) & (probs <= 1)) and np.all(probs.max(axis=1) > 0)):
        raise ValueError("probs must be softmax probabilities: in [0, 1] (no NaN), not all 0 at any step")
    return probs


def log_of(probs: np.ndarray) -> np.ndarray:
    """Elementwise log, log(0) = -inf without a warning."""
    with np.errstate(divide="ignore"):
        return np.log(probs)


def check_words(words: Iterable[str], alphabet: Alphabet) -> list[str]:
    """The words as a list; ValueError if there are none, one is empty, or one has a character outside alphabet."""
    words, known = list(words), set(alphabet.chars)
    if not words:
        raise ValueError("words is empty: the dictionary needs at least one word")
    for word in words:
        if not word:
            raise ValueError("words holds an empty word")
        unknown = "".join(sorted(set(word) - known))
        if unknown:
            raise ValueError(f"word {word!r} in words has characters {unknown!r} not in chars {alphabet.chars!r}")
    return words
