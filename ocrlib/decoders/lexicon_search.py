"""Lexicon search (Shi, Bai and Yao 2016, CRNN): the most probable lexicon word near the best path text."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.decoders.best_path import best_path
from ocrlib.decoders.bk_tree import BKTree
from ocrlib.decoders.inputs import check_words
from ocrlib.decoders.probability import loss


def lexicon_search(
    probs: np.ndarray, chars: str | Alphabet, words: Iterable[str] | BKTree, tolerance: int = 2
) -> str:
    """The lexicon word with the highest CTC probability among those within ``tolerance`` edits of the best path.

    probs: (T, len(chars) + 1), softmax, blank at 0. words: the lexicon, or a ``BKTree`` of it built
    once and reused for many matrices (its words are checked against chars only when scored).
    If no word is within ``tolerance``, every word of the lexicon is scored (exact, but one forward
    pass per word). Ties go to the nearer word, then to the alphabetically first.
    """
    alphabet = as_alphabet(chars)
    lexicon = words if isinstance(words, BKTree) else BKTree(check_words(words, alphabet))
    if not len(lexicon):
        raise ValueError("words is an empty BKTree: the lexicon needs at least one word")
    candidates = lexicon.query(best_path(probs, alphabet), tolerance) or sorted(lexicon)
    return min(candidates, key=lambda word: loss(probs, word, alphabet))
