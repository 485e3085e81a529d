"""Exported models (ONNX, TFLite, SavedModel) give the probabilities Keras gives, at any batch size."""
import json

import cv2
import keras
import numpy as np
import pytest
import tensorflow as tf

from ocrlib.alphabet import Alphabet
from ocrlib.cli import main
from ocrlib.distribute import mixed_precision
from ocrlib.errors import ModelFileError
from ocrlib.export import export_model, portable_copy
from ocrlib.model_file import read_tflite_metadata, write_tflite_metadata
from ocrlib.model import build_crnn
from ocrlib.recognizer import Recognizer
from tests.helpers import TINY, leftovers

ALPHABET = "0123456789ABC"


@pytest.fixture(scope="module")
def recognizer():
    """A TINY CRNN whose softmax is sharpened, so its probabilities span (0, 1) rather than sit near uniform."""
    keras.utils.set_random_seed(0)
    model = build_crnn(ALPHABET, **TINY).inference_model
    probs = model.get_layer("probs")
    kernel, bias = probs.get_weights()
    probs.set_weights([kernel * 50, bias])
    return Recognizer(model, Alphabet(ALPHABET))


@pytest.fixture(scope="module")
def images(plates32):
    return plates32[0][:7]


@pytest.fixture(scope="module")
def onnx_path(recognizer, tmp_path_factory):
    return export_model(recognizer, tmp_path_factory.mktemp("onnx") / "plates.onnx", "onnx")


def test_probabilities_span_the_unit_interval(recognizer, images):
    probs = recognizer.predict_proba(images)
    assert probs.max() > 0.5 and probs.min() < 1e-3  # a real test of the exports below, not a flat softmax


def test_onnx_runtime_gives_the_keras_probabilities_at_any_batch_size(recognizer, onnx_path, images):
    exported = Recognizer.load(onnx_path)
    for batch in (images, images[:1]):
        np.testing.assert_allclose(exported.predict_proba(batch), recognizer.predict_proba(batch), atol=1e-4)


def test_onnx_file_carries_the_alphabet_and_input_size(onnx_path):
    exported = Recognizer.load(onnx_path)
    assert exported.alphabet == Alphabet(ALPHABET)
    assert exported.input_shape == (64, 128, 1)


def test_tflite_interpreter_gives_the_keras_probabilities_at_any_batch_size(recognizer, images, tmp_path):
    path = export_model(recognizer, tmp_path / "plates.tflite", "tflite")
    assert read_tflite_metadata(path)["alphabet"] == ALPHABET
    batch = recognizer.preprocess(images)
    for size in (len(batch), 1):
        interpreter = tf.lite.Interpreter(model_path=str(path))
        (source,), (target,) = interpreter.get_input_details(), interpreter.get_output_details()
        interpreter.resize_tensor_input(source["index"], batch[:size].shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(source["index"], batch[:size])
        interpreter.invoke()
        np.testing.assert_allclose(interpreter.get_tensor(target["index"]),
                                   recognizer.model.predict_on_batch(batch[:size]), atol=1e-4)


def test_saved_model_gives_the_keras_probabilities_and_carries_the_alphabet(recognizer, images, tmp_path):
    path = export_model(recognizer, tmp_path / "plates_saved_model", "saved_model")
    assert json.loads((path / "ocrlib.json").read_text())["alphabet"] == ALPHABET
    with pytest.raises(ValueError, match="plates_saved_model already exists"):
        export_model(recognizer, path, "saved_model")
    batch = recognizer.preprocess(images)
    loaded = tf.saved_model.load(str(path))  # holds the variables that serve reads
    for size in (len(batch), 1):
        np.testing.assert_allclose(loaded.serve(batch[:size]).numpy(), recognizer.model.predict_on_batch(batch[:size]),
                                   atol=1e-4)


@pytest.mark.parametrize("format, name, message", [
    ("onnx", "model.keras", r"ending in '\.onnx'"),
    ("tflite", "model.onnx", r"ending in '\.tflite'"),
    ("saved_model", "model.onnx", "a folder"),
    ("coreml", "model.mlmodel", "unknown export format 'coreml'"),
])
def test_bad_format_or_path_is_refused_naming_it(recognizer, tmp_path, format, name, message):
    with pytest.raises(ValueError, match=message):
        export_model(recognizer, tmp_path / name, format)
    assert leftovers(tmp_path, set()) == set()


def test_a_mixed_precision_model_exports_as_its_portable_copy(images):
    with mixed_precision():
        mixed = build_crnn(ALPHABET, **TINY).inference_model
    copy = portable_copy(mixed)
    assert {layer.dtype_policy.name for layer in mixed.layers} == {"mixed_float16", "float32"}
    assert {layer.dtype_policy.name for layer in copy._flatten_layers()} == {"float32"}
    assert not any(getattr(layer, "unroll", False) for layer in copy._flatten_layers())
    assert all(layer.unroll for layer in portable_copy(mixed, unroll=True)._flatten_layers()
               if isinstance(layer, keras.layers.LSTM))
    for mine, theirs in zip(copy.get_weights(), mixed.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    recognizer = Recognizer(mixed, Alphabet(ALPHABET))
    batch = recognizer.preprocess(images)
    np.testing.assert_allclose(copy.predict_on_batch(batch), mixed.predict_on_batch(batch), atol=2e-2)


def test_cli_exports_and_predicts_with_the_onnx_file_as_with_the_keras_one(recognizer, images, tmp_path, capsys):
    keras_path = recognizer.save(tmp_path / "plates.keras")
    image_paths = [str(tmp_path / f"{i}.png") for i in range(3)]
    for path, image in zip(image_paths, images):
        cv2.imwrite(path, image)
    assert main(["export", "--model", str(keras_path), "--format", "onnx", "--out", str(tmp_path / "plates.onnx")]) == 0
    assert "wrote the onnx model" in capsys.readouterr().out
    readings = {}
    for model in ("plates.keras", "plates.onnx"):
        assert main(["predict", "--model", str(tmp_path / model), *image_paths]) == 0
        readings[model] = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [row[:2] for row in readings["plates.onnx"]] == [row[:2] for row in readings["plates.keras"]]
    confidences = np.array([[float(row[2]) for row in rows] for rows in readings.values()])
    np.testing.assert_allclose(confidences[0], confidences[1], atol=1e-3)


def test_loading_a_file_that_is_not_an_ocrlib_onnx_model_names_it(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="junk.onnx"):
        Recognizer.load(junk)
    with pytest.raises(ModelFileError, match="missing.onnx"):
        Recognizer.load(tmp_path / "missing.onnx")


def test_predict_with_a_truncated_onnx_file_exits_1_naming_it(onnx_path, images, tmp_path, capsys):
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(onnx_path.read_bytes()[: onnx_path.stat().st_size // 2])
    cv2.imwrite(str(tmp_path / "0.png"), images[0])
    assert main(["predict", "--model", str(truncated), str(tmp_path / "0.png")]) == 1
    err = capsys.readouterr().err
    assert f"{truncated} is not an ONNX model" in err and "Traceback" not in err


def test_loading_an_onnx_model_without_ocrlib_metadata_says_so(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    vector = [helper.make_tensor_value_info(name, TensorProto.FLOAT, [1]) for name in ("x", "y")]
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "identity", vector[:1], vector[1:])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.save(model, tmp_path / "other.onnx")
    with pytest.raises(ModelFileError, match="other.onnx has no ocrlib metadata"):
        Recognizer.load(tmp_path / "other.onnx")


def test_a_tflite_sidecar_written_for_another_model_is_refused(tmp_path):
    # The model and its sidecar are two files: after a crash between their writes, the sidecar must
    # not pass for the new model's.
    path = tmp_path / "m.tflite"
    path.write_bytes(b"first model")
    write_tflite_metadata(path, {"alphabet": "ab", "input_shape": [64, 128, 1]})
    assert read_tflite_metadata(path)["alphabet"] == "ab"
    path.write_bytes(b"second model")
    with pytest.raises(ModelFileError, match="another model than .*m.tflite"):
        read_tflite_metadata(path)
