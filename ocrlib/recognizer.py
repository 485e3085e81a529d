"""A trained model with its alphabet: load, save, preprocess, predict, recognise (once, or by vote)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np

from ocrlib.alphabet import Alphabet
from ocrlib.atomic import atomic_target
from ocrlib.batch_norm import fuse_batch_norm
from ocrlib.data.folder import read_image
from ocrlib.data.preprocess import fit_to_size, pad_to_width, stack_fitted, to_model_range
from ocrlib.decoders import decode_batch, probability
from ocrlib.decoders.batch import check_decoder
from ocrlib.errors import ModelFileError
from ocrlib.geometry import BATCH_WIDTH_MULTIPLE, padded_width, time_steps_for_width
from ocrlib.model_file import read_metadata, write_metadata
from ocrlib.pretrained import pretrained_path
from ocrlib.voting import JITTERS, jittered, voted

Image = np.ndarray | str | Path


class Recognizer:
    """An inference model (image -> (B, T, len(alphabet) + 1) softmax) and the alphabet it reads."""

    def __init__(self, model: keras.Model, alphabet: Alphabet, metadata: dict | None = None):
        if model.output_shape[-1] != alphabet.num_classes:
            raise ModelFileError(
                f"model outputs {model.output_shape[-1]} classes but alphabet {alphabet.chars!r} "
                f"needs {alphabet.num_classes} (blank + {len(alphabet)})"
            )
        self.model, self.alphabet = model, alphabet
        self.metadata = dict(metadata or {})

    @property
    def input_shape(self) -> tuple[int, int | None, int]:
        """(H, W, C); W is None for a variable-width model."""
        return tuple(self.model.input_shape[1:])

    @classmethod
    def load(cls, path: str | Path) -> Recognizer:
        """Load a model written by ``save`` (.keras, with safe_mode=True: no Lambda layer, no code runs;
        its batch normalisation on TensorFlow's fused kernel, ``ocrlib.batch_norm``), or an ONNX export
        (.onnx, run by ONNX Runtime)."""
        if Path(path).suffix == ".onnx":
            from ocrlib.onnx_model import OnnxModel

            model = OnnxModel(path)
            return cls(model, Alphabet(model.metadata["alphabet"]), model.metadata)
        metadata = read_metadata(path)
        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as error:  # a damaged file fails in zipfile, h5py or Keras, with no common base class
            if "`Lambda` layer" in str(error):
                raise ModelFileError(f"{path} holds a Lambda layer, whose code safe_mode does not run: "
                                     "save the inference model (Recognizer.save), not the training model") from None
            raise ModelFileError(f"{path} is not a readable Keras model: {error}") from None
        return cls(fuse_batch_norm(model), Alphabet(metadata["alphabet"]), metadata)

    @classmethod
    def pretrained(cls, name: str) -> Recognizer:
        """The model that ships with ocrlib under ``name`` (``ocrlib.pretrained.PRETRAINED``: plates,
        captcha, equations); ``.metadata["pretrained"]`` says how it was made and what it scored."""
        return cls.load(pretrained_path(name))

    def save(self, path: str | Path, **extra_metadata) -> Path:
        """Write the inference model to ``path`` (.keras), atomically, with its metadata: alphabet,
        input size, time steps (None for a variable width), and ``extra_metadata`` (JSON values)."""
        path = Path(path)
        if path.suffix != ".keras":
            raise ValueError(f"model path must end in .keras: {path}")
        metadata = {**self.metadata, **extra_metadata, "alphabet": self.alphabet.chars,
                    "input_shape": list(self.input_shape), "time_steps": self.model.output_shape[1]}
        with atomic_target(path) as temporary:
            self.model.save(temporary)
            write_metadata(temporary, metadata)
        self.metadata = metadata
        return path

    def preprocess(self, images: Sequence[Image], rgb: bool = False) -> np.ndarray:
        """Images (arrays of any size/dtype/channels, or file paths) -> (B, H, W, C) float32 in [0, 1].

        Colour arrays are taken in OpenCV's BGR(A) order, or with ``rgb`` in RGB(A) order (PIL,
        matplotlib); files are read right either way. Float arrays must lie in [0, 1]. For a
        variable-width model, each image keeps its aspect ratio and W is the widest one's.
        """
        return stack_fitted(self._fitted(images, rgb), self.input_shape)

    def _fitted(self, images: Sequence[Image], rgb: bool) -> list[np.ndarray]:
        """uint8 (H, W_i, C) per image, fitted to the model's input (``fit_to_size``)."""
        return [fit_to_size(read_image(image), self.input_shape, name=str(image)) if isinstance(image, (str, Path))
                else fit_to_size(image, self.input_shape, rgb, name=f"image {i}") for i, image in enumerate(images)]

    def predict_proba(self, images: Sequence[Image], batch_size: int = 256, rgb: bool = False) -> np.ndarray:
        """Per-step probabilities, (B, T, len(alphabet) + 1), blank at 0; (0, T, ...) for no images.
        ``rgb``: as in ``preprocess``.

        A variable-width model reads images of similar widths together (sorted by width, each batch
        padded to a multiple of ``BATCH_WIDTH_MULTIPLE`` pixels), and T is the widest image's W / 4: the
        steps past an image's own width hold a certain blank (probability 1), which every decoder reads
        as nothing, so p(text) is unchanged.
        """
        if not len(images):
            return np.empty((0, *(n or 0 for n in self.model.output_shape[1:])), np.float32)
        if self.input_shape[1] is not None:
            return np.concatenate([self._predict(self.preprocess(images[i : i + batch_size], rgb))
                                   for i in range(0, len(images), batch_size)])
        fitted = self._fitted(images, rgb)
        steps = [time_steps_for_width(image.shape[1]) for image in fitted]
        probs = np.zeros((len(fitted), max(steps), self.alphabet.num_classes), np.float32)
        probs[:, :, 0] = 1.0
        by_width = np.argsort([image.shape[1] for image in fitted], kind="stable")
        for start in range(0, len(fitted), batch_size):
            rows = by_width[start : start + batch_size]
            width = padded_width(max(fitted[i].shape[1] for i in rows), BATCH_WIDTH_MULTIPLE)
            batch = to_model_range(pad_to_width([fitted[i] for i in rows], width))
            for i, p in zip(rows, np.asarray(self.model.predict_on_batch(batch))):
                probs[i, : steps[i]] = p[: steps[i]]
        return probs

    def _predict(self, inputs: np.ndarray) -> np.ndarray:
        """(B, H, W, C) float32 model inputs -> (B, T, len(alphabet) + 1) probabilities."""
        # predict_on_batch runs the compiled (graph/XLA) function; calling the model eagerly is ~50x slower.
        return np.asarray(self.model.predict_on_batch(inputs))

    def vote(self, images: Sequence[Image], decoder: str = "best_path", rgb: bool = False,
             batch_size: int = 256) -> list[str]:
        """The text per image that most of seven readings by ``decoder`` agree on: the image as it is and
        moved or scaled by the six ``ocrlib.voting.JITTERS``; seven times the work of one reading. For a
        model of one input size (a variable-width model's lines have no fixed frame to move them in)."""
        check_decoder(decoder)
        if self.input_shape[1] is None:
            raise ValueError("reading by vote needs a model of one input size; this one reads lines of any width")
        texts = []
        for start in range(0, len(images), batch_size):
            inputs = self.preprocess(images[start : start + batch_size], rgb)
            readings = [decode_batch(self._predict(copy), self.alphabet, decoder)
                        for copy in [inputs] + [jittered(inputs, *jitter) for jitter in JITTERS]]
            texts += voted(readings)
        return texts

    def recognize(self, images: Sequence[Image], decoder: str = "best_path",
                  rgb: bool = False, vote: bool = False) -> list[tuple[str, float]]:
        """(text, confidence) per image, read by ``decoder`` (a name in ``ocrlib.decoders.DECODERS``), or
        with ``vote`` the text most of seven readings agree on (``Recognizer.vote``); ``rgb``: as in
        ``preprocess``.

        Confidence is p(text | image): the CTC probability of the text, summed over all its alignments
        (``ocrlib.decoders.probability``), whichever decoder found the text, of the image as it is.
        """
        check_decoder(decoder)
        probs = self.predict_proba(images, rgb=rgb)
        texts = self.vote(images, decoder, rgb) if vote else decode_batch(probs, self.alphabet, decoder)
        return [(text, probability(p, text, self.alphabet)) for text, p in zip(texts, probs)]
