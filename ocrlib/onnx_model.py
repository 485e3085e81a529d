"""An exported ONNX CRNN run by ONNX Runtime, in the shape of the Keras model a ``Recognizer`` holds."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ocrlib.errors import ModelFileError
from ocrlib.model_file import read_onnx_metadata


class OnnxModel:
    """What ``Recognizer`` needs of a model: ``input_shape`` (None, H, W, C), ``output_shape``
    (None, T, C) and ``predict_on_batch(images (B, H, W, C) float32) -> probs (B, T, C)``; plus the
    ``metadata`` (alphabet, input shape) that ``export_model`` stored in the file."""

    def __init__(self, path: str | Path):
        import onnxruntime

        path = Path(path)
        if not path.is_file():
            raise ModelFileError(f"model file not found: {path}")
        try:
            self.session = onnxruntime.InferenceSession(str(path), providers=onnxruntime.get_available_providers())
        except Exception as error:  # ONNX Runtime's errors share no base class below Exception
            raise ModelFileError(f"{path} is not an ONNX model: {error}") from None
        self.metadata = read_onnx_metadata(self.session.get_modelmeta().custom_metadata_map, path)
        (self.input,), (output,) = self.session.get_inputs(), self.session.get_outputs()
        self.input_shape = (None, *self.metadata["input_shape"])
        # A dimension ONNX leaves free (a variable-width model's T) is a name there, None here, as in Keras.
        self.output_shape = (None, *(size if isinstance(size, int) else None for size in output.shape[1:]))

    def predict_on_batch(self, images: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input.name: np.asarray(images, np.float32)})[0]
