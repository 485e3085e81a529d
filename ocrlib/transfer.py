"""Fine-tuning: a new CRNN built like a trained one and started from its weights, for another alphabet
if need be, and the CNN and dense feature layers frozen or unfrozen. Layers are paired by position
and told apart by their type, never by their names."""
from __future__ import annotations

import keras
import numpy as np
from keras import layers

from ocrlib.alphabet import Alphabet, as_alphabet
from ocrlib.errors import TransferError
from ocrlib.model import CRNN, build_crnn
from ocrlib.recognizer import Recognizer


def _parts(source: Recognizer | CRNN) -> tuple[keras.Model, Alphabet]:
    """The inference model (image -> (B, T, len(alphabet) + 1)) and alphabet of ``source``."""
    model = source.model if isinstance(source, Recognizer) else source.inference_model
    if not isinstance(model, keras.Model):
        raise TransferError(f"weights can only come from a Keras model (.keras), not from {type(model).__name__}")
    return model, source.alphabet


def output_layer(model: keras.Model) -> layers.Dense:
    """The softmax over blank + alphabet: the model's last Dense layer."""
    return [layer for layer in model.layers if isinstance(layer, layers.Dense)][-1]


def architecture(model: keras.Model) -> dict:
    """The ``build_crnn`` options that built ``model``, read from its layers: filters, dense_units,
    rnn_layers, shortcut, dropout, and rnn_units where it has recurrent layers."""
    recurrent = [layer for layer in model.layers if isinstance(layer, layers.Bidirectional)]
    dense = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
    options = {"filters": tuple(layer.filters for layer in model.layers if isinstance(layer, layers.Conv2D)),
               "dense_units": dense[0].units, "rnn_layers": len(recurrent),
               "shortcut": any(isinstance(layer, layers.Concatenate) for layer in model.layers),
               "dropout": next(layer.rate for layer in model.layers if isinstance(layer, layers.Dropout))}
    return {**options, "rnn_units": recurrent[0].forward_layer.units} if recurrent else options


def crnn_like(source: Recognizer | CRNN, alphabet: str | Alphabet | None = None,
              input_shape: tuple[int, int, int] | None = None) -> tuple[CRNN, str, str, str]:
    """A new CRNN for ``alphabet`` (default: the source's) built like ``source`` and holding its weights
    (``transfer_weights``), and the (kept, added, dropped) characters.

    input_shape: (H, W, C), must be the source's (its default); ``TransferError`` naming both otherwise.
    """
    model, source_alphabet = _parts(source)
    source_shape = tuple(model.input_shape[1:])
    input_shape = source_shape if input_shape is None else tuple(input_shape)
    if input_shape != source_shape:
        raise TransferError(f"the model to start from reads images of {source_shape} (height, width, channels), "
                            f"not {input_shape}: fine-tune at its input size")
    target = build_crnn(source_alphabet if alphabet is None else alphabet, input_shape, **architecture(model))
    return (target, *transfer_weights(source, target))


def transfer_weights(source: Recognizer | CRNN, target: CRNN) -> tuple[str, str, str]:
    """Copy the weights of ``source`` into ``target``, a CRNN of the same architecture and input size,
    and return the (kept, added, dropped) characters: in both alphabets, only in the target's, only in
    the source's.

    Every layer but the output is copied whole. The output Dense (kernel (F, len(alphabet) + 1), bias
    (len(alphabet) + 1,)) gets the source's columns of the blank (0) and of each kept character, at their
    indices in the target's alphabet; an added character keeps the target's fresh initial weights.
    ``TransferError`` where input sizes or layers differ, or the two alphabets share no character.
    """
    model, alphabet = _parts(source)
    target_model, target_alphabet = target.inference_model, target.alphabet
    source_shape, target_shape = tuple(model.input_shape[1:]), tuple(target_model.input_shape[1:])
    if source_shape != target_shape:
        raise TransferError(f"the source model reads images of {source_shape} (height, width, channels) "
                            f"but the target model {target_shape}: the weights fit only the same input size")
    kept = "".join(char for char in target_alphabet if char in alphabet)
    if not kept:
        raise TransferError(f"the alphabets {alphabet.chars!r} and {target_alphabet.chars!r} share no "
                            "character: nothing the model learnt to read would carry over")
    pairs = list(zip(model.layers, target_model.layers))
    if len(model.layers) != len(target_model.layers) or any(type(a) is not type(b) for a, b in pairs):
        raise TransferError(f"the source model's layers ({_layer_types(model)}) are not the target's "
                            f"({_layer_types(target_model)}): build the target like the source (crnn_like)")
    source_output = output_layer(model)
    for layer, target_layer in pairs:
        weights = layer.get_weights()
        if layer is source_output:
            weights = _output_weights(weights, target_layer.get_weights(), alphabet, target_alphabet)
        shapes, target_shapes = [w.shape for w in weights], [w.shape for w in target_layer.get_weights()]
        if shapes != target_shapes:
            raise TransferError(f"layer {type(layer).__name__} holds weights of shapes {shapes} in the source "
                                f"model but {target_shapes} in the target: build the target like the source (crnn_like)")
        target_layer.set_weights(weights)
    added = "".join(char for char in target_alphabet if char not in alphabet)
    dropped = "".join(char for char in alphabet if char not in target_alphabet)
    return kept, added, dropped


def _output_weights(source: list[np.ndarray], target: list[np.ndarray], alphabet: Alphabet,
                    target_alphabet: Alphabet) -> list[np.ndarray]:
    """The target's output [kernel (F, C'), bias (C',)] with the source's columns (of [kernel (F, C),
    bias (C,)]) of the blank and of each shared character put at their target indices."""
    if source[0].shape[0] != target[0].shape[0]:
        raise TransferError(f"the output layer reads {source[0].shape[0]} features in the source model but "
                            f"{target[0].shape[0]} in the target: build the target like the source (crnn_like)")
    shared = [char for char in target_alphabet if char in alphabet]
    rows = [0, *(alphabet.encode(char)[0] for char in shared)]
    target_rows = [0, *(target_alphabet.encode(char)[0] for char in shared)]
    merged = [weight.copy() for weight in target]
    for weight, source_weight in zip(merged, source):
        weight[..., target_rows] = source_weight[..., rows]
    return merged


def _layer_types(model: keras.Model) -> str:
    return ", ".join(type(layer).__name__ for layer in model.layers)


def freeze_features(crnn: CRNN) -> list[keras.layers.Layer]:
    """Make the feature layers untrainable, those before the first recurrent (Bidirectional) layer, or
    before the output in a CNN-only model, so that training changes only the LSTMs and the output;
    return them. A model must be compiled again for a change of ``trainable`` to count."""
    model = crnn.inference_model
    stop = next((layer for layer in model.layers if isinstance(layer, layers.Bidirectional)), output_layer(model))
    frozen = model.layers[: model.layers.index(stop)]
    for layer in frozen:
        layer.trainable = False
    return frozen


def unfreeze(crnn: CRNN) -> None:
    """Make every layer of ``crnn`` trainable again (compile again for it to count)."""
    for layer in crnn.inference_model.layers:
        layer.trainable = True
