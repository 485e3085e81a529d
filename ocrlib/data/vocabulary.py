"""Seeded English text for the line and page generators: words drawn as often as they occur in the
prose of Python's own documentation, with numbers, codes (``QX7``), punctuation and capitals between
them.

The vocabulary, ``words.txt`` beside this module, is the 2,538 words of the prose of
``pydoc_data.topics`` (the language reference behind ``help()``, which ships with Python; PSF License)
with their counts, made once by ``scripts/make_word_counts.py`` and committed: nothing is downloaded,
and the texts of a seed do not change with the Python version. Its frequent words are those of
technical English: "the" (8% of the words), "a", "is", "of", ..., "object", "function".
"""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import numpy as np

# Every character a generated text holds; labels of lines are drawn from it.
LINE_ALPHABET = " " + string.ascii_letters + string.digits + ".,;:'\"!?-()"
LINE_LENGTHS = (1, 60)  # the default (shortest, longest) line, in characters
WORDS_FILE = Path(__file__).with_name("words.txt")
_CODE_CHARACTERS = string.ascii_uppercase + string.digits
_ENDINGS, _ENDING_SHARES = ".?!:", np.cumsum([0.8, 0.08, 0.07])  # and 0.05 for ":"


@lru_cache(maxsize=None)
def word_counts() -> dict[str, int]:
    """The vocabulary: word -> count, most frequent first."""
    rows = (line.split("\t") for line in WORDS_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    return {word: int(count) for word, count in rows}


@lru_cache(maxsize=None)
def _cumulative_shares() -> tuple[tuple[str, ...], np.ndarray]:
    counts = word_counts()
    cumulative = np.cumsum(list(counts.values()), dtype=np.float64)
    return tuple(counts), cumulative / cumulative[-1]


def random_words(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` words of the vocabulary, each drawn as often as it occurs in the source text."""
    words, cumulative = _cumulative_shares()
    return [words[i] for i in np.searchsorted(cumulative, rng.random(n), side="right")]


def random_number(rng: np.random.Generator) -> str:
    """A count (``7``, ``1250``: small ones likelier), a decimal (``3.5``), a year (``1987``) or a time (``10:45``)."""
    kind = rng.integers(4)
    if kind == 0:
        return str(int(10 ** rng.uniform(0, 4)))
    if kind == 1:
        return f"{rng.uniform(0, 100):.{rng.integers(1, 3)}f}"
    if kind == 2:
        return str(rng.integers(1900, 2030))
    return f"{rng.integers(0, 24)}:{rng.integers(0, 60):02d}"


def random_code(rng: np.random.Generator) -> str:
    """2 to 6 capitals and digits, as in a part number or an acronym (``QX7``): rare letters too."""
    return "".join(_CODE_CHARACTERS[i] for i in rng.integers(len(_CODE_CHARACTERS), size=int(rng.integers(2, 7))))


def random_sentence(rng: np.random.Generator) -> str:
    """3 to 20 words, numbers (one in 20) and codes (one in 50), the first capitalised, ended by ``.``
    (or ``?``, ``!``, ``:``); now and then a capitalised or all-capital word, two words hyphenated, a
    comma or semicolon after a word, a few words in quotation marks or parentheses."""
    n = int(rng.integers(3, 21))
    kind, case, enclose, gap = rng.random((4, n)).tolist()
    spans = rng.integers(1, 4, n).tolist()
    tokens = [random_number(rng) if draw < 0.05 else random_code(rng) if draw < 0.07 else word
              for draw, word in zip(kind, random_words(rng, n))]
    tokens = [t.capitalize() if draw < 0.03 else t.upper() if draw < 0.04 else t for t, draw in zip(tokens, case)]
    tokens[0] = tokens[0][0].upper() + tokens[0][1:]
    i = 0
    while i < n:  # quotations and parentheses, never nested
        if enclose[i] < 0.05 and i + spans[i] <= n:
            left, right = '""' if enclose[i] < 0.02 else "''" if enclose[i] < 0.025 else "()"
            tokens[i] = left + tokens[i]
            tokens[i + spans[i] - 1] += right
            i += spans[i]
        else:
            i += 1
    gaps = ["-" if draw < 0.02 else ", " if draw < 0.09 else "; " if draw < 0.1 else " " for draw in gap[:-1]]
    ending = _ENDINGS[np.searchsorted(_ENDING_SHARES, gap[-1], side="right")]
    return "".join(token + gap for token, gap in zip(tokens, gaps + [ending]))


def random_text(rng: np.random.Generator, length: int) -> str:
    """Sentences separated by single spaces, at least ``length`` characters in all."""
    sentences, total = [], 0
    while total < length:
        sentences.append(random_sentence(rng))
        total += len(sentences[-1]) + 1
    return " ".join(sentences)


def random_line_text(rng: np.random.Generator, lengths: tuple[int, int] = LINE_LENGTHS) -> str:
    """A line of text from ``lengths[0]`` to ``lengths[1]`` characters (inclusive), all of
    ``LINE_ALPHABET``: a length is drawn uniformly, and the line is cut from a run of sentences that
    starts at a sentence (one time in two) or at a word of one. It ends at the last word end within
    that length, or inside a word when that would leave it shorter than ``lengths[0]``."""
    shortest, longest = check_lengths(lengths)
    target = int(rng.integers(shortest, longest + 1))
    while True:  # again, in the rare case that the cut would end in a space
        words = random_sentence(rng).split(" ")
        start = 0 if rng.random() < 0.5 else int(rng.integers(len(words)))
        line = _cut(" ".join(words[start:] + [random_text(rng, longest)]), target, shortest)
        if line:
            return line


def _cut(run: str, target: int, shortest: int) -> str:
    """``run`` cut to at most ``target`` characters at a word end, or to ``target`` inside a word if
    that leaves fewer than ``shortest``; "" when that cut would end in a space."""
    if run[target:target + 1] in ("", " "):
        line = run[:target]
    else:
        space = run.rfind(" ", 0, target)
        line = run[:space] if space >= shortest else run[:target]
    return "" if line.endswith(" ") else line


def check_lengths(lengths: tuple[int, int]) -> tuple[int, int]:
    """``lengths`` as (shortest, longest) line lengths, or a ValueError naming them."""
    shortest, longest = lengths
    if not 1 <= shortest <= longest:
        raise ValueError(f"lengths {lengths}: need 1 <= shortest <= longest")
    return shortest, longest
