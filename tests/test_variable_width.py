"""Variable-width models (input width None): text lines keep their aspect ratio, T = W / 4 grows with
them, batches group lines of similar widths, and every reader of a model handles them."""
import json

import cv2
import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.cli import main
from ocrlib.data.batches import LineBatches
from ocrlib.data.folder import write_folder
from ocrlib.data.lines import LINE_ALPHABET, generate_lines
from ocrlib.data.preprocess import fit_to_size
from ocrlib.decoders import probability
from ocrlib.errors import ImageTooWideError, LabelTooLongError
from ocrlib.geometry import MAX_WIDTH
from ocrlib.model import build_crnn
from ocrlib.recognizer import Recognizer
from ocrlib.train import fit
from tests.helpers import TINY

SHAPE = (32, None, 1)
ALPHABET = Alphabet(LINE_ALPHABET)


@pytest.fixture(scope="module")
def lines():
    """40 seeded lines of 1 to 24 characters, fitted to a variable-width model of height 32, and their texts."""
    images, texts = generate_lines(40, seed=7, lengths=(1, 24))
    return [fit_to_size(image, SHAPE) for image in images], texts


@pytest.fixture(scope="module")
def trained(lines, tmp_path_factory):
    """A TINY variable-width CRNN fitted for one epoch (so its file went through the checkpoint) and its path."""
    keras.utils.set_random_seed(0)
    crnn = build_crnn(LINE_ALPHABET, SHAPE, **TINY)
    images, texts = lines
    out = tmp_path_factory.mktemp("lines") / "lines.keras"
    fit(crnn, LineBatches(images[:32], texts[:32], crnn.alphabet, 8, shuffle=True, augment=True),
        LineBatches(images[32:], texts[32:], crnn.alphabet, 8), out, epochs=1, verbose=0)
    return crnn, out


def sharpened(crnn):
    """The recognizer of ``crnn`` with its softmax sharpened, so probabilities span (0, 1) (a real test of parity)."""
    model = keras.models.clone_model(crnn.inference_model)
    model.set_weights(crnn.inference_model.get_weights())
    kernel, bias = model.get_layer("probs").get_weights()
    model.get_layer("probs").set_weights([kernel * 500, bias])
    return Recognizer(model, crnn.alphabet)


def test_time_steps_grow_with_the_width():
    crnn = build_crnn("ab", SHAPE, **TINY)
    assert crnn.input_shape == SHAPE and crnn.time_steps is None and crnn.max_label_length is None
    for width in (4, 64, 200):
        probs = crnn.inference_model.predict_on_batch(np.zeros((2, 32, width, 1), np.float32))
        assert probs.shape == (2, width // 4, 3)


def test_a_fixed_width_that_is_no_multiple_of_4_is_still_refused():
    with pytest.raises(ValueError, match="width by 4"):
        build_crnn("ab", (32, 130, 1))


def test_a_line_keeps_its_aspect_ratio_and_is_padded_to_a_multiple_of_4_with_its_last_column():
    image = np.full((16, 101), 255, np.uint8)
    image[:, 50] = 0
    image[:, -1] = 7
    fitted = fit_to_size(image, SHAPE)
    assert fitted.shape == (32, 204, 1)  # 101 x 2 = 202, padded to 204
    assert fitted[:, 100:102, 0].max() < 128  # the dark column, doubled
    np.testing.assert_array_equal(fitted[:, 202:, 0], fitted[:, 201:202, 0].repeat(2, axis=1))


def test_an_image_too_wide_is_refused_naming_it_and_its_width():
    image = np.zeros((10, MAX_WIDTH), np.uint8)  # 3.2 times as wide at the model's height of 32
    width = round(MAX_WIDTH * 3.2)
    with pytest.raises(ImageTooWideError, match=rf"scan\.png is {width} pixels wide .* maximum width {MAX_WIDTH}"):
        fit_to_size(image, SHAPE, name="scan.png")


def test_batches_group_lines_of_similar_widths_and_show_each_once_per_epoch(lines):
    images, texts = lines
    batches = LineBatches(images, texts, ALPHABET, 8, shuffle=True, seed=3)
    for epoch in (0, 1):
        batches.set_epoch(epoch)
        seen = np.concatenate(batches.batches)
        assert sorted(seen) == list(range(len(images)))
        widths = [batches[k][0]["image"].shape[2] for k in range(len(batches))]
        assert widths == [-(-batches.widths[rows].max() // 64) * 64 for rows in batches.batches]
    # Sorted into buckets, the padding is far less than padding every line to the widest.
    padded = sum(width * len(rows) for width, rows in zip(widths, batches.batches)) - batches.widths.sum()
    assert padded < 0.5 * (batches.widths.max() * len(images) - batches.widths.sum())


def test_batches_of_an_epoch_are_drawn_by_seed_and_epoch_alone(lines):
    images, texts = lines
    first = LineBatches(images, texts, ALPHABET, 8, shuffle=True, seed=3)
    second = LineBatches(images, texts, ALPHABET, 8, shuffle=True, seed=3)
    second.set_epoch(2)
    first.on_epoch_end(), first.on_epoch_end()
    assert [list(rows) for rows in first.batches] == [list(rows) for rows in second.batches]
    second.set_epoch(1)
    assert [list(rows) for rows in first.batches] != [list(rows) for rows in second.batches]


def test_training_takes_every_width_when_the_first_two_batches_share_one(tmp_path):
    # Sorted by width, the first two batches are both 64 pixels wide and the third 256: the TensorFlow
    # backend fixes its input signature from the first two, so unswapped it refuses the third.
    images = [np.full((32, 48, 1), 255, np.uint8)] * 8 + [np.full((32, 200, 1), 255, np.uint8)] * 4
    texts = ["ab"] * 8 + ["abc"] * 4
    keras.utils.set_random_seed(0)
    crnn = build_crnn("abc", SHAPE, **TINY)
    history = fit(crnn, LineBatches(images, texts, crnn.alphabet, 4), LineBatches(images, texts, crnn.alphabet, 4),
                  tmp_path / "m.keras", epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_a_label_too_long_for_its_own_image_is_refused_naming_it(lines):
    images, texts = lines
    narrow = np.full((32, 12, 1), 255, np.uint8)  # 3 time steps
    with pytest.raises(LabelTooLongError, match=r"text 2: label 'aab' needs at least 4 time steps .* 12 pixels wide"):
        LineBatches([images[0], images[1], narrow], [texts[0], texts[1], "aab"], ALPHABET)


def test_lines_of_another_height_are_refused(lines):
    images, texts = lines
    with pytest.raises(ValueError, match="different heights"):
        LineBatches([images[0], np.zeros((64, 40, 1), np.uint8)], texts[:2], ALPHABET)


def test_predictions_hold_a_certain_blank_past_each_line_so_decoding_and_confidence_are_unchanged(trained, lines):
    recognizer = sharpened(trained[0])
    images, _ = lines
    probs = recognizer.predict_proba(images, batch_size=8)
    widths = [image.shape[1] for image in images]
    assert probs.shape == (len(images), max(widths) // 4, recognizer.alphabet.num_classes)
    for p, width in zip(probs, widths):
        assert np.all(p[width // 4 :, 0] == 1.0)
        own = p[: width // 4]
        text = "".join(recognizer.alphabet.chars[k - 1] for k in own.argmax(axis=1) if k)[:3] or "e"
        assert probability(p, text, recognizer.alphabet) == pytest.approx(probability(own, text, recognizer.alphabet))


def test_a_line_reads_the_same_alone_and_among_lines_of_its_width(trained, lines):
    recognizer = sharpened(trained[0])
    images, _ = lines
    width = images[0].shape[1]
    same = [image for image in images if image.shape[1] == width] or [images[0]]
    together = recognizer.predict_proba([*same, images[0]])[-1]
    np.testing.assert_allclose(together, recognizer.predict_proba([images[0]])[0], atol=1e-4)


def test_the_trained_model_file_keeps_its_free_width(trained):
    loaded = Recognizer.load(trained[1])
    assert loaded.input_shape == SHAPE and loaded.metadata["time_steps"] is None
    assert loaded.metadata["input_shape"] == [32, None, 1]


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="export needs TensorFlow")
def test_onnx_export_takes_any_width_and_gives_the_keras_probabilities(trained, lines, tmp_path):
    from ocrlib.export import export_model

    recognizer = sharpened(trained[0])
    images, _ = lines
    exported = Recognizer.load(export_model(recognizer, tmp_path / "lines.onnx", "onnx"))
    assert exported.input_shape == SHAPE
    chosen = [images[i] for i in np.argsort([image.shape[1] for image in images])[[0, 20, -1]]]
    assert len({image.shape[1] for image in chosen}) == 3
    expected = recognizer.predict_proba(chosen)
    assert expected[-1].max() > 0.5 and expected[-1].min() < 1e-3  # the widest line: no padded steps
    np.testing.assert_allclose(exported.predict_proba(chosen), expected, atol=1e-4)
    with pytest.raises(ValueError, match="variable-width model cannot be exported to TFLite"):
        export_model(recognizer, tmp_path / "lines.tflite", "tflite")


def test_cli_evaluate_predict_and_info_read_a_variable_width_model(trained, tmp_path, capsys):
    raw, texts = generate_lines(6, seed=11, lengths=(3, 30))
    folder = write_folder(tmp_path / "lines", raw, texts)
    assert main(["evaluate", "--model", str(trained[1]), "--data", str(folder), "--json",
                 "--plot", str(tmp_path / "matrix.png")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 6 and 0 <= result["cer"]
    assert (tmp_path / "matrix.png").exists()
    paths = sorted(str(path) for path in folder.glob("*.png"))
    assert main(["predict", "--model", str(trained[1]), *paths]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 6
    assert main(["info", str(trained[1])]) == 0
    assert "32 x any width x 1" in capsys.readouterr().out


def test_reading_by_vote_is_refused_for_a_variable_width_model(trained, lines, tmp_path, capsys):
    recognizer = Recognizer.load(trained[1])
    with pytest.raises(ValueError, match="one input size"):
        recognizer.vote(lines[0][:2])
    assert main(["predict", "--model", str(trained[1]), "--vote", str(tmp_path / "any.png")]) == 2
    assert f"{trained[1]} reads lines of any width" in capsys.readouterr().err


def test_cli_evaluate_refuses_a_line_too_wide_naming_its_file(trained, tmp_path, capsys):
    raw, texts = generate_lines(2, seed=11, lengths=(3, 30))
    raw[1] = cv2.resize(raw[1], (MAX_WIDTH + 100, 32))
    folder = write_folder(tmp_path / "wide", raw, texts)
    assert main(["evaluate", "--model", str(trained[1]), "--data", str(folder)]) == 1
    error = capsys.readouterr().err
    assert f"1.png is {MAX_WIDTH + 100} pixels wide" in error



def test_predict_page_prints_one_row_per_line_found_and_nothing_for_a_blank_page(trained, tmp_path, capsys):
    from ocrlib.data.pages import generate_pages

    page = generate_pages(1, seed=4, line_counts=(3, 3))[0]
    cv2.imwrite(str(tmp_path / "page.png"), page.image)
    cv2.imwrite(str(tmp_path / "blank.png"), np.full((300, 400), 235, np.uint8))
    assert main(["predict", "--page", "--model", str(trained[1]), str(tmp_path / "page.png"),
                 str(tmp_path / "blank.png")]) == 0
    rows = [row.split("\t") for row in capsys.readouterr().out.strip().splitlines()]
    assert [row[:2] for row in rows] == [[str(tmp_path / "page.png"), str(k)] for k in (1, 2, 3)]
    assert all(0 <= float(row[3]) <= 1 for row in rows)


def test_predict_page_with_a_fixed_size_model_exits_2_naming_its_size(tiny_plates_folder, tmp_path, capsys):
    cv2.imwrite(str(tmp_path / "page.png"), np.full((300, 400), 235, np.uint8))
    assert main(["predict", "--page", "--model", str(tiny_plates_folder / "plates.keras"), str(tmp_path / "page.png")]) == 2
    assert "64 x 128 pixels only" in capsys.readouterr().err


def test_cli_train_width_any_trains_a_variable_width_model_on_a_folder_of_lines(tmp_path, capsys):
    raw, texts = generate_lines(24, seed=12, lengths=(2, 20))
    folder = write_folder(tmp_path / "lines", raw, texts)
    out = tmp_path / "lines.keras"
    assert main(["train", "--data", str(folder), "--out", str(out), "--height", "32", "--width", "any",
                 "--epochs", "1", "--val-split", "0.25"]) == 0
    assert "each image at its own width W, in W / 4 time steps" in capsys.readouterr().out
    assert Recognizer.load(out).input_shape == SHAPE


def test_cli_train_width_any_refuses_a_label_too_long_for_its_line_naming_the_file(tmp_path, capsys):
    raw, texts = generate_lines(8, seed=12, lengths=(2, 10))
    raw[3] = cv2.resize(raw[3], (12, 32))  # 3 time steps at height 32
    texts[3] = "aaa"  # needs 5
    folder = write_folder(tmp_path / "lines", raw, texts)
    assert main(["train", "--data", str(folder), "--out", str(tmp_path / "m.keras"), "--height", "32",
                 "--width", "any", "--epochs", "1", "--val-split", "0.25"]) == 1
    assert f"{folder / '3.png'}: label 'aaa' needs at least 5 time steps" in capsys.readouterr().err


def test_cli_train_width_any_with_extra_data_exits_2(tmp_path, capsys):
    raw, texts = generate_lines(4, seed=12, lengths=(2, 10))
    folder = write_folder(tmp_path / "lines", raw, texts)
    assert main(["train", "--data", str(folder), "--out", str(tmp_path / "m.keras"), "--height", "32",
                 "--width", "any", "--extra-data", str(folder)]) == 2
    assert "--width any trains on one device without --extra-data" in capsys.readouterr().err


def test_fine_tuning_a_variable_width_model_keeps_its_free_width(trained, lines):
    from ocrlib.transfer import crnn_like

    source = Recognizer.load(trained[1])
    crnn, kept, added, dropped = crnn_like(source, "abc\u0416")
    assert crnn.input_shape == SHAPE and (kept, added) == ("abc", "\u0416")
    image = lines[0][0][None].astype(np.float32) / 255
    before, after = source.model.predict_on_batch(image), crnn.inference_model.predict_on_batch(image)
    assert before.shape[1] == after.shape[1] == lines[0][0].shape[1] // 4
