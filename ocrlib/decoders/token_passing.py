"""Token passing (Graves et al. 2009): the most probable sequence of dictionary words.

Every word is a small CTC model, its label with blanks around and between the characters. A token
is a (log score, word history) pair sitting in one state of one word; at each time step tokens move
along their word like the CTC forward algorithm, but keep only the best incoming token (Viterbi)
instead of summing. The best token that has finished a word may enter any word at the next step.
Here all word models sit side by side in one flat state vector, so a step is a few array operations.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.decoders.inputs import check_probs, check_words, log_of


def token_passing(probs: np.ndarray, chars: str | Alphabet, words: Iterable[str]) -> str:
    """The sequence of dictionary words whose best alignment is the most probable (log space).

    probs: (T, len(chars) + 1), softmax, blank at 0. words: the dictionary, each word made of chars.
    If chars holds a space, consecutive words are separated by one space (the model must emit it);
    otherwise they follow each other directly. A sequence scores the probability of its single best
    path, not the sum over paths of ``probability``. Returns '' if no word sequence fits the T steps.
    """
    alphabet = as_alphabet(chars)
    log_probs = log_of(check_probs(probs, alphabet))
    words = check_words(words, alphabet)
    separator = " " if " " in alphabet else ""
    # A "unit" is a word in one position: first in the text, or after another word (with the separator).
    unit_texts = words + [separator + word for word in words] if separator else words
    unit_word = np.arange(len(unit_texts)) % len(words)
    may_start = np.arange(len(unit_texts)) < len(words)
    may_follow = ~may_start if separator else may_start
    model = _WordModels([alphabet.encode(text) for text in unit_texts])

    units, first = len(unit_texts), model.first_state
    ends = np.concatenate([model.last_state, model.last_state - 1])  # a finished word: final blank or last character
    end_class, first_class = model.classes[ends], model.classes[first[may_follow] + 1]
    entry_states = first[may_follow, None] + [0, 1]  # entering a word: at its first blank or its first character
    # Token histories are linked lists: entering unit u at step t in its blank (0) or first character (1)
    # makes the node numbered (t, u, 0 or 1) in parents.shape, whose value is the previous word's node.
    parents = np.full((len(log_probs), units, 2), -1)
    node = np.arange(units * 2).reshape(units, 2)
    score, history = np.full(model.size, -np.inf), np.full(model.size, -1)
    start_states = first[may_start, None] + [0, 1]
    score[start_states], history[start_states] = 0.0, node[may_start]
    score += log_probs[0, model.classes]
    for t in range(1, len(log_probs)):
        # The best finished word enters every following word, at its blank or its first character; CTC needs
        # a blank between repeats, so where the best word ended on that character, the best other word enters.
        best = np.argmax(score[ends])
        best_other = np.argmax(np.where(end_class != end_class[best], score[ends], -np.inf))
        at_character = np.where(first_class == end_class[best], best_other, best)
        entry = ends[np.stack([np.full_like(at_character, best), at_character], axis=1)]
        parents[t, may_follow] = history[entry]
        entry_score = score[entry]

        score, history = model.step(score, history)
        better = entry_score > score[entry_states]
        score[entry_states[better]] = entry_score[better]
        history[entry_states[better]] = t * units * 2 + node[may_follow][better]
        score += log_probs[t, model.classes]

    if np.max(score[ends]) == -np.inf:
        return ""
    token, sequence = history[ends[np.argmax(score[ends])]], []
    while token >= 0:
        _, unit, _ = np.unravel_index(token, parents.shape)
        sequence.append(words[unit_word[unit]])
        token = parents.flat[token]
    return separator.join(reversed(sequence))


class _WordModels:
    """The CTC state graphs of several labels side by side: one flat vector of states.

    labels: class index lists (>= 1). Each becomes ``blank l1 blank l2 ... lL blank`` (2L + 1 states).
    """

    def __init__(self, labels: list[list[int]]):
        lengths = np.array([2 * len(label) + 1 for label in labels])
        self.first_state = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        self.last_state = self.first_state + lengths - 1
        self.size = int(lengths.sum())
        self.classes = np.concatenate([_with_blanks(label) for label in labels])
        position = np.arange(self.size) - np.repeat(self.first_state, lengths)
        self.can_step = position >= 1
        self.can_skip = (position % 2 == 1) & (position >= 3) & (self.classes != np.roll(self.classes, 2))

    def step(self, score: np.ndarray, history: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """score, history: (size,) -> the best of staying, stepping one state or skipping a blank, per state."""
        moves = np.stack([score, _shifted(score, 1, self.can_step), _shifted(score, 2, self.can_skip)])
        source = np.arange(self.size) - np.argmax(moves, axis=0)
        return moves.max(axis=0), history[source]


def _with_blanks(label: list[int]) -> np.ndarray:
    extended = np.zeros(2 * len(label) + 1, dtype=int)
    extended[1::2] = label
    return extended


def _shifted(score: np.ndarray, by: int, allowed: np.ndarray) -> np.ndarray:
    """score[s - by] where allowed, -inf elsewhere."""
    return np.where(allowed, np.roll(score, by), -np.inf)
