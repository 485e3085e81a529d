"""What a model file carries besides the network: ocrlib's metadata (alphabet, input size, and for a
trained model its epoch and logs) as one JSON object, and where each format keeps it.

- ``.keras``: an entry ``ocrlib.json`` inside the zip, beside Keras' own files; Keras ignores it,
  so the file stays a plain Keras model that loads with ``safe_mode=True``.
- ``.onnx``: the model's metadata property ``ocrlib``.
- ``.tflite``: a file beside it, ``M.tflite.json``, which holds the SHA-256 of the model it describes:
  the two are written one after the other, so a crash between the writes leaves a sidecar whose hash
  names another model, and ``read_tflite_metadata`` refuses it.
- TensorFlow SavedModel: ``ocrlib.json`` inside the folder.

Needs neither Keras nor ONNX to import: the CLI reads model files before it starts a backend.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from ocrlib.alphabet import Alphabet
from ocrlib.atomic import atomic_target
from ocrlib.errors import ModelFileError

METADATA_FILE = "ocrlib.json"  # in a .keras zip and in a SavedModel folder
METADATA_KEY = "ocrlib"  # an ONNX metadata property
# Far more than real metadata holds (an alphabet, sizes, training arguments, one epoch's logs): a larger
# entry is refused after reading at most this much of it, whatever size its zip header claims.
MAX_METADATA_BYTES = 2**20


def read_metadata(path: str | Path) -> dict:
    """ocrlib's metadata of a ``.keras`` model (alphabet, input shape, training epoch and logs), without loading it.

    A ``ModelFileError`` naming the file if it is missing, not a zip, or its ``ocrlib.json`` is missing,
    not JSON, has no valid alphabet or is larger than ``MAX_METADATA_BYTES``.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    try:
        with zipfile.ZipFile(path) as archive, archive.open(METADATA_FILE) as entry:
            metadata = _parse(entry.read(MAX_METADATA_BYTES + 1))
    except (zipfile.BadZipFile, KeyError, TypeError, ValueError) as error:
        raise ModelFileError(
            f"{path} is not an ocrlib model (a .keras file with a valid {METADATA_FILE}): {error!r}"
        ) from None
    return metadata


def _parse(text: str | bytes) -> dict:
    """Metadata JSON -> dict; ValueError if it is larger than ``MAX_METADATA_BYTES`` or not JSON, KeyError or
    TypeError if it holds no valid alphabet."""
    if len(text) > MAX_METADATA_BYTES:
        raise ValueError(f"the metadata is larger than {MAX_METADATA_BYTES} bytes")
    metadata = json.loads(text)
    Alphabet(metadata["alphabet"])
    return metadata


def write_metadata(path: str | Path, metadata: dict) -> None:
    """Add ``metadata`` to the ``.keras`` zip at ``path`` (just written by Keras)."""
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(METADATA_FILE, json.dumps(metadata))


def write_onnx_metadata(path: str | Path, metadata: dict) -> None:
    """Store ``metadata`` in the ONNX file at ``path`` as its ``ocrlib`` property."""
    import onnx

    model = onnx.load(path)
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(metadata)
    onnx.save(model, path)


def read_onnx_metadata(properties: dict[str, str], path: str | Path) -> dict:
    """ocrlib's metadata from an ONNX model's metadata ``properties`` (ONNX Runtime's
    ``custom_metadata_map``); ``path`` names the file in the error."""
    try:
        metadata = _parse(properties[METADATA_KEY])
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{path} has no ocrlib metadata ({error!r}): write it with python -m ocrlib export") from None
    return metadata


def tflite_metadata_path(path: str | Path) -> Path:
    """Where the metadata of a TFLite export lives: ``M.tflite`` -> ``M.tflite.json``."""
    return Path(f"{path}.json")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_tflite_metadata(path: str | Path, metadata: dict) -> None:
    """Write ``metadata`` beside the TFLite model at ``path`` (already in place), atomically, with the model's SHA-256."""
    with atomic_target(tflite_metadata_path(path)) as temporary:
        temporary.write_text(json.dumps({**metadata, "sha256": _sha256(Path(path))}))


def read_tflite_metadata(path: str | Path) -> dict:
    """ocrlib's metadata of the TFLite model at ``path``, from ``M.tflite.json``; ``ModelFileError`` if the
    sidecar is missing, unreadable, or written for another model than the one at ``path``."""
    path, sidecar = Path(path), tflite_metadata_path(path)
    try:
        metadata = _parse(sidecar.read_bytes())
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{sidecar} is not the metadata of an ocrlib TFLite export: {error!r}") from None
    if metadata.get("sha256") != _sha256(path):
        raise ModelFileError(f"{sidecar} describes another model than {path} (its SHA-256 differs): "
                             "export the model again")
    return metadata
