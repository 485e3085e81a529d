"""Train the default CRNN from scratch on synthetic plates only, then read held-out synthetic plates and
147 real ones.

    .venv/bin/python benchmarks/train_plates.py [--train 24000] [--epochs 10] [--without FAMILY ...]

The real plates are the labelled folder ``../shared/data/real-plates-ar`` beside the repository (147
crops of Argentine plates). They are never trained on and choose nothing: the best checkpoint is the
one with the lowest loss on synthetic validation plates; the real scores are printed per epoch for
the learning curve. Without that folder (a clone on its own), the real lines say so and are skipped.

Prints the learning curve (synthetic validation and real, per epoch), then one table: plate
generation images/s, training wall time and images/s, sequence accuracy and CER on 2,000 held-out
synthetic plates (seed 2) and on the real plates, inference images/s at batch 256 and the latency of
one image. ``--without`` switches off randomisation families of the generator (``fonts``,
``layouts``, ``colours``, ``crops``, ``camera``) to measure what each buys; ``--filters`` widens the
conv blocks. The defaults are the run the README quotes.
"""
from __future__ import annotations

import argparse
import functools
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ocrlib import Recognizer, build_crnn  # noqa: E402  (first: it starts TensorFlow with oneDNN)
import keras  # noqa: E402
import numpy as np  # noqa: E402

from ocrlib.data.batches import Batches  # noqa: E402
from ocrlib.data.plates import ALPHABET, FAMILIES, FORMATS, generate_plates  # noqa: E402
from ocrlib.decoders import best_path_batch  # noqa: E402
from ocrlib.metrics import character_error_rate, sequence_accuracy  # noqa: E402
from ocrlib.train import DecodeCallback  # noqa: E402
from common import add_training_arguments, draw, load_real_plates, print_table, train_synthetic  # noqa: E402


def score(recognizer: Recognizer, images: np.ndarray, texts: list[str]) -> tuple[float, float]:
    """(sequence accuracy, CER) of best-path readings."""
    predictions = best_path_batch(recognizer.predict_proba(images), recognizer.alphabet)
    return sequence_accuracy(texts, predictions), character_error_rate(texts, predictions)


def speed_rows(recognizer: Recognizer, images: np.ndarray) -> list[tuple[str, str]]:
    """Inference images/s at batch 256 and the median latency of ``recognize`` on one image."""
    batch = recognizer.preprocess(images[:256])
    recognizer.model.predict_on_batch(batch)  # warm-up
    start = time.perf_counter()
    for _ in range(5):
        recognizer.model.predict_on_batch(batch)
    rate = 5 * len(batch) / (time.perf_counter() - start)
    latencies = []
    for i in range(51):
        start = time.perf_counter()
        recognizer.recognize(images[i : i + 1])
        latencies.append(time.perf_counter() - start)
    return [("inference images/s, batch 256", f"{rate:.0f}"),
            ("single-image latency (recognize, median)", f"{1000 * np.median(latencies[1:]):.1f} ms")]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The recipe's options and defaults (the run the README quotes)."""
    add_training_arguments(parser, "plate", train=24000, epochs=10, out="runs/benchmarks/plates.keras")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS),
                        help="plate formats to draw (default: all)")
    parser.add_argument("--filters", nargs="+", type=int, default=[16, 32, 64],
                        help="filters of the conv blocks (default: build_crnn's 16 32 64)")


def run(args: argparse.Namespace, families: tuple[str, ...] = FAMILIES) -> dict[str, float]:
    """Train the recipe on plates drawn with ``families``, print its tables, and return the scores:
    synthetic_accuracy and synthetic_cer (held-out plates of the same families), real_accuracy and
    real_cer (absent without the real plates)."""
    generator = functools.partial(generate_plates, formats=args.formats, families=families)
    print(f"formats: {', '.join(args.formats)}; randomisation families: {', '.join(families) or 'none'}")
    keras.utils.set_random_seed(args.seed)  # the weights are drawn here (train_synthetic seeds again)
    crnn = build_crnn(ALPHABET, filters=tuple(args.filters), shortcut=True)
    real = load_real_plates(crnn.input_shape)
    callbacks = []
    if real:
        real_batches = Batches(*real, crnn.alphabet, crnn.max_label_length, args.batch_size)
        callbacks.append(DecodeCallback(crnn, real_batches, verbose=False, prefix="real"))
    crnn = train_synthetic(lambda: crnn, generator, "plate", args, callbacks)

    recognizer = Recognizer(crnn.inference_model, crnn.alphabet)
    test_images, test_texts = draw(generator, args.test, 2, crnn.input_shape)
    scores = dict(zip(("synthetic_accuracy", "synthetic_cer"), score(recognizer, test_images, test_texts)))
    if real:
        scores.update(zip(("real_accuracy", "real_cer"), score(recognizer, *real)))
    rows = [(f"held-out synthetic plates (n={args.test}, seed 2): sequence accuracy / CER",
             f"{scores['synthetic_accuracy']:.2%} / {scores['synthetic_cer']:.4f}")]
    if real:
        rows.append((f"real Argentine plates (n={len(real[1])}): sequence accuracy / CER",
                     f"{scores['real_accuracy']:.2%} / {scores['real_cer']:.4f}"))
    print_table(("measure", "value"), rows + speed_rows(recognizer, test_images))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--without", action="append", default=[], choices=FAMILIES,
                        help="a randomisation family to switch off (repeatable)")
    args = parser.parse_args()
    run(args, tuple(f for f in FAMILIES if f not in args.without))


if __name__ == "__main__":
    main()
