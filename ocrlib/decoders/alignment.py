"""The most probable alignment of a given text: where, step by step, the model puts each character.

``probability`` sums over every path that collapses to the text (the CTC forward algorithm);
``best_alignment`` keeps only the best one: the same recursion over the extended label
``blank l1 blank l2 ... lL blank`` with max instead of sum (Viterbi), in log space, then a walk back
from the end that recovers the path.
"""
from __future__ import annotations

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.decoders.inputs import check_probs, log_of


def best_alignment(probs: np.ndarray, text: str, chars: str | Alphabet) -> np.ndarray:
    """The most probable path that collapses to ``text``: (T,) int class indices, blank 0.

    probs: (T, len(chars) + 1), softmax, blank at 0. Ties go to the path that stays in a state
    longest (then steps rather than skips a blank). ``best_path`` is the best path over all texts;
    this is the best path of one text, e.g. the one another decoder read.
    Raises ``UnknownCharacterError`` (a ValueError) for a character of ``text`` outside ``chars``, and
    ``ValueError`` when no path of nonzero probability collapses to ``text`` (too long for T steps,
    or a needed class has probability 0).
    """
    alphabet = as_alphabet(chars)
    log_probs = log_of(check_probs(probs, alphabet))
    extended = np.zeros(2 * len(text) + 1, dtype=int)
    extended[1::2] = alphabet.encode(text)
    steps, states = len(log_probs), len(extended)
    # A state is entered from itself (0), the state before (1) or, onto a character that differs from
    # the character two states back, over the blank between them (2).
    can_skip = np.zeros(states, dtype=bool)
    can_skip[3::2] = extended[3::2] != extended[1:-2:2]
    score = np.full(states, -np.inf)
    score[:2] = log_probs[0, extended[:2]]
    came_by = np.zeros((steps, states), dtype=np.int8)  # how each state was entered at each step
    for t in range(1, steps):
        step, skip = np.full(states, -np.inf), np.full(states, -np.inf)
        step[1:], skip[can_skip] = score[:-1], score[np.flatnonzero(can_skip) - 2]
        moves = np.stack([score, step, skip])
        came_by[t] = np.argmax(moves, axis=0)
        score = moves.max(axis=0) + log_probs[t, extended]
    final = [states - 1] if states == 1 else [states - 1, states - 2]
    state = max(final, key=lambda s: (score[s], s))
    if score[state] == -np.inf:
        needed = len(text) + sum(a == b for a, b in zip(text, text[1:]))  # a blank between repeats
        raise ValueError(f"no path of nonzero probability collapses to {text!r} in {steps} time steps: it "
                         f"needs at least {needed} steps, and probability above 0 for its characters")
    path = np.empty(steps, dtype=int)
    for t in range(steps - 1, -1, -1):
        path[t] = extended[state]
        state -= int(came_by[t, state])
    return path
