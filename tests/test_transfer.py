import keras
import numpy as np
import pytest

import ocrlib
from ocrlib.errors import TransferError
from ocrlib.model import build_crnn
from ocrlib.recognizer import Recognizer
from ocrlib.transfer import architecture, crnn_like, freeze_features, output_layer, transfer_weights
from tests.helpers import TINY


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A saved and reloaded CRNN with a shortcut and weights unlike a fresh one's (seeded noise)."""
    keras.utils.set_random_seed(1)
    crnn = build_crnn("abc", **TINY, shortcut=True)
    rng = np.random.default_rng(0)
    crnn.inference_model.set_weights([w + rng.normal(0, 0.1, w.shape).astype(w.dtype)
                                      for w in crnn.inference_model.get_weights()])
    path = tmp_path_factory.mktemp("transfer") / "source.keras"
    return Recognizer.load(Recognizer(crnn.inference_model, crnn.alphabet).save(path))


def test_same_alphabet_copies_every_weight_so_predictions_are_identical(source, rng):
    images = rng.uniform(0, 1, (2, 64, 128, 1)).astype(np.float32)
    target, kept, added, dropped = crnn_like(source)
    assert (kept, added, dropped) == ("abc", "", "")
    assert architecture(target.inference_model) == architecture(source.model)
    np.testing.assert_array_equal(target.inference_model.predict_on_batch(images), source.model.predict_on_batch(images))


def test_other_alphabet_puts_shared_output_columns_at_their_new_indices_and_keeps_new_ones_fresh(source):
    keras.utils.set_random_seed(2)
    target = build_crnn("xcab", **TINY, shortcut=True)
    initial = [w.copy() for w in output_layer(target.inference_model).get_weights()]
    kept, added, dropped = transfer_weights(source, target)
    assert (kept, added, dropped) == ("cab", "x", "")
    (kernel, bias), (source_kernel, source_bias) = (output_layer(target.inference_model).get_weights(),
                                                    output_layer(source.model).get_weights())
    # target columns: 0 blank, 1 x, 2 c, 3 a, 4 b; source columns: 0 blank, 1 a, 2 b, 3 c
    np.testing.assert_array_equal(kernel[:, [0, 3, 4, 2]], source_kernel)
    np.testing.assert_array_equal(bias[[0, 3, 4, 2]], source_bias)
    np.testing.assert_array_equal(kernel[:, 1], initial[0][:, 1])
    assert not np.allclose(kernel[:, 1], source_kernel[:, 1])


def test_characters_only_in_the_source_are_dropped(source):
    target, kept, added, dropped = crnn_like(source, "cad")
    assert (kept, added, dropped) == ("ca", "d", "b")
    assert target.alphabet.chars == "cad"


def test_another_input_size_is_refused_naming_both_sizes(source):
    with pytest.raises(TransferError, match=r"\(64, 128, 1\).*\(32, 128, 1\)"):
        crnn_like(source, input_shape=(32, 128, 1))
    with pytest.raises(TransferError, match=r"\(64, 128, 1\).*\(64, 256, 1\)"):
        transfer_weights(source, build_crnn("abc", (64, 256, 1), **TINY, shortcut=True))


def test_alphabets_sharing_no_character_are_refused(source):
    with pytest.raises(TransferError, match="share no character"):
        crnn_like(source, "xyz")


def test_a_target_of_another_architecture_is_refused_naming_the_layers(source):
    with pytest.raises(TransferError, match="layers"):
        transfer_weights(source, build_crnn("abc", **TINY))  # no shortcut
    with pytest.raises(TransferError, match="shapes"):
        transfer_weights(source, build_crnn("abc", **{**TINY, "rnn_units": 4}, shortcut=True))


def test_freeze_features_freezes_the_layers_before_the_lstms_only(source):
    target = crnn_like(source)[0]
    frozen = freeze_features(target)
    kinds = {type(layer).__name__ for layer in frozen}
    assert {"Conv2D", "BatchNormalization", "Dense"} <= kinds and "Bidirectional" not in kinds
    assert output_layer(target.inference_model).trainable


def test_the_package_exports_the_transfer_functions():
    assert ocrlib.crnn_like is crnn_like and ocrlib.transfer_weights is transfer_weights
