import json
import zipfile

import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.errors import ModelFileError
from ocrlib.model import build_crnn
from ocrlib.model_file import METADATA_FILE
from ocrlib.recognizer import Recognizer
from tests.helpers import TINY, lambda_model, leftovers, permission_bits


@pytest.fixture(scope="module")
def recognizer():
    return Recognizer(build_crnn("0123456789ABC", **TINY).inference_model, Alphabet("0123456789ABC"))


@pytest.fixture(scope="module")
def saved(recognizer, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "plates.keras"
    recognizer.save(path, note="hello")
    return path


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(7)
    return (rng.uniform(0, 255, (3, 64, 128))).astype(np.uint8)


def test_save_then_load_gives_identical_predictions(recognizer, saved, images):
    loaded = Recognizer.load(saved)
    np.testing.assert_array_equal(loaded.predict_proba(images), recognizer.predict_proba(images))
    assert loaded.recognize(images) == recognizer.recognize(images)


def test_load_restores_alphabet_input_size_and_metadata(saved):
    loaded = Recognizer.load(saved)
    assert loaded.alphabet == Alphabet("0123456789ABC")
    assert loaded.input_shape == (64, 128, 1)
    assert loaded.metadata["note"] == "hello"
    assert loaded.metadata["input_shape"] == [64, 128, 1]


def test_saved_file_loads_with_plain_keras_in_safe_mode(recognizer, saved, images):
    model = keras.saving.load_model(saved, safe_mode=True)
    batch = recognizer.preprocess(images)
    np.testing.assert_allclose(  # up to rounding: plain Keras normalises its own way, not on the fused kernel
        keras.ops.convert_to_numpy(model(batch, training=False)),
        keras.ops.convert_to_numpy(recognizer.model(batch, training=False)), atol=1e-6,
    )


def test_saved_model_holds_no_lambda_layer(saved):
    with zipfile.ZipFile(saved) as archive:
        config = archive.read("config.json").decode()
        metadata = json.loads(archive.read(METADATA_FILE))
    assert "Lambda" not in config
    assert metadata["alphabet"] == "0123456789ABC"
    loaded = Recognizer.load(saved)
    assert not any(isinstance(layer, keras.layers.Lambda) for layer in loaded.model.layers)


def test_save_leaves_no_temporary_files(saved):
    assert leftovers(saved.parent, {saved.name}) == set()


def test_save_overwrites_an_existing_model_atomically(recognizer, tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"old contents")
    recognizer.save(path)
    assert Recognizer.load(path).alphabet == recognizer.alphabet
    assert leftovers(tmp_path, {"m.keras"}) == set()


def test_saved_model_file_gets_the_same_permissions_as_any_new_file(saved, tmp_path):
    # A shipped model must be readable like any file the user writes (umask), not 0600 as a
    # private temporary file would be.
    reference = tmp_path / "reference.bin"
    reference.write_bytes(b"x")
    assert oct(permission_bits(saved)) == oct(permission_bits(reference))


def test_save_rejects_a_path_without_keras_suffix(recognizer, tmp_path):
    with pytest.raises(ValueError, match="model.h5"):
        recognizer.save(tmp_path / "model.h5")
    assert leftovers(tmp_path, set()) == set()


def test_loading_a_file_that_is_not_a_model_raises_model_file_error(tmp_path):
    path = tmp_path / "notes.keras"
    path.write_text("this is not a model")
    with pytest.raises(ModelFileError, match="notes.keras"):
        Recognizer.load(path)


def test_loading_a_keras_model_without_ocrlib_metadata_raises_model_file_error(recognizer, tmp_path):
    path = tmp_path / "plain.keras"
    recognizer.model.save(path)
    with pytest.raises(ModelFileError, match="plain.keras"):
        Recognizer.load(path)


def test_loading_a_model_with_a_lambda_layer_is_refused_saying_so(tmp_path):
    path = lambda_model(tmp_path / "lambda.keras")
    with pytest.raises(ModelFileError, match="lambda.keras holds a Lambda layer"):
        Recognizer.load(path)


def test_loading_a_damaged_keras_file_raises_model_file_error_naming_it(saved, tmp_path):
    data = saved.read_bytes()
    with zipfile.ZipFile(saved) as archive:  # flip bytes inside Keras' weights, leave the zip's index whole
        weights = archive.getinfo("model.weights.h5").header_offset + 100
    damaged, truncated = tmp_path / "damaged.keras", tmp_path / "truncated.keras"
    damaged.write_bytes(data[:weights] + bytes(b ^ 0xFF for b in data[weights : weights + 64]) + data[weights + 64 :])
    truncated.write_bytes(data[: len(data) // 2])
    for path in (damaged, truncated):
        with pytest.raises(ModelFileError, match=path.name):
            Recognizer.load(path)


def test_loading_a_missing_file_raises_model_file_error(tmp_path):
    with pytest.raises(ModelFileError, match="missing.keras"):
        Recognizer.load(tmp_path / "missing.keras")


def test_alphabet_of_the_wrong_size_raises_model_file_error(recognizer):
    with pytest.raises(ModelFileError, match="14"):
        Recognizer(recognizer.model, Alphabet("0123456789"))


def test_preprocess_returns_exactly_the_model_input(recognizer, tmp_path):
    import cv2

    color = np.zeros((30, 70, 3), np.uint8)
    color[:, :35] = 255
    path = tmp_path / "img.png"
    cv2.imwrite(str(path), color)
    batch = recognizer.preprocess([color, path, np.zeros((64, 128), np.uint8)])
    assert batch.shape == (3, 64, 128, 1) and batch.dtype == np.float32
    assert 0.0 <= batch.min() and batch.max() <= 1.0
    np.testing.assert_array_equal(batch[0], batch[1])  # a file is read like the array it holds


def test_preprocess_takes_rgb_arrays_when_told_and_reads_files_right_either_way(recognizer, tmp_path):
    import cv2

    red_bgr = np.zeros((30, 70, 3), np.uint8)
    red_bgr[..., 2] = 255
    path = tmp_path / "red.png"
    cv2.imwrite(str(path), red_bgr)
    expected = recognizer.preprocess([red_bgr])[0]
    batch = recognizer.preprocess([red_bgr[..., ::-1], path], rgb=True)
    np.testing.assert_array_equal(batch[0], expected)
    np.testing.assert_array_equal(batch[1], expected)
    assert not np.array_equal(recognizer.preprocess([red_bgr[..., ::-1]])[0], expected)


class FixedModel:
    """What ``Recognizer`` needs of a model, reading every image as the same ``probs`` (T, C)."""

    input_shape = (None, 64, 128, 1)

    def __init__(self, probs: np.ndarray):
        self.probs, self.output_shape = probs, (None, *probs.shape)

    def predict_on_batch(self, images: np.ndarray) -> np.ndarray:
        return np.repeat(self.probs[None], len(images), axis=0)


@pytest.mark.parametrize(("decoder", "text", "confidence"),
                         [("best_path", "", 0.36), ("beam_search", "a", 0.64), ("prefix_search", "a", 0.64)])
def test_recognize_gives_the_decoded_text_and_its_probability_summed_over_all_alignments(decoder, text, confidence):
    # CTCDecoder's mini matrix: best path "--" has 0.36; "a" sums "aa", "a-", "-a": 0.16 + 0.24 + 0.24
    # = 0.64, well above its best alignment's 0.24.
    recognizer = Recognizer(FixedModel(np.array([[0.6, 0.4, 0.0], [0.6, 0.4, 0.0]])), Alphabet("ab"))
    results = recognizer.recognize(np.zeros((2, 64, 128), np.uint8), decoder=decoder)
    assert [reading for reading, _ in results] == [text, text]
    assert [p for _, p in results] == pytest.approx([confidence, confidence], rel=1e-12)


def test_predict_proba_batches_large_inputs_consistently(recognizer, images):
    np.testing.assert_allclose(recognizer.predict_proba(images, batch_size=2),
                               recognizer.predict_proba(images), rtol=1e-5, atol=1e-6)


def test_recognize_rejects_an_unknown_decoder(recognizer, images):
    with pytest.raises(ValueError, match="nonsense"):
        recognizer.recognize(images, decoder="nonsense")


def test_no_images_give_empty_results_of_the_right_shape(recognizer):
    assert recognizer.preprocess([]).shape == (0, 64, 128, 1)
    assert recognizer.predict_proba([]).shape == (0, *recognizer.model.output_shape[1:])
    assert recognizer.recognize([]) == []
