"""How long CTC's all-blank start lasts, and what shortens it: one recipe, one change at a time.

    .venv/bin/python benchmarks/plateau.py [--train 8000] [--cap 40000] [--variants baseline "batch 8" ...]

At first a CRNN trained with CTC outputs only blanks: every alignment of a short label is mostly
blank, so "blank everywhere" is the cheapest way to lower the loss, and the loss stalls there
(``00_ctc_explained`` explains why). This script trains the default CRNN (no shortcut) on plain plates
(``families=()``, seed 1) with batch 32, Adam 1e-3, no dropout and a standardised input, then again
with one of those changed, and counts the training images each run needs before the mean loss of its
last 20 batches falls below ``--threshold`` (the all-blank plateau of these plates sits near 26). A run
stops there, or after ``--cap`` images. Prints a table and writes ``benchmarks/results/plateau.json``,
which ``00_ctc_explained`` reads. One seed per run: the counts move from seed to seed by a few thousand.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ocrlib import build_crnn  # noqa: E402  (first: it starts TensorFlow with oneDNN, see ocrlib.startup)
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from ocrlib.atomic import atomic_target  # noqa: E402
from ocrlib.data.batches import Batches  # noqa: E402
from ocrlib.data.plates import ALPHABET, generate_plates  # noqa: E402
from ocrlib.model import CRNN, ctc_training_model, model_output_as_loss  # noqa: E402
from common import print_table  # noqa: E402  (benchmarks/common.py)

RESULTS = Path(__file__).resolve().parent / "results" / "plateau.json"


def without_standardisation(crnn: CRNN) -> CRNN:
    """The same CRNN with its first layer (each image to zero mean, unit variance) replaced by identity."""
    def clone(layer):
        if layer.name == "standardize":
            return layers.Identity(name="not_standardised")
        return layer.__class__.from_config(layer.get_config())

    inference_model = keras.models.clone_model(crnn.inference_model, clone_function=clone)
    return CRNN(inference_model, ctc_training_model(inference_model), crnn.alphabet)


class PlateauWatch(keras.callbacks.Callback):
    """Counts training images until the mean loss of the last ``window`` batches is below ``threshold``
    (then stops training), or until ``cap`` images."""

    def __init__(self, batch_size: int, threshold: float, cap: int, window: int = 20):
        super().__init__()
        self.batch_size, self.threshold, self.cap, self.window = batch_size, threshold, cap, window
        self.losses, self.images_to_leave = [], None

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))
        seen = len(self.losses) * self.batch_size
        if len(self.losses) >= self.window and np.mean(self.losses[-self.window:]) < self.threshold:
            self.images_to_leave = seen
            self.model.stop_training = True
        elif seen >= self.cap:
            self.model.stop_training = True


VARIANTS = {  # name -> what differs from the recipe
    "baseline": {},
    "batch 8": {"batch_size": 8},
    "learning rate 3e-4": {"learning_rate": 3e-4},
    "dropout 0.25": {"dropout": 0.25},
    "no input standardisation": {"standardise": False},
    "shortcut": {"shortcut": True},
}


def run(name: str, changes: dict, images: np.ndarray, texts: list[str], args) -> dict:
    recipe = {"batch_size": 32, "learning_rate": 1e-3, "dropout": 0.0, "standardise": True, "shortcut": False,
              **changes}
    keras.utils.set_random_seed(args.seed)
    crnn = build_crnn(ALPHABET, dropout=recipe["dropout"], shortcut=recipe["shortcut"])
    if not recipe["standardise"]:
        crnn = without_standardisation(crnn)
    batches = Batches(images, texts, crnn.alphabet, crnn.max_label_length, recipe["batch_size"], shuffle=True,
                      augment=True, seed=args.seed)
    watch = PlateauWatch(recipe["batch_size"], args.threshold, args.cap)
    crnn.training_model.compile(optimizer=keras.optimizers.Adam(recipe["learning_rate"]), loss=model_output_as_loss)
    start = time.perf_counter()
    crnn.training_model.fit(batches, epochs=-(-args.cap // len(images)), callbacks=[watch], verbose=0)
    minutes = (time.perf_counter() - start) / 60
    print(f"{name}: {'left after ' + format(watch.images_to_leave, ',') if watch.images_to_leave else 'still blank after ' + format(args.cap, ',')} images, "
          f"{minutes:.1f} min", flush=True)
    return {"name": name, "images_to_leave": watch.images_to_leave, "cap": args.cap, "minutes": round(minutes, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, default=8000, help="plain training plates (seed 1)")
    parser.add_argument("--cap", type=int, default=40000, help="stop a run that is still blank after this many images")
    parser.add_argument("--threshold", type=float, default=10.0, help="mean batch loss that counts as having left")
    parser.add_argument("--seed", type=int, default=1, help="weights, shuffling and augmentation")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS), help="runs to make")
    args = parser.parse_args()
    images, texts = generate_plates(args.train, seed=1, families=())
    rows = [run(name, VARIANTS[name], images[..., None], texts, args) for name in args.variants]
    recipe = (f"{args.train:,} plain plates (seed 1), default CRNN, batch 32, Adam 1e-3, no dropout, standardised "
              f"input; left = mean loss of the last 20 batches below {args.threshold:g}; weights seed {args.seed}")
    print(f"\n{recipe}")
    print_table(("change", "images until it leaves the all-blank start", "minutes"),
                [(row["name"], f"{row['images_to_leave']:,}" if row["images_to_leave"] else f"> {row['cap']:,}",
                  f"{row['minutes']:.1f}") for row in rows])
    RESULTS.parent.mkdir(exist_ok=True)
    with atomic_target(RESULTS) as temporary:
        temporary.write_text(json.dumps({"recipe": recipe, "rows": rows}, indent=1) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
