"""A character n-gram language model with add-k smoothing: how likely is each next character, for beam search."""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.errors import UnknownCharacterError


class LanguageModel:
    """P(next character | previous n - 1 characters), counted in a corpus and smoothed by add-k.

    corpus_text: one text per line (plates, words, sentences...). The first characters of a line are
    predicted from the start-of-text context (fewer than n - 1 previous characters), and so are the
    first characters of a decoded text. Every corpus character must be in ``chars``: one that is not
    raises ``UnknownCharacterError`` naming it, since a corpus that does not fit the alphabet is a
    mistake to catch, not to hide.
    smoothing: k > 0 added to every count, so characters never seen after a context keep some
    probability; a context never seen at all predicts every character equally.

    >>> lm = LanguageModel("ab\\nab", "ab")
    >>> round(float(np.exp(lm.log_prob("ab"))), 4)  # P(a | start) * P(b | a) = 3/4 * 3/4
    0.5625
    """

    def __init__(self, corpus_text: str, chars: str | Alphabet, n: int = 2, smoothing: float = 1.0):
        self.alphabet = as_alphabet(chars)
        if not self.alphabet.chars:
            raise ValueError("chars is empty: a language model needs at least one character")
        if n < 1:
            raise ValueError(f"n must be >= 1 (1: unigram, 2: bigram...), got {n}")
        if not smoothing > 0:
            raise ValueError(f"smoothing must be > 0, got {smoothing}")
        self.n, self.smoothing = n, smoothing
        lines = corpus_text.splitlines()
        unknown = sorted(set("".join(lines)) - set(self.alphabet.chars))
        if unknown:
            raise UnknownCharacterError(
                f"corpus characters {''.join(unknown)!r} are not in the alphabet {self.alphabet.chars!r}")
        counts = defaultdict(lambda: np.zeros(len(self.alphabet)))
        for line in lines:
            for i, index in enumerate(self.alphabet.encode(line)):
                counts[self._context(line[:i])][index - 1] += 1
        self._log_probs = {context: self._smoothed(count) for context, count in counts.items()}
        self._unseen = self._smoothed(np.zeros(len(self.alphabet)))

    def log_probs(self, text: str) -> np.ndarray:
        """(len(chars),) read-only: log P(c | text) for every character c of ``chars``, in that order.

        ``text`` is everything read so far; only its last n - 1 characters count.
        """
        context = self._context(text)
        found = self._log_probs.get(context)
        if found is None:
            self.alphabet.encode(context)  # an unknown character is an error, not an unseen context
            return self._unseen
        return found

    def log_prob(self, text: str) -> float:
        """log P(text): the sum of log P(character | characters before it), from the start of the text."""
        indices = self.alphabet.encode(text)
        return float(sum(self.log_probs(text[:i])[index - 1] for i, index in enumerate(indices)))

    def _context(self, text: str) -> str:
        """The last n - 1 characters of ``text``; fewer (the start-of-text context) for a shorter text."""
        return text[max(0, len(text) - self.n + 1):]

    def _smoothed(self, count: np.ndarray) -> np.ndarray:
        log_probs = np.log((count + self.smoothing) / (count.sum() + self.smoothing * len(count)))
        log_probs.flags.writeable = False
        return log_probs

    def __repr__(self) -> str:
        return (f"LanguageModel({len(self._log_probs)} contexts, {self.alphabet!r}, n={self.n}, "
                f"smoothing={self.smoothing})")
