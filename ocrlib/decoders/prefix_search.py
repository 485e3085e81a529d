"""Prefix search decoding (Graves et al. 2006; Graves 2012, chapter 7): best-first search for the most probable text.

Start from the empty prefix. Repeatedly take the prefix whose *extensions* (longer texts starting with
it) are most probable, compute the probability of each one-character extension p + c, both as a whole
text and as a prefix, and keep the best whole text seen. The search stops when no remaining prefix's
extensions can beat that text: it is then the exact most probable labelling. On flat (uncertain)
matrices the number of prefixes grows exponentially, hence ``max_expansions``.
"""
from __future__ import annotations

import heapq
import itertools

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.decoders.inputs import check_probs, log_of


def prefix_search(probs: np.ndarray, chars: str | Alphabet, max_expansions: int = 1000) -> str:
    """The most probable text: exact when the search finishes within ``max_expansions``.

    probs: (T, len(chars) + 1), softmax, blank at 0.
    max_expansions: how many prefixes may be expanded. A confident model needs about one per character
    read; a flat matrix can need exponentially many. When the cap is reached, the most probable text
    found so far is returned, which may not be the most probable one. Each expansion costs
    O(T * len(chars)) time and keeps up to len(chars) prefixes of O(T) memory.
    """
    alphabet = as_alphabet(chars)
    log_probs = log_of(check_probs(probs, alphabet))
    if max_expansions < 1:
        raise ValueError(f"max_expansions must be >= 1, got {max_expansions}")
    blank, labels = log_probs[:, 0], log_probs[:, 1:]
    empty_blank = np.cumsum(blank)  # the empty text: all blanks so far
    best_text, best = "", empty_blank[-1]
    order = itertools.count()  # breaks ties in the heap before it compares arrays
    # Heap of (-log p(extensions of prefix), tie, prefix, its last class, its log gammas ending in blank / in a label).
    frontier = [(-float(_log_minus(0.0, best)), next(order), "", 0, empty_blank, np.full(len(blank), -np.inf))]
    for _ in range(max_expansions):
        if not frontier or -frontier[0][0] <= best:
            break
        _, _, prefix, last, gamma_blank, gamma_label = heapq.heappop(frontier)
        child_blank, child_label, starts = _children(gamma_blank, gamma_label, last, blank, labels)
        whole = np.logaddexp(child_blank[-1], child_label[-1])  # (K,) log p(prefix + c)
        if whole.max(initial=-np.inf) > best:
            c = int(whole.argmax())
            best_text, best = prefix + alphabet.chars[c], whole[c]
        extensions = _log_minus(starts, whole)  # (K,) log p(texts that start with prefix + c and go on)
        for c in np.flatnonzero(extensions > best):
            heapq.heappush(frontier, (-extensions[c], next(order), prefix + alphabet.chars[c], c + 1,
                                      child_blank[:, c].copy(), child_label[:, c].copy()))
    return best_text


def _children(gamma_blank: np.ndarray, gamma_label: np.ndarray, last: int, blank: np.ndarray,
              labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log gammas of every one-character extension of a prefix, all K characters at once.

    gamma_blank, gamma_label: (T,) log p that the first t + 1 steps read the prefix, ending in a blank /
    in its last label. last: the prefix's last class (0 for the empty prefix). blank: (T,), labels: (T, K).
    Returns (T, K) gammas ending in blank, (T, K) ending in the new label, and (K,) log p(the labelling
    starts with prefix + c).
    """
    before_blank = np.concatenate([[0.0 if last == 0 else -np.inf], gamma_blank[:-1]])
    before_label = np.concatenate([[-np.inf], gamma_label[:-1]])
    # The new label may directly follow the prefix's last label only if it is a different one.
    repeats = np.arange(1, labels.shape[1] + 1) == last
    start = labels + np.logaddexp(before_blank[:, None], np.where(repeats, -np.inf, before_label[:, None]))
    child_blank, child_label = np.full(labels.shape, -np.inf), start.copy()
    for t in range(1, len(labels)):
        child_label[t] = np.logaddexp(start[t], child_label[t - 1] + labels[t])
        child_blank[t] = np.logaddexp(child_blank[t - 1], child_label[t - 1]) + blank[t]
    return child_blank, child_label, np.logaddexp.reduce(start, axis=0)


def _log_minus(a, b):
    """log(exp(a) - exp(b)) for a >= b; -inf where they are (numerically) equal."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b < a, a + np.log1p(-np.exp(b - a)), -np.inf)
