"""Sequence accuracy, edit distance, character and word error rates."""
from __future__ import annotations

from collections.abc import Sequence


def edit_distance(a: Sequence, b: Sequence) -> int:
    """Levenshtein distance: fewest insertions, deletions and substitutions that turn ``a`` into ``b``
    (strings, or lists of words)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _check_pairs(truths: Sequence[str], predictions: Sequence[str]) -> None:
    if len(truths) != len(predictions):
        raise ValueError(f"{len(truths)} truths but {len(predictions)} predictions")
    if not truths:
        raise ValueError("no texts to score")


def sequence_accuracy(truths: Sequence[str], predictions: Sequence[str]) -> float:
    """Share of predictions equal to their truth, whole text."""
    _check_pairs(truths, predictions)
    return sum(t == p for t, p in zip(truths, predictions)) / len(truths)


def character_error_rate(truths: Sequence[str], predictions: Sequence[str]) -> float:
    """Total edit distance over total truth length (can exceed 1 when predictions are long)."""
    _check_pairs(truths, predictions)
    return sum(edit_distance(t, p) for t, p in zip(truths, predictions)) / max(1, sum(map(len, truths)))


def word_error_rate(truths: Sequence[str], predictions: Sequence[str]) -> float:
    """Total edit distance between the word lists (words: what ``str.split`` cuts at whitespace, so
    punctuation stays with its word) over the total number of truth words."""
    _check_pairs(truths, predictions)
    return (sum(edit_distance(t.split(), p.split()) for t, p in zip(truths, predictions))
            / max(1, sum(len(t.split()) for t in truths)))
