"""TensorFlow's oneDNN kernels on and off, side by side: what ``ocrlib.startup``'s default buys.

    .venv/bin/python benchmarks/onednn.py [--images 1600]

TensorFlow turns oneDNN on by default only on CPUs with AVX-512; ``import ocrlib`` turns it on
everywhere unless ``TF_ENABLE_ONEDNN_OPTS`` is set. The setting counts only before TensorFlow starts,
so each measurement runs in a fresh process: training throughput of the default CRNN (batch 32,
augmentation on, one epoch of seeded plates after a warm-up) and inference throughput (batch 256).
Prints a table.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from common import print_table  # benchmarks/common.py

MEASURE = """
import json, time
import numpy as np
from ocrlib import build_crnn
from ocrlib.data.batches import Batches
from ocrlib.data.plates import ALPHABET, generate_plates
from ocrlib.model import model_output_as_loss
images, texts = generate_plates({n}, seed=1)
images = images[..., None]
crnn = build_crnn(ALPHABET)
crnn.training_model.compile(optimizer="adam", loss=model_output_as_loss)
batches = Batches(images, texts, crnn.alphabet, crnn.max_label_length, 32, shuffle=True, augment=True)
crnn.training_model.fit(batches, epochs=1, steps_per_epoch=5, verbose=0)
start = time.perf_counter()
crnn.training_model.fit(batches, epochs=1, verbose=0)
training = {n} / (time.perf_counter() - start)
x = images[:256].astype("float32") / 255
crnn.inference_model.predict_on_batch(x)
start = time.perf_counter()
for _ in range(4):
    crnn.inference_model.predict_on_batch(x)
print(json.dumps({{"training": training, "inference": 4 * 256 / (time.perf_counter() - start)}}))
"""


def measure(setting: str, n: int) -> dict:
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": setting, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", MEASURE.format(n=n)], env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1600, help="plates in the timed training epoch")
    args = parser.parse_args()
    rows = []
    for setting, name in (("0", "off (TensorFlow's default without AVX-512)"), ("1", "on (ocrlib's default)")):
        speed = measure(setting, args.images)
        rows.append((name, f"{speed['training']:.0f}", f"{speed['inference']:.0f}"))
    flags = sorted({flag for line in open("/proc/cpuinfo") if line.startswith("flags") for flag in line.split()
                    if flag.startswith("avx512")}) if os.path.exists("/proc/cpuinfo") else []
    print(f"CPU AVX-512 flags: {', '.join(flags) or 'none'}; {os.cpu_count()} cores")
    print_table(("oneDNN", "training images/s (batch 32)", "inference images/s (batch 256)"), rows)


if __name__ == "__main__":
    main()
