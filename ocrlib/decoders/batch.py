"""The registry of decoders that need nothing but the matrix, and decoding a batch with any of them."""
from __future__ import annotations

import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.decoders.arithmetic import arithmetic_search
from ocrlib.decoders.beam_search import beam_search
from ocrlib.decoders.best_path import best_path, best_path_batch
from ocrlib.decoders.prefix_search import prefix_search

# The CLI's --decoder and Recognizer.recognize(decoder=...) choose from these.
DECODERS = {"best_path": best_path, "beam_search": beam_search, "prefix_search": prefix_search,
            "arithmetic": arithmetic_search}


def check_decoder(decoder: str) -> None:
    """Raise ``ValueError`` naming ``decoder`` unless it is in ``DECODERS``."""
    if decoder not in DECODERS:
        raise ValueError(f"unknown decoder {decoder!r}: choose from {sorted(DECODERS)}")


def decode_batch(probs: np.ndarray, chars: str | Alphabet, decoder: str = "best_path", **options) -> list[str]:
    """probs: (B, T, len(chars) + 1), softmax, blank at 0 -> B texts, each ``DECODERS[decoder](p, chars, **options)``.

    best_path runs vectorised over the whole batch (``best_path_batch``); the others matrix by matrix.
    """
    check_decoder(decoder)
    alphabet = as_alphabet(chars)
    probs = np.asarray(probs)
    if probs.ndim != 3:
        raise ValueError(f"probs of shape {probs.shape} are not a batch (B, T, {alphabet.num_classes})")
    if decoder == "best_path":
        return best_path_batch(probs, alphabet, **options)
    return [DECODERS[decoder](p, alphabet, **options) for p in probs]
