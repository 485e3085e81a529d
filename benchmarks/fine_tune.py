"""Fine-tuning benchmark on the 2-core CPU: the shipped plates model against training from scratch, on
plates of a made-up country it has never seen (``ocrlib.data.ruritania``: Cyrillic letters among Latin).

    .venv/bin/python benchmarks/fine_tune.py [--sizes 100 300 1000] [--test 1000]

For each number of target images (seed 1; validation: a fifth as many, at least 100, seed 3), four ways
to train, each with the recipe ``ocrlib train`` picks (``recipe_for``) and its learning rate:

- ``scratch``: ``build_crnn`` for the Ruritanian alphabet, random weights, learning rate 1e-3;
- ``frozen features``: ``crnn_like(shipped plates model, both alphabets)``, the CNN and dense feature
  layers frozen (``freeze_features``), 3e-4;
- ``fine-tuned``: the same model, every layer trained, 3e-4;
- ``fine-tuned + mixing``: as fine-tuned, a share of each batch (``--extra-share``, a quarter by
  default) synthetic Latin plates (5,000 of seed 7, ``Batches(extra=...)``), so the model keeps its
  own task.

Each is scored on ``--test`` held-out Ruritanian plates (seed 2) and, the fine-tuned ones, on 2,000
(``--own-test``) held-out synthetic plates of the pretraining task (seed 2) against the shipped model's own score there:
what fine-tuning cost it. Prints one table; the README quotes it.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from ocrlib import Recognizer, build_crnn  # noqa: E402
from ocrlib.data.batches import Batches  # noqa: E402
from ocrlib.data.plates import generate_plates  # noqa: E402
from ocrlib.data.ruritania import ALPHABET, generate_ruritanian_plates  # noqa: E402
from ocrlib.metrics import character_error_rate, sequence_accuracy  # noqa: E402
from ocrlib.recipe import INIT_LEARNING_RATE, LEARNING_RATE, recipe_for  # noqa: E402
from ocrlib.train import fit  # noqa: E402
from ocrlib.transfer import crnn_like, freeze_features  # noqa: E402
from common import draw, print_table  # noqa: E402  (benchmarks/common.py)

WAYS = ("scratch", "frozen features", "fine-tuned", "fine-tuned + mixing")
MIXING = (5_000, 7)  # synthetic plates of the pretraining task, and their seed


def train_one(way: str, n: int, pretrained: Recognizer, extra, extra_share: float, workdir: str, seed: int = 1):
    """The model ``way`` trains on ``n`` Ruritanian plates (``extra``: the images mixed in, their share of
    each batch ``extra_share``), and its training minutes and epochs."""
    keras.utils.set_random_seed(seed)
    if way == "scratch":
        crnn, learning_rate = build_crnn(ALPHABET, pretrained.input_shape), LEARNING_RATE
    else:
        both = pretrained.alphabet.chars + "".join(c for c in ALPHABET if c not in pretrained.alphabet.chars)
        crnn, learning_rate = crnn_like(pretrained, both)[0], INIT_LEARNING_RATE
        if way == "frozen features":
            freeze_features(crnn)
    recipe = recipe_for(n, fine_tuning=way != "scratch")
    shape = crnn.input_shape
    train = draw(generate_ruritanian_plates, n, 1, shape)
    val = draw(generate_ruritanian_plates, max(100, n // 5), 3, shape)
    mixed = {"extra": extra, "extra_share": extra_share} if way == "fine-tuned + mixing" else {}
    batches = Batches(*train, crnn.alphabet, crnn.max_label_length, recipe.batch_size, shuffle=True, augment=True,
                      seed=seed, **mixed)
    start = time.perf_counter()
    history = fit(crnn, batches, Batches(*val, crnn.alphabet, crnn.max_label_length, 64),
                  f"{workdir}/{way.replace(' ', '-')}-{n}.keras", epochs=recipe.epochs, learning_rate=learning_rate,
                  schedule=recipe.schedule, patience=recipe.patience, verbose=0)
    return Recognizer(crnn.inference_model, crnn.alphabet), (time.perf_counter() - start) / 60, len(history.epoch)


def score(recognizer: Recognizer, images, texts) -> tuple[float, float]:
    """Sequence accuracy and CER of best-path readings."""
    read = [text for text, _ in recognizer.recognize(images)]
    return sequence_accuracy(texts, read), character_error_rate(texts, read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000], help="target training images")
    parser.add_argument("--test", type=int, default=1000, help="held-out Ruritanian plates (seed 2)")
    parser.add_argument("--own-test", type=int, default=2000, help="held-out synthetic plates of the pretraining task (seed 2)")
    parser.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS))
    parser.add_argument("--extra-share", type=float, default=0.25, help="share of each batch mixed in (fine-tuned + mixing)")
    args = parser.parse_args()

    pretrained = Recognizer.pretrained("plates")
    shape = pretrained.input_shape
    test = draw(generate_ruritanian_plates, args.test, 2, shape)
    own_test = draw(generate_plates, args.own_test, 2, shape)
    extra = draw(generate_plates, MIXING[0], MIXING[1], shape)
    own_before = score(pretrained, *own_test)[0]
    print(f"shipped plates model on {args.own_test} held-out synthetic plates of its own task: {own_before:.2%}")
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for n in args.sizes:
            for way in args.ways:
                recognizer, minutes, epochs = train_one(way, n, pretrained, extra, args.extra_share, workdir)
                accuracy, cer = score(recognizer, *test)
                own = "-" if way == "scratch" else f"{100 * (score(recognizer, *own_test)[0] - own_before):+.1f}"
                rows.append((n, way, f"{accuracy:.2%}", f"{cer:.4f}", own, epochs, f"{minutes:.1f}"))
                print(rows[-1], flush=True)
    print(f"\nHeld-out: {args.test} Ruritanian plates of seed 2; own task: {args.own_test} synthetic plates of seed 2")
    print_table(("target images", "way", "accuracy", "CER", "own task, change (points)", "epochs", "training min"), rows)


if __name__ == "__main__":
    main()
