"""The CRNN: standardised image -> conv blocks -> sequence along the width -> two bidirectional LSTMs -> softmax over blank + alphabet."""
from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import keras
from keras import layers

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.batch_norm import fuse_batch_norm
from ocrlib.ctc import ctc_lambda
from ocrlib.ctc_reference import min_time_steps
from ocrlib.errors import LabelTooLongError
from ocrlib.geometry import WIDTH_MULTIPLE, WIDTH_POOLING_BLOCKS


@dataclass(frozen=True)
class CRNN:
    """Two Keras models that share every weight.

    inference_model: image (B, H, W, C) float32 in [0, 1] -> probs (B, T, len(alphabet) + 1), T = W / 4;
    W is None in the input shape of a variable-width model, which takes any multiple of 4.
    training_model: [image, labels (B, L) int32, label_length (B, 1) int32] -> CTC loss (B, 1).
    """

    inference_model: keras.Model
    training_model: keras.Model
    alphabet: Alphabet

    @property
    def input_shape(self) -> tuple[int, int | None, int]:
        return tuple(self.inference_model.input_shape[1:])

    @property
    def time_steps(self) -> int | None:
        """T, or None for a variable-width model (whose T is the image's width / 4)."""
        return self.inference_model.output_shape[1]

    @property
    def max_label_length(self) -> int | None:
        """The longest label this model can emit at all, one with no equal neighbours: T. Labels are
        padded to it. Every label of L characters fits only when T >= 2L + 1 (``check_labels``).
        None for a variable-width model: each label is checked against its own image's width."""
        return self.time_steps

    @property
    def receptive_field_width(self) -> int:
        """How many pixel columns of the image the features of one time step see, through the conv
        and pooling layers (before any LSTM, which sees the whole line). Only the image's overall
        mean and variance, used to standardise it, come from all of it."""
        width, jump = 1, 1
        for layer in self.inference_model.layers:
            if isinstance(layer, layers.Conv2D):
                width += (layer.kernel_size[1] - 1) * jump
                jump *= layer.strides[1]
            elif isinstance(layer, layers.MaxPooling2D):
                width += (layer.pool_size[1] - 1) * jump
                jump *= layer.strides[1]
        return width

    def check_labels(self, texts: Iterable[str]) -> None:
        """Raise ``LabelTooLongError`` naming a label that CTC cannot emit in this model's T time steps
        (T < L + r, r equal neighbours); warn, naming the longest label, when T < 2L + 1, the safe rule.
        A variable-width model has no T of its own: ``LineBatches`` checks each label against its image."""
        if self.time_steps is None:
            return
        texts = list(texts)
        hardest = max(texts, key=min_time_steps, default="")
        if min_time_steps(hardest) > self.time_steps:
            raise LabelTooLongError(
                f"label {hardest!r} has {len(hardest)} characters and {min_time_steps(hardest) - len(hardest)} "
                f"equal neighbours, so CTC needs at least {min_time_steps(hardest)} time steps (L + r), but the "
                f"model has {self.time_steps}: use a wider input or fewer width-pooling blocks"
            )
        _warn_below_safe_rule(len(max(texts, key=len, default="")), self.time_steps)


def _warn_below_safe_rule(length: int, time_steps: int) -> None:
    """Warn when T < 2L + 1: CTC can still emit most labels of ``length``, with little room to spare."""
    if 2 * length + 1 > time_steps:
        warnings.warn(
            f"labels of {length} characters on {time_steps} time steps: fewer than 2 x {length} + 1 = "
            f"{2 * length + 1}, the safe design rule; CTC can emit them only with few blanks between "
            f"characters, and not at all where equal neighbours need more steps than there are",
            stacklevel=3,
        )


def build_crnn(
    alphabet: str | Alphabet,
    input_shape: tuple[int, int, int] = (64, 128, 1),
    filters: tuple[int, ...] = (16, 32, 64),
    dense_units: int = 64,
    rnn_units: int = 64,
    dropout: float = 0.0,
    max_label_length: int | None = None,
    rnn_layers: int = 2,
    shortcut: bool = False,
) -> CRNN:
    """Build the inference and training models of a CRNN for ``alphabet``.

    input_shape: (H, W, C); H must be divisible by 2 ** len(filters) and W by 4. W = None builds a
    variable-width model: it reads images of any width that is a multiple of 4 (``fit_to_size`` pads
    to one), with T = W / 4 time steps, so a text line keeps its aspect ratio and T grows with it.
    rnn_layers: bidirectional LSTMs over the sequence; 0 gives a CNN-only model, whose softmax at each
    time step sees only the receptive field of its column (``receptive_field_width``).
    shortcut: the softmax reads the dense layer's column features beside the LSTMs' output (the two
    concatenated), so its gradient reaches the CNN without passing through the LSTMs: on varied data
    (plates photographed in many ways) CTC then leaves its all-blank start as soon as a CNN-only
    model does, where the plain CRNN can stay in it for many epochs.
    max_label_length: the longest label to be read, if known: ``LabelTooLongError`` when T < L (no label
    of L characters can be emitted), a warning when T < 2L + 1 (not every one can).
    """
    alphabet = as_alphabet(alphabet)
    if len(alphabet) == 0:
        raise ValueError("alphabet is empty: a model needs at least one character to recognise")
    height, width, channels = input_shape
    if height % 2 ** len(filters) or (width is not None and width % WIDTH_MULTIPLE):
        raise ValueError(
            f"input_shape {input_shape}: height must be divisible by {2 ** len(filters)} "
            f"and width by {WIDTH_MULTIPLE} (or be None, for any width)"
        )

    image = keras.Input(shape=input_shape, name="image")
    # Each image to zero mean and unit variance: light paper is then no large constant under a small
    # signal, so the batch-norm statistics hold from batch to batch and at inference.
    x = layers.LayerNormalization(axis=(1, 2, 3), center=False, scale=False, name="standardize")(image)
    for block, n_filters in enumerate(filters):
        x = layers.Conv2D(n_filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D((2, 2) if block < WIDTH_POOLING_BLOCKS else (2, 1))(x)
    # (B, H', T, F) -> (B, T, H' * F): one feature vector per column of the feature map.
    _, feature_height, _, feature_depth = x.shape
    x = layers.Permute((2, 1, 3))(x)
    x = layers.Reshape((-1, feature_height * feature_depth))(x)  # -1: T, fixed or growing with the width
    x = layers.Dense(dense_units, activation="relu")(x)
    x = features = layers.Dropout(dropout)(x)
    for _ in range(rnn_layers):
        x = layers.Bidirectional(layers.LSTM(rnn_units, return_sequences=True, dropout=dropout))(x)
    if rnn_layers and shortcut:
        x = layers.Concatenate()([features, x])
    # float32 whatever the dtype policy: a float16 softmax rounds small probabilities to 0, and CTC
    # takes their logarithm.
    probs = layers.Dense(alphabet.num_classes, activation="softmax", dtype="float32", name="probs")(x)
    inference_model = fuse_batch_norm(keras.Model(image, probs, name="crnn" if rnn_layers else "cnn"))
    crnn = CRNN(inference_model, ctc_training_model(inference_model), alphabet)
    if max_label_length is not None and crnn.time_steps is not None:
        if max_label_length > crnn.time_steps:
            raise LabelTooLongError(f"max_label_length {max_label_length}: the model has {crnn.time_steps} "
                                    f"time steps, and CTC needs at least one per character")
        _warn_below_safe_rule(max_label_length, crnn.time_steps)
    return crnn


def ctc_training_model(inference_model: keras.Model) -> keras.Model:
    """The training model around ``inference_model`` (same weights): inputs image, labels (B, L) int32
    padded with 0 and label_length (B, 1); output the CTC loss (B, 1), computed by a ``Lambda`` layer."""
    image, probs = inference_model.input, inference_model.output
    labels = keras.Input(shape=(None,), dtype="int32", name="labels")
    label_length = keras.Input(shape=(1,), dtype="int32", name="label_length")
    loss = layers.Lambda(ctc_lambda, output_shape=(1,), dtype="float32", name="ctc")([probs, labels, label_length])
    return keras.Model([image, labels, label_length], loss, name="crnn_ctc")


def model_output_as_loss(y_true, y_pred):
    """Keras loss for the training model, whose output already is the CTC loss; ``y_true`` is ignored."""
    return y_pred
