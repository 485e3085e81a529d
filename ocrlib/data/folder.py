"""Labelled folders on disk: ``DIR/labels.csv`` (``filename,text``) or the label in each file's stem."""
from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ocrlib.atomic import atomic_target
from ocrlib.data.preprocess import fit_to_size
from ocrlib.errors import DatasetError

LABELS_FILE = "labels.csv"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pbm", ".pgm", ".ppm"}


def read_image(path: str | Path) -> np.ndarray:
    """The image at ``path`` as OpenCV reads it, unchanged (8 or 16 bit, gray, BGR or BGRA)."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"image file not found: {path}")
    if path.stat().st_size == 0:
        raise DatasetError(f"image file is empty: {path}")
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise DatasetError(f"cannot read image file (not an image OpenCV can decode): {path}")
    return image


def read_labels(directory: str | Path) -> list[tuple[Path, str]]:
    """(image path, text) pairs of a labelled folder, in file order.

    With ``labels.csv`` (header ``filename,text``, filenames relative to the folder) its rows are used;
    without it, every image file's stem is its label (``abc12.png`` -> ``abc12``). A file that lies
    outside the folder (``../x.png``, an absolute path, a link to elsewhere) is refused.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise DatasetError(f"data folder not found: {directory}")
    labels_path = directory / LABELS_FILE
    if not labels_path.exists():
        images = sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise DatasetError(f"{directory} has no {LABELS_FILE} and no image files to take labels from")
        for path in images:
            if not _inside(directory, path):
                raise DatasetError(f"{path} links to a file outside {directory}")
        return [(p, p.stem) for p in images]
    with open(labels_path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        missing = {"filename", "text"} - set(reader.fieldnames or ())
        if missing:
            raise DatasetError(
                f"{labels_path}: header must name the columns filename,text; "
                f"found {reader.fieldnames}, missing {sorted(missing)}"
            )
        pairs = []
        for row in reader:
            if not row["filename"]:
                raise DatasetError(f"{labels_path}, line {reader.line_num}: empty filename")
            path = directory / row["filename"]
            if not _inside(directory, path):
                raise DatasetError(f"{labels_path}, line {reader.line_num}: {row['filename']!r} is outside {directory}")
            pairs.append((path, row["text"] or ""))
    if not pairs:
        raise DatasetError(f"{labels_path} lists no images")
    return pairs


def _inside(directory: Path, path: Path) -> bool:
    """Whether ``path``, with every link and ``..`` followed, lies in ``directory``."""
    return path.resolve().is_relative_to(directory.resolve())


def load_folder(directory: str | Path, input_shape: tuple[int, int, int]) -> tuple[np.ndarray, list[str]]:
    """Read and fit every image of a labelled folder. Returns uint8 (N, H, W, C) and N texts."""
    pairs = read_labels(directory)
    images = np.stack([fit_to_size(read_image(path), input_shape) for path, _ in pairs])
    return images, [text for _, text in pairs]


def write_folder(directory: str | Path, images: Sequence[np.ndarray], texts: Sequence[str]) -> Path:
    """Write images as PNG files plus ``labels.csv``. All or nothing: the folder is built under a
    temporary name beside ``directory`` and renamed at the end (onto an empty folder too). An existing non-empty folder is an error."""
    directory = Path(directory)
    if len(images) != len(texts):
        raise ValueError(f"{len(images)} images but {len(texts)} texts")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise DatasetError(f"{directory} already exists and is not empty: choose another folder or remove it")
    digits = len(str(max(len(texts) - 1, 0)))
    with atomic_target(directory, directory=True) as staging:
        rows = []
        for i, (image, text) in enumerate(zip(images, texts)):
            filename = f"{i:0{digits}d}.png"
            if np.asarray(image).size == 0:
                raise DatasetError(f"image {i} (label {text!r}) is empty")
            if not cv2.imwrite(str(staging / filename), image):
                raise DatasetError(f"could not write {staging / filename}")
            rows.append((filename, text))
        with open(staging / LABELS_FILE, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(["filename", "text"])
            writer.writerows(rows)
    return directory
