import numpy as np
import pytest

from ocrlib.decoders.bk_tree import BKTree
from ocrlib.decoders.lexicon_search import lexicon_search
from tests.helpers import text_path_probs

MINI = np.array([[0.6, 0.4, 0.0], [0.6, 0.4, 0.0]])
CHARS = "acdeghloprstw"


def test_lexicon_search_reads_a_on_the_mini_matrix():
    # The best path is "" and both words are one edit away: P("a") = 0.64, P("b") = 0.
    assert lexicon_search(MINI, "ab", ["a", "b"]) == "a"


def test_lexicon_search_ranks_equally_near_words_by_ctc_probability():
    assert lexicon_search(MINI[:, [0, 2, 1]], "ab", ["a", "b"]) == "b"


def test_lexicon_search_corrects_a_misspelled_best_path():
    probs = text_path_probs("-h-e-l-o-", CHARS)
    assert lexicon_search(probs, CHARS, ["world", "hello", "cat"], tolerance=1) == "hello"


def test_lexicon_search_scores_the_whole_lexicon_when_no_word_is_within_tolerance():
    probs = text_path_probs("-c-a-t-", CHARS)
    assert lexicon_search(probs, CHARS, ["dog", "cot"], tolerance=0) == "cot"


def test_lexicon_search_reuses_a_prebuilt_bk_tree():
    lexicon = BKTree(["world", "hello", "cat"])
    assert lexicon_search(text_path_probs("-h-e-l-o-", CHARS), CHARS, lexicon, tolerance=1) == "hello"
    assert lexicon_search(text_path_probs("-c-a-a-t-", CHARS), CHARS, lexicon, tolerance=1) == "cat"


def test_lexicon_search_rejects_bad_input_naming_it():
    with pytest.raises(ValueError, match="word 'cab' in words has characters 'b'"):
        lexicon_search(MINI, "ac", ["cab", "a"])
    with pytest.raises(ValueError, match="words is empty"):
        lexicon_search(MINI, "ab", [])
    with pytest.raises(ValueError, match="words is an empty BKTree"):
        lexicon_search(MINI, "ab", BKTree())
    with pytest.raises(ValueError, match="3 classes"):
        lexicon_search(MINI, "abc", ["a"])
    with pytest.raises(ValueError, match="tolerance"):
        lexicon_search(MINI, "ab", ["a"], tolerance=-1)
