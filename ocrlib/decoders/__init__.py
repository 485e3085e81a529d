"""CTC decoders. One algorithm per module, one signature: ``f(probs, chars, ...) -> str``.

``probs`` is (T, len(chars) + 1), softmax applied, blank in column 0, column i + 1 is ``chars[i]``;
``chars`` is a string or an ``Alphabet``. ``DECODERS`` names those that need nothing else; the CLI's
``--decoder`` and ``Recognizer.recognize(decoder=...)`` choose from it. ``best_alignment(probs, text, chars)``
is not a decoder: it places a text already read on the time steps (its most probable path).
"""
from ocrlib.decoders.alignment import best_alignment
from ocrlib.decoders.arithmetic import arithmetic_search
from ocrlib.decoders.batch import DECODERS, decode_batch
from ocrlib.decoders.beam_search import beam_search, beam_search_topk
from ocrlib.decoders.best_path import best_path, best_path_batch, best_path_probability
from ocrlib.decoders.bk_tree import BKTree
from ocrlib.decoders.language_model import LanguageModel
from ocrlib.decoders.lexicon_search import lexicon_search
from ocrlib.decoders.pattern_search import pattern_search
from ocrlib.decoders.prefix_search import prefix_search
from ocrlib.decoders.probability import loss, probability
from ocrlib.decoders.token_passing import token_passing
from ocrlib.decoders.word_beam_search import with_case_variants, word_beam_search

__all__ = ["DECODERS", "BKTree", "LanguageModel", "arithmetic_search", "beam_search", "beam_search_topk", "best_alignment", "best_path",
           "best_path_batch", "best_path_probability", "decode_batch", "lexicon_search", "loss", "pattern_search", "prefix_search",
           "probability", "token_passing", "with_case_variants", "word_beam_search"]
