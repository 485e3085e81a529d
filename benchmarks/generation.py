"""How fast ``generate_plates`` draws on one CPU core: images/s of calls of ``--n`` plates, the best and
the median of ``--repeats`` calls, one row for all six formats, then one per format; and a digest of
the plates drawn. A first call, before them, fills the glyph caches: its time is what a fresh process
pays once.

    .venv/bin/python benchmarks/generation.py [--n 3000] [--repeats 5]

The process is pinned to one core (Linux), and OpenCV runs one thread inside ``generate_plates``. To
compare two versions of the generator, run this script once per checkout with ``PYTHONPATH`` set to
it, one after the other, alone: the same plates come out of both only if the drawing is unchanged.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ocrlib.data.plates import FORMATS, generate_plates  # noqa: E402
from common import print_table  # noqa: E402  (benchmarks/common.py)


def rates(n: int, repeats: int, formats: tuple[str, ...]) -> tuple[list[float], str]:
    """Images/s of ``repeats`` calls of ``n`` plates of ``formats``, and a digest of the plates drawn."""
    measured, digest = [], hashlib.sha256()
    for seed in range(1, repeats + 1):
        start = time.perf_counter()
        images, texts = generate_plates(n, seed, formats=formats)
        measured.append(n / (time.perf_counter() - start))
        digest.update(images.tobytes() + "".join(texts).encode())
    return measured, digest.hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000, help="plates per call")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per row")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    start = time.perf_counter()
    generate_plates(args.n, 0)
    first = time.perf_counter() - start
    rows = []
    for formats in (FORMATS, *((name,) for name in FORMATS)):
        measured, digest = rates(args.n, args.repeats, formats)
        rows.append(("all six" if formats == FORMATS else formats[0], f"{max(measured):.0f}",
                     f"{statistics.median(measured):.0f}", digest))
    print(f"generate_plates on one core: the first call ({args.n} plates, glyph caches filled) {first:.2f} s; "
          f"then best and median of {args.repeats} calls")
    print_table(("formats", "images/s, best", "images/s, median", "plates drawn (sha256)"), rows)


if __name__ == "__main__":
    main()
