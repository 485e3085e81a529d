"""Equations benchmark on the 2-core CPU: train the CRNN from scratch, then score plain and checked decoding.

    .venv/bin/python benchmarks/train_equations.py train [--train 27000] [--epochs 11]
    .venv/bin/python benchmarks/train_equations.py score [--model runs/benchmarks/equations.keras]

``train``: the CRNN with dense and LSTM layers of 128 on synthetic equations such as ``(3-8)*2=-10`` (seed 1), with the learning
curve per epoch, then ``score``. ``score``: 2,000 held-out equations of another seed (2), read by best
path, by beam search, and by arithmetic-checked decoding (the most probable text of the beam whose
result is right); how many readings are arithmetically consistent, and how often checking repairs a
wrong best path or breaks a right one. The defaults are the run the README quotes.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from ocrlib import build_crnn  # noqa: E402
from ocrlib.arithmetic import is_consistent  # noqa: E402
from ocrlib.data.equations import ALPHABET, generate_equations  # noqa: E402
from ocrlib.decoders import decode_batch  # noqa: E402
from ocrlib.metrics import character_error_rate, sequence_accuracy  # noqa: E402
from ocrlib.recognizer import Recognizer  # noqa: E402
from common import add_training_arguments, draw, print_table, train_synthetic  # noqa: E402  (benchmarks/common.py)


def held_out_rows(recognizer: Recognizer, n: int) -> list[tuple[str, ...]]:
    """One row per decoder on ``n`` equations of seed 2: accuracy, CER, consistent share, ms per image."""
    images, texts = draw(generate_equations, n, 2, recognizer.input_shape)
    probs = recognizer.predict_proba(images)
    rows, readings = [], {}
    for decoder in ("best_path", "beam_search", "arithmetic"):
        start = time.perf_counter()
        readings[decoder] = decode_batch(probs, recognizer.alphabet, decoder)
        milliseconds = 1000 * (time.perf_counter() - start) / n
        rows.append((decoder, f"{sequence_accuracy(texts, readings[decoder]):.2%}",
                     f"{character_error_rate(texts, readings[decoder]):.4f}",
                     f"{np.mean([is_consistent(text) for text in readings[decoder]]):.2%}", f"{milliseconds:.2f}"))
    best, checked = readings["best_path"], readings["arithmetic"]
    repaired = sum(b != t == c for t, b, c in zip(texts, best, checked))
    broken = sum(b == t != c for t, b, c in zip(texts, best, checked))
    wrong = sum(b != t for t, b in zip(texts, best))
    print(f"\nchecking repairs {repaired} of the {wrong} wrong best paths and breaks {broken} right ones")
    for truth, reading, fixed in [(t, b, c) for t, b, c in zip(texts, best, checked) if t != c][:10]:
        print(f"still wrong: {truth!r} read as {reading!r}, checked {fixed!r}")
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``train`` and their defaults (the run the README quotes)."""
    add_training_arguments(parser, "equation", train=27000, epochs=11, out="runs/benchmarks/equations.keras")
    parser.add_argument("--units", type=int, default=128, help="width of the dense and LSTM layers (package default: 64)")


def train(args: argparse.Namespace) -> None:
    crnn = train_synthetic(lambda: build_crnn(ALPHABET, dense_units=args.units, rnn_units=args.units),
                           generate_equations, "equation", args)
    score_model(Recognizer(crnn.inference_model, crnn.alphabet), args.test)


def score_model(recognizer: Recognizer, n: int) -> None:
    rows = held_out_rows(recognizer, n)
    print(f"\nHeld-out: {n} equations of seed 2")
    print_table(("decoder", "sequence accuracy", "CER", "arithmetically consistent", "ms / image"), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parts = parser.add_subparsers(dest="part", required=True)
    p = parts.add_parser("train", help="train the CRNN on synthetic equations, then score it")
    add_arguments(p)
    p.set_defaults(run=train)
    p = parts.add_parser("score", help="score a saved equations model on the held-out equations")
    p.add_argument("--model", default="runs/benchmarks/equations.keras")
    p.add_argument("--test", type=int, default=2000, help="held-out test equations (seed 2)")
    p.set_defaults(run=lambda args: score_model(Recognizer.load(args.model), args.test))
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
