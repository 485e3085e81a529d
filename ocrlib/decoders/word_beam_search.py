"""Word beam search (Scheidl, Fiel and Sablatnig 2018): CTC beam search that only writes dictionary words.

The dictionary is every maximal run of ``word_chars`` in a corpus. Inside a word, a prefix tree
allows only the characters that lead to a dictionary word; the other characters of the alphabet
(spaces, punctuation, digits if they are not word characters) are free between words. Like CTC prefix
beam search, each beam holds the log probabilities of its paths ending in a blank and in a character;
beams are ranked by that optical score plus a language model score, which depends on ``mode``:

- ``"words"``: no language model, only the dictionary constraint.
- ``"ngrams"``: word unigram (first word) and bigram probabilities, applied when a word is finished.
- ``"ngrams_forecast"``: also while a word is being written, with the summed probability of every
  dictionary word the prefix can still become.

The language model score is the mean log probability per word (the paper's geometric mean), so that
texts with more words are not penalised for it.

The paper writes dictionary words only, and completes a last word the image leaves unfinished. With
``unknown_words`` (a log probability) any run of word characters may be written instead, each one
outside the dictionary costing that much: a code or a name read clearly stays as it is, a word read
almost right is still corrected, and a line cut inside a word keeps the cut.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import NamedTuple

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.decoders.inputs import check_probs, log_of
from ocrlib.decoders.prefix_tree import PrefixTree
from ocrlib.decoders.word_language_model import WordLanguageModel

MODES = ("words", "ngrams", "ngrams_forecast")


def word_beam_search(
    probs: np.ndarray,
    chars: str | Alphabet,
    corpus: str,
    word_chars: str,
    beam_width: int = 25,
    mode: str = "words",
    smoothing: float = 0.0,
    prune: float | None = None,
    unknown_words: float | None = None,
) -> str:
    """The most probable text whose words (runs of ``word_chars``) all occur in ``corpus``.

    probs: (T, len(chars) + 1), softmax, blank at 0. corpus: text made of chars and whitespace; its
    words form the dictionary and, for the n-gram modes, the language model (``smoothing`` is the k of
    add-k bigram smoothing). word_chars: the characters that make up words, a subset of chars.
    A best beam that ends inside a word is completed with the most frequent dictionary word that
    starts with it (the reference completes only a prefix with a single completion).
    The corpus is read once and cached, so decoding many matrices with one corpus stays cheap.
    prune: a log probability; as in ``beam_search``, characters less likely than that at a step are not
    tried as the next character there, except the step's most probable class (long lines decode many
    times faster). None tries every character the dictionary allows.
    unknown_words: None writes dictionary words only (the paper). A log probability <= 0 lets every
    run of word characters through at that cost per word outside the dictionary (``log(1e-2)``: a word
    must read more than 100 times likelier than its nearest dictionary word to stay), and an
    unfinished last word is then such a word, not completed.
    """
    alphabet = as_alphabet(chars)
    log_probs = log_of(check_probs(probs, alphabet))
    if beam_width < 1:
        raise ValueError(f"beam_width must be >= 1, got {beam_width!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if unknown_words is not None and not unknown_words <= 0:
        raise ValueError(f"unknown_words must be None or a log probability <= 0, got {unknown_words!r}")
    dictionary = _read_corpus(corpus, word_chars, float(smoothing))
    for name, used in (("word_chars", set(word_chars)), ("corpus", dictionary.characters)):
        unknown = "".join(sorted(used - set(alphabet.chars)))
        if unknown:
            raise ValueError(f"{name} has characters {unknown!r} not in chars {alphabet.chars!r}")

    cost = None if unknown_words is None else float(unknown_words)
    grammar = _Grammar(dictionary, mode, alphabet.chars, word_chars, cost)
    column = {char: index for index, char in enumerate(alphabet.chars, 1)}
    beams = {"": _Beam(_Text(), blank=0.0, non_blank=-math.inf)}
    tried = (np.ones_like(log_probs, bool) if prune is None
             else (log_probs >= prune) | (log_probs == log_probs.max(axis=1, keepdims=True)))  # (T, C)
    for step, allowed in zip(log_probs.tolist(), tried.tolist()):  # Python floats: scalar arithmetic only
        best, beams = heapq.nlargest(beam_width, beams.values(), key=_Beam.score), {}
        for beam in best:
            last, total = beam.text.text[-1:], _logaddexp(beam.blank, beam.non_blank)
            # The same text: a blank, or the last character once more.
            repeat = beam.non_blank + step[column[last]] if last else -math.inf
            _add(beams, beam.text, total + step[0], repeat)
            for char in (char for char in grammar.next_chars(beam.text) if allowed[column[char]]):
                # A repeated character needs a blank in between, so only paths ending in a blank extend.
                before = beam.blank if char == last else total
                _add(beams, grammar.extend(beam.text, char), -math.inf, before + step[column[char]])
    finished = [
        _Beam(grammar.finish(beam.text), beam.blank, beam.non_blank)
        for beam in heapq.nlargest(beam_width, beams.values(), key=_Beam.score)
    ]
    return max(finished, key=_Beam.score).text.text


def with_case_variants(corpus: str, word_chars: str) -> str:
    """``corpus``, then each of its words (runs of ``word_chars``) Capitalised and in CAPITALS, a line
    each: text that writes any word either way (a sentence's first word, a heading) then finds it in
    the dictionary. The added lines count as text for the n-gram modes too."""
    is_word_char = set(word_chars).__contains__
    words = sorted({"".join(run) for inside, run in groupby(corpus, is_word_char) if inside})
    return "\n".join([corpus, " ".join(word.capitalize() for word in words), " ".join(word.upper() for word in words)])


class _Dictionary(NamedTuple):
    tree: PrefixTree
    language_model: WordLanguageModel
    characters: frozenset[str]  # the corpus characters other than whitespace


@lru_cache(maxsize=8)
def _read_corpus(corpus: str, word_chars: str, smoothing: float) -> _Dictionary:
    """The words of ``corpus`` (maximal runs of ``word_chars``) as a prefix tree and a language model."""
    if not word_chars:
        raise ValueError("word_chars is empty: words need at least one word character")
    is_word_char = set(word_chars).__contains__
    words = ["".join(run) for inside, run in groupby(corpus, is_word_char) if inside]
    if not words:
        raise ValueError(f"corpus has no words: no run of word_chars {word_chars!r} in it")
    characters = frozenset(char for char in set(corpus) if not char.isspace())
    return _Dictionary(PrefixTree(words), WordLanguageModel(words, smoothing), characters)


class _Text(NamedTuple):
    """A beam's text and what the language model knows about it."""

    text: str = ""
    word: str = ""  # the word being written, '' between words
    known: bool = True  # whether ``word`` is a prefix of a dictionary word
    previous: str | None = None  # the last finished word
    words: int = 0  # finished words
    log_lm: float = 0.0  # sum of log P(word | previous word) over the finished words
    score: float = 0.0  # the language model score used for ranking: log_lm per word
    unknown: float = 0.0  # the cost of the words outside the dictionary: unknown_words for each


@dataclass
class _Beam:
    text: _Text
    blank: float  # log probability of the paths that give this text and end in a blank
    non_blank: float  # ... and end in its last character

    def score(self) -> float:
        return _logaddexp(self.blank, self.non_blank) + self.text.score + self.text.unknown


def _add(beams: dict[str, _Beam], text: _Text, blank: float, non_blank: float) -> None:
    """Add paths to the beam of ``text``: different paths to the same text add up."""
    beam = beams.get(text.text)
    if beam is None:
        beams[text.text] = _Beam(text, blank, non_blank)
    else:
        beam.blank, beam.non_blank = _logaddexp(beam.blank, blank), _logaddexp(beam.non_blank, non_blank)


def _logaddexp(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) for Python floats, several times faster than ``np.logaddexp`` on scalars."""
    if a < b:
        a, b = b, a
    return a if b == -math.inf else a + math.log1p(math.exp(b - a))


class _Grammar:
    """How a text may grow, and its language model score, for one corpus and mode.

    A text's state depends on its characters only, so grown texts are remembered for the next steps.
    """

    def __init__(self, dictionary: _Dictionary, mode: str, chars: str, word_chars: str, unknown_words: float | None):
        self._tree, self._lm, self._mode = dictionary.tree, dictionary.language_model, mode
        self._chars, self._non_word_chars = chars, "".join(c for c in chars if c not in word_chars)
        self._unknown_words = unknown_words
        self._grown: dict[tuple[str, str], _Text] = {}

    def next_chars(self, text: _Text) -> str:
        """Characters that continue the word being written; free characters too between or after words.
        With unknown words allowed, every character."""
        if self._unknown_words is not None:
            return self._chars
        inside = self._tree.next_chars(text.word)
        return inside + self._non_word_chars if not text.word or self._tree.is_word(text.word) else inside

    def extend(self, text: _Text, char: str) -> _Text:
        """``text`` followed by ``char``, one of ``next_chars(text)``."""
        key = (text.text, char)
        if key not in self._grown:
            if char in self._non_word_chars:
                grown = self._finish_word(text)._replace(text=text.text + char)
            else:
                grown = text._replace(text=text.text + char, word=text.word + char)
                if text.known and char not in self._tree.next_chars(text.word):  # it leaves the dictionary
                    grown = grown._replace(known=False, unknown=text.unknown + self._unknown_words,
                                           score=_per_word(text.log_lm, text.words))
                elif grown.known and self._mode == "ngrams_forecast":
                    completions = self._tree.words_with_prefix(grown.word)
                    forecast = self._lm.log_probability_of_any(completions, text.previous)
                    grown = grown._replace(score=(text.log_lm + forecast) / (text.words + 1))
            self._grown[key] = grown
        return self._grown[key]

    def finish(self, text: _Text) -> _Text:
        """The final text: a last word left unfinished is completed with its most frequent completion,
        unless unknown words are allowed."""
        if text.word and self._unknown_words is None and not self._tree.is_word(text.word):
            word = max(self._tree.words_with_prefix(text.word), key=self._lm.probability)
            text = text._replace(text=text.text + word[len(text.word):], word=word)
        return self._finish_word(text)

    def _finish_word(self, text: _Text) -> _Text:
        """``text`` with the word being written counted as finished: a dictionary word is scored by the
        n-gram modes; another (unknown words allowed) costs ``unknown_words`` unless it already did, and
        the next word's bigram starts afresh."""
        if not text.word:
            return text
        if not (text.known and self._tree.is_word(text.word)):
            unknown = text.unknown + (self._unknown_words if text.known else 0.0)
            return text._replace(word="", known=True, previous=None, unknown=unknown,
                                 score=_per_word(text.log_lm, text.words))
        log_lm = text.log_lm
        if self._mode != "words":
            log_lm += self._lm.log_probability(text.word, text.previous)
        words = text.words + 1
        return text._replace(word="", previous=text.word, words=words, log_lm=log_lm, score=_per_word(log_lm, words))


def _per_word(log_lm: float, words: int) -> float:
    """The language model score of finished words: their mean log probability (0 for none)."""
    return log_lm / words if words else 0.0
