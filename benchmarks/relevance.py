"""How long one relevance map takes on this machine: ``ocrlib.explain.relevance`` and
``character_relevance`` on one 64 x 128 plate, with an untrained CRNN of the default size (speed does
not depend on the weights).

    .venv/bin/python benchmarks/relevance.py [--repeats 3]

Prints, per setting, the patches, the images the model reads (each patch times each fill sample, and
the image itself), the model calls (batches of 256) and the median milliseconds per map after one
warm-up map (the first call also traces the model's function).
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from ocrlib import build_crnn  # noqa: E402
from ocrlib.data.plates import ALPHABET, generate_plates  # noqa: E402
from ocrlib.explain import character_relevance, relevance  # noqa: E402
from ocrlib.recognizer import Recognizer  # noqa: E402
from common import print_table  # noqa: E402  (benchmarks/common.py)

SETTINGS = {
    "relevance, patch 8, stride 4, fill blur (default)": (relevance, {}),
    "relevance, patch 8, stride 4, 3 grey levels": (relevance, {"fill": (0.0, 0.5, 1.0)}),
    "relevance, patch 16, stride 8, fill blur": (relevance, {"patch": 16, "stride": 8}),
    "character_relevance (default), all characters": (character_relevance, {}),
}


class CountingModel:
    """The model, counting its calls and the images they carry."""

    def __init__(self, model):
        self.model, self.calls, self.images = model, 0, 0

    def __getattr__(self, name):
        return getattr(self.model, name)

    def predict_on_batch(self, batch):
        self.calls, self.images = self.calls + 1, self.images + len(batch)
        return self.model.predict_on_batch(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="timed maps per setting (the median is printed)")
    args = parser.parse_args()
    crnn = build_crnn(ALPHABET)
    counting = CountingModel(crnn.inference_model)
    recognizer = Recognizer(counting, crnn.alphabet)
    images, texts = generate_plates(1, seed=0)
    rows = []
    for name, (explain, arguments) in SETTINGS.items():
        explain(recognizer, images[0], texts[0], **arguments)  # warm up
        counting.calls = counting.images = 0
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            explain(recognizer, images[0], texts[0], **arguments)
            times.append(time.perf_counter() - start)
        rows.append((name, counting.images // args.repeats, f"{counting.calls // args.repeats} x 256",
                     f"{1000 * np.median(times):.0f}"))
    print(f"\nuntrained default CRNN ({crnn.inference_model.count_params():,} parameters), one 64 x 128 plate "
          f"{texts[0]!r}, {os.cpu_count()} CPU cores")
    print_table(("setting", "images read per map", "model calls per map", "ms per map (median)"), rows)


if __name__ == "__main__":
    main()
