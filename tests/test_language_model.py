import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.decoders import LanguageModel
from ocrlib.errors import UnknownCharacterError


def test_bigram_probabilities_are_add_k_smoothed_counts():
    # After "a": b twice, a once, c never. k = 0.5 over 3 characters: (count + 0.5) / (3 + 1.5).
    lm = LanguageModel("abab\naa", "abc", n=2, smoothing=0.5)
    np.testing.assert_allclose(np.exp(lm.log_probs("a")), [1.5 / 4.5, 2.5 / 4.5, 0.5 / 4.5])
    np.testing.assert_allclose(np.exp(lm.log_probs("cba")), np.exp(lm.log_probs("a")))


def test_each_corpus_line_starts_from_the_start_of_text_context():
    # Two lines start with "a"; "b" ends a line, so nothing was ever seen after it.
    lm = LanguageModel("ab\nab", "ab", smoothing=1.0)
    np.testing.assert_allclose(np.exp(lm.log_probs("")), [3 / 4, 1 / 4])
    np.testing.assert_allclose(np.exp(lm.log_probs("b")), [1 / 2, 1 / 2])
    assert lm.log_prob("ab") == pytest.approx(np.log(3 / 4 * 3 / 4))


def test_trigram_predicts_from_the_last_two_characters():
    # Seen: "ab" -> c, b; "bb" -> c; and at the start of a text: "a" -> b, b; "b" -> b.
    lm = LanguageModel("abc\nbbc\nabb", "abc", n=3, smoothing=0.1)
    np.testing.assert_allclose(np.exp(lm.log_probs("ab")), [0.1 / 2.3, 1.1 / 2.3, 1.1 / 2.3])
    np.testing.assert_allclose(np.exp(lm.log_probs("bb")), [0.1 / 1.3, 0.1 / 1.3, 1.1 / 1.3])
    np.testing.assert_allclose(lm.log_probs("cabb"), lm.log_probs("bb"))
    np.testing.assert_allclose(np.exp(lm.log_probs("a")), [0.1 / 2.3, 2.1 / 2.3, 0.1 / 2.3])
    np.testing.assert_allclose(np.exp(lm.log_probs("b")), [0.1 / 1.3, 1.1 / 1.3, 0.1 / 1.3])


def test_log_probs_sum_to_one_after_seen_and_unseen_contexts():
    lm = LanguageModel("hello\nhelp\nyellow", "ehlopwy", n=3)
    for context in ["", "h", "he", "ll", "yell", "ww", "o"]:
        assert np.exp(lm.log_probs(context)).sum() == pytest.approx(1.0)


def test_an_unseen_context_predicts_every_character_equally():
    lm = LanguageModel("aaa", "abcd")
    np.testing.assert_allclose(np.exp(lm.log_probs("b")), np.full(4, 0.25))


def test_unigram_ignores_the_context():
    lm = LanguageModel("aab\nba", "ab", n=1)
    np.testing.assert_allclose(np.exp(lm.log_probs("")), [4 / 7, 3 / 7])
    np.testing.assert_allclose(lm.log_probs("bbb"), lm.log_probs(""))


def test_log_probs_are_read_only():
    lm = LanguageModel("ab", "ab")
    for context in ["", "b"]:
        with pytest.raises(ValueError, match="read-only"):
            lm.log_probs(context)[0] = 0.0


def test_accepts_an_alphabet_object():
    assert LanguageModel("ab", Alphabet("ab")).alphabet == LanguageModel("ab", "ab").alphabet == Alphabet("ab")


def test_a_corpus_character_outside_the_alphabet_is_named():
    with pytest.raises(UnknownCharacterError, match=r"'\-x'"):
        LanguageModel("ab-\nxa", "ab")


def test_a_text_with_an_unknown_character_is_an_error_not_an_unseen_context():
    lm = LanguageModel("ab", "ab")
    with pytest.raises(UnknownCharacterError, match="'z'"):
        lm.log_probs("az")
    with pytest.raises(UnknownCharacterError, match="'z'"):
        lm.log_prob("zab")


@pytest.mark.parametrize("arguments, named", [({"n": 0}, "n must"), ({"smoothing": 0}, "smoothing"),
                                              ({"chars": ""}, "chars is empty")])
def test_bad_arguments_raise_value_errors_naming_them(arguments, named):
    with pytest.raises(ValueError, match=named):
        LanguageModel("", **{"chars": "ab", **arguments})
