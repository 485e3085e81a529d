"""CTC decoders. One algorithm per module, one signature: ``f(probs, chars, ...) -> str``.

``probs`` is (T, len(chars) + 1), softmax applied, blank in column 0, column i + 1 is ``chars[i]``;
``chars`` is a string or an ``Alphabet``.
"""
from ocrlib.decoders.best_path import best_path, best_path_batch, best_path_probability

DECODERS = {"best_path": best_path}

__all__ = ["DECODERS", "best_path", "best_path_batch", "best_path_probability"]
