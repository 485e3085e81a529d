"""Format-constrained decoding: the most probable text of the final beam that a regular expression
matches whole, such as the formats a country's plates are written in (``[A-Z]{3}[0-9]{3}`` or
``[A-Z]{2}[0-9]{3}[A-Z]{2}``). Where the model hesitates between look-alikes (``8`` and ``B``, ``0``
and ``O``), the format says which one may stand at that place. When no text of the beam matches, the
best text is returned as it is.
"""
from __future__ import annotations

import re

import numpy as np

from ocrlib.alphabet import Alphabet
from ocrlib.decoders.beam_search import first_accepted


def pattern_search(probs: np.ndarray, chars: str | Alphabet, pattern: str | re.Pattern, beam_width: int = 25) -> str:
    """probs: (T, len(chars) + 1), softmax, blank at 0 -> the most probable text of the beam that
    ``pattern`` matches whole. Raises ``ValueError`` naming ``pattern`` if it is not a regular expression."""
    try:
        matcher = re.compile(pattern)
    except re.error as error:
        raise ValueError(f"pattern {pattern!r} is not a regular expression: {error}") from None
    return first_accepted(probs, chars, matcher.fullmatch, beam_width)
