"""Reading once against reading by vote (``Recognizer.vote``: the image as it is and six moved or scaled
copies, the text most of the seven readings agree on), for a trained plates model, on held-out synthetic
plates and on the 147 real plates beside the repository.

    .venv/bin/python benchmarks/voting.py --model runs/benchmarks/plates.keras [--formats mercosur two_group]

``--formats``: those the model was trained on (default: all six), so that the synthetic plates are of
its own task. Both ways decode by best path. Prints one table.
"""
from __future__ import annotations

import argparse
import functools
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ocrlib import Recognizer  # noqa: E402
from ocrlib.data.plates import FORMATS, generate_plates  # noqa: E402
from ocrlib.decoders import best_path_batch  # noqa: E402
from ocrlib.metrics import character_error_rate, sequence_accuracy  # noqa: E402
from common import draw, load_real_plates, print_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="runs/benchmarks/plates.keras")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--test", type=int, default=2000, help="held-out synthetic plates (seed 2)")
    args = parser.parse_args()
    recognizer = Recognizer.load(args.model)
    sets = {f"held-out synthetic (n={args.test}, seed 2)":
            draw(functools.partial(generate_plates, formats=args.formats), args.test, 2, recognizer.input_shape)}
    real = load_real_plates(recognizer.input_shape)
    if real:
        sets[f"real Argentine plates (n={len(real[1])})"] = real
    ways = {"once": lambda images: best_path_batch(recognizer.predict_proba(images), recognizer.alphabet),
            "by vote of 7": recognizer.vote}
    rows = []
    for name, (images, texts) in sets.items():
        for way, read in ways.items():
            start = time.perf_counter()
            predictions = read(images)
            rate = len(images) / (time.perf_counter() - start)
            rows.append((name, way, f"{sequence_accuracy(texts, predictions):.2%}",
                         f"{character_error_rate(texts, predictions):.4f}", f"{rate:.0f}"))
    print(f"{args.model}, formats: {', '.join(args.formats)}; best path")
    print_table(("plates", "read", "sequence accuracy", "CER", "images/s"), rows)


if __name__ == "__main__":
    main()
