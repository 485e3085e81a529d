"""What the synthetic training benchmarks share: drawing a set, the training recipe with its learning
curve, and Markdown tables."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np

from ocrlib.data.batches import Batches, LineBatches
from ocrlib.data.folder import load_folder
from ocrlib.data.preprocess import fit_to_size
from ocrlib.model import CRNN
from ocrlib.train import fit


class EpochClock(keras.callbacks.Callback):
    """Minutes since training began, at the end of each epoch."""

    def on_train_begin(self, logs=None):
        self.start, self.minutes = time.perf_counter(), []

    def on_epoch_end(self, epoch, logs=None):
        self.minutes.append((time.perf_counter() - self.start) / 60)


def print_table(header: tuple[str, ...], rows: list[tuple]) -> None:
    """Print ``rows`` under ``header`` as a Markdown table, columns padded to line up."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("| " + " | ".join(f"{str(cell):<{w}}" for cell, w in zip(row, widths)) + " |")


def draw(generator: Callable, n: int, seed: int,
         input_shape: tuple[int, int | None, int]) -> tuple[np.ndarray | list, list[str]]:
    """``generator(n, seed)`` fitted to the model's input: uint8 (n, H, W, C), or for a variable-width
    model a list of (H, W_i, C), and the texts."""
    images, texts = generator(n, seed)
    fitted = [fit_to_size(image, input_shape) for image in images]
    return (fitted if input_shape[1] is None else np.stack(fitted)), texts


def train_synthetic(build: Callable[[], CRNN], generator: Callable, name: str, args,
                    callbacks: Sequence[keras.callbacks.Callback] = ()) -> CRNN:
    """The benchmarks' recipe: ``build()`` a CRNN with weights seeded by ``args.seed``; ``args.train``
    images of seed 1 and ``args.val`` of seed 3; batches of ``args.batch_size`` shuffled and augmented
    (``LineBatches`` for a variable-width model);
    Adam with a cosine decay from ``args.learning_rate`` over ``args.epochs``; the best model (lowest
    validation loss) kept at ``args.out``. Prints the learning curve, with the scores that extra
    ``callbacks`` log (``DecodeCallback(..., prefix="real")``: real sequence accuracy and CER), and a
    table of the training measures; returns the CRNN with the best weights."""
    keras.utils.set_random_seed(args.seed)
    crnn = build()
    start = time.perf_counter()
    train = draw(generator, args.train, 1, crnn.input_shape)
    generation_rate = args.train / (time.perf_counter() - start)
    val = draw(generator, args.val, 3, crnn.input_shape)

    def batches(images, texts, **options):
        if crnn.time_steps is None:
            return LineBatches(images, texts, crnn.alphabet, args.batch_size, **options)
        return Batches(images, texts, crnn.alphabet, crnn.max_label_length, args.batch_size, **options)

    clock = EpochClock()
    history = fit(crnn, batches(*train, shuffle=True, augment=True, seed=args.seed), batches(*val), args.out,
                  epochs=args.epochs, learning_rate=args.learning_rate, schedule="cosine", verbose=2,
                  callbacks=[clock, *callbacks])
    logs, epochs = history.history, len(history.epoch)
    scored = ["val", *(key.removesuffix("_sequence_accuracy") for key in logs
                       if key.endswith("_sequence_accuracy") and key != "val_sequence_accuracy")]
    print(f"\nLearning curve (validation: {args.val} {name}s of seed 3)")
    print_table(("epoch", "minutes", "loss", "val_loss", *(f"{s} {m}" for s in scored for m in ("sequence accuracy", "CER"))),
                [(e + 1, f"{clock.minutes[e]:.1f}", f"{logs['loss'][e]:.3f}", f"{logs['val_loss'][e]:.3f}",
                  *(v for s in scored for v in (f"{logs[s + '_sequence_accuracy'][e]:.2%}", f"{logs[s + '_cer'][e]:.4f}")))
                 for e in range(epochs)])
    print(f"\nTraining on synthetic {name}s")
    print_table(("measure", "value"), [
        (f"{name} generation images/s (one process)", f"{generation_rate:.0f}"),
        (f"training {name}s / epochs run / seed", f"{args.train} / {epochs} / {args.seed}"),
        ("parameters", f"{crnn.inference_model.count_params():,}"),
        ("training wall time", f"{clock.minutes[-1]:.1f} min"),
        ("training images/s", f"{args.train * epochs / (clock.minutes[-1] * 60):.0f}"),
    ])
    return crnn


def add_training_arguments(parser, name: str, train: int, epochs: int, out: str) -> None:
    """The options ``train_synthetic`` reads, with this benchmark's defaults."""
    parser.add_argument("--train", type=int, default=train, help=f"training {name}s (seed 1)")
    parser.add_argument("--val", type=int, default=1000, help=f"validation {name}s (seed 3)")
    parser.add_argument("--test", type=int, default=2000, help=f"held-out test {name}s (seed 2)")
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1, help="weights, shuffling and augmentation")
    parser.add_argument("--out", default=out, help="where the best model is kept")


REAL_PLATES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-plates-ar"


def load_real_plates(input_shape: tuple[int, int, int]) -> tuple[np.ndarray, list[str]] | None:
    """The real plate crops beside the repository (``../shared/data/real-plates-ar``), fitted to the
    model's input: uint8 (147, H, W, C) and texts; or None, saying so, where the folder is absent."""
    if not REAL_PLATES.is_dir():
        print(f"no real plates at {REAL_PLATES}: the real-plate scores are skipped")
        return None
    return load_folder(REAL_PLATES, input_shape)
