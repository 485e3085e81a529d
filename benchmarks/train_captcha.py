"""Two captcha benchmarks on the 2-core CPU, each printed as a table.

    .venv/bin/python benchmarks/train_captcha.py synthetic [--train 60000] [--epochs 10]
    .venv/bin/python benchmarks/train_captcha.py score [--model runs/benchmarks/captcha.keras]
    .venv/bin/python benchmarks/train_captcha.py small [--train 1040] [--train-options "..."]
    .venv/bin/python benchmarks/train_captcha.py mid [--train 8000] [--train-options "..."]

``synthetic``: the CRNN (dense and LSTM layers of 128) from scratch on captchas of 4 to 6 characters of
the default charset, digits and uppercase letters but O (seed 1), with the learning curve per epoch,
then scored on 2,000 held-out captchas of another seed (``score`` scores the kept model again). The defaults are the run the README quotes.

``small``: the situation of someone with about 1,000 real captchas of another size. Nothing can be
downloaded here, so the set is drawn in another way than the default one: 200 x 50 pixels, 5 characters
from the 19 of the well-known Kaggle captcha set (``2345678bcdefgmnpwxy``), another font (DejaVu Sans,
shipped with matplotlib), and written to a labelled folder. ``python -m ocrlib train`` gets only
``--data``, ``--val-split`` and ``--out`` (and ``--train-options``, e.g. another recipe to compare), and
``evaluate --json`` scores it on 1,000 captchas of another seed. ``mid``: the same with a mid-size set,
8,000 captchas of 4 digits at 70 x 30 pixels.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib  # noqa: E402

from ocrlib import build_crnn  # noqa: E402
from ocrlib.data.captchas import ALPHABET, generate_captchas  # noqa: E402
from ocrlib.data.folder import write_folder  # noqa: E402
from ocrlib.decoders import best_path_batch  # noqa: E402
from ocrlib.metrics import character_error_rate, sequence_accuracy  # noqa: E402
from ocrlib.recognizer import Recognizer  # noqa: E402
from common import add_training_arguments, draw, print_table, train_synthetic  # noqa: E402  (benchmarks/common.py)

# Twice the default dense and LSTM width: it reads 82% of the validation captchas after the first epoch,
# where the default width is still in CTC's all-blank start (0.2%), and ends 0.5 points higher.
SIZE = {"dense_units": 128, "rnn_units": 128}
SMALL_CHARSET = "2345678bcdefgmnpwxy"
SMALL_FONT = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
# The labelled folders the command line trains on with its defaults: (height, width), charset, length.
FOLDERS = {"small": ((50, 200), SMALL_CHARSET, 5), "mid": ((30, 70), "0123456789", 4)}


def held_out_rows(recognizer: Recognizer, n: int) -> list[tuple[str, str]]:
    """Score on ``n`` captchas of seed 2: accuracy, CER, and the characters most often read as another."""
    images, texts = draw(generate_captchas, n, 2, recognizer.input_shape)
    predictions = best_path_batch(recognizer.predict_proba(images), recognizer.alphabet)
    swaps = Counter(f"{a} -> {b}" for t, p in zip(texts, predictions) if len(t) == len(p)
                    for a, b in zip(t, p) if a != b)
    return [
        (f"held-out sequence accuracy (n={n}, seed 2)", f"{sequence_accuracy(texts, predictions):.2%}"),
        ("held-out CER", f"{character_error_rate(texts, predictions):.4f}"),
        ("wrong captchas", str(sum(t != p for t, p in zip(texts, predictions)))),
        ("most frequent substitutions", ", ".join(f"{swap} ({count})" for swap, count in swaps.most_common(4))),
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``synthetic`` and their defaults (the run the README quotes)."""
    add_training_arguments(parser, "captcha", train=60000, epochs=10, out="runs/benchmarks/captcha.keras")


def synthetic(args: argparse.Namespace) -> None:
    crnn = train_synthetic(lambda: build_crnn(ALPHABET, **SIZE), generate_captchas, "captcha", args)
    print(f"\nHeld-out synthetic captchas, 4 to 6 of {len(ALPHABET)} characters")
    print_table(("measure", "value"), held_out_rows(Recognizer(crnn.inference_model, crnn.alphabet), args.test))


def score(args: argparse.Namespace) -> None:
    print_table(("measure", "value"), held_out_rows(Recognizer.load(args.model), args.test))


def cli_defaults(args: argparse.Namespace) -> None:
    """Write the ``args.part`` folder, train on it from the command line, score held-out captchas."""
    def ocrlib(*arguments: str) -> str:
        result = subprocess.run([sys.executable, "-m", "ocrlib", *arguments], capture_output=True, text=True)
        if result.returncode:
            sys.exit(f"ocrlib {arguments[0]} failed:\n{result.stderr}")
        return result.stdout

    size, charset, length = FOLDERS[args.part]

    def write(folder: Path, n: int, seed: int) -> None:
        images, texts = generate_captchas(n, seed, size=size, charset=charset, lengths=(length, length),
                                          fonts=[SMALL_FONT])
        write_folder(folder, images, texts)

    command = ["--val-split", "0.1", *shlex.split(args.train_options)]
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        write(root / "train", args.train, 11)
        write(root / "test", args.test, 12)
        start = time.perf_counter()
        log = ocrlib("train", "--data", str(root / "train"), *command, "--out", str(root / "m.keras"))
        minutes = (time.perf_counter() - start) / 60
        result = json.loads(ocrlib("evaluate", "--model", str(root / "m.keras"), "--data", str(root / "test"),
                                   "--json").strip().splitlines()[-1])
    epochs = len(re.findall(r"^epoch \d+:", log, flags=re.MULTILINE))
    recipe = [line for line in log.splitlines() if " images: batch " in line][0]
    best_line = [line for line in log.splitlines() if line.startswith("best model")][-1]
    print(f"\n{args.train} captchas of {size[1]} x {size[0]}, {length} of {len(charset)} characters")
    print_table(("measure", "value"), [
        ("command", f"train --data DIR {' '.join(command)} --out M.keras"),
        ("recipe", recipe),
        ("epochs run", str(epochs)),
        ("training wall time", f"{minutes:.1f} min"),
        ("best checkpoint", best_line.split("(")[1].split(")")[0]),
        (f"held-out sequence accuracy (n={result['n']}, seed 12)", f"{result['sequence_accuracy']:.2%}"),
        ("held-out CER", f"{result['cer']:.4f}"),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parts = parser.add_subparsers(dest="part", required=True)
    p = parts.add_parser("synthetic", help="default CRNN on 4 to 6 character captchas")
    add_arguments(p)
    p.set_defaults(run=synthetic)
    p = parts.add_parser("score", help="score a saved captcha model on the held-out captchas")
    p.add_argument("--model", default="runs/benchmarks/captcha.keras")
    p.add_argument("--test", type=int, default=2000, help="held-out test captchas (seed 2)")
    p.set_defaults(run=score)
    for part, n, what in (("small", 1040, "~1,000 captchas of another size"), ("mid", 8000, "~8,000 small captchas")):
        p = parts.add_parser(part, help=f"CLI defaults on {what}")
        p.add_argument("--train", type=int, default=n, help="captchas in the labelled folder (seed 11)")
        p.add_argument("--test", type=int, default=1000, help="held-out captchas (seed 12)")
        p.add_argument("--train-options", default="", help='more options for train, e.g. "--batch-size 8 --epochs 100"')
        p.set_defaults(run=cli_defaults)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
