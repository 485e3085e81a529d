"""Word unigram and bigram probabilities counted in a corpus, with add-k smoothing of the bigrams."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence


class WordLanguageModel:
    """P(word) and P(word | previous word) from a corpus given as a sequence of words in reading order.

    ``P(w) = count(w) / N`` and ``P(w | v) = (count(v w) + k) / (count(v followed by any word) + k V)``,
    with k = ``smoothing`` and V the number of distinct words. With k = 0 an unseen bigram has
    probability 0; a word v that is never followed by another (0 / 0) falls back to ``P(w)``.

    >>> lm = WordLanguageModel("the cat sat on the mat".split())
    >>> lm.probability("the"), lm.probability("cat", "the"), lm.probability("sat", "the")
    (0.3333333333333333, 0.5, 0.0)
    """

    def __init__(self, words: Sequence[str], smoothing: float = 0.0):
        if not words:
            raise ValueError("words is empty: the language model needs a corpus of at least one word")
        if not smoothing >= 0:
            raise ValueError(f"smoothing must be >= 0, got {smoothing!r}")
        self.smoothing = smoothing
        self._unigrams = Counter(words)
        self._total = len(words)
        self._followers: dict[str, Counter] = {}  # word -> counts of the words right after it
        for previous, word in zip(words, words[1:]):
            self._followers.setdefault(previous, Counter())[word] += 1
        self._followed = {previous: followers.total() for previous, followers in self._followers.items()}

    def probability(self, word: str, previous: str | None = None) -> float:
        """P(word), or P(word | previous) when a previous word is given."""
        return self.probability_of_any([word], previous)

    def probability_of_any(self, words: Sequence[str], previous: str | None = None) -> float:
        """The probability that the next word is one of ``words``: the sum of their probabilities."""
        denominator = self._followed.get(previous, 0) + self.smoothing * len(self._unigrams)
        if previous is None or denominator == 0:
            return sum(map(self._unigrams.__getitem__, words)) / self._total
        followers = self._followers.get(previous, Counter())
        return (sum(map(followers.__getitem__, words)) + self.smoothing * len(words)) / denominator

    def log_probability(self, word: str, previous: str | None = None) -> float:
        """log P(word) or log P(word | previous); -inf for probability 0."""
        return _log(self.probability(word, previous))

    def log_probability_of_any(self, words: Sequence[str], previous: str | None = None) -> float:
        """log of ``probability_of_any``: how likely the next word is one of ``words``."""
        return _log(self.probability_of_any(words, previous))


def _log(probability: float) -> float:
    return math.log(probability) if probability > 0 else -math.inf
