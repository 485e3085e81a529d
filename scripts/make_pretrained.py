"""Make a shipped model, ``ocrlib/pretrained/NAME.keras``: train it by its task's benchmark recipe (or take
one trained already, ``--from``), score it on held-out synthetic images of its task (seed 2, which no
recipe trains on) and, for plates, on the 147 real plates beside the repository, print the scores, and
save it with them and the commands that made it (``ocrlib info NAME`` prints both).

    python scripts/make_pretrained.py plates [options of benchmarks/train_plates.py]
    python scripts/make_pretrained.py captcha [options of benchmarks/train_captcha.py synthetic]
    python scripts/make_pretrained.py equations [options of benchmarks/train_equations.py train]
    python scripts/make_pretrained.py plates --from runs/benchmarks/plates.keras \\
        --trained-by "python benchmarks/train_plates.py --epochs 10"

The recipes' defaults, and their seeds, are the runs the README quotes. The model must read its task's
alphabet in images of 64 x 128 x 1, as the recipes build it; another is refused, naming both.
"""
from __future__ import annotations

import argparse
import datetime
import os
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]  # this repository's ocrlib, and the benchmark recipes
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import train_captcha  # noqa: E402  (benchmarks/)
import train_equations  # noqa: E402
import train_plates  # noqa: E402
from common import draw, load_real_plates, print_table  # noqa: E402

from ocrlib.data import captchas, equations, plates  # noqa: E402
from ocrlib.errors import ModelFileError, OcrlibError  # noqa: E402
from ocrlib.pretrained import MAKER, PRETRAINED, shipped_file, shipped_models  # noqa: E402
from ocrlib.recognizer import Recognizer  # noqa: E402

INPUT_SHAPE = (64, 128, 1)  # what every recipe builds: build_crnn's default
TEST_SEED = 2


@dataclass(frozen=True)
class Task:
    recipe: Callable[[argparse.Namespace], object]  # trains, keeping the best model at args.out
    add_arguments: Callable[[argparse.ArgumentParser], None]  # the recipe's options
    alphabet: str
    generator: Callable  # generator(n, seed) -> (images, texts)


TASKS = {
    "plates": Task(train_plates.run, train_plates.add_arguments, plates.ALPHABET, plates.generate_plates),
    "captcha": Task(train_captcha.synthetic, train_captcha.add_arguments, captchas.ALPHABET,
                    captchas.generate_captchas),
    "equations": Task(train_equations.train, train_equations.add_arguments, equations.ALPHABET,
                      equations.generate_equations),
}


def check_fits(recognizer: Recognizer, name: str, path: str) -> None:
    """``ModelFileError``, naming both, where the model at ``path`` reads another alphabet or input size than
    the shipped model ``name`` must."""
    alphabet, shape = recognizer.alphabet.chars, recognizer.input_shape
    if alphabet != TASKS[name].alphabet or shape != INPUT_SHAPE:
        raise ModelFileError(f"{path} reads {alphabet!r} in images of {shape}, but the shipped {name} model must read "
                             f"{TASKS[name].alphabet!r} in images of {INPUT_SHAPE} (height, width, channels)")


def held_out_scores(recognizer: Recognizer, name: str, n: int) -> dict[str, dict[str, float]]:
    """Held-out set -> sequence accuracy and CER of best-path readings: ``n`` synthetic images of seed 2,
    and for plates the real plates where they are."""
    sets = {f"held-out synthetic images (n={n}, seed {TEST_SEED})":
            draw(TASKS[name].generator, n, TEST_SEED, recognizer.input_shape)}
    real = load_real_plates(recognizer.input_shape) if name == "plates" else None
    if real:
        sets[f"real Argentine plates (n={len(real[1])})"] = real
    return {label: dict(zip(("sequence_accuracy", "cer"), train_plates.score(recognizer, *data)))
            for label, data in sets.items()}


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    names = main.add_subparsers(dest="name", required=True)
    for name, task in TASKS.items():
        p = names.add_parser(name, help=PRETRAINED[name])
        task.add_arguments(p)
        p.add_argument("--from", dest="source", metavar="MODEL",
                       help="take this trained .keras model instead of training one (then only --test counts)")
        p.add_argument("--trained-by", metavar="COMMAND", help="with --from: the command that trained MODEL")
    return main


def main(argv: list[str] | None = None) -> Path:
    """Make the shipped model that ``argv`` names; return its file."""
    argv = sys.argv[1:] if argv is None else argv
    options = parser()
    args = options.parse_args(argv)
    if (args.source is None) != (args.trained_by is None):
        options.error("--from and --trained-by go together: the shipped file records the command that trained it")
    made_by = shlex.join(["python", MAKER, *argv])
    if args.source is None:
        TASKS[args.name].recipe(args)
    source = args.source or args.out
    recognizer = Recognizer.load(source)
    check_fits(recognizer, args.name, source)
    scores = held_out_scores(recognizer, args.name, args.test)
    print(f"\nShipped model {args.name}, best-path readings")
    print_table(("held-out set", "sequence accuracy", "CER"),
                [(label, f"{s['sequence_accuracy']:.2%}", f"{s['cer']:.4f}") for label, s in scores.items()])
    path = recognizer.save(shipped_file(args.name), pretrained={
        "name": args.name, "description": PRETRAINED[args.name], "trained_by": args.trained_by or made_by,
        "made_by": made_by, "scores": scores, "date": datetime.date.today().isoformat()})
    total = sum(file.stat().st_size for file in shipped_models().values() if file)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB; the shipped models: {total / 1e6:.1f} MB of at most 10)")
    return path


if __name__ == "__main__":
    try:
        main()
    except OcrlibError as error:
        sys.exit(f"error: {error}")
