import numpy as np
import pytest

from ocrlib.decoders import beam_search, prefix_search, probability
from tests.helpers import most_probable_labelling, random_probs, small_random_matrices


def test_finds_the_most_probable_labelling_of_small_random_matrices():
    for probs, chars in small_random_matrices(40):
        assert prefix_search(probs, chars) == most_probable_labelling(probs, chars), probs


def confident_probs(rng, steps: int, classes: int) -> np.ndarray:
    """Like a trained model's output: a random path (blank on 70% of the steps) leads each step's logits by 6."""
    path = np.where(rng.random(steps) < 0.3, rng.integers(1, classes, steps), 0)
    logits = rng.normal(size=(steps, classes))
    logits[np.arange(steps), path] += 6
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_agrees_with_a_wide_beam_search_on_longer_confident_matrices(rng):
    for _ in range(5):
        probs = confident_probs(rng, 32, 11)
        text = prefix_search(probs, "0123456789")
        assert len(text) > 3
        assert text == beam_search(probs, "0123456789", beam_width=50)


def test_expansion_cap_returns_the_best_text_found_so_far(rng):
    probs = confident_probs(rng, 32, 11)
    full = prefix_search(probs, "0123456789")
    # One expansion scores only the empty text and the one-character texts.
    capped = prefix_search(probs, "0123456789", max_expansions=1)
    assert len(full) > 1 and len(capped) <= 1
    single = ["", *"0123456789"]
    assert capped == max(single, key=lambda text: probability(probs, text, "0123456789"))


def test_rejects_a_cap_below_one_expansion():
    with pytest.raises(ValueError, match="max_expansions"):
        prefix_search(random_probs(np.random.default_rng(0), (3, 3)), "ab", max_expansions=0)
