"""CTC loss on ``keras.ops``, so any Keras backend can train it; the training model's ``Lambda`` layer wraps it.

Its NumPy float64 reference lives in ``ocrlib.ctc_reference`` (no Keras); the names below that come from
there are re-exported for the notebooks, which import the loss and its reference side by side.
"""
from __future__ import annotations

import keras
from keras import ops

from ocrlib.ctc_reference import (backward_log_beta, ctc_gradient_reference, ctc_loss_reference, forward_log_alpha,
                                  min_time_steps)

__all__ = ["EPSILON", "backward_log_beta", "ctc_gradient_reference", "ctc_lambda", "ctc_loss", "ctc_loss_reference",
           "forward_log_alpha", "min_time_steps"]

EPSILON = 1e-7


def ctc_loss(labels, label_length, probs):
    """Per-sample CTC loss.

    labels: (B, L) int, class indices >= 1, padded with anything past ``label_length``.
    label_length: (B,) or (B, 1) int, the true length of each label.
    probs: (B, T, C) float, softmax over blank + alphabet, blank at 0. Every sample uses all T steps.
    Returns (B,) float: -log p(label | probs).
    """
    batch_size, time_steps = ops.shape(probs)[0], ops.shape(probs)[1]
    # keras.ops.ctc_loss takes logits and applies log_softmax; for probabilities that already sum
    # to one, log(probs) is its own log_softmax. The clip keeps log() finite.
    log_probs = ops.log(ops.clip(probs, EPSILON, 1.0))
    labels = ops.cast(labels, "int32")
    label_length = ops.cast(ops.reshape(label_length, (-1,)), "int32")
    steps = ops.full((batch_size,), time_steps, dtype="int32")
    if keras.backend.backend() == "tensorflow":
        return _tensorflow_ctc_loss(labels, label_length, log_probs, steps)
    return ops.ctc_loss(target=labels, output=log_probs, target_length=label_length, output_length=steps, mask_index=0)


def _tensorflow_ctc_loss(labels, label_length, log_probs, steps):
    """``tf.nn.ctc_loss`` with the labels as a ``SparseTensor``: TensorFlow then runs its C++ CTC kernel,
    where for the dense labels ``keras.ops.ctc_loss`` passes it runs a CTC built of TensorFlow ops,
    about 13 times slower on a CPU (loss and gradient, batch 32, T = 96, labels of 48). The kernel
    refuses empty labels, so each goes in as one character and its loss is then the all-blank path's."""
    import tensorflow as tf

    empty = tf.equal(label_length, 0)
    present = tf.sequence_mask(tf.maximum(label_length, 1), tf.shape(labels)[1])  # (B, L): True inside each label
    values = tf.maximum(tf.boolean_mask(labels, present), 1)  # an empty label's stand-in: class 1
    sparse = tf.SparseTensor(tf.where(present), values, tf.shape(labels, out_type=tf.int64))
    loss = tf.nn.ctc_loss(sparse, log_probs, None, steps, logits_time_major=False, blank_index=0)
    return tf.where(empty, -tf.reduce_sum(log_probs[:, :, 0], axis=1), loss)


def ctc_lambda(inputs):
    """The body of the training model's CTC ``Lambda`` layer: [probs, labels, label_length] -> (B, 1) loss."""
    probs, labels, label_length = inputs
    return ops.expand_dims(ctc_loss(labels, label_length, probs), -1)
