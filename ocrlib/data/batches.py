"""The Keras batchers: in-memory images and texts -> training batches for the CRNN's training model
(``Batches`` for a fixed input size, ``LineBatches`` for a variable-width model)."""
from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from ocrlib.alphabet import Alphabet
from ocrlib.data.augment import augment_batch
from ocrlib.ctc_reference import min_time_steps
from ocrlib.data.preprocess import pad_to_width, to_model_range
from ocrlib.errors import LabelTooLongError, UnknownCharacterError
from ocrlib.geometry import BATCH_WIDTH_MULTIPLE, padded_width, time_steps_for_width


def encode_labels(texts: Sequence[str], alphabet: Alphabet, max_label_length: int,
                  name: str = "text") -> tuple[np.ndarray, np.ndarray]:
    """Texts -> (labels (N, max_label_length) int32 padded with 0, lengths (N, 1) int32).

    Raises ``UnknownCharacterError`` naming the first character outside the alphabet, and
    ``LabelTooLongError`` naming the first label longer than ``max_label_length``, each after ``name``
    and the text's index: ``text 3: ...``.
    """
    labels = np.zeros((len(texts), max_label_length), np.int32)
    lengths = np.zeros((len(texts), 1), np.int32)
    for i, text in enumerate(texts):
        try:
            encoded = alphabet.encode(text)
        except UnknownCharacterError as error:
            raise UnknownCharacterError(f"{name} {i}: {error}") from None
        if len(encoded) > max_label_length:
            raise LabelTooLongError(f"{name} {i}: label {text!r} has {len(encoded)} characters, "
                                    f"more than {max_label_length}")
        labels[i, : len(encoded)] = encoded
        lengths[i] = len(encoded)
    return labels, lengths


def _check_sizes(images: np.ndarray, texts: Sequence[str], name: str) -> None:
    """A ValueError unless there are as many ``name`` (images) as texts, and at least one."""
    if len(images) != len(texts):
        raise ValueError(f"{len(images)} {name} but {len(texts)} texts")
    if len(images) == 0:
        raise ValueError(f"no {name} to make batches of")


def padded_to_multiple(rows: np.ndarray, multiple: int) -> np.ndarray:
    """``rows`` (N,) repeated cyclically up to the next multiple of ``multiple``: [a, b, c], 2 -> [a, b, c, a]."""
    return np.resize(rows, len(rows) + (-len(rows) % multiple))


def extra_images_per_batch(share: float, batch_size: int, name: str = "extra_share") -> int:
    """How many images of each batch of ``batch_size`` an extra set mixed in at ``share`` gives:
    round(share * batch_size). A ValueError naming ``name`` and the share unless 0 < share < 1 and
    both sets give every batch at least one image."""
    if not 0 < share < 1:
        raise ValueError(f"{name} must be between 0 and 1, got {share}")
    count = round(share * batch_size)
    if not 0 < count < batch_size:
        raise ValueError(f"{name} {share} of a batch of {batch_size} images is {count} extra images: every batch "
                         "needs at least one image of each set (use larger batches, or a share nearer 0.5)")
    return count


def drawn_in_turn(rng: np.random.Generator, n: int, count: int) -> np.ndarray:
    """``count`` indices of ``n`` items (count,): a random order of all of them, then another, and so on,
    so no item comes twice before every one has come once."""
    return np.concatenate([rng.permutation(n) for _ in range(-(-count // n))])[:count]


class _EpochBatches(keras.utils.PyDataset):
    """What ``Batches`` and ``LineBatches`` share: a batch from its images and rows, augmented by seed,
    epoch and index; ``on_epoch_end`` draws the next epoch's batches (``set_epoch``)."""

    def _batch(self, images: np.ndarray, rows: np.ndarray, index: int):
        """images: uint8 (B, H, W, C) of ``rows`` -> the training model's inputs and a dummy target."""
        images = to_model_range(images)
        if self.augment:
            images = augment_batch(images, np.random.default_rng((self.seed, self.epoch, index)))
        inputs = {"image": images, "labels": self.labels[rows], "label_length": self.label_lengths[rows]}
        return inputs, np.zeros(len(rows), np.float32)

    def on_epoch_end(self) -> None:
        self.set_epoch(self.epoch + 1)


class Batches(_EpochBatches):
    """Batches of ``({"image", "labels", "label_length"}, dummy target)`` for the training model.

    images: uint8 (N, H, W, C), already fitted to the model's input size. Labels are checked and encoded
    up front, so a bad label fails before training starts. With ``augment``, each batch is shifted,
    contrast/brightness-jittered and noised on the fly; with ``shuffle``, the order changes every epoch.
    What epoch k draws (its order, each batch's augmentation) depends on ``seed`` and k alone, so a
    resumed run draws what an uninterrupted one would: ``set_epoch`` chooses k (``ocrlib.train.fit``
    does at the start of every epoch; without it, each ``on_epoch_end`` moves on to the next).
    replicas: every batch holds a multiple of this many images, as data-parallel training on JAX needs
    (each replica gets an equal share); a short last batch is filled up by repeating its own images.

    extra: (images uint8 (M, H, W, C), M texts), a second set mixed into every batch, e.g. synthetic
    images of the task a model was pretrained on, so that fine-tuning on a few images does not make it
    forget that task. Of each batch, round(extra_share * batch_size) images come from it
    (``extra_images_per_batch``), drawn by ``seed`` and the epoch, none twice in an epoch unless the
    epoch needs more than M; the rest come from ``images``. An epoch still shows every main image once,
    in ceil(N / (batch_size - round(extra_share * batch_size))) batches. ``images`` and ``texts`` then
    hold the extra ones after the N main ones.
    """

    def __init__(self, images: np.ndarray, texts: Sequence[str], alphabet: Alphabet, max_label_length: int,
                 batch_size: int = 64, shuffle: bool = False, augment: bool = False, seed: int = 0,
                 replicas: int = 1, extra: tuple[np.ndarray, Sequence[str]] | None = None,
                 extra_share: float = 0.25):
        super().__init__()
        _check_sizes(images, texts, "images")
        self.main_count, self.extra_per_batch = len(images), 0
        encoded = [encode_labels(texts, alphabet, max_label_length)]
        if extra is not None:
            extra_images, extra_texts = extra
            _check_sizes(extra_images, extra_texts, "extra images")
            if extra_images.shape[1:] != images.shape[1:]:
                raise ValueError(f"the extra images are {extra_images.shape[1:]} (H, W, C), the images "
                                 f"{images.shape[1:]}: fit both to the model's input")
            self.extra_per_batch = extra_images_per_batch(extra_share, batch_size)
            encoded.append(encode_labels(extra_texts, alphabet, max_label_length, name="extra text"))
            images, texts = np.concatenate([images, extra_images]), [*texts, *extra_texts]
        self.images, self.texts = images, list(texts)
        self.labels, self.label_lengths = (np.concatenate(arrays) for arrays in zip(*encoded))
        self.batch_size, self.shuffle, self.augment, self.replicas = batch_size, shuffle, augment, replicas
        self.seed = seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Draw the batches of epoch ``epoch`` (0-based) from now on."""
        self.epoch = epoch
        rng = np.random.default_rng((self.seed, epoch))
        self.order = rng.permutation(self.main_count) if self.shuffle else np.arange(self.main_count)
        extra_count = len(self.images) - self.main_count
        self.extra_order = (self.main_count + drawn_in_turn(rng, extra_count, len(self) * self.extra_per_batch)
                            if extra_count else np.arange(0))

    def __len__(self) -> int:
        return -(-self.main_count // (self.batch_size - self.extra_per_batch))

    def __getitem__(self, index: int):
        main, extra = self.batch_size - self.extra_per_batch, self.extra_per_batch
        rows = np.concatenate([self.order[index * main : (index + 1) * main],
                               self.extra_order[index * extra : (index + 1) * extra]])
        rows = padded_to_multiple(rows, self.replicas)
        return self._batch(self.images[rows], rows, index)


class LineBatches(_EpochBatches):
    """``Batches`` for a variable-width model (``build_crnn(alphabet, (H, None, C))``): text lines.

    images: uint8 (H, W_i, C) each, fitted to the model's height (``fit_to_size``, so each W_i is a
    multiple of 4). Each label is checked up front against its own image's T = W_i / 4: a
    ``LabelTooLongError`` names the first one CTC cannot emit there (T < L + r), by its entry in
    ``names`` (file paths, say) or else as ``text i``.

    Images of similar widths share a batch (width buckets): each epoch sorts the images by width, ties
    in an order drawn by ``seed`` and the epoch, cuts that list into batches and (with ``shuffle``)
    shuffles the batches, so each batch is padded (``pad_to_width``) only to its own widest image,
    rounded up to a multiple of ``BATCH_WIDTH_MULTIPLE`` (few widths, few graphs to compile). Labels
    are padded to the longest label, rounded up to a multiple of 16. ``augment``, ``seed`` and
    ``set_epoch`` work as in ``Batches``.
    """

    replicas = 1  # one device: the buckets give batches of different widths

    def __init__(self, images: Sequence[np.ndarray], texts: Sequence[str], alphabet: Alphabet,
                 batch_size: int = 64, shuffle: bool = False, augment: bool = False, seed: int = 0,
                 names: Sequence[str] | None = None):
        super().__init__()
        _check_sizes(images, texts, "images")
        shapes = {(image.shape[0], image.shape[2]) for image in images}
        if len(shapes) != 1:
            raise ValueError(f"the images have {len(shapes)} different heights or channel counts "
                             f"({sorted(shapes)} as (H, C)): fit them all to the model's input")
        self.widths = np.array([image.shape[1] for image in images])
        for i, (width, text) in enumerate(zip(self.widths, texts)):
            needed, steps = min_time_steps(text), time_steps_for_width(width)
            if needed > steps:
                raise LabelTooLongError(f"{names[i] if names else f'text {i}'}: label {text!r} needs at least {needed} "
                                        f"time steps (L + r), but its image is {width} pixels wide, {steps} steps: "
                                        "fit it at a larger height, or check its label")
        self.images, self.texts = list(images), list(texts)
        # Padded to a multiple of 16: training and validation sets then share one label width, one graph.
        self.labels, self.label_lengths = encode_labels(texts, alphabet, padded_width(max(map(len, texts)) or 1, 16))
        self.batch_size, self.shuffle, self.augment, self.seed = batch_size, shuffle, augment, seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Draw the batches of epoch ``epoch`` (0-based) from now on."""
        self.epoch = epoch
        rng = np.random.default_rng((self.seed, epoch))
        ties = rng.permutation(len(self.images)) if self.shuffle else np.arange(len(self.images))
        by_width = ties[np.argsort(self.widths[ties], kind="stable")]
        batches = [by_width[i : i + self.batch_size] for i in range(0, len(by_width), self.batch_size)]
        batches = [batches[k] for k in rng.permutation(len(batches))] if self.shuffle else batches
        # Keras' TensorFlow adapter fixes the input signature from the first two batches: where they share
        # a width it would refuse every other width, so the second is swapped with the first batch of another width.
        widths = [padded_width(self.widths[rows].max(), BATCH_WIDTH_MULTIPLE) for rows in batches]
        other = next((k for k in range(1, len(batches)) if widths[k] != widths[0]), None)
        if other is not None:
            batches[1], batches[other] = batches[other], batches[1]
        self.batches = batches

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, index: int):
        rows = self.batches[index]
        width = padded_width(self.widths[rows].max(), BATCH_WIDTH_MULTIPLE)
        return self._batch(pad_to_width([self.images[i] for i in rows], width), rows, index)
