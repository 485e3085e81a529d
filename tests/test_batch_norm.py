"""``ocrlib.batch_norm``: Keras' BatchNormalization on TensorFlow's fused kernel computes what Keras' own
path computes, and leaves model files plain Keras. On JAX the layer is Keras' own, and these hold trivially."""
import json
import zipfile

import keras
import numpy as np
import pytest

from ocrlib.batch_norm import fuse_batch_norm


def twin_layers(shape, rng, **options):
    """(fused, Keras' own): BatchNormalization layers built for ``shape`` with the same random weights."""
    fused, plain = (keras.Sequential([keras.Input(shape[1:]), keras.layers.BatchNormalization(**options)])
                    for _ in range(2))
    fused, plain = fuse_batch_norm(fused).layers[0], plain.layers[0]
    weights = [rng.uniform(0.5, 2.0, w.shape).astype("float32") for w in plain.get_weights()]
    for layer in (fused, plain):
        layer.set_weights(weights)
    return fused, plain


@pytest.fixture
def activations(rng):
    """(B, H, W, C) float32 far from zero mean and unit variance, as a conv layer's output is."""
    return rng.normal(2.0, 3.0, (4, 6, 8, 5)).astype("float32")


def test_training_mode_normalises_by_the_batch_and_moves_the_statistics_as_keras_does(activations, rng):
    fused, plain = twin_layers(activations.shape, rng)
    initial = fused.moving_mean.numpy().copy()
    for _ in range(3):
        np.testing.assert_allclose(fused(activations, training=True), plain(activations, training=True), atol=1e-5)
    np.testing.assert_allclose(fused.moving_mean.numpy(), plain.moving_mean.numpy(), rtol=1e-6)
    np.testing.assert_allclose(fused.moving_variance.numpy(), plain.moving_variance.numpy(), rtol=1e-6)
    assert not np.allclose(fused.moving_mean.numpy(), initial), "the statistics moved"


def test_inference_mode_normalises_by_the_moving_statistics(activations, rng):
    fused, plain = twin_layers(activations.shape, rng)
    np.testing.assert_allclose(fused(activations, training=False), plain(activations, training=False), atol=1e-5)


def test_a_frozen_layer_normalises_by_its_moving_statistics_even_in_training(activations, rng):
    fused, plain = twin_layers(activations.shape, rng)
    fused.trainable = plain.trainable = False
    before = fused.moving_mean.numpy().copy()
    np.testing.assert_allclose(fused(activations, training=True), plain(activations, training=False), atol=1e-5)
    np.testing.assert_array_equal(fused.moving_mean.numpy(), before)


def test_inputs_the_kernel_does_not_take_go_keras_way(rng):
    features = rng.normal(2.0, 3.0, (16, 5)).astype("float32")  # (B, F): not 4-D
    fused, plain = twin_layers(features.shape, rng)
    np.testing.assert_allclose(fused(features, training=True), plain(features, training=True), atol=1e-5)
    images = rng.normal(size=(4, 6, 8, 5)).astype("float32")
    for options in ({"center": False}, {"renorm": True}):
        fused, plain = twin_layers(images.shape, rng, **options)
        np.testing.assert_allclose(fused(images, training=True), plain(images, training=True), atol=1e-5)


def test_gradients_match_keras_layer(activations, rng):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the fused kernel runs on TensorFlow only")
    import tensorflow as tf

    x = tf.constant(activations)
    weights = tf.constant(rng.normal(size=activations.shape).astype("float32"))  # a loss that weighs every output
    gradients = []
    for layer in twin_layers(activations.shape, rng):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(layer(x, training=True) * weights)
        gradients.append(tape.gradient(loss, [x, layer.gamma.value, layer.beta.value]))
    for fused, plain in zip(*gradients):
        np.testing.assert_allclose(fused, plain, atol=1e-4)


def test_a_saved_crnn_is_a_plain_keras_file_that_reads_the_same(tmp_path, rng):
    from ocrlib.model import build_crnn

    crnn = build_crnn("AB", filters=(4, 8))
    path = tmp_path / "m.keras"
    crnn.inference_model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    modules = {layer["module"] for layer in config["config"]["layers"]}
    assert all(module.startswith("keras") for module in modules), modules
    assert any(layer["class_name"] == "BatchNormalization" for layer in config["config"]["layers"])
    images = rng.uniform(size=(2, 64, 128, 1)).astype("float32")
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict_on_batch(images), crnn.inference_model.predict_on_batch(images),
                               atol=1e-5)
