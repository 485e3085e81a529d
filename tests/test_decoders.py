import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.decoders import DECODERS, best_path, best_path_batch, best_path_probability
from tests.helpers import one_hot_path, random_probs


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


def test_decoders_registry_offers_best_path():
    assert DECODERS["best_path"] is best_path
