"""Training and inference speed of the default CRNN with Keras' own batch normalisation and with
``ocrlib.batch_norm`` (TensorFlow's fused kernel), side by side in one process.

    .venv/bin/python benchmarks/batch_norm.py [--rounds 3] [--images 3200]

Each round times one pass of training steps (batch 32, Adam, the plates' shortcut CRNN) and of
inference (batch 256) over ``--images`` synthetic plates, for each way in turn, so that load on the
machine falls on both alike; the table shows the median over rounds. Also prints how far apart the
two ways' outputs are for the same weights (training and inference mode). TensorFlow backend only:
on JAX, XLA fuses the ops itself and ``ocrlib.batch_norm`` leaves Keras' layer as it is.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ocrlib import build_crnn  # noqa: E402  (first: it starts TensorFlow with oneDNN)
import keras  # noqa: E402
import numpy as np  # noqa: E402

import ocrlib.model  # noqa: E402
from ocrlib.data.batches import Batches  # noqa: E402
from ocrlib.data.plates import ALPHABET, generate_plates  # noqa: E402
from ocrlib.data.preprocess import fit_to_size  # noqa: E402
from ocrlib.model import model_output_as_loss  # noqa: E402
from common import print_table  # noqa: E402  (benchmarks/common.py)

WAYS = {"Keras' BatchNormalization": lambda model: model,  # build_crnn's layers left as Keras made them
        "fused kernel (ocrlib.batch_norm)": ocrlib.model.fuse_batch_norm}


def build(way: str):
    """The plates' default CRNN (seed 1 weights) with ``way``'s batch normalisation, compiled."""
    keras.utils.set_random_seed(1)
    ocrlib.model.fuse_batch_norm = WAYS[way]
    try:
        crnn = build_crnn(ALPHABET, shortcut=True)
    finally:
        ocrlib.model.fuse_batch_norm = WAYS["fused kernel (ocrlib.batch_norm)"]
    crnn.training_model.compile(keras.optimizers.Adam(1e-3), loss=model_output_as_loss)
    return crnn


def train_rate(crnn, batches: list) -> float:
    """Training images/s over ``batches``, after three steps that trace the function."""
    for inputs, targets in batches[:3]:
        crnn.training_model.train_on_batch(inputs, targets)
    start = time.perf_counter()
    for inputs, targets in batches[3:]:
        crnn.training_model.train_on_batch(inputs, targets)
    return sum(len(targets) for _, targets in batches[3:]) / (time.perf_counter() - start)


def inference_rate(crnn, images: np.ndarray) -> float:
    """Inference images/s at batch 256, after one call that traces the function."""
    crnn.inference_model.predict_on_batch(images[:256])
    start = time.perf_counter()
    for i in range(0, len(images) - 255, 256):
        crnn.inference_model.predict_on_batch(images[i : i + 256])
    return (len(images) // 256 * 256) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=3200)
    args = parser.parse_args()
    plates, texts = generate_plates(args.images, 1)
    images = np.stack([fit_to_size(plate, (64, 128, 1)) for plate in plates])
    models = {way: build(way) for way in WAYS}
    first = next(iter(models.values()))
    batches = Batches(images, texts, first.alphabet, first.max_label_length, 32, shuffle=True, augment=True, seed=1)
    batches = [batches[i] for i in range(len(batches))]
    floats = images[:256].astype("float32") / 255
    # The same weights in both: how far apart are the outputs?
    reference, fused = models.values()
    fused.inference_model.set_weights(reference.inference_model.get_weights())
    gaps = [float(np.abs(np.asarray(reference.inference_model(floats, training=mode))
                         - np.asarray(fused.inference_model(floats, training=mode))).max()) for mode in (True, False)]
    rates = {way: ([], []) for way in WAYS}
    for _ in range(args.rounds):
        for way, crnn in models.items():
            rates[way][0].append(train_rate(crnn, batches))
            rates[way][1].append(inference_rate(crnn, images.astype("float32") / 255))
    print(f"{args.images} plates, batch 32 for training and 256 for inference; median of {args.rounds} rounds")
    print_table(("batch normalisation", "training images/s", "inference images/s"),
                [(way, f"{statistics.median(train):.0f}", f"{statistics.median(infer):.0f}")
                 for way, (train, infer) in rates.items()])
    print(f"largest difference of the two ways' probabilities, same weights: training mode {gaps[0]:.1e}, "
          f"inference mode {gaps[1]:.1e}")


if __name__ == "__main__":
    main()
