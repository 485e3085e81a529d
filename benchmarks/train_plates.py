"""Train the default CRNN from scratch on synthetic plates; score it on 2,000 held-out plates of another seed.

    .venv/bin/python benchmarks/train_plates.py [--train 20000] [--epochs 12]

Prints one table: plate generation images/s, training wall time, sequence accuracy, CER, training
images/s, inference images/s at batch 256, single-image latency. Numbers are for the machine it runs on; the README quotes a run
on the 2-core CPU the tests run on.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from ocrlib import Recognizer, build_crnn  # noqa: E402
from ocrlib.data.batches import Batches  # noqa: E402
from ocrlib.data.plates import ALPHABET, generate_plates  # noqa: E402
from ocrlib.data.preprocess import preprocess  # noqa: E402
from ocrlib.decoders import best_path_batch  # noqa: E402
from ocrlib.metrics import character_error_rate, sequence_accuracy  # noqa: E402
from ocrlib.train import fit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, default=20000, help="training plates (seed 1)")
    parser.add_argument("--val", type=int, default=1000, help="validation plates (seed 3)")
    parser.add_argument("--test", type=int, default=2000, help="held-out test plates (seed 2)")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1, help="weights, shuffling and augmentation")
    args = parser.parse_args()
    keras.utils.set_random_seed(args.seed)

    crnn = build_crnn(ALPHABET)
    shape = crnn.input_shape

    def plates(n: int, seed: int) -> tuple[np.ndarray, list[str]]:
        images, texts = generate_plates(n, seed)
        return images[..., None], texts

    start = time.perf_counter()
    train_images, train_texts = plates(args.train, 1)
    generation_rate = args.train / (time.perf_counter() - start)
    val_images, val_texts = plates(args.val, 3)
    test_images, test_texts = plates(args.test, 2)
    train = Batches(train_images, train_texts, crnn.alphabet, crnn.max_label_length, args.batch_size,
                    shuffle=True, augment=True, seed=args.seed)
    val = Batches(val_images, val_texts, crnn.alphabet, crnn.max_label_length, args.batch_size)

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        history = fit(crnn, train, val, os.path.join(folder, "plates.keras"), epochs=args.epochs,
                      schedule="cosine", verbose=2)
        train_seconds = time.perf_counter() - start
    epochs_run = len(history.epoch)

    recognizer = Recognizer(crnn.inference_model, crnn.alphabet)
    probs = recognizer.predict_proba(test_images)
    predictions = best_path_batch(probs, crnn.alphabet)

    batch = preprocess(test_images[:256], shape)
    recognizer.model.predict_on_batch(batch)  # warm-up
    start = time.perf_counter()
    repeats = 5
    for _ in range(repeats):
        recognizer.model.predict_on_batch(batch)
    batch_rate = repeats * len(batch) / (time.perf_counter() - start)
    single = test_images[:1]
    recognizer.recognize(single)
    latencies = []
    for i in range(50):
        start = time.perf_counter()
        recognizer.recognize(test_images[i : i + 1])
        latencies.append(time.perf_counter() - start)

    rows = [
        ("plate generation images/s (one process)", f"{generation_rate:.0f}"),
        ("training plates / epochs run / seed", f"{args.train} / {epochs_run} / {args.seed}"),
        ("training wall time", f"{train_seconds / 60:.1f} min"),
        ("training images/s", f"{args.train * epochs_run / train_seconds:.0f}"),
        (f"held-out sequence accuracy (n={args.test})", f"{sequence_accuracy(test_texts, predictions):.2%}"),
        ("held-out CER", f"{character_error_rate(test_texts, predictions):.4f}"),
        ("inference images/s, batch 256", f"{batch_rate:.0f}"),
        ("single-image latency (recognize, median)", f"{1000 * np.median(latencies):.1f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\n| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


if __name__ == "__main__":
    main()
