"""CTC prefix beam search: keep the ``beam_width`` most probable texts (not paths) step by step.

At each step a text in the beam either stays the same (a blank, or its last character once more) or
grows by one character. Each text carries two log probabilities, of its paths that end in a blank and
of those that end in its last character, because a repeated character starts anew only after a blank:
``a-a`` reads "aa" but ``aa`` reads "a". All B x C ways to go on are scored at once with NumPy; a grown
text that is already in the beam is merged into it; the best ``beam_width`` survive. An optional
character ``LanguageModel`` adds ``lm_weight * log P_lm(text)`` to each score.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.decoders.inputs import check_probs, log_of
from ocrlib.decoders.language_model import LanguageModel


def beam_search(probs: np.ndarray, chars: str | Alphabet, beam_width: int = 25, lm: LanguageModel | None = None,
                lm_weight: float = 1.0, prune: float | None = None) -> str:
    """The best text of ``beam_search_topk``. probs: (T, len(chars) + 1), softmax, blank at 0."""
    return _search(probs, chars, beam_width, lm, lm_weight, prune)[0][0]


def beam_search_topk(probs: np.ndarray, chars: str | Alphabet, beam_width: int = 25, k: int = 5,
                     lm: LanguageModel | None = None, lm_weight: float = 1.0,
                     prune: float | None = None) -> list[tuple[str, float]]:
    """Up to ``k`` distinct (text, score), best first, at least one; texts of probability 0 are left out.

    probs: (T, len(chars) + 1), softmax, blank at 0.
    score: log p(text | probs), summed over the text's alignments that stayed in the beam (all of them
    when the beam never overflows), plus ``lm_weight * lm.log_prob(text)`` when ``lm`` is given.
    prune: a log probability; characters less likely than that at a step are not tried as the next
    character at that step, except the step's most probable class, which always is (as pyctcdecode's
    ``token_min_logp`` does), so that however high the threshold some text keeps a probability above 0
    and the beam never empties. None tries every character.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    return _search(probs, chars, beam_width, lm, lm_weight, prune)[:k]


def first_accepted(probs: np.ndarray, chars: str | Alphabet, accept: Callable[[str], object],
                   beam_width: int = 25) -> str:
    """The most probable text of the final beam for which ``accept(text)`` is true; the most probable
    text when none is (so the caller still sees what was read)."""
    candidates = [text for text, _ in beam_search_topk(probs, chars, beam_width, k=beam_width)]
    return next((text for text in candidates if accept(text)), candidates[0])


def _search(probs, chars, beam_width, lm, lm_weight, prune) -> list[tuple[str, float]]:
    """Every text of the final beam with its (finite) score, best first."""
    alphabet = as_alphabet(chars)
    log_probs = log_of(check_probs(probs, alphabet))
    if beam_width < 1:
        raise ValueError(f"beam_width must be >= 1, got {beam_width}")
    if lm is not None and lm.alphabet != alphabet:
        raise ValueError(f"lm was built for {lm.alphabet!r}, not for {alphabet!r}")
    characters = np.arange(1, alphabet.num_classes)
    texts = [""]
    last = np.zeros(1, int)  # class of each text's last character; 0 for the empty text
    blank_end, char_end = np.zeros(1), np.full(1, -np.inf)  # log p of the paths ending in blank / in `last`
    lm_score = np.zeros(1)  # lm_weight * log P_lm(text)
    for y in log_probs:
        grow = characters if prune is None else characters[(y[1:] >= prune) | (characters == y.argmax())]  # (G,)
        total = np.logaddexp(blank_end, char_end)
        stay_blank, stay_char = total + y[0], char_end + y[last]
        # Growing by the text's own last character needs a blank in between: only blank-ending paths count.
        grow_char = np.where(last[:, None] == grow, blank_end[:, None], total[:, None]) + y[grow]  # (B, G)
        _merge_grown_into_beam(texts, last, grow, alphabet.num_classes, stay_char, grow_char)
        lm_next = (lm_weight * np.stack([lm.log_probs(text) for text in texts])[:, grow - 1] if lm is not None
                   else np.zeros((1, len(grow))))
        grow_lm = lm_score[:, None] + lm_next  # (B, G)

        # Candidates: the B texts as they are, then B x G grown ones (row-major); keep the best beam_width.
        beam, width = len(texts), len(grow)
        score = np.concatenate([np.logaddexp(stay_blank, stay_char) + lm_score, (grow_char + grow_lm).ravel()])
        keep = _best(score, beam_width)
        source = np.concatenate([np.arange(beam), np.repeat(np.arange(beam), width)])[keep]
        added = np.concatenate([np.zeros(beam, int), np.tile(grow, beam)])[keep]  # class appended, 0: none
        texts = [texts[s] + alphabet.chars[a - 1] if a else texts[s] for s, a in zip(source.tolist(), added.tolist())]
        last = np.where(added > 0, added, last[source])
        blank_end = np.concatenate([stay_blank, np.full(beam * width, -np.inf)])[keep]
        char_end = np.concatenate([stay_char, grow_char.ravel()])[keep]
        lm_score = np.concatenate([lm_score, grow_lm.ravel()])[keep]
    score = np.logaddexp(blank_end, char_end) + lm_score
    return [(texts[i], float(score[i])) for i in np.argsort(-score, kind="stable")]


def _best(score: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` highest scores, in no order; -inf ones (impossible texts, merged duplicates) go."""
    best = np.arange(len(score)) if len(score) <= count else np.argpartition(-score, count - 1)[:count]
    return best[score[best] > -np.inf]


def _merge_grown_into_beam(texts: list[str], last: np.ndarray, grow: np.ndarray, num_classes: int,
                           stay_char: np.ndarray, grow_char: np.ndarray) -> None:
    """Where text + c is itself in the beam (say "ab" and "a" + b), add its grown probability to that
    text's ``stay_char`` and drop the grown candidate, so every text appears once. Modifies both arrays."""
    position = {text: i for i, text in enumerate(texts)}
    parent = np.array([position.get(text[:-1], -1) if text else -1 for text in texts])
    column = np.full(num_classes, -1)  # column of each class in grow_char; -1: not tried at this step
    column[grow] = np.arange(len(grow))
    child = np.flatnonzero((parent >= 0) & (column[last] >= 0))
    rows, columns = parent[child], column[last[child]]
    stay_char[child] = np.logaddexp(stay_char[child], grow_char[rows, columns])
    grow_char[rows, columns] = -np.inf
