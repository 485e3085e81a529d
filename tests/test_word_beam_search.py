import numpy as np
import pytest

from ocrlib.decoders.prefix_tree import PrefixTree
from ocrlib.decoders.word_beam_search import with_case_variants, word_beam_search
from ocrlib.decoders.word_language_model import WordLanguageModel
from tests.helpers import random_probs, text_path_probs

CHARS = "acehmnost ."
WORD_CHARS = "acehmnost"
CORPUS = "the cat sat on the mat"


def with_step(probs: np.ndarray, t: int, chars: dict[str, float]) -> np.ndarray:
    """``probs`` with step t set to the given character probabilities, the rest shared by the other classes."""
    probs = probs.copy()
    probs[t] = (1 - sum(chars.values())) / (probs.shape[1] - len(chars))
    for char, p in chars.items():
        probs[t, CHARS.index(char) + 1] = p
    return probs


def test_prefix_tree_knows_the_next_characters_words_and_completions_of_a_prefix():
    tree = PrefixTree(["cat", "car", "cart", "cat"])
    assert [tree.next_chars(prefix) for prefix in ("", "ca", "cat", "x")] == ["c", "tr", "", ""]
    assert (tree.is_word("car"), tree.is_word("ca"), tree.is_word("x")) == (True, False, False)
    assert tree.words_with_prefix("car") == ["car", "cart"]
    assert tree.words_with_prefix("") == ["cat", "car", "cart"]


def test_word_language_model_counts_unigrams_and_add_k_bigrams():
    lm = WordLanguageModel(CORPUS.split(), smoothing=1.0)  # 6 words, 5 distinct; "the" is followed twice
    assert lm.probability("the") == pytest.approx(2 / 6)
    assert lm.probability("cat", "the") == pytest.approx((1 + 1) / (2 + 5))
    assert lm.probability("sat", "the") == pytest.approx((0 + 1) / (2 + 5))
    assert lm.probability_of_any(["cat", "mat", "sat"], "the") == pytest.approx(5 / 7)
    assert lm.probability("the", "mat") == pytest.approx(1 / 5)  # "mat" is never followed: only the k's


def test_word_language_model_without_smoothing_forbids_unseen_bigrams():
    lm = WordLanguageModel(CORPUS.split())
    assert lm.probability("sat", "the") == 0.0
    assert lm.probability("the", "mat") == pytest.approx(2 / 6)  # 0 / 0: falls back to the unigram


# "the ?at" where the matrix slightly prefers "s" (the unseen bigram "the sat") over "c" ("the cat").
THE_SAT_OR_CAT = with_step(text_path_probs("-t-h-e- -c-a-t-", CHARS), 9, {"c": 0.42, "s": 0.48})


@pytest.mark.parametrize("mode", ["words", "ngrams", "ngrams_forecast"])
def test_word_beam_search_corrects_a_character_to_spell_a_dictionary_word(mode):
    probs = text_path_probs("-t-h-e- -c-s-t-", CHARS)
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, mode=mode) == "the cat"


def test_word_beam_search_corrects_a_misspelling_to_a_corpus_word():
    chars = "dehlorw "
    probs = text_path_probs("-h-e-l-o-", chars)
    assert word_beam_search(probs, chars, "hello world", "dehlorw") == "hello"


def test_word_beam_search_writes_free_characters_between_words():
    probs = text_path_probs("-t-h-e- -c-a-t-.-", CHARS)
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS) == "the cat."


def test_word_beam_search_ngrams_prefer_a_bigram_of_the_corpus():
    assert word_beam_search(THE_SAT_OR_CAT, CHARS, CORPUS, WORD_CHARS, mode="words") == "the sat"
    assert word_beam_search(THE_SAT_OR_CAT, CHARS, CORPUS, WORD_CHARS, mode="ngrams", smoothing=1.0) == "the cat"


def test_word_beam_search_smoothing_lets_a_clearly_written_unseen_bigram_through():
    probs = text_path_probs("-t-h-e- -s-a-t-", CHARS)
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, mode="ngrams") == "the cat"
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, mode="ngrams", smoothing=1.0) == "the sat"


def test_word_beam_search_forecast_scores_a_word_before_it_is_finished():
    # With one beam, the choice between "the c" and "the s" is final; only the forecast sees the bigram.
    narrow = {"beam_width": 1, "smoothing": 1.0}
    assert word_beam_search(THE_SAT_OR_CAT, CHARS, CORPUS, WORD_CHARS, mode="ngrams", **narrow) == "the sat"
    assert word_beam_search(THE_SAT_OR_CAT, CHARS, CORPUS, WORD_CHARS, mode="ngrams_forecast", **narrow) == "the cat"


def test_word_beam_search_completes_a_last_word_cut_short():
    probs = text_path_probs("-t-h-e- -c-a", CHARS)
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS) == "the cat"


UNKNOWN = np.log(1e-2)  # the cost of a word outside the dictionary


@pytest.mark.parametrize("mode", ["words", "ngrams", "ngrams_forecast"])
def test_word_beam_search_with_unknown_words_keeps_a_clearly_written_word_outside_the_dictionary(mode):
    probs = text_path_probs("-t-h-e- -m-o-a-t- -s-a-t-", CHARS, high=0.99)
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, mode=mode, smoothing=1.0) != "the moat sat"
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, mode=mode, smoothing=1.0,
                            unknown_words=UNKNOWN) == "the moat sat"


def test_word_beam_search_with_unknown_words_still_corrects_a_word_read_almost_right():
    probs = with_step(text_path_probs("-t-h-e- -c-s-t-", CHARS), 11, {"s": 0.6, "a": 0.3})
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, unknown_words=UNKNOWN) == "the cat"
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, unknown_words=0.0) == "the cst"  # free: best path


def test_word_beam_search_with_unknown_words_keeps_a_last_word_cut_short():
    probs = text_path_probs("-t-h-e- -c-a", CHARS, high=0.99)
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, unknown_words=UNKNOWN) == "the ca"


@pytest.mark.parametrize("mode", ["words", "ngrams", "ngrams_forecast"])
def test_word_beam_search_result_does_not_change_once_the_beam_is_wide_enough(mode):
    clean = text_path_probs("-t-h-e- -c-a-t- -s-a-t- -o-n- -t-h-e- -m-a-t-.", CHARS, high=0.5)
    probs = 0.5 * clean + 0.5 * random_probs(np.random.default_rng(0), clean.shape)
    results = {word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, width, mode, 0.5) for width in (10, 30, 90)}
    assert len(results) == 1


@pytest.mark.parametrize("seed", range(5))
def test_word_beam_search_writes_only_corpus_words(seed):
    probs = random_probs(np.random.default_rng(seed), (20, len(CHARS) + 1))
    text = word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, beam_width=5)
    assert set(text.replace(".", " ").split()) <= set(CORPUS.split())


def test_word_beam_search_prune_tries_only_likely_characters_and_each_steps_best():
    # The "a" of "cat" has probability 0.01 at its step, under a threshold of 0.05: pruned, it cannot be written.
    probs = text_path_probs("-t-h-e- -c-s-t-", CHARS)
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, prune=np.log(0.005)) == "the cat"
    assert word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, prune=np.log(0.05)) != "the cat"
    # Above the threshold both "c" and "s" are tried; far above it, the step's best class still is.
    assert word_beam_search(THE_SAT_OR_CAT, CHARS, CORPUS, WORD_CHARS, mode="ngrams", prune=np.log(0.1)) == "the cat"
    assert word_beam_search(text_path_probs("-t-h-e- -c-a-t-", CHARS), CHARS, CORPUS, WORD_CHARS, prune=0.0) == "the cat"


def test_with_case_variants_lets_a_capitalised_or_capital_word_through():
    probs = text_path_probs("-T-H-E- -C-a-t-", CHARS + "ACEHMNOST")
    assert word_beam_search(probs, CHARS + "ACEHMNOST", CORPUS, WORD_CHARS + "ACEHMNOST") != "THE Cat"
    dictionary = with_case_variants(CORPUS, WORD_CHARS + "ACEHMNOST")
    assert word_beam_search(probs, CHARS + "ACEHMNOST", dictionary, WORD_CHARS + "ACEHMNOST") == "THE Cat"
    assert dictionary.startswith(CORPUS + "\n")


def test_word_beam_search_rejects_bad_input_naming_it():
    probs = text_path_probs("-c-a-t-", CHARS)
    with pytest.raises(ValueError, match="corpus has characters '!'"):
        word_beam_search(probs, CHARS, "the cat!", WORD_CHARS)
    with pytest.raises(ValueError, match="word_chars has characters 'z'"):
        word_beam_search(probs, CHARS, CORPUS, WORD_CHARS + "z")
    with pytest.raises(ValueError, match="corpus has no words"):
        word_beam_search(probs, CHARS, ". .", WORD_CHARS)
    with pytest.raises(ValueError, match="mode"):
        word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, mode="trigrams")
    with pytest.raises(ValueError, match="unknown_words must be None or a log probability <= 0, got 0.5"):
        word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, unknown_words=0.5)
    with pytest.raises(ValueError, match="beam_width"):
        word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, beam_width=0)
    with pytest.raises(ValueError, match="smoothing"):
        word_beam_search(probs, CHARS, CORPUS, WORD_CHARS, mode="ngrams", smoothing=-1.0)
    with pytest.raises(ValueError, match=r"probs of shape \(7, 12\)"):
        word_beam_search(probs, CHARS[:-1], CORPUS, WORD_CHARS)
