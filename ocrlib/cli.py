"""``python -m ocrlib generate|check|train|evaluate|predict|info|export``: one function per command.

Wherever a command takes a model (``--model``, ``--init``, ``info MODEL``), a shipped model's name
(``plates``, ``captcha``, ``equations``) does as well as a file (``ocrlib.pretrained.resolve_model``).
Imports no Keras until a command needs a model: ``--help``, ``generate`` and ``check`` run without it.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import signal
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np

from ocrlib import __version__
from ocrlib.alphabet import Alphabet
from ocrlib.atomic import HELD_SIGNALS
from ocrlib.backup import backup_path, read_backup
from ocrlib.data.captchas import generate_captchas
from ocrlib.data.check import FolderReport, check_folder
from ocrlib.data.equations import generate_equations
from ocrlib.data.folder import fit_files, read_image, read_labels, write_folder
from ocrlib.data.lines import generate_lines
from ocrlib.data.plates import FORMATS as PLATE_FORMATS, generate_plates
from ocrlib.data.ruritania import generate_ruritanian_plates
from ocrlib.decoders import DECODERS, decode_batch
from ocrlib.errors import DatasetError, ImageTooWideError, OcrlibError, TrainingDivergedError, TransferError, UsageError
from ocrlib.export import FORMATS
from ocrlib.geometry import time_steps_for_width
from ocrlib.model_file import read_metadata
from ocrlib.pretrained import MAKER, PRETRAINED, resolve_model, shipped_models
from ocrlib.recipe import INIT_LEARNING_RATE, LARGE_SET, LEARNING_RATE, Recipe, recipe_for

GENERATORS = {"plates": generate_plates, "captcha": generate_captchas, "equations": generate_equations,
              "lines": generate_lines, "ruritania": generate_ruritanian_plates}
VOTE_HELP = ("read each image seven times, as it is and moved or scaled a little (ocrlib.voting), and keep the "
             "text most readings agree on: seven times the work, for a model of one input size")
DEFAULT_SHAPE = (64, 128, 1)  # train's --height, --width and --channels without --init
DEFAULT_WIDTH = DEFAULT_SHAPE[1]
# train's --extra-share: most of each batch stays the user's own images.
EXTRA_SHARE = 0.25
# train's options that a resumed run may change (--out: its files may have moved together); every
# other one must be what the run was started with.
RESUMABLE_CHANGES = ("epochs", "patience", "resume", "out")
SHIPPED = ", ".join(PRETRAINED)  # the names a model option takes besides a file, for --help


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped a command: ``signum`` says which (the exit status is 128 + signum)."""

    def __init__(self, signum: int, message: str = ""):
        super().__init__(message or f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum


@contextmanager
def _interruptible() -> Iterator[None]:
    """Within the block SIGINT (Ctrl-C) and SIGTERM (``kill``, a scheduler's stop) raise ``Interrupted``."""
    def interrupt(signum, frame):
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, interrupt) for signum in HELD_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _resume_command(argv: Sequence[str]) -> str:
    """The shell command that runs ``argv`` again with ``--resume``, by the Python running now."""
    return shlex.join([sys.executable, "-m", "ocrlib", *argv, *(() if "--resume" in argv else ("--resume",))])


def _progress_verbosity() -> str | int:
    """Keras' ``verbose`` for train: progress bars on a terminal, one line per epoch in a log or a notebook.
    A Jupyter notebook's ``!ocrlib train`` writes to a terminal (a pty) that the notebook does not
    redraw, so bars would pile up there: its kernel's children have ``JPY_PARENT_PID`` (set by
    jupyter_client) and ipykernel's ``MPLBACKEND`` in their environment."""
    in_notebook = "JPY_PARENT_PID" in os.environ or os.environ.get("MPLBACKEND", "").startswith("module://matplotlib_inline")
    return "auto" if sys.stdout.isatty() and not in_notebook else 2


def _fitted_images(pairs: Sequence[tuple[Path, str]], input_shape: tuple[int, int | None, int]) -> np.ndarray | list:
    """The images of (path, text) ``pairs``, fitted to ``input_shape`` (``ocrlib.data.folder.fit_files``)."""
    return fit_files([path for path, _ in pairs], input_shape)


# Options of `generate` that only one kind of image takes: option -> kind.
KIND_OPTIONS = {"formats": "plates", "charset": "captcha"}


def generate(args: argparse.Namespace) -> None:
    _characters("--charset", args.charset)
    options = {name: getattr(args, name) for name in KIND_OPTIONS if getattr(args, name)}
    for name in options:
        if args.kind != KIND_OPTIONS[name]:
            raise UsageError(f"--{name} is an option of {KIND_OPTIONS[name]} only, not of {args.kind}")
    images, texts = GENERATORS[args.kind](args.n, args.seed, **options)
    write_folder(args.out, images, texts)
    print(f"wrote {len(texts)} {args.kind} images and labels.csv to {args.out}")


def check(args: argparse.Namespace) -> None:
    """Print the summary and every problem of a labelled folder (``ocrlib.data.check``); exit 1 if it has any."""
    if args.model and args.width:
        raise UsageError("--width is for a folder checked without --model: a model has its own width")
    if args.model:
        metadata = read_metadata(resolve_model(args.model))
        alphabet, time_steps = Alphabet(metadata["alphabet"]), metadata.get("time_steps")
    else:
        alphabet = _characters("--alphabet", args.alphabet)
        time_steps = time_steps_for_width(args.width or DEFAULT_WIDTH)
    report = check_folder(args.data, alphabet, time_steps)
    _print_summary(args.data, report, time_steps)
    for problem in report.problems:
        print(f"problem: {problem}")
    if report.problems:
        raise DatasetError(f"{len(report.problems)} problem{'s' * (len(report.problems) > 1)} in {args.data}")
    print(f"no problems in {args.data}")


def _print_summary(directory: str, report: FolderReport, time_steps: int | None) -> None:
    """What a labelled folder holds: images, their sizes and modes, label lengths, characters."""
    def most_common(counts, name=str):
        return ", ".join(f"{name(key)} x{count}" for key, count in counts.most_common(8))

    widths = [width for width, _ in report.sizes.elements()]
    heights = [height for _, height in report.sizes.elements()]
    print(f"{directory}: {len(report.pairs)} labelled images")
    if report.sizes:
        print(f"sizes (width x height): {most_common(report.sizes, lambda size: f'{size[0]}x{size[1]}')}; "
              f"widths {min(widths)}-{max(widths)}, heights {min(heights)}-{max(heights)}")
        print(f"modes: {most_common(report.modes)}")
    if report.lengths:
        lengths = ", ".join(f"{length}: {count}" for length, count in sorted(report.lengths.items()))
        print(f"label lengths (characters: labels): {lengths}")
        print(f"time steps: {time_steps if time_steps is not None else 'unknown (not checked)'}")
    if report.characters:
        characters = "".join(sorted(report.characters))
        print(f"characters ({len(characters)}): {characters!r}")
        print("  " + ", ".join(f"{char!r} {count}" for char, count in sorted(report.characters.items())))


def _characters(option: str, chars: str | None) -> Alphabet | None:
    """The characters of ``option`` (``--alphabet``, ``--charset``) as an Alphabet, None when not given;
    a usage error naming the option if they are not one."""
    if chars is None:
        return None
    if not chars:
        raise UsageError(f"{option} is empty: give the characters")
    try:
        return Alphabet(chars)
    except ValueError as error:
        raise UsageError(f"{option} {chars!r}: {error}") from None


def train(args: argparse.Namespace) -> None:
    import keras

    from ocrlib.distribute import data_parallel, mixed_precision

    if Path(args.out).suffix != ".keras":
        raise UsageError(f"--out must name a .keras file: {args.out}")
    keras.utils.set_random_seed(args.seed)
    devices, replicas = data_parallel() if args.distribute == "mirrored" else (nullcontext(), 1)
    try:
        with _interruptible(), mixed_precision() if args.mixed_precision else nullcontext(), devices:
            _train(args, replicas)
    except Interrupted as interrupted:
        state = read_backup(backup_path(args.out))
        kept = (f"{args.out}, its last checkpoint and its backup keep epoch {state['epoch']}" if state
                else "no epoch was complete, so nothing was saved")
        raise Interrupted(interrupted.signum, f"{interrupted}: {kept}") from None


def _init_model(args: argparse.Namespace):
    """The ``Recognizer`` of ``--init`` (None without it), after checking the options that go with it;
    fills in the defaults of ``args`` that depend on it: input size and learning rate."""
    from ocrlib.recognizer import Recognizer
    from ocrlib.transfer import architecture

    if args.freeze_features and not args.init:
        raise UsageError("--freeze-features needs --init: only a trained model has features worth keeping")
    if args.unfreeze_after and not args.freeze_features:
        raise UsageError("--unfreeze-after needs --freeze-features: nothing is frozen to unfreeze")
    if args.unfreeze_after and args.schedule == "cosine":
        raise UsageError("--unfreeze-after works with --schedule plateau only")
    if args.unfreeze_after and args.schedule is None:
        args.schedule = "plateau"
    if args.learning_rate is None:
        args.learning_rate = INIT_LEARNING_RATE if args.init else LEARNING_RATE
    source = None
    if args.init:
        source = Recognizer.load(resolve_model(args.init))
        has_shortcut = architecture(source.model)["shortcut"]
        if args.shortcut is not None and args.shortcut != has_shortcut:
            raise UsageError(f"--{'' if args.shortcut else 'no-'}shortcut: the --init model {args.init} has "
                             f"{'none' if args.shortcut else 'one'}, and fine-tuning keeps its architecture")
        args.shortcut = has_shortcut
    args.height, args.width, args.channels = (
        default if given is None else given
        for given, default in zip((args.height, args.width, args.channels), source.input_shape if source else DEFAULT_SHAPE))
    return source


def _train(args: argparse.Namespace, replicas: int) -> None:
    """Check the labelled folders (every problem listed before refusing), split off the validation images,
    pick the recipe the options leave open, build the CRNN for the labels' alphabet (from the ``--init``
    model's weights), and fit it, in batches of ``args.batch_size`` images per replica, a share
    of each from ``--extra-data``."""
    from ocrlib.data.batches import Batches, LineBatches, extra_images_per_batch
    from ocrlib.model import build_crnn
    from ocrlib.train import fit
    from ocrlib.transfer import crnn_like, freeze_features, unfreeze

    if args.val_data is None and not 0 < args.val_split < 1:
        raise UsageError(f"--val-split must be between 0 and 1, got {args.val_split}")
    if args.extra_share is not None and not args.extra_data:
        raise UsageError("--extra-share needs --extra-data: the folder that share of each batch is drawn from")
    if args.extra_data:
        args.extra_share = EXTRA_SHARE if args.extra_share is None else args.extra_share
    source = _init_model(args)
    args.width = args.width or None  # --width any
    input_shape = (args.height, args.width, args.channels)
    if args.width is None and (args.extra_data or args.distribute):
        option = "--extra-data" if args.extra_data else "--distribute"
        raise UsageError(f"--width any trains on one device without {option}: its batches are of lines of similar widths")
    alphabet = _characters("--alphabet", args.alphabet)
    folders = [args.data] + ([args.val_data] if args.val_data else [])
    time_steps = time_steps_for_width(args.width) if args.width else None  # lines: checked per image below
    reports = [check_folder(folder, alphabet, time_steps) for folder in folders]
    inferred = alphabet is None
    if inferred:
        alphabet = Alphabet.from_texts(text for report in reports for _, text in report.pairs)
    if args.extra_data:  # adds no characters: checked against the alphabet of the user's own data
        reports.append(check_folder(args.extra_data, alphabet, time_steps))
    problems = [problem for report in reports for problem in report.problems]
    if problems:
        message = (f"{len(problems)} problem{'s' * (len(problems) > 1)} with the data "
                   f"(python -m ocrlib check lists them too):\n  " + "\n  ".join(problems))
        if inferred and args.extra_data and any(char not in alphabet for char in reports[-1].characters):
            message += (f"\nThe alphabet is that of the labels of {', '.join(folders)}: give --alphabet to train "
                        "on the characters of --extra-data too")
        raise DatasetError(message)
    if inferred and not len(alphabet):
        raise DatasetError(f"the labels of {', '.join(folders)} hold no characters: nothing to learn")
    pairs = reports[0].pairs
    if args.val_data:
        val_pairs = reports[1].pairs
    else:
        order = np.random.default_rng(args.seed).permutation(len(pairs))
        n_val = max(1, round(len(pairs) * args.val_split))
        if n_val >= len(pairs):
            raise UsageError(f"--val-split {args.val_split} leaves no training images out of {len(pairs)}")
        val_pairs, pairs = [pairs[i] for i in order[:n_val]], [pairs[i] for i in order[n_val:]]
    print(f"{len(pairs)} training and {len(val_pairs)} validation images")
    _choose_recipe(args, len(pairs))
    try:
        if source:
            crnn, kept, added, dropped = crnn_like(source, alphabet, input_shape)
        else:
            crnn = build_crnn(alphabet, input_shape, shortcut=args.shortcut)
    except TransferError:
        raise
    except ValueError as error:
        raise UsageError(f"--height {args.height} --width {args.width}: {error}") from None
    if source:
        print(f"starting from {args.init}: kept {len(kept)} characters {kept!r}, added {len(added)} {added!r}, "
              f"dropped {len(dropped)} {dropped!r}")
    if args.freeze_features:
        frozen = freeze_features(crnn)
        print(f"{len(frozen)} feature layers frozen" + (f" for {args.unfreeze_after} epochs" if args.unfreeze_after else ""))
    if crnn.time_steps is None:
        print(f"alphabet ({len(alphabet)}): {alphabet.chars!r}; each image at its own width W, in W / 4 time steps")
    else:
        print(f"alphabet ({len(alphabet)}): {alphabet.chars!r}; {crnn.time_steps} time steps, "
              f"so labels of up to {(crnn.time_steps - 1) // 2} characters are safe (T >= 2L + 1)")
    images, texts, names = _fitted_images(pairs, input_shape), [text for _, text in pairs], [str(path) for path, _ in pairs]
    val_images, val_texts = _fitted_images(val_pairs, input_shape), [text for _, text in val_pairs]
    val_names = [str(path) for path, _ in val_pairs]
    batch_size = args.batch_size * replicas
    if args.distribute:
        print(f"data-parallel on {replicas} replicas: batches of {args.batch_size} x {replicas}")
    extra = None
    if args.extra_data:
        try:
            extra_per_batch = extra_images_per_batch(args.extra_share, batch_size, name="--extra-share")
        except ValueError as error:
            raise UsageError(str(error)) from None
        extra = _fitted_images(reports[-1].pairs, input_shape), [text for _, text in reports[-1].pairs]
        print(f"{extra_per_batch} of every {batch_size} training images drawn from the {len(extra[1])} "
              f"of {args.extra_data} (never validated on)")
    extra_count = len(extra[1]) if extra else None
    max_length = crnn.max_label_length
    if crnn.time_steps is None:
        train_batches = LineBatches(images, texts, alphabet, batch_size, shuffle=True, augment=not args.no_augment,
                                    seed=args.seed, names=names)
        val_batches = LineBatches(val_images, val_texts, alphabet, batch_size, names=val_names)
    else:
        train_batches = Batches(images, texts, alphabet, max_length, batch_size, shuffle=True,
                                augment=not args.no_augment, seed=args.seed, replicas=replicas, extra=extra,
                                extra_share=args.extra_share)
        val_batches = Batches(val_images, val_texts, alphabet, max_length, batch_size, replicas=replicas)
    arguments = {name: value for name, value in vars(args).items() if name not in ("run", "command", "debug")}
    training = {"arguments": arguments, "train_images": len(texts), "validation_images": len(val_texts),
                "extra_images": extra_count}
    run = {**{f"--{name.replace('_', '-')}": value for name, value in arguments.items() if name not in RESUMABLE_CHANGES},
           "training images": len(texts), "validation images": len(val_texts), "extra images": extra_count}
    backup = backup_path(args.out)
    state = read_backup(backup) if args.resume else None
    if args.resume:
        print(f"resuming the run backed up in {backup} after epoch {state['epoch']}" if state
              else f"no backup at {backup} to resume: training from the start")
    # (epochs, resume) of each fit: with --unfreeze-after K, K epochs frozen (skipped when resuming past
    # them), then the rest unfrozen, resumed from the backup of epoch K with a fresh optimizer.
    unfreeze_after = args.unfreeze_after if args.unfreeze_after and args.unfreeze_after < args.epochs else None
    phases = [(args.epochs, args.resume)] if unfreeze_after is None else [(args.epochs, True)]
    if unfreeze_after is not None and not (state and state["epoch"] >= unfreeze_after):
        phases.insert(0, (unfreeze_after, args.resume))
    start, trained = time.perf_counter(), []
    for epochs, resume in phases:
        with warnings.catch_warnings():
            if epochs == args.epochs and unfreeze_after is not None:
                unfreeze(crnn)
                print(f"after epoch {unfreeze_after}: every layer trainable")
                # The frozen epochs' optimizer had no state for the features: Keras says it starts afresh.
                warnings.filterwarnings("ignore", "Skipping variable loading for optimizer")
            history = fit(crnn, train_batches, val_batches, args.out, epochs=epochs,
                          learning_rate=args.learning_rate, schedule=args.schedule, patience=args.patience,
                          resume=resume, verbose=_progress_verbosity(), metadata={"training": training}, run=run)
        trained += history.epoch
    if not trained:
        print(f"nothing to train: early stopping ended the run of {args.out} after epoch {state['epoch']}"
              if state["stopped"] else
              f"nothing to train: the run of {args.out} has done {state['epoch']} epochs (raise --epochs to go on)")
        return
    _print_best(Path(args.out), trained[0] + 1, time.perf_counter() - start)


def _choose_recipe(args: argparse.Namespace, n_images: int) -> None:
    """Fill in the --batch-size, --epochs, --schedule, --patience and --[no-]shortcut not given, from the
    number of training images (``ocrlib.recipe.recipe_for``), and say what the run will do. With --init,
    the shortcut is the --init model's (fine-tuning keeps its architecture)."""
    kept = {"shortcut": args.shortcut} if args.init else {}
    names = [field.name for field in dataclasses.fields(Recipe)]
    given = [name for name in names if name not in kept and getattr(args, name) is not None]
    chosen = dataclasses.replace(recipe_for(n_images, fine_tuning=bool(args.init)),
                                 **kept, **{name: getattr(args, name) for name in given})
    for name in names:
        setattr(args, name, getattr(chosen, name))
    line = f"{n_images:,} images: {chosen}"
    if given:
        flags = ("--" + "no-" * (getattr(chosen, name) is False) + name.replace("_", "-") for name in given)
        line += f" ({', '.join(flags)} as given)"
    if chosen.patience < chosen.epochs:
        line += f"; early stopping after {chosen.patience} epochs without progress"
    print(line)


def _print_best(out: Path, first_epoch: int, seconds: float) -> None:
    """Say which model the run keeps at ``out``, the best over all its sessions: its epoch and scores,
    and plainly so when no epoch since ``first_epoch`` (this session's first, from 1) improved on it."""
    if not out.exists():
        raise TrainingDivergedError(f"no epoch ended with a finite val_loss, so no model was saved to {out}: "
                                    "train again with a lower --learning-rate")
    best = read_metadata(out)
    logs = best.get("logs", {})
    scores = f"val_loss {logs['val_loss']:.4f}, val sequence accuracy {logs['val_sequence_accuracy']:.4f}"
    if best["epoch"] < first_epoch:
        print(f"no epoch since epoch {first_epoch} improved on the best model, epoch {best['epoch']} "
              f"({scores}), kept at {out}")
    else:
        print(f"best model: epoch {best['epoch']} ({scores}), saved to {out} after {seconds:.0f} s")


def evaluate(args: argparse.Namespace) -> None:
    """Score a model on a labelled folder. A label with a character the model cannot emit counts as
    wrong, with a warning (``--strict``: refused). With ``--json`` stdout holds the JSON object only."""
    from ocrlib.metrics import character_error_rate, sequence_accuracy
    from ocrlib.recognizer import Recognizer

    log = sys.stderr if args.json else sys.stdout
    recognizer = Recognizer.load(resolve_model(args.model))
    _check_vote(args, recognizer)
    alphabet, pairs = recognizer.alphabet, read_labels(args.data)
    if args.strict:
        for path, text in pairs:
            try:
                alphabet.encode(text)
            except OcrlibError as error:
                raise type(error)(f"{path}: {error}") from None
    outside = [text for _, text in pairs if any(char not in alphabet for char in text)]
    if outside:
        chars = "".join(sorted({char for text in outside for char in text if char not in alphabet}))
        print(f"warning: {len(outside)} of {len(pairs)} labels hold characters the model cannot emit "
              f"({chars!r}, not in its alphabet {alphabet.chars!r}): those images count as wrong "
              f"(--strict refuses them)", file=sys.stderr)
    images, texts = _fitted_images(pairs, recognizer.input_shape), [text for _, text in pairs]
    start = time.perf_counter()
    probs = recognizer.predict_proba(images)
    predictions = recognizer.vote(images, args.decoder) if args.vote else decode_batch(probs, alphabet, args.decoder)
    seconds = time.perf_counter() - start
    result = {"n": len(texts), "sequence_accuracy": sequence_accuracy(texts, predictions),
              "cer": character_error_rate(texts, predictions), "decoder": args.decoder, "vote": args.vote,
              "images_per_second": len(texts) / seconds, "labels_outside_alphabet": len(outside)}
    for truth, prediction in [(t, p) for t, p in zip(texts, predictions) if t != p][:10]:
        print(f"wrong: {truth!r} read as {prediction!r}", file=log)
    print(f"{result['n']} images: sequence accuracy {result['sequence_accuracy']:.4f}, "
          f"CER {result['cer']:.4f}, {result['images_per_second']:.0f} images/s", file=log)
    if args.plot:
        _plot_examples(args.plot, images, probs, texts, predictions, alphabet)
        print(f"probability matrices written to {args.plot}", file=log)
    if args.json:
        print(json.dumps(result))


def _check_vote(args: argparse.Namespace, recognizer) -> None:
    """--vote moves each image within the model's input frame: a model of one input size only."""
    if args.vote and recognizer.input_shape[1] is None:
        raise UsageError(f"--vote moves images within a model's input frame; {args.model} reads lines of any width")


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
    """path<TAB>text<TAB>confidence per image; with --page, path<TAB>line<TAB>text<TAB>confidence per line
    that ``ocrlib.segment`` finds on each page (nothing for a blank page)."""
    from ocrlib.recognizer import Recognizer

    recognizer = Recognizer.load(resolve_model(args.model))
    _check_vote(args, recognizer)
    if not args.page:
        readings = recognizer.recognize(args.images, decoder=args.decoder, vote=args.vote)
        for path, (text, confidence) in zip(args.images, readings):
            print(f"{path}\t{text}\t{confidence:.4f}")
        return
    if recognizer.input_shape[1] is not None:
        height, width, _ = recognizer.input_shape
        raise UsageError(f"--page reads the lines of a page with a variable-width model (build_crnn(input_shape=(H, "
                         f"None, C))); {args.model} takes images of {height} x {width} pixels only")
    from ocrlib.segment import segment_lines

    for path in args.images:
        lines = [line.image for line in segment_lines(read_image(path))]
        try:
            readings = recognizer.recognize(lines, decoder=args.decoder) if lines else []
        except ImageTooWideError as error:
            raise ImageTooWideError(f"{path}, its lines counted from 0: {error}") from None
        for number, (text, confidence) in enumerate(readings, 1):
            print(f"{path}\t{number}\t{text}\t{confidence:.4f}")


def info(args: argparse.Namespace) -> None:
    """What a .keras model file or shipped model holds: its metadata (alphabet, input size, time steps; for a
    model written by train its arguments, data sizes, best epoch and scores; for a shipped one what it
    reads, how it was made and what it scored) and its parameter count. Without a model: the shipped ones."""
    if args.model is None:
        _print_shipped(args.json)
        return
    from ocrlib.recognizer import Recognizer

    path = resolve_model(args.model)
    if path.suffix != ".keras":
        raise UsageError(f"info reads .keras models written by train or Recognizer.save, not {args.model}")
    recognizer = Recognizer.load(path)
    details = {"model": str(args.model), "file": str(path), **recognizer.metadata,
               "time_steps": recognizer.model.output_shape[1], "parameters": recognizer.model.count_params()}
    if args.json:
        print(json.dumps(details))
        return
    height, width, channels = details["input_shape"]
    print(details["model"] if details["model"] == details["file"] else f"{details['model']}: {details['file']}")
    print(f"alphabet ({len(details['alphabet'])}): {details['alphabet']!r}")
    if width is None:
        print(f"input: {height} x any width x {channels} (height x width x channels), T = W / 4 time steps")
    else:
        print(f"input: {height} x {width} x {channels} (height x width x channels), {details['time_steps']} time steps")
    print(f"parameters: {details['parameters']:,}")
    shipped = details.get("pretrained")
    if shipped:
        print(f"shipped model {shipped['name']}: {shipped['description']}")
        print(f"trained by: {shipped['trained_by']}\nmade by: {shipped['made_by']}, on {shipped['date']}")
        for data, scores in shipped["scores"].items():
            print(f"{data}: sequence accuracy {scores['sequence_accuracy']:.2%}, CER {scores['cer']:.4f}")
    training = details.get("training")
    if training:
        print(f"trained on {training['train_images']} images, validated on {training['validation_images']}")
        print("arguments: " + " ".join(f"--{name.replace('_', '-')} {value}"
                                       for name, value in training["arguments"].items()))
    if "epoch" in details:
        scores = ", ".join(f"{name} {value:.4f}" for name, value in details.get("logs", {}).items()
                           if name.startswith("val_"))
        print(f"best epoch: {details['epoch']}" + (f" ({scores})" if scores else ""))


def _print_shipped(as_json: bool) -> None:
    """Each shipped model's name, what it reads and its file, or how to make it where this installation lacks it."""
    models = {name: {"description": PRETRAINED[name], "file": path and str(path)}
              for name, path in shipped_models().items()}
    if as_json:
        print(json.dumps(models))
        return
    for name, model in models.items():
        print(f"{name}: {model['description']}")
        print(f"  {model['file'] or f'not in this installation: python {MAKER} {name} makes it'}")


def export(args: argparse.Namespace) -> None:
    from ocrlib.export import export_model
    from ocrlib.recognizer import Recognizer

    path = export_model(Recognizer.load(resolve_model(args.model)), args.out, args.format)
    print(f"wrote the {args.format} model to {path}")


class DefaultsInHelp(argparse.ArgumentDefaultsHelpFormatter):
    """argparse's help with each option's default, except where there is none to show (None, or off for a flag)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def _positive(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return int(text)


def _width(text: str) -> int:
    """An argparse type for train's --width: a whole number of at least 1, or 'any' (0: a variable width)."""
    return 0 if text == "any" else _positive(text)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m ocrlib", description="Read text in images with a CRNN + CTC.",
                                   formatter_class=DefaultsInHelp)
    main.add_argument("--version", action="version", version=f"ocrlib {__version__}")
    main.add_argument("--debug", action="store_true", help="show the traceback of an error, not just its message")
    commands = main.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, description=help, formatter_class=DefaultsInHelp)

    p = command("generate", "write a labelled folder of synthetic images")
    p.add_argument("kind", choices=sorted(GENERATORS))
    p.add_argument("--n", type=_positive, required=True, help="number of images")
    p.add_argument("--seed", type=int, default=0, help="the same seed draws the same images")
    p.add_argument("--out", required=True, help="folder to create (must not exist or be empty)")
    p.add_argument("--formats", nargs="+", choices=PLATE_FORMATS,
                   help="plates only: the formats to draw (default: all), e.g. mercosur two_group")
    p.add_argument("--charset", help="captcha only: the characters to draw (default: 0-9 and A-Z without O)")
    p.set_defaults(run=generate)

    p = command("check", "list every problem of a labelled folder, and summarise what it holds")
    p.add_argument("data", help="labelled folder (labels.csv or label in file name)")
    given = p.add_mutually_exclusive_group()
    given.add_argument("--model", help=f"a .keras model or a shipped one ({SHIPPED}): check against its alphabet "
                                       "and time steps")
    given.add_argument("--alphabet", help="characters the labels may hold (default: any)")
    p.add_argument("--width", type=int,
                   help=f"without --model: the width train will use, for the time steps (default: {DEFAULT_WIDTH})")
    p.set_defaults(run=check)

    p = command("train", "train a CRNN on a labelled folder")
    p.add_argument("--data", required=True, help="labelled folder (labels.csv or label in file name)")
    val = p.add_mutually_exclusive_group()
    val.add_argument("--val-data", help="labelled folder for validation")
    val.add_argument("--val-split", type=float, default=0.1, help="share of --data held out for validation")
    p.add_argument("--out", required=True,
                   help="best model, .keras (the last one goes to OUT.last.keras, the backup for --resume to OUT.backup)")
    # Batch size, epochs, schedule, patience and shortcut default to a recipe for the number of training images
    # (ocrlib.recipe.recipe_for), printed at the start; each flag given overrides its part.
    by_size = "default: from the number of training images"
    p.add_argument("--epochs", type=_positive, help=f"most epochs to train ({by_size})")
    p.add_argument("--batch-size", type=_positive, help=f"images per batch, per replica with --distribute ({by_size})")
    p.add_argument("--learning-rate", type=float,
                   help=f"Adam's learning rate at the start (default: {LEARNING_RATE:g}, with --init {INIT_LEARNING_RATE:g})")
    p.add_argument("--schedule", choices=("plateau", "cosine"),
                   help=f"learning rate: halve when val_loss stalls, or decay to 0 over --epochs ({by_size})")
    p.add_argument("--patience", type=int, help=f"epochs without val_loss progress before stopping ({by_size})")
    p.add_argument("--alphabet", help="characters to recognise (default: those in the labels)")
    height, width, channels = DEFAULT_SHAPE
    p.add_argument("--height", type=int, help=f"image height fed to the model (default: {height}, or the --init model's)")
    p.add_argument("--width", type=_width,
                   help=f"image width fed to the model, time steps W / 4; 'any': a variable-width model for text lines, "
                        f"each image at its own width (default: {width}, or the --init model's)")
    p.add_argument("--channels", type=int, choices=(1, 3),
                   help=f"1: gray, 3: colour (default: {channels}, or the --init model's)")
    p.add_argument("--no-augment", action="store_true", help="train on the images as they are")
    p.add_argument("--extra-data", metavar="DIR",
                   help="labelled folder mixed into every training batch, e.g. synthetic images of the task an --init "
                        "model learnt, so that a small set does not make it forget; its labels must use the "
                        "alphabet of --data (or --alphabet); never validated on")
    p.add_argument("--extra-share", type=float, metavar="F",
                   help=f"with --extra-data: the share of each batch drawn from it (default: {EXTRA_SHARE:g})")
    p.add_argument("--shortcut", action=argparse.BooleanOptionalAction,
                   help="the softmax also reads the column features past the LSTMs: leaves CTC's all-blank "
                        f"start sooner on varied data such as synthetic plates ({by_size}, which gets it from "
                        f"{LARGE_SET:,} on; with --init, the --init model's)")
    p.add_argument("--init", metavar="MODEL",
                   help=f"fine-tune: start from this trained .keras model or shipped one ({SHIPPED}), its architecture "
                        "and weights (the output columns of the characters both alphabets share); its input size is "
                        "the default")
    p.add_argument("--freeze-features", action="store_true",
                   help="with --init: train only the LSTMs and the output, the CNN and dense feature layers frozen")
    p.add_argument("--unfreeze-after", type=_positive, metavar="K",
                   help="with --freeze-features: train every layer after K epochs")
    p.add_argument("--resume", action="store_true",
                   help="go on with the run backed up in OUT.backup (after Ctrl-C, a stop, a crash), if there is one; "
                        "every option but --epochs, --patience and --out must be as it was")
    p.add_argument("--seed", type=int, default=0, help="weights, validation split, shuffling and augmentation")
    p.add_argument("--distribute", choices=("mirrored",),
                   help="data-parallel on every visible GPU (MirroredStrategy on TensorFlow, DataParallel on JAX)")
    p.add_argument("--mixed-precision", action="store_true",
                   help="float16 compute with float32 weights, softmax and CTC (for GPUs with tensor cores)")
    p.set_defaults(run=train)

    p = command("evaluate", "score a model on a labelled folder")
    p.add_argument("--model", required=True, help=f"a .keras model, an .onnx export, or a shipped model ({SHIPPED})")
    p.add_argument("--data", required=True, help="labelled folder")
    p.add_argument("--decoder", choices=sorted(DECODERS), default="best_path", help="how to read the probabilities")
    p.add_argument("--json", action="store_true", help="print one JSON object and nothing else on stdout")
    p.add_argument("--strict", action="store_true",
                   help="refuse labels with characters the model cannot emit, rather than count them as wrong")
    p.add_argument("--plot", help="write probability-matrix PNGs of right and wrong predictions here")
    p.add_argument("--vote", action="store_true", help=VOTE_HELP)
    p.set_defaults(run=evaluate)

    p = command("predict", "print path<TAB>text<TAB>confidence for each image")
    p.add_argument("--model", required=True,
                   help=f"a .keras model, an .onnx export (run by ONNX Runtime), or a shipped model ({SHIPPED})")
    p.add_argument("--decoder", choices=sorted(DECODERS), default="best_path", help="how to read the probabilities")
    p.add_argument("--page", action="store_true",
                   help="each image is a page: find its lines (ocrlib.segment) and print path<TAB>line<TAB>text<TAB>"
                        "confidence for each, top to bottom; needs a variable-width model")
    p.add_argument("--vote", action="store_true", help=VOTE_HELP)
    p.add_argument("images", nargs="+", help="image files")
    p.set_defaults(run=predict)

    p = command("info", "show what a model holds: alphabet, input size, parameters, how it was trained and scored")
    p.add_argument("model", nargs="?", help=f"a .keras model or a shipped one ({SHIPPED}); without it, the shipped ones")
    p.add_argument("--json", action="store_true", help="print one JSON object and nothing else on stdout")
    p.set_defaults(run=info)

    p = command("export", "write a .keras model as ONNX, TFLite or a TensorFlow SavedModel")
    p.add_argument("--model", required=True, help=f"a .keras model written by train, or a shipped one ({SHIPPED})")
    p.add_argument("--format", required=True, choices=FORMATS, help="the format to write")
    p.add_argument("--out", required=True, help="M.onnx, M.tflite (plus M.tflite.json), or a SavedModel folder")
    p.set_defaults(run=export)
    return main


def main(argv: list[str] | None = None) -> int:
    """Run one command. Exit status: 0 done; 1 bad data or model file (``OcrlibError``), with a message
    naming it; 2 a usage error; 128 + the signal's number when SIGINT (130) or SIGTERM (143) stopped
    train, which then prints what it kept and the command that resumes it. Any other exception is a bug
    in ocrlib, and propagates with its traceback."""
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except (UsageError, OcrlibError) as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2 if isinstance(error, UsageError) else 1
    except Interrupted as interrupted:
        print(f"{interrupted}. To go on, run:\n  {_resume_command(argv)}", file=sys.stderr)
        return 128 + interrupted.signum
    return 0
