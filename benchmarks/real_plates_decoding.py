"""Read the 147 real Argentine plates with a trained plates model and three decoders: best path, beam
search, and beam search constrained to the two Argentine formats (``pattern_search``).

    .venv/bin/python benchmarks/real_plates_decoding.py [--model runs/benchmarks/plates.keras]

The model is the one ``train_plates.py`` keeps. The pattern is a fact about the plates (old
``ABC123`` and Mercosur ``AB123CD``), not learnt from the real set. Prints one table: accuracy, CER and
time of each decoder, and how many plates of each of the two formats it reads (the few plates of
neither, two-row motorcycle plates, count in the first columns only).
"""
from __future__ import annotations

import argparse
import os
import re
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ocrlib import Recognizer  # noqa: E402
from ocrlib.decoders import beam_search, best_path, pattern_search  # noqa: E402
from ocrlib.metrics import character_error_rate, sequence_accuracy  # noqa: E402
from common import REAL_PLATES, load_real_plates, print_table  # noqa: E402

FORMATS = {"older (ABC 123)": r"[A-Z]{3}[0-9]{3}", "Mercosur (AB 123 CD)": r"[A-Z]{2}[0-9]{3}[A-Z]{2}"}
ARGENTINE_PLATES = "|".join(FORMATS.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="runs/benchmarks/plates.keras")
    args = parser.parse_args()
    recognizer = Recognizer.load(args.model)
    real = load_real_plates(recognizer.input_shape)
    if real is None:
        raise SystemExit(f"no real plates at {REAL_PLATES}: nothing to read")
    images, texts = real
    probs = recognizer.predict_proba(images)
    decoders = {
        "best path": lambda p: best_path(p, recognizer.alphabet),
        "beam search (width 25)": lambda p: beam_search(p, recognizer.alphabet),
        "Argentine formats, beam 25": lambda p: pattern_search(p, recognizer.alphabet, ARGENTINE_PLATES),
        "Argentine formats, beam 100": lambda p: pattern_search(p, recognizer.alphabet, ARGENTINE_PLATES, 100),
    }
    plates_of = {name: [i for i, text in enumerate(texts) if re.fullmatch(pattern, text)]
                 for name, pattern in FORMATS.items()}
    rows = []
    for name, decode in decoders.items():
        start = time.perf_counter()
        read = [decode(p) for p in probs]
        ms = 1000 * (time.perf_counter() - start) / len(probs)
        right = [f"{sum(read[i] == texts[i] for i in plates)} of {len(plates)}" for plates in plates_of.values()]
        rows.append((name, f"{sequence_accuracy(texts, read):.2%}", f"{character_error_rate(texts, read):.4f}",
                     f"{ms:.1f}", *right))
    print(f"{args.model} on {len(texts)} real plates")
    print_table(("decoder", "sequence accuracy", "CER", "ms per plate", *(f"{name} read" for name in FORMATS)), rows)


if __name__ == "__main__":
    main()
