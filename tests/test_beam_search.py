import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.decoders import LanguageModel, beam_search, beam_search_topk, probability
from tests.helpers import (labelling_probabilities, most_probable_labelling, one_hot_path, random_probs,
                           small_random_matrices)

MODERATE_PRUNE = np.log(0.001)


def test_wide_beam_finds_the_most_probable_labelling_of_small_random_matrices():
    for probs, chars in small_random_matrices(40):
        assert beam_search(probs, chars, beam_width=64) == most_probable_labelling(probs, chars), probs


def test_scores_are_exact_log_probabilities_when_the_beam_holds_every_prefix():
    # 3 classes, T <= 6: at most 2^6 texts per step, so a beam of 128 never drops an alignment.
    for probs, chars in small_random_matrices(20):
        if len(chars) == 2:
            totals = labelling_probabilities(probs, chars)
            results = beam_search_topk(probs, chars, beam_width=128, k=1000)
            assert {text for text, _ in results} == {text for text, p in totals.items() if p > 0}
            for text, score in results:
                assert np.exp(score) == pytest.approx(totals[text], rel=1e-9), (probs, text)


def test_topk_returns_k_distinct_texts_sorted_by_score(rng):
    probs = random_probs(rng, (12, 5))
    results = beam_search_topk(probs, "abcd", beam_width=10, k=7)
    texts, scores = [text for text, _ in results], [score for _, score in results]
    assert len(texts) == 7 and len(set(texts)) == 7
    assert scores == sorted(scores, reverse=True)
    assert texts[0] == beam_search(probs, "abcd", beam_width=10)


def test_topk_stops_at_the_texts_that_are_possible():
    # On the mini matrix only "" and "a" have a probability above 0.
    results = beam_search_topk(np.array([[0.6, 0.4, 0.0], [0.6, 0.4, 0.0]]), "ab", k=5)
    assert [text for text, _ in results] == ["a", ""]
    assert np.exp([score for _, score in results]) == pytest.approx([0.64, 0.36])


@pytest.mark.parametrize("path, text", [([1, 0, 1], "aa"), ([1, 1, 1], "a"), ([1, 2, 2, 0, 2, 1], "abba"),
                                        ([0, 1, 1, 0, 0, 1, 0], "aa")])
def test_a_repeat_counts_only_the_paths_with_a_blank_between(path, text):
    probs = one_hot_path(path, 3, high=0.8)
    [(best, score)] = beam_search_topk(probs, "ab", beam_width=200, k=1)
    assert best == text == most_probable_labelling(probs, "ab")
    assert np.exp(score) == pytest.approx(probability(probs, text, "ab"), rel=1e-9)


def keras_beam_search(probs: np.ndarray, alphabet: Alphabet, beam_width: int):
    """Top-2 texts and scores of keras.ops.ctc_decode. Keras takes logits with the blank at ``mask_index`` (0
    here: it moves that column last for TensorFlow's decoder and shifts the labels back), so log(probs) goes in."""
    batch, steps, _ = probs.shape
    decoded, scores = keras.ops.ctc_decode(np.log(probs).astype(np.float32), np.full(batch, steps, np.int32),
                                           strategy="beam_search", beam_width=beam_width, top_paths=2, mask_index=0)
    decoded = keras.ops.convert_to_numpy(decoded)[0]  # (2, B, T) padded with -1 -> the best path per sample
    return [alphabet.decode([int(i) for i in row if i >= 0]) for row in decoded], keras.ops.convert_to_numpy(scores)


def test_top_text_agrees_with_keras_beam_search_where_it_is_clearly_ahead(rng):
    alphabet = Alphabet("abcd")
    probs = random_probs(rng, (40, 10, alphabet.num_classes))
    expected, scores = keras_beam_search(probs, alphabet, beam_width=8)
    clear = scores[:, 0] - scores[:, 1] > 0.1
    assert clear.sum() >= 20 and any(len(text) > 3 for text in expected)
    for p, text in zip(probs[clear], np.array(expected, dtype=object)[clear]):
        assert beam_search(p, alphabet, beam_width=8) == text


def test_a_moderate_prune_changes_no_result_on_the_test_matrices(rng):
    cases = small_random_matrices(40) + [(p, "abcd") for p in random_probs(rng, (10, 20, 5))]
    assert sum((p < np.exp(MODERATE_PRUNE)).sum() for p, _ in cases) > 20  # the prune does skip characters
    for probs, chars in cases:
        pruned = beam_search_topk(probs, chars, beam_width=8, prune=MODERATE_PRUNE)
        exact = beam_search_topk(probs, chars, beam_width=8)
        assert [text for text, _ in pruned] == [text for text, _ in exact], probs
        np.testing.assert_allclose([score for _, score in pruned], [score for _, score in exact], rtol=1e-2)


def test_prune_tries_only_characters_above_the_threshold_and_the_likeliest_of_each_step():
    # Unpruned, "ab" (p = 0.277) beats "b" (0.229); "a" never reaches 0.4 nor is it the likeliest class of
    # a step, "b" is both.
    probs = np.array([[0.1, 0.39, 0.51], [0.1, 0.39, 0.51], [0.1, 0.3, 0.6]])
    assert beam_search(probs, "ab") == "ab"
    assert set(beam_search(probs, "ab", prune=np.log(0.4))) == {"b"}
    assert set(beam_search(probs, "ab", prune=np.log(0.5))) == {"b"}


def test_a_prune_above_every_probability_reads_the_likeliest_class_of_each_step():
    # No blank: pruning every character used to leave no text in the beam (an IndexError).
    probs = np.array([[0.0, 0.4, 0.6], [0.0, 0.7, 0.3]])
    assert beam_search(probs, "ab", prune=np.log(0.9)) == "ba"
    # "b" then "a" (0.6 * 0.7), or "b" held a second step (0.6 * 0.3); "a" first is never tried.
    results = beam_search_topk(probs, "ab", prune=np.log(0.9), k=5)
    assert [text for text, _ in results] == ["ba", "b"]
    assert np.exp([score for _, score in results]) == pytest.approx([0.42, 0.18])


# Step 1 and 3: "a" or "b", equally likely; step 2: blank. "aa", "ab", "ba", "bb" each have p = 0.25.
TIE = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])


@pytest.mark.parametrize("corpus, text", [("ab\nab\nab", "ab"), ("ba\nba\nba", "ba")])
def test_a_language_model_decides_between_equally_likely_readings(corpus, text):
    lm = LanguageModel(corpus, "ab")
    assert beam_search(TIE, "ab", lm=lm) == text
    results = beam_search_topk(TIE, "ab", lm=lm, lm_weight=0.5, k=4)
    assert results[0][0] == text
    for reading, score in results:
        assert score == pytest.approx(np.log(0.25) + 0.5 * lm.log_prob(reading), rel=1e-12)


def test_lm_weight_zero_leaves_the_ctc_scores_alone(rng):
    probs = random_probs(rng, (10, 3))
    lm = LanguageModel("ab\nba\naab", "ab", n=3)
    assert beam_search_topk(probs, "ab", lm=lm, lm_weight=0.0) == beam_search_topk(probs, "ab")


def test_bad_arguments_raise_value_errors_naming_them():
    probs = np.array([[0.6, 0.4, 0.0], [0.6, 0.4, 0.0]])
    with pytest.raises(ValueError, match="beam_width"):
        beam_search(probs, "ab", beam_width=0)
    with pytest.raises(ValueError, match="k must"):
        beam_search_topk(probs, "ab", k=0)
    with pytest.raises(ValueError, match="lm was built for Alphabet\\('abc'\\)"):
        beam_search(probs, "ab", lm=LanguageModel("abc", "abc"))
