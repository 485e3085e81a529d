import warnings

import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.decoders import probability
from ocrlib.errors import LabelTooLongError
from ocrlib.model import build_crnn, model_output_as_loss
from tests.helpers import TINY


@pytest.fixture(scope="module")
def crnn():
    return build_crnn("0123456789", **TINY)


def test_inference_model_maps_images_to_per_step_softmax(crnn, rng):
    images = rng.uniform(0, 1, (3, 64, 128, 1)).astype(np.float32)
    probs = keras.ops.convert_to_numpy(crnn.inference_model(images, training=False))
    assert probs.shape == (3, 32, 11)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-5)
    assert np.all(probs >= 0)


def test_crnn_reports_input_shape_time_steps_and_max_label_length(crnn):
    assert crnn.input_shape == (64, 128, 1)
    assert crnn.time_steps == 32
    assert crnn.max_label_length == 32  # one step per character: a label without equal neighbours
    assert crnn.alphabet == Alphabet("0123456789")


def test_default_sized_model_has_the_documented_output():
    crnn = build_crnn("abc")
    assert crnn.inference_model.output_shape == (None, 32, 4)


def test_three_channel_input_works(rng):
    crnn = build_crnn("ab", input_shape=(64, 128, 3), **TINY)
    images = rng.uniform(0, 1, (2, 64, 128, 3)).astype(np.float32)
    probs = keras.ops.convert_to_numpy(crnn.inference_model(images, training=False))
    assert probs.shape == (2, 32, 3)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-5)


def test_training_and_inference_models_share_the_same_variables(crnn):
    training = {id(v) for v in crnn.training_model.weights}
    inference = [id(v) for v in crnn.inference_model.weights]
    assert inference and all(v in training for v in inference)
    # The CTC layer adds no weights of its own.
    assert len(crnn.training_model.weights) == len(crnn.inference_model.weights)


def test_changing_a_weight_through_the_training_model_changes_inference_output(rng):
    crnn = build_crnn("ab", **TINY)
    images = rng.uniform(0, 1, (1, 64, 128, 1)).astype(np.float32)
    before = keras.ops.convert_to_numpy(crnn.inference_model(images, training=False))
    # The last Dense layer (the softmax) of the training model: zero kernel -> uniform output.
    dense = [layer for layer in crnn.training_model.layers if isinstance(layer, keras.layers.Dense)][-1]
    dense.kernel.assign(np.zeros(dense.kernel.shape, np.float32))
    dense.bias.assign(np.zeros(dense.bias.shape, np.float32))
    after = keras.ops.convert_to_numpy(crnn.inference_model(images, training=False))
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, 1 / 3, rtol=1e-5)


def test_training_model_has_ctc_inputs_and_a_per_sample_loss(crnn):
    image, labels, label_length = crnn.training_model.inputs
    assert tuple(image.shape) == (None, 64, 128, 1)
    assert tuple(labels.shape) == (None, None) and "int" in str(labels.dtype)
    assert tuple(label_length.shape) == (None, 1)
    assert crnn.training_model.output_shape == (None, 1)


def test_max_label_length_beyond_the_time_steps_is_refused_naming_both():
    with pytest.raises(LabelTooLongError, match="max_label_length 33.*32 time steps"):
        build_crnn("ab", max_label_length=33, **TINY)


def test_max_label_length_below_the_safe_rule_only_warns():
    with pytest.warns(UserWarning, match=r"2 x 16 \+ 1 = 33"):
        build_crnn("ab", max_label_length=16, **TINY)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_crnn("ab", max_label_length=15, **TINY)  # 2 x 15 + 1 = 31 <= 32: silent


def test_check_labels_refuses_only_a_label_ctc_cannot_emit_and_names_it(crnn):
    # T = 32. "1" * 17 has 16 equal neighbours: it needs 17 + 16 = 33 steps.
    with pytest.raises(LabelTooLongError, match=r"'1{17}'.*33 time steps"):
        crnn.check_labels(["12", "1" * 17, "1234567890"])
    with pytest.raises(LabelTooLongError, match="33 time steps"):
        crnn.check_labels(["12" * 16 + "1"])  # 33 characters, no equal neighbours


def test_check_labels_warns_below_2l_plus_1_but_accepts_what_fits(crnn):
    with pytest.warns(UserWarning, match="32 time steps"):
        crnn.check_labels(["1" * 16, "1"])  # 16 + 15 = 31 steps: it fits
    with pytest.warns(UserWarning):
        crnn.check_labels(["12" * 16])  # 32 characters, 32 steps: it fits exactly
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crnn.check_labels(["123456789012345", "1"])  # 2 x 15 + 1 = 31: safe


def test_empty_alphabet_is_rejected():
    with pytest.raises(ValueError, match="empty"):
        build_crnn("")


@pytest.mark.parametrize("shape", [(60, 128, 1), (64, 126, 1)])
def test_input_shape_not_divisible_is_rejected_and_named(shape):
    with pytest.raises(ValueError, match=str(shape).replace("(", r"\(").replace(")", r"\)")):
        build_crnn("ab", input_shape=shape)


def test_the_compiled_training_loss_is_the_mean_ctc_negative_log_likelihood_of_the_labels(rng):
    crnn = build_crnn("0123456789", **TINY)
    crnn.training_model.compile(optimizer="adam", loss=model_output_as_loss)
    images = rng.uniform(0, 1, (3, 64, 128, 1)).astype(np.float32)
    texts = ["12", "7", "900"]
    labels = np.array([crnn.alphabet.encode(text.ljust(3, "0")) for text in texts], np.int32)  # padding unread
    lengths = np.array([[len(text)] for text in texts], np.int32)
    loss = crnn.training_model.evaluate({"image": images, "labels": labels, "label_length": lengths},
                                        np.zeros(3, np.float32), verbose=0)
    probs = keras.ops.convert_to_numpy(crnn.inference_model(images, training=False)).astype(np.float64)
    expected = np.mean([-np.log(probability(p, text, crnn.alphabet)) for p, text in zip(probs, texts)])
    assert loss == pytest.approx(expected, rel=1e-4)


def test_no_lambda_layer_in_the_inference_model(crnn):
    assert not any(isinstance(layer, keras.layers.Lambda) for layer in crnn.inference_model.layers)
    assert any(isinstance(layer, keras.layers.Lambda) for layer in crnn.training_model.layers)


def test_rnn_layers_0_gives_a_cnn_only_model_with_the_same_output_shape():
    cnn = build_crnn("abc", rnn_layers=0, **TINY)
    assert cnn.inference_model.output_shape == (None, 32, 4)
    assert not any(isinstance(layer, keras.layers.Bidirectional) for layer in cnn.inference_model.layers)
    assert cnn.inference_model.count_params() < build_crnn("abc", **TINY).inference_model.count_params()


def test_the_output_at_one_time_step_of_a_cnn_only_model_depends_only_on_its_receptive_field(rng):
    # Weights drawn the same way each run: now and then, untrained random weights leave one step inside
    # the changed columns blind to the change (seen once on JAX), which says nothing about the field.
    keras.utils.set_random_seed(0)
    cnn = build_crnn("abc", rnn_layers=0, **TINY)
    # conv 3x3 (+2), pool 2 (+1), conv (+2 x 2), pool (+1 x 2), conv (+2 x 4), pool 1 (+0): 1 + 2 + 1 + 4 + 2 + 8 = 18
    assert cnn.receptive_field_width == 18
    image = rng.uniform(0, 1, (1, 64, 128, 1)).astype(np.float32)
    changed = image.copy()
    # Mirror columns 100..127: their content changes, the image's mean and variance (which the
    # standardisation takes from all of it) do not.
    changed[:, :, 100:] = image[:, :, 100:][:, :, ::-1]
    before, after = (keras.ops.convert_to_numpy(cnn.inference_model(x, training=False))[0] for x in (image, changed))
    differs = np.abs(before - after).max(axis=1) > 1e-6
    # step t sees about columns 4t - 7 .. 4t + 10: steps up to 20 end well before column 100, steps from 26 start after it
    assert not differs[:20].any() and differs[26:].all()


def test_each_image_is_standardised_so_brightness_does_not_change_the_reading(crnn, rng):
    image = rng.uniform(0.1, 0.6, (2, 64, 128, 1)).astype(np.float32)
    dark, light = (keras.ops.convert_to_numpy(crnn.inference_model(x, training=False)) for x in (image, image + 0.3))
    np.testing.assert_allclose(dark, light, atol=1e-5)


@pytest.mark.parametrize("shortcut", [False, True])
def test_with_the_lstms_silenced_only_the_shortcut_model_still_sees_the_image(shortcut, rng):
    crnn = build_crnn("ab", shortcut=shortcut, **TINY)
    for layer in crnn.inference_model.layers:
        if isinstance(layer, keras.layers.Bidirectional):
            for weight in layer.weights:
                weight.assign(np.zeros(weight.shape, np.float32))
    images = rng.uniform(0, 1, (2, 64, 128, 1)).astype(np.float32)
    probs = keras.ops.convert_to_numpy(crnn.inference_model(images, training=False))
    depends_on_image = not np.allclose(probs[0], probs[1], atol=1e-6)
    assert depends_on_image == shortcut


def test_the_shortcut_adds_one_softmax_row_per_dense_feature_and_keeps_the_shapes():
    plain, shortcut = build_crnn("abc", **TINY), build_crnn("abc", shortcut=True, **TINY)
    assert shortcut.inference_model.output_shape == plain.inference_model.output_shape
    extra = TINY["dense_units"] * plain.alphabet.num_classes
    assert shortcut.inference_model.count_params() == plain.inference_model.count_params() + extra
