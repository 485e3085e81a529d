"""Labelled folders on disk: ``DIR/labels.csv`` (``filename,text``) or the label in each file's stem."""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ocrlib.atomic import atomic_target
from ocrlib.data.preprocess import fit_to_size
from ocrlib.errors import DatasetError

LABELS_FILE = "labels.csv"
JPEG_START, JPEG_END = b"\xff\xd8", b"\xff\xd9"  # the start- and end-of-image markers
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pbm", ".pgm", ".ppm"}


def read_image(path: str | Path) -> np.ndarray:
    """The image at ``path`` as OpenCV reads it, unchanged (8 or 16 bit, gray, BGR or BGRA).

    A ``DatasetError`` naming the file if it is missing, empty, not an image OpenCV can decode, or a
    JPEG cut short (no end-of-image marker), which OpenCV would decode with grey where data is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"image file not found: {path}")
    data = path.read_bytes()
    if not data:
        raise DatasetError(f"image file is empty: {path}")
    if data.startswith(JPEG_START) and JPEG_END not in data[len(JPEG_START):]:
        raise DatasetError(f"JPEG file is truncated (no end-of-image marker): {path}")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise DatasetError(f"cannot read image file (not an image OpenCV can decode): {path}")
    return image


def read_labels(directory: str | Path) -> list[tuple[Path, str]]:
    """(image path, text) pairs of a labelled folder, in file order; a ``DatasetError`` listing every
    problem of its labels (see ``scan_labels``) if it has any."""
    pairs, problems = scan_labels(directory)
    if len(problems) > 1:
        raise DatasetError(f"{len(problems)} problems with the labels of {directory}:\n  " + "\n  ".join(problems))
    if problems:
        raise DatasetError(problems[0])
    return pairs


def scan_labels(directory: str | Path) -> tuple[list[tuple[Path, str]], list[str]]:
    """The (image path, text) pairs of a labelled folder that can be read, and every problem found.

    With ``labels.csv`` (UTF-8, header ``filename,text``, filenames relative to the folder) its rows are
    used; without it, every image file's stem is its label (``abc12.png`` -> ``abc12``). A problem
    names the file and line: a row whose number of fields is not the header's, an empty filename, a
    filename listed twice, a file that lies outside the folder (``../x.png``, an absolute path, a link
    to elsewhere). The images themselves are not read.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return [], [f"data folder not found: {directory}"]
    labels_path = directory / LABELS_FILE
    if not labels_path.exists():
        images = sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            return [], [f"{directory} has no {LABELS_FILE} and no image files to take labels from"]
        outside = [f"{path} links to a file outside {directory}" for path in images if not _inside(directory, path)]
        return [(p, p.stem) for p in images if _inside(directory, p)], outside
    raw = labels_path.read_bytes().removeprefix(codecs.BOM_UTF8)  # so that error positions count from here
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return [], [f"{labels_path}, line {line}: not UTF-8 text (byte {raw[error.start]:#04x}): save it as UTF-8"]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    missing = {"filename", "text"} - set(header)
    if missing:
        return [], [f"{labels_path}: header must name the columns filename,text; "
                    f"found {header}, missing {sorted(missing)}"]
    filename_column, text_column = header.index("filename"), header.index("text")
    pairs, problems, first_line = [], [], {}
    try:
        for row in reader:
            where = f"{labels_path}, line {reader.line_num}"
            if len(row) != len(header):
                if row:  # not a blank line
                    problems.append(f"{where}: {len(row)} fields, the header has {len(header)} "
                                    f"(quote a text that holds a comma: \"a,b\")")
                continue
            filename = row[filename_column]
            if not filename:
                problems.append(f"{where}: empty filename")
            elif filename in first_line:
                problems.append(f"{where}: {filename!r} is listed again (first on line {first_line[filename]})")
            elif not _inside(directory, directory / filename):
                problems.append(f"{where}: {filename!r} is outside {directory}")
            else:
                first_line[filename] = reader.line_num
                pairs.append((directory / filename, row[text_column]))
    except csv.Error as error:
        problems.append(f"{labels_path}, line {reader.line_num}: {error}")
    if not pairs and not problems:
        problems.append(f"{labels_path} lists no images")
    return pairs, problems


def _inside(directory: Path, path: Path) -> bool:
    """Whether ``path``, with every link and ``..`` followed, lies in ``directory``."""
    return path.resolve().is_relative_to(directory.resolve())


def load_folder(directory: str | Path,
                input_shape: tuple[int, int | None, int]) -> tuple[np.ndarray | list[np.ndarray], list[str]]:
    """Read and fit every image of a labelled folder: ``fit_files`` of its images, and their texts."""
    pairs = read_labels(directory)
    return fit_files([path for path, _ in pairs], input_shape), [text for _, text in pairs]


def fit_files(paths: Sequence[str | Path], input_shape: tuple[int, int | None, int]) -> np.ndarray | list[np.ndarray]:
    """Read image files and fit them to ``input_shape`` (``fit_to_size``): uint8 (N, H, W, C), or for a
    variable-width model (W None) a list of (H, W_i, C). An image too wide for such a model raises an
    ``ImageTooWideError`` naming its file."""
    fitted = [fit_to_size(read_image(path), input_shape, name=str(path)) for path in paths]
    return fitted if input_shape[1] is None else np.stack(fitted)


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
