"""What each randomisation family of the plate generator buys on real plates: the plates recipe
(``train_plates.py``) trained once with all five families and once without each, every model then
reading the 147 real plates.

    .venv/bin/python benchmarks/plates_ablation.py [--train 24000] [--epochs 10]

Prints a table and writes it to ``benchmarks/results/plates_ablation.json``, which
``notebooks/01_plates.ipynb`` reads. Six trainings of the recipe: about 6 x 12 minutes on the 2-core
CPU with the defaults; the README's table, ``--train 16000 --epochs 8``, took 36 minutes. Needs the
real plates beside the repository (``../shared/data/real-plates-ar``).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ocrlib.atomic import atomic_target
from common import REAL_PLATES, print_table  # (benchmarks/common.py)
from train_plates import FAMILIES, add_arguments, run

RESULTS = Path(__file__).resolve().parent / "results" / "plates_ablation.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args()
    if not REAL_PLATES.is_dir():
        raise SystemExit(f"no real plates at {REAL_PLATES}: the ablation measures on them")
    rows = []
    for left_out in (None, *FAMILIES):
        scores = run(args, tuple(f for f in FAMILIES if f != left_out))
        rows.append({"name": f"without {left_out}" if left_out else "all five families", **scores})
    recipe = (f"{args.train:,} plates (seed 1), {args.epochs} epochs, batch {args.batch_size}, Adam "
              f"{args.learning_rate:g} with a cosine decay, weights seed {args.seed}; real plates never trained on")
    with atomic_target(RESULTS) as temporary:
        temporary.write_text(json.dumps({"recipe": recipe, "rows": rows}, indent=1) + "\n")
    print(f"\nAblation ({recipe})")
    print_table(("randomisation", "real sequence accuracy", "real CER", "held-out synthetic accuracy"),
                [(r["name"], f"{r['real_accuracy']:.2%}", f"{r['real_cer']:.4f}", f"{r['synthetic_accuracy']:.2%}")
                 for r in rows])
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
