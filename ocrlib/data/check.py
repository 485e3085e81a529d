"""Check a labelled folder before training on it: every problem at once, and a summary of what it holds.

Needs neither Keras nor TensorFlow: ``python -m ocrlib check`` runs it, and ``train`` runs it first.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ocrlib.alphabet import Alphabet
from ocrlib.ctc_reference import min_time_steps
from ocrlib.data.folder import read_image, scan_labels
from ocrlib.errors import DatasetError
from ocrlib.geometry import time_steps_for_width  # noqa: F401  (the T a folder is checked against without a model)


@dataclass
class FolderReport:
    """What ``check_folder`` found.

    pairs: the (image path, text) pairs its labels list; problems: one message per problem, naming
    the file (and line, or character); sizes: (width, height) -> images; modes: ``image_mode`` -> images;
    lengths: label length -> labels; characters: character -> occurrences in the labels.
    """

    pairs: list[tuple[Path, str]]
    problems: list[str]
    sizes: Counter = field(default_factory=Counter)
    modes: Counter = field(default_factory=Counter)
    lengths: Counter = field(default_factory=Counter)
    characters: Counter = field(default_factory=Counter)


def image_mode(image: np.ndarray) -> str:
    """How an image read by OpenCV stores its pixels: ``"8-bit gray"``, ``"16-bit colour+alpha"``..."""
    channels = 1 if image.ndim == 2 else image.shape[2]
    kind = {1: "gray", 3: "colour", 4: "colour+alpha"}.get(channels, f"{channels} channels")
    return f"{image.dtype.itemsize * 8}-bit {kind}"


def check_folder(directory: str | Path, alphabet: Alphabet | None = None,
                 time_steps: int | None = None) -> FolderReport:
    """Read every label and image of a labelled folder and report every problem.

    Problems: those of its labels (``ocrlib.data.folder.scan_labels``: labels.csv format, line by
    line), missing, empty or unreadable images, and unless ``alphabet`` is None characters outside it,
    unless ``time_steps`` is None labels CTC cannot emit in that many steps (T < L + r).
    """
    pairs, problems = scan_labels(directory)
    report = FolderReport(pairs, problems)
    for path, text in pairs:
        try:
            image = read_image(path)
        except DatasetError as error:
            report.problems.append(str(error))
        else:
            report.sizes[image.shape[1], image.shape[0]] += 1
            report.modes[image_mode(image)] += 1
        report.lengths[len(text)] += 1
        report.characters.update(text)
        unknown = sorted({char for char in text if alphabet is not None and char not in alphabet})
        if unknown:
            report.problems.append(f"{path}: label {text!r} holds {''.join(unknown)!r}, "
                                   f"not in the alphabet {alphabet.chars!r}")
        if time_steps is not None and min_time_steps(text) > time_steps:
            report.problems.append(f"{path}: label {text!r} needs {min_time_steps(text)} time steps "
                                   f"(its length plus its equal neighbours), and the model has {time_steps}")
    return report
