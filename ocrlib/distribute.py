"""Where training runs: data-parallel over every visible device, and mixed precision, on either Keras backend."""
from __future__ import annotations

from contextlib import AbstractContextManager, contextmanager

import keras


def data_parallel() -> tuple[AbstractContextManager, int]:
    """A scope to build, compile and fit the model in, so that each batch is split evenly over every
    visible GPU (with none, every logical CPU device), and the number of replicas.

    TensorFlow: ``tf.distribute.MirroredStrategy``; JAX: ``keras.distribution.DataParallel``. Each
    replica holds a copy of the weights and computes the gradient of its share of the batch; the
    gradients are summed before every update, so the copies stay equal.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        strategy = tf.distribute.MirroredStrategy([device.name for device in devices])
        return strategy.scope(), strategy.num_replicas_in_sync
    if backend == "jax":
        import jax

        devices = jax.devices("gpu") if jax.default_backend() == "gpu" else jax.devices("cpu")
        distribution = keras.distribution.DataParallel(devices=devices)
        return distribution.scope(), len(devices)
    raise ValueError(f"data-parallel training needs the TensorFlow or JAX backend, not {backend!r}")


@contextmanager
def mixed_precision():
    """Layers built inside compute in float16 and keep float32 weights (``mixed_float16``), which is
    faster on GPUs with tensor cores; the CRNN keeps its softmax and CTC loss in float32, and Keras
    scales the loss so that small float16 gradients do not underflow. The previous policy comes back on exit."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
