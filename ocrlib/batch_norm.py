"""Batch normalisation on TensorFlow's fused kernel, for speed; the layer stays Keras' own.

Keras 3's ``BatchNormalization`` normalises with separate ops (moments, then scale and shift), each a
pass over the activations, forward and backward. TensorFlow's ``FusedBatchNormV3`` does it in one
kernel each way: the default CRNN then trains and reads about a quarter to a third faster on a CPU,
most of it saved on the first conv block's full-resolution activations (``benchmarks/batch_norm.py``).

``fuse_batch_norm(model)`` makes each ``keras.layers.BatchNormalization`` of a model run that kernel on
the TensorFlow backend, for channels-last 4-D inputs (B, H, W, C), in training and inference mode
alike: the same numbers as Keras' own path up to float rounding. Anything else (another backend, a
mask, renorm, statistics synchronised across replicas, no centre or scale) takes Keras' path. Only
the layer objects change, not their class, weights or config: a saved model is a plain Keras file
that loads without ocrlib. ``build_crnn`` and ``Recognizer.load`` fuse the models they return.
"""
from __future__ import annotations

import functools

import keras


def fuse_batch_norm(model: keras.Model) -> keras.Model:
    """Make ``model``'s BatchNormalization layers run the fused kernel (on TensorFlow); returns ``model``."""
    if keras.backend.backend() == "tensorflow":
        for layer in model.layers:
            if type(layer) is keras.layers.BatchNormalization and "call" not in vars(layer):  # not yet fused
                layer.call = functools.partial(_fused_call, layer, layer.call)
    return model


def _fused_call(layer: keras.layers.BatchNormalization, keras_call, inputs, training=None, mask=None):
    """``layer.call`` on ``FusedBatchNormV3`` where the kernel computes what ``keras_call`` would."""
    if (mask is not None or len(inputs.shape) != 4 or layer.axis not in (-1, 3) or layer.renorm
            or layer.synchronized or not (layer.center and layer.scale)):
        return keras_call(inputs, training=training, mask=mask)
    import tensorflow as tf

    x = tf.cast(inputs, keras.backend.result_type(inputs.dtype, "float32"))  # float32 at least, as Keras does
    gamma, beta = tf.cast(layer.gamma, x.dtype), tf.cast(layer.beta, x.dtype)
    if training and layer.trainable:
        outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(x, gamma, beta, epsilon=layer.epsilon,
                                                                   is_training=True)
        # The kernel returns the unbiased variance (over n values per channel); Keras keeps the biased one.
        n = tf.cast(tf.size(x) // tf.shape(x)[-1], variance.dtype)
        # The updates wait for the outputs: with that control edge, TensorFlow's graph optimiser does not
        # fuse the kernel with a following ReLU into oneDNN's, which turns a NaN into 0 and would hide a
        # diverging run from the loss (and so from ocrlib.train's NaN guard). It costs no speed.
        with tf.control_dependencies([outputs]):
            for moving, batch in ((layer.moving_mean, mean), (layer.moving_variance, variance * (n - 1) / n)):
                moving.assign(moving * layer.momentum + tf.cast(batch, moving.dtype) * (1.0 - layer.momentum))
    else:
        outputs, _, _ = tf.compat.v1.nn.fused_batch_norm(
            x, gamma, beta, mean=tf.cast(layer.moving_mean, x.dtype), variance=tf.cast(layer.moving_variance, x.dtype),
            epsilon=layer.epsilon, is_training=False)
    return tf.cast(outputs, layer.compute_dtype)
