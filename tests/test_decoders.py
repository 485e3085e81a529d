import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.decoders import (DECODERS, beam_search, best_path, best_path_batch, best_path_probability, decode_batch,
                             prefix_search, probability)
from ocrlib.errors import UnknownCharacterError
from tests.helpers import labelling_probabilities, one_hot_path, random_probs, small_random_matrices

MINI = np.array([[0.6, 0.4, 0.0], [0.6, 0.4, 0.0]])  # CTCDecoder's 2x3 matrix, blank moved to column 0


def test_two_steps_of_blank_decode_to_the_empty_text():
    probs = np.array([[0.6, 0.4, 0.0], [0.6, 0.4, 0.0]])
    assert best_path(probs, "ab") == ""


def test_blank_between_repeats_keeps_both_characters():
    # path a, a, blank, a -> "aa"
    assert best_path(one_hot_path([1, 1, 0, 1], 3), "ab") == "aa"


def test_repeats_without_blank_merge():
    # path -, a, a, -, b, b, - -> "ab"
    assert best_path(one_hot_path([0, 1, 1, 0, 2, 2, 0], 3), "ab") == "ab"


def test_column_i_plus_one_is_character_i():
    assert best_path(one_hot_path([3, 0, 2, 1], 4), "xyz") == "zyx"
    assert best_path(one_hot_path([3, 0, 2, 1], 4), Alphabet("xyz")) == "zyx"


def test_batch_equals_single_decoding_row_by_row(rng):
    probs = random_probs(rng, (16, 20, 5))
    assert best_path_batch(probs, "abcd") == [best_path(p, "abcd") for p in probs]


def test_batch_reads_rows_of_different_lengths_including_the_empty_text():
    paths = [[0, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 2], [2, 2, 2, 2], [0, 2, 0, 1]]
    probs = np.stack([one_hot_path(path, 3) for path in paths])
    assert best_path_batch(probs, "ab") == ["", "a", "aab", "b", "ba"]
    with pytest.raises(ValueError, match=r"\(2, 0, 3\)"):
        best_path_batch(np.ones((2, 0, 3)), "ab")


def test_batch_equals_keras_greedy_ctc_decode(rng):
    alphabet = Alphabet("abcdef")
    # Blank-heavy random matrices so that texts of various lengths, with repeats, come out.
    probs = random_probs(rng, (32, 24, alphabet.num_classes))
    probs[:, :, 0] *= 2.0
    probs /= probs.sum(axis=-1, keepdims=True)
    decoded, _ = keras.ops.ctc_decode(np.log(probs).astype(np.float32), np.full(32, 24, np.int32),
                                      strategy="greedy", mask_index=0)
    decoded = keras.ops.convert_to_numpy(decoded)[0]  # (1, B, T) -> (B, T), padded with -1
    expected = [alphabet.decode([int(i) for i in row if i >= 0]) for row in decoded]
    assert any(len(text) > 1 for text in expected) and any(len(set(t)) < len(t) for t in expected)
    assert best_path_batch(probs, alphabet) == expected


def test_class_count_mismatch_raises_value_error_with_both_counts():
    with pytest.raises(ValueError, match="4 classes"):
        best_path(np.full((3, 4), 0.25), "ab")
    with pytest.raises(ValueError, match="3"):
        best_path_batch(np.full((2, 3, 4), 0.25), "ab")


def test_best_path_probability_is_the_product_of_step_maxima():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4], [0.25, 0.25, 0.5]])
    assert best_path_probability(probs) == pytest.approx(0.7 * 0.5 * 0.5)
    batch = best_path_probability(np.stack([probs, probs[::-1]]))
    assert batch.shape == (2,)
    np.testing.assert_allclose(batch, 0.7 * 0.5 * 0.5)


def test_mini_matrix_reads_nothing_by_best_path_but_a_by_beam_and_prefix_search():
    # Best path "--" has p = 0.36, but "a" sums "aa", "a-", "-a": 0.16 + 0.24 + 0.24 = 0.64.
    assert best_path(MINI, "ab") == ""
    assert beam_search(MINI, "ab") == "a"
    assert prefix_search(MINI, "ab") == "a"
    assert probability(MINI, "a", "ab") == pytest.approx(0.64, rel=1e-12)
    assert probability(MINI, "", "ab") == pytest.approx(0.36, rel=1e-12)


def test_probability_equals_the_brute_force_sum_over_all_paths():
    for probs, chars in small_random_matrices(30):
        for text, expected in labelling_probabilities(probs, chars).items():
            assert probability(probs, text, chars) == pytest.approx(expected, rel=1e-9), (probs, text)


def test_probability_equals_exp_of_minus_keras_ctc_loss(rng):
    texts = ["a", "ab", "ba", "aa", "cab", "abca", "bb", "c"]
    probs = random_probs(rng, (len(texts), 8, 4))
    alphabet = Alphabet("abc")
    targets = np.zeros((len(texts), 4), np.int32)
    for row, text in zip(targets, texts):
        row[: len(text)] = alphabet.encode(text)
    losses = keras.ops.ctc_loss(targets, np.log(probs).astype(np.float32), np.array([len(t) for t in texts], np.int32),
                                np.full(len(texts), 8, np.int32), mask_index=0)
    expected = np.exp(-keras.ops.convert_to_numpy(losses))
    np.testing.assert_allclose([probability(p, t, alphabet) for p, t in zip(probs, texts)], expected, rtol=1e-5)


def test_probability_of_a_text_with_an_unknown_character_names_it():
    with pytest.raises(UnknownCharacterError, match="'z'"):
        probability(MINI, "az", "ab")


def test_probability_of_a_text_too_long_for_the_steps_is_zero():
    assert probability(MINI, "aa", "ab") == 0.0  # "aa" needs a blank between: 3 steps


@pytest.mark.parametrize(("decoder", "text"), [("best_path", ""), ("beam_search", "a"), ("prefix_search", "a")])
def test_each_decoder_name_reads_the_mini_matrix_as_its_algorithm_does_by_hand(decoder, text):
    # "--" is the best path (0.36), "a" the most probable text (0.64): only the search decoders find it.
    assert decode_batch(np.stack([MINI, MINI]), "ab", decoder) == [text, text]


@pytest.mark.parametrize("decoder", sorted(DECODERS))
def test_every_decoder_reads_the_empty_text_from_an_empty_alphabet(decoder):
    assert DECODERS[decoder](np.ones((4, 1)), "") == ""


@pytest.mark.parametrize("decoder", sorted(DECODERS))
def test_every_decoder_reads_the_empty_text_from_an_all_blank_matrix(decoder):
    assert DECODERS[decoder](one_hot_path([0, 0, 0, 0], 4), "abc") == ""


@pytest.mark.parametrize("decoder", sorted(DECODERS))
def test_every_decoder_reads_the_likeliest_character_from_one_step(decoder):
    assert DECODERS[decoder](np.array([[0.2, 0.1, 0.6, 0.1]]), "abc") == "b"


@pytest.mark.parametrize("decoder", sorted(DECODERS))
def test_every_decoder_reads_repeats_only_across_a_blank(decoder):
    assert DECODERS[decoder](one_hot_path([1, 0, 1], 3), "ab") == "aa"
    assert DECODERS[decoder](one_hot_path([1, 1, 1], 3), "ab") == "a"
    assert DECODERS[decoder](one_hot_path([1, 2, 2, 0, 2, 1], 3), "ab") == "abba"


@pytest.mark.parametrize("decoder", ["beam_search", "prefix_search"])
def test_search_decoders_reject_probs_that_do_not_fit_the_alphabet(decoder):
    with pytest.raises(ValueError, match=r"probs of shape \(3, 4\)"):
        DECODERS[decoder](np.full((3, 4), 0.25), "ab")
    with pytest.raises(ValueError, match="probs"):
        DECODERS[decoder](np.full((0, 3), 0.5), "ab")
    with pytest.raises(ValueError, match="probs must be softmax"):
        DECODERS[decoder](np.array([[0.5, np.nan, 0.5]]), "ab")


@pytest.mark.parametrize("decoder", sorted(DECODERS))
def test_decode_batch_equals_decoding_matrix_by_matrix(rng, decoder):
    probs = random_probs(rng, (5, 6, 4))
    assert decode_batch(probs, "abc", decoder) == [DECODERS[decoder](p, "abc") for p in probs]


def test_decode_batch_passes_options_to_the_decoder(rng):
    probs = random_probs(rng, (3, 6, 4))
    expected = [beam_search(p, "abc", beam_width=1) for p in probs]
    assert decode_batch(probs, "abc", "beam_search", beam_width=1) == expected
    with pytest.raises(TypeError, match="nonsense"):
        decode_batch(probs, "abc", "prefix_search", nonsense=1)


def test_decode_batch_rejects_an_unknown_decoder_and_a_single_matrix():
    with pytest.raises(ValueError, match="'nonsense'"):
        decode_batch(np.stack([MINI]), "ab", "nonsense")
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        decode_batch(MINI, "ab", "beam_search")
