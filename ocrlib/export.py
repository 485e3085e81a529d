"""Models that leave Python: a recognizer's inference model as ONNX, TFLite or a TensorFlow SavedModel.

Every format takes what the Keras model takes, images (B, H, W, C) float32 in [0, 1] with any batch
size B, and for a variable-width model any width W that is a multiple of 4 (ONNX and SavedModel; TFLite
is refused), and returns the per-step probabilities (B, T, len(alphabet) + 1), blank at 0. The
alphabet and input size travel with the model as ``ocrlib.model_file`` lays down. Writes are atomic.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ocrlib.atomic import atomic_target
from ocrlib.model_file import METADATA_FILE, write_onnx_metadata, write_tflite_metadata

if TYPE_CHECKING:  # keras is imported when a model is exported: the CLI reads FORMATS without it
    import keras

    from ocrlib.recognizer import Recognizer

FORMATS = ("onnx", "tflite", "saved_model")


def export_model(recognizer: Recognizer, path: str | Path, format: str) -> Path:
    """Write ``recognizer``'s model to ``path`` in ``format`` (one of ``FORMATS``); returns ``path``.

    The model exported is its ``portable_copy``: float32 (for a mixed-precision model), and for
    TFLite with the LSTMs unrolled. Needs the TensorFlow backend.
    """
    import keras

    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}: choose one of {', '.join(FORMATS)}")
    suffix = {"onnx": ".onnx", "tflite": ".tflite", "saved_model": ""}[format]
    path = Path(path)
    if path.suffix != suffix:
        raise ValueError(f"a {format} export needs a path ending in {suffix!r}: {path}"
                         if suffix else f"a saved_model export is a folder, give a path without a suffix: {path}")
    if format == "saved_model" and path.exists():
        raise ValueError(f"{path} already exists: a SavedModel folder is not overwritten, choose another path")
    if keras.backend.backend() != "tensorflow":
        raise ValueError(f"export needs the TensorFlow backend (KERAS_BACKEND=tensorflow), not {keras.backend.backend()!r}")
    if format == "tflite" and recognizer.input_shape[1] is None:
        raise ValueError("a variable-width model cannot be exported to TFLite, whose LSTMs are unrolled over a "
                         "fixed number of time steps: export it to onnx or saved_model")
    model = portable_copy(recognizer.model, unroll=format == "tflite")
    metadata = {"alphabet": recognizer.alphabet.chars, "input_shape": list(recognizer.input_shape)}
    with atomic_target(path, directory=format == "saved_model") as temporary:
        if format == "onnx":
            model.export(str(temporary), format="onnx", verbose=False)
            write_onnx_metadata(temporary, metadata)
        elif format == "tflite":
            model.export(str(temporary), format="litert", verbose=False)
        else:
            model.export(str(temporary), format="tf_saved_model", verbose=False)
            (temporary / METADATA_FILE).write_text(json.dumps(metadata))
    if format == "tflite":
        write_tflite_metadata(path, metadata)
    return path


def portable_copy(model: keras.Model, unroll: bool = False) -> keras.Model:
    """A copy of ``model`` with the same weights that every converter takes: all layers compute in
    float32 (a mixed-precision model keeps its weights in float32 anyway), and with ``unroll`` the
    LSTMs are unrolled over their fixed number of steps, so no loop is left for TFLite to need
    TensorFlow's own (select) ops for."""
    import keras

    copy = keras.Model.from_config(_portable_config(model.get_config(), unroll))
    copy.set_weights(model.get_weights())
    # The exporters want a model that has been called; a variable width is called at 128 pixels.
    copy(keras.ops.zeros((1, *(size or 128 for size in model.input_shape[1:]))))
    return copy


def _portable_config(config, unroll: bool):
    """A layer or model config, at any depth, with every dtype policy float32 and (``unroll``) every LSTM unrolled."""
    if isinstance(config, list):
        return [_portable_config(value, unroll) for value in config]
    if not isinstance(config, dict):
        return config
    config = {key: "float32" if key == "dtype" and isinstance(value, dict) and value.get("class_name") == "DTypePolicy"
              else _portable_config(value, unroll) for key, value in config.items()}
    if unroll and config.get("class_name") == "LSTM":
        config["config"]["unroll"] = True
    return config
