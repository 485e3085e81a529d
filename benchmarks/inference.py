"""Inference speed on the CPU: the same CRNN run by Keras and by ONNX Runtime, side by side.

    .venv/bin/python benchmarks/inference.py [--model runs/demo/plates.keras] [--data plates] [--images 2048]

Exports the model to ONNX in a temporary folder, then prints, for each runtime, images/s in batches
of 256 (preprocessed images in, probabilities out), the latency of one image (median of 200 calls),
and how far its probabilities and best-path texts are from Keras' on the generated images (give
--data the kind the model reads). Without --model it times an untrained CRNN of the default size:
speed does not depend on the weights.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from ocrlib import build_crnn  # noqa: E402
from ocrlib.cli import GENERATORS  # noqa: E402
from ocrlib.data.plates import ALPHABET  # noqa: E402
from ocrlib.decoders import best_path_batch  # noqa: E402
from ocrlib.export import export_model  # noqa: E402
from ocrlib.recognizer import Recognizer  # noqa: E402
from common import print_table  # noqa: E402  (benchmarks/common.py)


def in_batches(predict, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """``predict`` over ``images`` (N, H, W, C) in batches: probabilities (N, T, C)."""
    return np.concatenate([np.asarray(predict(images[i : i + batch_size])) for i in range(0, len(images), batch_size)])


def images_per_second(predict, images: np.ndarray) -> float:
    predict(images[:256])  # warm up: the first call compiles
    start = time.perf_counter()
    in_batches(predict, images)
    return len(images) / (time.perf_counter() - start)


def latency_ms(predict, image: np.ndarray, calls: int = 200) -> float:
    predict(image[None])
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        predict(image[None])
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="a .keras model (default: an untrained CRNN for plates)")
    parser.add_argument("--data", choices=sorted(GENERATORS), default="plates", help="what the images show")
    parser.add_argument("--images", type=int, default=2048, help="generated images to time on (seed 2)")
    args = parser.parse_args()
    if args.model:
        keras_recognizer = Recognizer.load(args.model)
    else:
        crnn = build_crnn(ALPHABET)
        keras_recognizer = Recognizer(crnn.inference_model, crnn.alphabet)
    images = keras_recognizer.preprocess(GENERATORS[args.data](args.images, 2)[0])
    with tempfile.TemporaryDirectory() as folder:
        onnx_recognizer = Recognizer.load(export_model(keras_recognizer, Path(folder, "model.onnx"), "onnx"))
    runtimes = {"Keras (TensorFlow)": keras_recognizer.model, "ONNX Runtime": onnx_recognizer.model}
    reference = in_batches(keras_recognizer.model.predict_on_batch, images)
    reference_texts = best_path_batch(reference, keras_recognizer.alphabet)
    rows = []
    for name, model in runtimes.items():
        predict = model.predict_on_batch
        probs = in_batches(predict, images)
        same = sum(a == b for a, b in zip(best_path_batch(probs, keras_recognizer.alphabet), reference_texts))
        rows.append((name, f"{images_per_second(predict, images):.0f}", f"{latency_ms(predict, images[0]):.2f}",
                     f"{np.abs(probs - reference).max():.1e}", f"{same} / {len(images)}"))
    print(f"\n{args.model or 'untrained CRNN'} on {args.images} {args.data}: input {keras_recognizer.input_shape}, "
          f"{keras_recognizer.model.count_params():,} parameters, {os.cpu_count()} CPU cores")
    print_table(("runtime", "images/s (batches of 256)", "latency, 1 image (ms)", "max |p - p_keras|",
                 "same best-path text as Keras"), rows)


if __name__ == "__main__":
    main()
