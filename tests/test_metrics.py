import pytest

from ocrlib.metrics import character_error_rate, edit_distance, sequence_accuracy, word_error_rate


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("kitten", "sitting", 3),
    ("", "", 0),
    ("", "abc", 3),
    ("abc", "", 3),
    ("abc", "abc", 0),
    ("flaw", "lawn", 2),
    ("ab", "ba", 2),
])
def test_edit_distance_of_known_pairs(a, b, distance):
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_sequence_accuracy_counts_whole_texts():
    assert sequence_accuracy(["abc", "de", "f", ""], ["abc", "dx", "f", "g"]) == pytest.approx(0.5)


def test_character_error_rate_is_total_distance_over_total_truth_length():
    # distances 0 + 1 + 2 over lengths 3 + 2 + 1
    assert character_error_rate(["abc", "de", "f"], ["abc", "dx", "fgh"]) == pytest.approx(3 / 6)


def test_character_error_rate_of_empty_truths_does_not_divide_by_zero():
    assert character_error_rate(["", ""], ["", ""]) == 0.0
    assert character_error_rate([""], ["ab"]) == pytest.approx(2.0)


def test_word_error_rate_counts_whole_words_over_the_truth_words():
    # one word substituted (a character inside it), one word dropped, one added: 3 edits over 7 truth words
    truths, predictions = ["the cat sat", "on the mat, then"], ["the cot sat", "on mat, then now"]
    assert word_error_rate(truths, predictions) == pytest.approx(3 / 7)
    assert word_error_rate(["a  b"], [" a b "]) == 0.0  # spacing alone is no word error
    assert character_error_rate(truths, predictions) < word_error_rate(truths, predictions)


@pytest.mark.parametrize("metric", [sequence_accuracy, character_error_rate, word_error_rate])
def test_length_mismatch_raises_value_error(metric):
    with pytest.raises(ValueError, match="2 truths but 1 predictions"):
        metric(["a", "b"], ["a"])


@pytest.mark.parametrize("metric", [sequence_accuracy, character_error_rate, word_error_rate])
def test_no_texts_raises_value_error(metric):
    with pytest.raises(ValueError):
        metric([], [])
