"""``python -m ocrlib generate|train|evaluate|predict|export``: one function per command."""
from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from ocrlib.alphabet import Alphabet
from ocrlib.ctc import min_time_steps
from ocrlib.data.captchas import generate_captchas
from ocrlib.data.equations import generate_equations
from ocrlib.data.folder import read_image, read_labels, write_folder
from ocrlib.data.plates import FORMATS as PLATE_FORMATS, generate_plates
from ocrlib.data.preprocess import fit_to_size
from ocrlib.decoders import DECODERS, decode_batch
from ocrlib.errors import LabelTooLongError, OcrlibError
from ocrlib.export import FORMATS

GENERATORS = {"plates": generate_plates, "captcha": generate_captchas, "equations": generate_equations}


def _load_checked(directory: str, alphabet: Alphabet, time_steps: int | None,
                  input_shape: tuple[int, int, int]) -> tuple[np.ndarray, list[str]]:
    """Read a labelled folder after checking every label (its characters, and unless ``time_steps`` is
    None that CTC can emit it in that many steps), so a bad one fails before any image is read or any
    training starts. Errors name the file."""
    pairs = read_labels(directory)
    for path, text in pairs:
        try:
            alphabet.encode(text)
        except OcrlibError as error:
            raise type(error)(f"{path}: {error}") from None
        if time_steps is not None and min_time_steps(text) > time_steps:
            raise LabelTooLongError(f"{path}: label {text!r} needs {min_time_steps(text)} time steps "
                                    f"(its length plus its equal neighbours), and the model has {time_steps}")
    images = np.stack([fit_to_size(read_image(path), input_shape) for path, _ in pairs])
    return images, [text for _, text in pairs]


# Options of `generate` that only one kind of image takes: option -> kind.
KIND_OPTIONS = {"formats": "plates", "charset": "captcha"}


def generate(args: argparse.Namespace) -> None:
    options = {name: getattr(args, name) for name in KIND_OPTIONS if getattr(args, name)}
    for name in options:
        if args.kind != KIND_OPTIONS[name]:
            raise ValueError(f"--{name} is an option of {KIND_OPTIONS[name]} only, not of {args.kind}")
    images, texts = GENERATORS[args.kind](args.n, args.seed, **options)
    write_folder(args.out, images, texts)
    print(f"wrote {len(texts)} {args.kind} images and labels.csv to {args.out}")


def train(args: argparse.Namespace) -> None:
    import keras

    from ocrlib.distribute import data_parallel, mixed_precision

    keras.utils.set_random_seed(args.seed)
    devices, replicas = data_parallel() if args.distribute == "mirrored" else (nullcontext(), 1)
    with mixed_precision() if args.mixed_precision else nullcontext(), devices:
        if args.distribute:
            print(f"data-parallel on {replicas} replicas: batches of {args.batch_size} x {replicas}")
        _train(args, replicas)


def _train(args: argparse.Namespace, replicas: int) -> None:
    """Build the CRNN for the labels' alphabet, split off the validation images and fit it, in batches
    of ``args.batch_size`` images per replica."""
    from ocrlib.data.batches import Batches
    from ocrlib.model import build_crnn
    from ocrlib.train import fit

    input_shape = (args.height, args.width, args.channels)
    texts = [text for _, text in read_labels(args.data)]
    if args.val_data:
        texts += [text for _, text in read_labels(args.val_data)]
    alphabet = Alphabet(args.alphabet) if args.alphabet else Alphabet.from_texts(texts)
    crnn = build_crnn(alphabet, input_shape, shortcut=args.shortcut)
    print(f"alphabet ({len(alphabet)}): {alphabet.chars!r}; {crnn.time_steps} time steps, "
          f"so labels of up to {(crnn.time_steps - 1) // 2} characters are safe (T >= 2L + 1)")
    images, texts = _load_checked(args.data, alphabet, crnn.time_steps, input_shape)
    if args.val_data:
        val_images, val_texts = _load_checked(args.val_data, alphabet, crnn.time_steps, input_shape)
    else:
        if not 0 < args.val_split < 1:
            raise ValueError(f"--val-split must be between 0 and 1, got {args.val_split}")
        order = np.random.default_rng(args.seed).permutation(len(texts))
        n_val = max(1, round(len(texts) * args.val_split))
        if n_val >= len(texts):
            raise ValueError(f"--val-split {args.val_split} leaves no training images out of {len(texts)}")
        val_rows, train_rows = order[:n_val], order[n_val:]
        val_images, val_texts = images[val_rows], [texts[i] for i in val_rows]
        images, texts = images[train_rows], [texts[i] for i in train_rows]
    print(f"{len(texts)} training and {len(val_texts)} validation images")
    max_length, batch_size = crnn.max_label_length, args.batch_size * replicas
    train_batches = Batches(images, texts, alphabet, max_length, batch_size, shuffle=True,
                            augment=not args.no_augment, seed=args.seed, replicas=replicas)
    val_batches = Batches(val_images, val_texts, alphabet, max_length, batch_size, replicas=replicas)
    start = time.perf_counter()
    history = fit(crnn, train_batches, val_batches, args.out, epochs=args.epochs,
                  learning_rate=args.learning_rate, schedule=args.schedule, patience=args.patience,
                  resume=args.resume, verbose="auto" if sys.stdout.isatty() else 2)  # a log: one line per epoch
    if not history.epoch:
        print(f"nothing to train: {args.out} already has {args.epochs} epochs (raise --epochs to go on)")
        return
    best = int(np.argmin(history.history["val_loss"]))
    print(f"best model (epoch {history.epoch[best] + 1}, val sequence accuracy "
          f"{history.history['val_sequence_accuracy'][best]:.4f}) saved to {args.out} "
          f"after {time.perf_counter() - start:.0f} s")


def evaluate(args: argparse.Namespace) -> None:
    from ocrlib.metrics import character_error_rate, sequence_accuracy
    from ocrlib.recognizer import Recognizer

    recognizer = Recognizer.load(args.model)
    images, texts = _load_checked(args.data, recognizer.alphabet, None, recognizer.input_shape)
    start = time.perf_counter()
    probs = recognizer.predict_proba(images)
    predictions = decode_batch(probs, recognizer.alphabet, args.decoder)
    seconds = time.perf_counter() - start
    result = {"n": len(texts), "sequence_accuracy": sequence_accuracy(texts, predictions),
              "cer": character_error_rate(texts, predictions), "decoder": args.decoder,
              "images_per_second": len(texts) / seconds}
    for truth, prediction in [(t, p) for t, p in zip(texts, predictions) if t != p][:10]:
        print(f"wrong: {truth!r} read as {prediction!r}")
    print(f"{result['n']} images: sequence accuracy {result['sequence_accuracy']:.4f}, "
          f"CER {result['cer']:.4f}, {result['images_per_second']:.0f} images/s")
    if args.plot:
        _plot_examples(args.plot, images, probs, texts, predictions, recognizer.alphabet)
        print(f"probability matrices written to {args.plot}")
    if args.json:
        print(json.dumps(result))


def _plot_examples(path, images, probs, texts, predictions, alphabet, count=2):
    """Save the probability matrices of the first right and the first wrong predictions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ocrlib.viz import plot_probability_matrix

    right = [i for i, (t, p) in enumerate(zip(texts, predictions)) if t == p][:count]
    wrong = [i for i, (t, p) in enumerate(zip(texts, predictions)) if t != p][:count]
    for n, i in enumerate(right + wrong):
        verdict = "right" if i in right else "wrong"
        figure = plot_probability_matrix(images[i], probs[i], alphabet,
                                         title=f"truth {texts[i]!r}, read {predictions[i]!r} ({verdict})")
        target = Path(path) if n == 0 else Path(path).with_name(f"{Path(path).stem}-{n}{Path(path).suffix}")
        figure.savefig(target, dpi=100)
        plt.close(figure)


def predict(args: argparse.Namespace) -> None:
    from ocrlib.recognizer import Recognizer

    recognizer = Recognizer.load(args.model)
    for path, (text, confidence) in zip(args.images, recognizer.recognize(args.images, decoder=args.decoder)):
        print(f"{path}\t{text}\t{confidence:.4f}")


def export(args: argparse.Namespace) -> None:
    from ocrlib.export import export_model
    from ocrlib.recognizer import Recognizer

    path = export_model(Recognizer.load(args.model), args.out, args.format)
    print(f"wrote the {args.format} model to {path}")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m ocrlib", description="Read text in images with a CRNN + CTC.")
    commands = main.add_subparsers(dest="command", required=True)

    p = commands.add_parser("generate", help="write a labelled folder of synthetic images")
    p.add_argument("kind", choices=sorted(GENERATORS))
    p.add_argument("--n", type=int, required=True, help="number of images")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="folder to create (must not exist or be empty)")
    p.add_argument("--formats", nargs="+", choices=PLATE_FORMATS,
                   help="plates only: the formats to draw (default: all), e.g. mercosur two_group")
    p.add_argument("--charset", help="captcha only: the characters to draw (default: 0-9 and A-Z without O)")
    p.set_defaults(run=generate)

    p = commands.add_parser("train", help="train a CRNN on a labelled folder")
    p.add_argument("--data", required=True, help="labelled folder (labels.csv or label in file name)")
    val = p.add_mutually_exclusive_group()
    val.add_argument("--val-data", help="labelled folder for validation")
    val.add_argument("--val-split", type=float, default=0.1, help="share of --data held out (default 0.1)")
    p.add_argument("--out", required=True, help="best model, .keras (the last one goes to OUT.last.keras)")
    # Defaults for a small real set (about 1,000 images): small batches give CTC enough updates to
    # leave its all-blank start, and early stopping ends the run well before 100 epochs.
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=8, help="images per batch (per replica with --distribute)")
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--schedule", choices=("plateau", "cosine"), default="plateau",
                   help="learning rate: halve when val_loss stalls, or decay to 0 over --epochs")
    p.add_argument("--patience", type=int, default=15, help="epochs without val_loss progress before stopping")
    p.add_argument("--alphabet", help="characters to recognise (default: those in the labels)")
    p.add_argument("--height", type=int, default=64)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--channels", type=int, default=1, choices=(1, 3))
    p.add_argument("--no-augment", action="store_true", help="train on the images as they are")
    p.add_argument("--shortcut", action="store_true",
                   help="the softmax also reads the column features past the LSTMs: leaves CTC's all-blank "
                        "start sooner on varied data such as synthetic plates")
    p.add_argument("--resume", action="store_true", help="continue from OUT.last.keras if it exists")
    p.add_argument("--seed", type=int, default=0, help="weights, validation split, shuffling and augmentation")
    p.add_argument("--distribute", choices=("mirrored",),
                   help="data-parallel on every visible GPU (MirroredStrategy on TensorFlow, DataParallel on JAX)")
    p.add_argument("--mixed-precision", action="store_true",
                   help="float16 compute with float32 weights, softmax and CTC (for GPUs with tensor cores)")
    p.set_defaults(run=train)

    p = commands.add_parser("evaluate", help="score a model on a labelled folder")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--decoder", choices=sorted(DECODERS), default="best_path")
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.add_argument("--plot", help="write probability-matrix PNGs of right and wrong predictions here")
    p.set_defaults(run=evaluate)

    p = commands.add_parser("predict", help="print path<TAB>text<TAB>confidence for each image")
    p.add_argument("--model", required=True, help="a .keras model, or an .onnx export (run by ONNX Runtime)")
    p.add_argument("--decoder", choices=sorted(DECODERS), default="best_path")
    p.add_argument("images", nargs="+")
    p.set_defaults(run=predict)

    p = commands.add_parser("export", help="write a .keras model as ONNX, TFLite or a TensorFlow SavedModel")
    p.add_argument("--model", required=True, help="a .keras model written by train")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--out", required=True, help="M.onnx, M.tflite (plus M.tflite.json), or a SavedModel folder")
    p.set_defaults(run=export)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except OcrlibError as error:  # bad data or model files: a message naming the culprit, not a traceback
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ValueError as error:  # bad option values, as argparse's own usage errors
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
