"""Time per probability matrix of each decoder, on one seeded (100, 80) matrix, random and peaky.

    .venv/bin/python benchmarks/decoders.py [--repeats 7]

"random" is the softmax of standard normal logits (flat: the worst case for search); "peaky" multiplies
the logits by 3 first, closer to a trained model's output. Each time is the median of --repeats runs,
NumPy on one core of the machine it runs on. The dictionary decoders use 1,000 random words of
3 to 7 letters (the letters among the 79 characters); word beam search a corpus of 5,000 of them.
The last row decodes a batch of 10,000 (32, 37) matrices with the vectorised greedy decoder.
Keras' beam search runs on the TensorFlow backend, batch of one.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from ocrlib.decoders import LanguageModel, beam_search, best_path, best_path_batch, prefix_search  # noqa: E402
from ocrlib.decoders.bk_tree import BKTree  # noqa: E402
from ocrlib.decoders.lexicon_search import lexicon_search  # noqa: E402
from ocrlib.decoders.token_passing import token_passing  # noqa: E402
from ocrlib.decoders.word_beam_search import word_beam_search  # noqa: E402

CHARS = "".join(chr(ord("!") + i) for i in range(79))  # 79 characters + blank = 80 classes
PRUNE = float(np.log(0.001))


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def median_ms(run, repeats: int) -> float:
    run()  # warm up: caches, TensorFlow tracing
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def keras_beam_search(probs: np.ndarray) -> None:
    logits = np.log(probs)[None].astype(np.float32)
    keras.ops.ctc_decode(logits, np.array([len(probs)], np.int32), strategy="beam_search", beam_width=25,
                         mask_index=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(100, len(CHARS) + 1))
    matrices = {"random": softmax(logits), "peaky": softmax(3 * logits)}
    corpus = "\n".join("".join(rng.choice(list(CHARS), size=rng.integers(3, 12))) for _ in range(2000))
    lm = LanguageModel(corpus, CHARS, n=2)
    letters = [c for c in CHARS if c.isalpha()]
    words = ["".join(rng.choice(letters, size=rng.integers(3, 8))) for _ in range(1000)]
    lexicon = BKTree(words)
    word_corpus = " ".join(rng.choice(words, size=5000))
    word_chars = "".join(letters)
    decoders = {
        "best_path": lambda p: best_path(p, CHARS),
        "beam_search width 25": lambda p: beam_search(p, CHARS, beam_width=25),
        "beam_search width 25, prune log(0.001)": lambda p: beam_search(p, CHARS, beam_width=25, prune=PRUNE),
        "beam_search width 25 + bigram LM": lambda p: beam_search(p, CHARS, beam_width=25, lm=lm),
        "prefix_search (max 1000 expansions)": lambda p: prefix_search(p, CHARS),
        "token_passing, 1,000 words": lambda p: token_passing(p, CHARS, words),
        "lexicon_search, 1,000-word BK-tree, tolerance 2": lambda p: lexicon_search(p, CHARS, lexicon, tolerance=2),
        "word_beam_search width 25, words": lambda p: word_beam_search(p, CHARS, word_corpus, word_chars),
        "word_beam_search width 25, ngrams": lambda p: word_beam_search(p, CHARS, word_corpus, word_chars,
                                                                        mode="ngrams", smoothing=0.01),
        "keras.ops.ctc_decode beam_search width 25": keras_beam_search,
    }
    print(f"{'decoder':<48} {'random ms':>10} {'peaky ms':>10}")
    for name, decode in decoders.items():
        repeats = 3 if name.startswith(("prefix_search", "lexicon_search")) else args.repeats
        times = [median_ms(lambda: decode(probs), repeats) for probs in matrices.values()]
        print(f"{name:<48} {times[0]:>10.2f} {times[1]:>10.2f}")

    batch = softmax(3 * rng.normal(size=(10_000, 32, 37))).astype(np.float32)
    total = median_ms(lambda: best_path_batch(batch, CHARS[:36]), args.repeats)
    print(f"{'best_path_batch, 10,000 x (32, 37), whole batch':<48} {total:>10.2f}")


if __name__ == "__main__":
    main()
