"""The CTC probability of a given text: the sum over all its alignments, by the forward algorithm."""
from __future__ import annotations

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.ctc_reference import ctc_loss_reference
from ocrlib.decoders.inputs import check_probs


def loss(probs: np.ndarray, text: str, chars: str | Alphabet) -> float:
    """-log p(text | probs), in log space (no underflow on long inputs). probs: (T, len(chars) + 1), blank at 0.

    Infinite when ``text`` cannot be aligned to T steps at all (it needs T >= len(text) + repeats).
    Raises ``UnknownCharacterError`` (a ValueError) naming a character of ``text`` outside ``chars``.
    """
    alphabet = as_alphabet(chars)
    probs = check_probs(probs, alphabet)
    with np.errstate(divide="ignore"):
        return ctc_loss_reference(probs, alphabet.encode(text))


def probability(probs: np.ndarray, text: str, chars: str | Alphabet) -> float:
    """p(text | probs): the summed probability of every path that collapses to ``text``."""
    return float(np.exp(-loss(probs, text, chars)))
