import itertools

import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.decoders.probability import probability
from ocrlib.decoders.token_passing import token_passing
from tests.helpers import random_probs, text_path_probs

MINI = np.array([[0.6, 0.4, 0.0], [0.6, 0.4, 0.0]])


def best_alignment_probabilities(probs: np.ndarray, chars: str) -> dict[str, float]:
    """Brute force: for every text, the probability of its single most probable path (all C^T paths)."""
    alphabet, best = Alphabet(chars), {}
    for path in itertools.product(range(probs.shape[1]), repeat=len(probs)):
        text = alphabet.decode(label for label, _ in itertools.groupby(path))
        best[text] = max(best.get(text, 0.0), np.prod(probs[np.arange(len(probs)), path]))
    return best


def test_token_passing_reads_a_on_the_mini_matrix():
    assert token_passing(MINI, "ab", ["a", "b", "ab", "ba"]) == "a"


@pytest.mark.parametrize(
    "chars, words, time_steps",
    # Both settings leave room for at most two words, so the candidates below are complete.
    [("ab ", ["a", "b", "ab", "ba"], 4), ("ab", ["ab", "ba", "bab"], 5)],
)
@pytest.mark.parametrize("seed", range(12))
def test_token_passing_finds_the_word_sequence_with_the_most_probable_alignment(chars, words, time_steps, seed):
    probs = random_probs(np.random.default_rng(seed), (time_steps, len(chars) + 1))
    best = best_alignment_probabilities(probs, chars)
    separator = " " if " " in chars else ""
    candidates = [separator.join(sequence) for n in (1, 2) for sequence in itertools.product(words, repeat=n)]
    assert token_passing(probs, chars, words) == max(candidates, key=lambda text: best.get(text, 0.0))


def test_token_passing_scores_the_best_path_not_the_sum_over_paths():
    # "a": paths a-a and blank-a, 0.225 each, sum 0.45. "ab": the single path a-b, 0.275.
    probs = np.array([[0.5, 0.5, 0.0], [0.0, 0.45, 0.55]])
    assert probability(probs, "a", "ab") > probability(probs, "ab", "ab")
    assert token_passing(probs, "ab", ["a", "ab"]) == "ab"


def test_token_passing_separates_words_with_the_space_of_chars():
    probs = text_path_probs("-c-a-t- -s-a-t-", "acst ")
    assert token_passing(probs, "acst ", ["cat", "sat", "at"]) == "cat sat"


def test_token_passing_joins_words_directly_without_a_space_in_chars():
    probs = text_path_probs("-c-a-t-s-a-t-", "acst")
    assert token_passing(probs, Alphabet("acst"), ["cat", "sat", "cats", "at"]) == "catsat"


def test_token_passing_keeps_to_dictionary_words_against_the_best_path():
    # The best path reads "cst", not a word; one wrong character is cheaper than any other sequence.
    probs = text_path_probs("-c-s-t-", "acst")
    assert token_passing(probs, "acst", ["cat", "sat"]) == "cat"


def test_token_passing_returns_the_empty_text_when_no_word_fits_the_steps():
    assert token_passing(text_path_probs("a", "ab"), "ab", ["ab", "ba"]) == ""


def test_token_passing_rejects_bad_input_naming_it():
    with pytest.raises(ValueError, match=r"probs of shape \(2, 3\)"):
        token_passing(MINI, "abc", ["a"])
    with pytest.raises(ValueError, match="word 'ac' in words has characters 'c'"):
        token_passing(MINI, "ab", ["a", "ac"])
    with pytest.raises(ValueError, match="words is empty"):
        token_passing(MINI, "ab", [])
