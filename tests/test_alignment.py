import itertools

import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.decoders import best_alignment, best_path
from ocrlib.errors import UnknownCharacterError
from tests.helpers import random_probs, text_path_probs


def collapse(path, chars: str) -> str:
    return Alphabet(chars).decode(label for label, _ in itertools.groupby(path))


def brute_force_best_path(probs: np.ndarray, text: str, chars: str) -> tuple[float, list[tuple[int, ...]]]:
    """The highest path probability among the C^T paths that collapse to ``text``, and every path that has it."""
    best, argmax = 0.0, []
    for path in itertools.product(range(probs.shape[1]), repeat=len(probs)):
        if collapse(path, chars) != text:
            continue
        p = float(np.prod(probs[np.arange(len(probs)), path]))
        if p > best * (1 + 1e-12):
            best, argmax = p, [path]
        elif p >= best * (1 - 1e-12):
            argmax.append(path)
    return best, argmax


def path_probability(probs: np.ndarray, path: np.ndarray) -> float:
    return float(np.prod(probs[np.arange(len(probs)), path]))


def test_best_alignment_of_the_best_path_text_is_the_best_path():
    probs = text_path_probs("-aa-b--a", "ab")
    path = best_alignment(probs, "aba", "ab")
    assert path.dtype.kind == "i" and path.shape == (8,)
    assert path.tolist() == [0, 1, 1, 0, 2, 0, 0, 1]
    assert best_path(probs, "ab") == "aba"


def test_best_alignment_places_another_text_where_the_model_hesitates():
    # Best path -a-bbb reads "ab". To read "abb", the path must put a blank between two b's: at the step
    # where blank is the runner-up (t = 4), not where it is unlikely (t = 2).
    probs = np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.9, 0.05, 0.05],
                      [0.05, 0.05, 0.9], [0.4, 0.05, 0.55], [0.45, 0.05, 0.5]])
    assert best_path(probs, "ab") == "ab"
    path = best_alignment(probs, "abb", "ab")
    assert path.tolist() == [0, 1, 0, 2, 0, 2]


@pytest.mark.parametrize("seed", range(25))
def test_best_alignment_is_the_most_probable_path_of_the_text_by_brute_force(seed):
    rng = np.random.default_rng(seed)
    chars = "abc"[: rng.integers(2, 4)]
    probs = random_probs(rng, (int(rng.integers(1, 6)), len(chars) + 1))
    length = int(rng.integers(0, min(3, len(probs)) + 1))
    text = "".join(rng.choice(list(chars), length))
    best, argmax = brute_force_best_path(probs, text, chars)
    if best == 0.0:  # e.g. "aa" on 2 steps: no path at all
        with pytest.raises(ValueError):
            best_alignment(probs, text, chars)
        return
    path = best_alignment(probs, text, chars)
    assert collapse(path, chars) == text
    assert path_probability(probs, path) == pytest.approx(best, rel=1e-9)
    assert tuple(path.tolist()) in argmax


def test_best_alignment_of_the_empty_text_is_all_blank():
    probs = random_probs(np.random.default_rng(0), (5, 3))
    assert best_alignment(probs, "", "ab").tolist() == [0] * 5


def test_best_alignment_accepts_an_alphabet_and_long_inputs_without_underflow():
    rng = np.random.default_rng(1)
    probs = random_probs(rng, (2000, 5))
    text = "".join(rng.choice(list("abcd"), 300))
    path = best_alignment(probs, text, Alphabet("abcd"))
    assert collapse(path, "abcd") == text


def test_unknown_character_raises_naming_it():
    with pytest.raises(UnknownCharacterError, match="z"):
        best_alignment(random_probs(np.random.default_rng(0), (4, 3)), "az", "ab")


def test_text_too_long_for_the_steps_raises_value_error():
    probs = random_probs(np.random.default_rng(0), (3, 3))
    with pytest.raises(ValueError, match="'aa'.*at least 3"):
        best_alignment(probs[:2], "aa", "ab")  # needs a-a: 3 steps
    with pytest.raises(ValueError, match="'abab'"):
        best_alignment(probs, "abab", "ab")


def test_text_whose_character_has_probability_zero_raises_value_error():
    probs = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]])
    with pytest.raises(ValueError, match="'b'"):
        best_alignment(probs, "b", "ab")


def test_probs_that_do_not_fit_the_alphabet_raise_value_error():
    with pytest.raises(ValueError, match="shape"):
        best_alignment(np.full((4, 5), 0.2), "a", "ab")
