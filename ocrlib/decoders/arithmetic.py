"""Arithmetic-checked decoding: the most probable text of the final beam that is a right equation.

Beam search keeps the ``beam_width`` most probable texts; read from the best down, the first one that
parses and whose written result equals its expression's value (``ocrlib.arithmetic``, which never
executes text) wins. When none does, the best text is returned as it is, so the caller can still see
what was read and flag it with ``ocrlib.arithmetic.is_consistent``.
"""
from __future__ import annotations

import numpy as np

from ocrlib.alphabet import Alphabet
from ocrlib.arithmetic import is_consistent, is_expression
from ocrlib.decoders.beam_search import first_accepted


def arithmetic_search(probs: np.ndarray, chars: str | Alphabet, beam_width: int = 25,
                      with_result: bool = True) -> str:
    """probs: (T, len(chars) + 1), softmax, blank at 0 -> the most probable consistent text of the beam.

    with_result: True for equations (``1+2=3``: must parse and be right), False for an expression alone
    (``1+2``: must parse).
    """
    return first_accepted(probs, chars, is_consistent if with_result else is_expression, beam_width)
