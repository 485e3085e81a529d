import numpy as np
import pytest

from ocrlib.decoders import beam_search, pattern_search

# Over "AB8": an A, then a step that prefers B (0.6) over 8 (0.4), then blank.
PLATE = np.array([
    # blank  A     B     8
    [0.00, 1.00, 0.00, 0.00],
    [0.00, 0.00, 0.60, 0.40],
    [1.00, 0.00, 0.00, 0.00],
])


def test_the_best_text_that_the_pattern_matches_wins_over_a_more_probable_one():
    assert beam_search(PLATE, "AB8") == "AB"
    assert pattern_search(PLATE, "AB8", r"[A-Z][0-9]") == "A8"


def test_the_pattern_must_match_the_whole_text():
    assert pattern_search(PLATE, "AB8", r"[A-Z]") == "AB"  # "A" is not in the beam: the best text stays


def test_with_no_matching_text_the_best_text_is_returned():
    assert pattern_search(PLATE, "AB8", r"[0-9]{3}") == "AB"


def test_a_pattern_that_is_not_a_regular_expression_is_named():
    with pytest.raises(ValueError, match=r"\[A-Z"):
        pattern_search(PLATE, "AB8", "[A-Z")
