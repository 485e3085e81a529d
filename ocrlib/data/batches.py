"""The Keras batcher: in-memory images and texts -> training batches for the CRNN's training model."""
from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from ocrlib.alphabet import Alphabet
from ocrlib.data.augment import augment_batch
from ocrlib.data.preprocess import to_model_range
from ocrlib.errors import LabelTooLongError


def encode_labels(texts: Sequence[str], alphabet: Alphabet, max_label_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Texts -> (labels (N, max_label_length) int32 padded with 0, lengths (N, 1) int32).

    Raises ``UnknownCharacterError`` naming the first character outside the alphabet, and
    ``LabelTooLongError`` naming the first label longer than ``max_label_length``.
    """
    labels = np.zeros((len(texts), max_label_length), np.int32)
    lengths = np.zeros((len(texts), 1), np.int32)
    for i, text in enumerate(texts):
        encoded = alphabet.encode(text)
        if len(encoded) > max_label_length:
            raise LabelTooLongError(f"label {text!r} has {len(encoded)} characters, more than {max_label_length}")
        labels[i, : len(encoded)] = encoded
        lengths[i] = len(encoded)
    return labels, lengths


def padded_to_multiple(rows: np.ndarray, multiple: int) -> np.ndarray:
    """``rows`` (N,) repeated cyclically up to the next multiple of ``multiple``: [a, b, c], 2 -> [a, b, c, a]."""
    return np.resize(rows, len(rows) + (-len(rows) % multiple))


class Batches(keras.utils.PyDataset):
    """Batches of ``({"image", "labels", "label_length"}, dummy target)`` for the training model.

    images: uint8 (N, H, W, C), already fitted to the model's input size. Labels are checked and encoded
    up front, so a bad label fails before training starts. With ``augment``, each batch is shifted,
    contrast/brightness-jittered and noised on the fly; with ``shuffle``, the order changes every epoch.
    What epoch k draws (its order, each batch's augmentation) depends on ``seed`` and k alone, so a
    resumed run draws what an uninterrupted one would: ``set_epoch`` chooses k (``ocrlib.train.fit``
    does at the start of every epoch; without it, each ``on_epoch_end`` moves on to the next).
    replicas: every batch holds a multiple of this many images, as data-parallel training on JAX needs
    (each replica gets an equal share); a short last batch is filled up by repeating its own images.
    """

    def __init__(self, images: np.ndarray, texts: Sequence[str], alphabet: Alphabet, max_label_length: int,
                 batch_size: int = 64, shuffle: bool = False, augment: bool = False, seed: int = 0,
                 replicas: int = 1):
        super().__init__()
        if len(images) != len(texts):
            raise ValueError(f"{len(images)} images but {len(texts)} texts")
        if len(images) == 0:
            raise ValueError("no images to make batches of")
        self.images, self.texts = images, list(texts)
        self.labels, self.label_lengths = encode_labels(texts, alphabet, max_label_length)
        self.batch_size, self.shuffle, self.augment, self.replicas = batch_size, shuffle, augment, replicas
        self.seed = seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Draw the batches of epoch ``epoch`` (0-based) from now on."""
        self.epoch = epoch
        self.order = (np.random.default_rng((self.seed, epoch)).permutation(len(self.images)) if self.shuffle
                      else np.arange(len(self.images)))

    def __len__(self) -> int:
        return -(-len(self.images) // self.batch_size)

    def __getitem__(self, index: int):
        rows = padded_to_multiple(self.order[index * self.batch_size : (index + 1) * self.batch_size], self.replicas)
        images = to_model_range(self.images[rows])
        if self.augment:
            images = augment_batch(images, np.random.default_rng((self.seed, self.epoch, index)))
        inputs = {"image": images, "labels": self.labels[rows], "label_length": self.label_lengths[rows]}
        return inputs, np.zeros(len(rows), np.float32)

    def on_epoch_end(self) -> None:
        self.set_epoch(self.epoch + 1)
