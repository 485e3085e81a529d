import json
import os
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.cli import main
from ocrlib.data.captchas import generate_captchas
from ocrlib.data.equations import generate_equations
from ocrlib.data.folder import LABELS_FILE, load_folder, read_labels, write_folder
from ocrlib.data.plates import generate_plates
from ocrlib.metrics import character_error_rate, sequence_accuracy
from ocrlib.recognizer import Recognizer
from ocrlib.train import last_checkpoint_path
from tests.helpers import lambda_model


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """`generate plates` 32 images, then a 1-epoch `train` on them: shared by the tests below."""
    root = tmp_path_factory.mktemp("cli")
    data, model = root / "plates", root / "M.keras"
    generate_code = main(["generate", "plates", "--n", "32", "--seed", "0", "--out", str(data)])
    keras.utils.set_random_seed(0)
    train_code = main(["train", "--data", str(data), "--val-split", "0.25", "--epochs", "1",
                       "--batch-size", "8", "--out", str(model)])
    return {"data": data, "model": model, "generate_code": generate_code, "train_code": train_code}


def small_folder(path, texts):
    rng = np.random.default_rng(0)
    return write_folder(path, [rng.integers(0, 256, (64, 128), dtype=np.uint8) for _ in texts], texts)


def last_json_line(out):
    return json.loads(out.strip().splitlines()[-1])


def test_generate_writes_32_images_and_labels_csv(smoke):
    assert smoke["generate_code"] == 0
    data = smoke["data"]
    pngs = sorted(p.name for p in data.glob("*.png"))
    assert len(pngs) == 32 and (data / LABELS_FILE).is_file()
    images, texts = generate_plates(32, seed=0)
    pairs = read_labels(data)
    assert [text for _, text in pairs] == texts
    loaded, _ = load_folder(data, (64, 128, 1))
    np.testing.assert_array_equal(loaded[:, :, :, 0], images)


@pytest.mark.parametrize("kind, generator", [("captcha", generate_captchas), ("equations", generate_equations)])
def test_generate_colour_kinds_writes_the_seeded_images(tmp_path, kind, generator):
    assert main(["generate", kind, "--n", "5", "--seed", "4", "--out", str(tmp_path / "c")]) == 0
    images, texts = generator(5, seed=4)
    assert [text for _, text in read_labels(tmp_path / "c")] == texts
    loaded, _ = load_folder(tmp_path / "c", (64, 128, 3))
    np.testing.assert_array_equal(loaded, images)


def test_generate_plates_of_chosen_formats_writes_those_formats_only(tmp_path):
    assert main(["generate", "plates", "--n", "6", "--seed", "4", "--formats", "mercosur", "--out", str(tmp_path / "m")]) == 0
    assert [text for _, text in read_labels(tmp_path / "m")] == generate_plates(6, seed=4, formats=["mercosur"])[1]


def test_generate_formats_for_another_kind_exits_2_naming_the_option(tmp_path, capsys):
    assert main(["generate", "captcha", "--n", "2", "--formats", "eu", "--out", str(tmp_path / "c")]) == 2
    assert "--formats" in capsys.readouterr().err


def test_generate_captcha_charset_draws_only_those_characters(tmp_path):
    assert main(["generate", "captcha", "--n", "8", "--seed", "3", "--charset", "0O", "--out", str(tmp_path / "c")]) == 0
    texts = [text for _, text in read_labels(tmp_path / "c")]
    assert texts == generate_captchas(8, seed=3, charset="0O")[1] and set("".join(texts)) == {"0", "O"}


def test_generate_charset_for_another_kind_exits_2_naming_the_option(tmp_path, capsys):
    assert main(["generate", "equations", "--n", "2", "--charset", "12", "--out", str(tmp_path / "e")]) == 2
    assert "--charset" in capsys.readouterr().err


def test_generate_into_a_non_empty_folder_fails_with_exit_code_1(smoke, capsys):
    assert main(["generate", "plates", "--n", "2", "--out", str(smoke["data"])]) == 1
    assert str(smoke["data"]) in capsys.readouterr().err
    assert len(list(smoke["data"].glob("*.png"))) == 32


def test_train_writes_the_model_and_its_last_checkpoint(smoke):
    assert smoke["train_code"] == 0
    recognizer = Recognizer.load(smoke["model"])
    assert last_checkpoint_path(smoke["model"]).is_file()
    texts = [text for _, text in read_labels(smoke["data"])]
    assert recognizer.alphabet == Alphabet.from_texts(texts)
    assert recognizer.input_shape == (64, 128, 1)


def test_train_shortcut_saves_the_model_whose_softmax_also_reads_the_column_features(smoke, tmp_path):
    model = tmp_path / "S.keras"
    assert main(["train", "--data", str(smoke["data"]), "--val-split", "0.25", "--epochs", "1", "--batch-size", "8",
                 "--shortcut", "--out", str(model)]) == 0
    layers = {type(layer).__name__ for layer in Recognizer.load(model).model.layers}
    assert "Concatenate" in layers
    assert "Concatenate" not in {type(layer).__name__ for layer in Recognizer.load(smoke["model"]).model.layers}


def test_evaluate_json_prints_n_accuracy_and_cer_last(smoke, capsys):
    code = main(["evaluate", "--model", str(smoke["model"]), "--data", str(smoke["data"]), "--json"])
    assert code == 0
    result = last_json_line(capsys.readouterr().out)
    assert result["n"] == 32
    assert 0.0 <= result["sequence_accuracy"] <= 1.0
    assert result["cer"] >= 0.0
    # The same numbers as recognising the folder through the Recognizer API.
    recognizer = Recognizer.load(smoke["model"])
    pairs = read_labels(smoke["data"])
    predictions = [text for text, _ in recognizer.recognize([path for path, _ in pairs])]
    truths = [text for _, text in pairs]
    assert result["sequence_accuracy"] == pytest.approx(sequence_accuracy(truths, predictions))
    assert result["cer"] == pytest.approx(character_error_rate(truths, predictions))


def test_evaluate_plot_writes_probability_matrix_pictures(smoke, tmp_path, capsys):
    target = tmp_path / "matrix.png"
    assert main(["evaluate", "--model", str(smoke["model"]), "--data", str(smoke["data"]),
                 "--plot", str(target)]) == 0
    assert target.is_file() and target.read_bytes().startswith(b"\x89PNG")


def test_predict_prints_path_text_and_confidence(smoke, capsys):
    paths = [str(smoke["data"] / "00.png"), str(smoke["data"] / "01.png")]
    assert main(["predict", "--model", str(smoke["model"]), *paths]) == 0
    lines = capsys.readouterr().out.strip().splitlines()[-2:]
    expected = Recognizer.load(smoke["model"]).recognize(paths)
    for line, path, (text, confidence) in zip(lines, paths, expected):
        fields = line.split("\t")
        assert fields[0] == path and fields[1] == text
        assert float(fields[2]) == pytest.approx(confidence, abs=1e-4)
        assert 0.0 <= float(fields[2]) <= 1.0


def test_evaluate_and_predict_read_with_beam_search_when_asked(smoke, capsys):
    decoder = "beam_search"
    assert main(["evaluate", "--model", str(smoke["model"]), "--data", str(smoke["data"]), "--json",
                 "--decoder", decoder]) == 0
    result = last_json_line(capsys.readouterr().out)
    assert result["decoder"] == decoder
    recognizer = Recognizer.load(smoke["model"])
    pairs = read_labels(smoke["data"])
    predictions = [text for text, _ in recognizer.recognize([path for path, _ in pairs], decoder=decoder)]
    assert result["cer"] == pytest.approx(character_error_rate([text for _, text in pairs], predictions))
    assert main(["predict", "--model", str(smoke["model"]), "--decoder", decoder, str(pairs[0][0])]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].split("\t")[1] == predictions[0]


def test_train_with_a_label_outside_the_alphabet_exits_1_naming_file_and_character(tmp_path, capsys):
    data = small_folder(tmp_path / "d", ["ab", "ba", "a?b", "aa"])
    model = tmp_path / "m.keras"
    code = main(["train", "--data", str(data), "--alphabet", "ab", "--epochs", "1", "--out", str(model)])
    err = capsys.readouterr().err
    assert code == 1
    assert "2.png" in err and "'?'" in err
    assert not model.exists()


def test_train_with_a_label_ctc_cannot_emit_exits_1_naming_file_and_label(tmp_path, capsys):
    long_label = "a" * 17  # 17 characters and 16 equal neighbours: 33 time steps, and the model has 32
    data = small_folder(tmp_path / "d", ["ab", long_label, "ba", "aa"])
    model = tmp_path / "m.keras"
    code = main(["train", "--data", str(data), "--epochs", "1", "--out", str(model)])
    err = capsys.readouterr().err
    assert code == 1
    assert "1.png" in err and long_label in err and "33" in err
    assert not model.exists()


def test_train_on_real_captcha_files_of_mixed_sizes_and_modes_learns_their_alphabet(tmp_path, capsys):
    from PIL import Image

    images, texts = generate_captchas(8, seed=0, size=(50, 200), charset="2345678bcdefgmnpwxy", lengths=(5, 5))
    data = tmp_path / "real"
    data.mkdir()
    rgb = [Image.fromarray(image[..., ::-1]) for image in images]
    modes = [image.convert("RGBA") for image in rgb[:2]] + [image.convert("P") for image in rgb[2:4]]
    modes += [image.convert("L").resize((70, 30)) for image in rgb[4:6]]
    modes += [Image.fromarray(np.asarray(image.convert("L"), np.uint16) * 257) for image in rgb[6:]]
    for image, text in zip(modes, texts):
        image.save(data / f"{text}.png")  # label in the file name
    keras.utils.set_random_seed(0)
    model = tmp_path / "m.keras"
    assert main(["train", "--data", str(data), "--val-split", "0.25", "--epochs", "1", "--out", str(model)]) == 0
    assert Recognizer.load(model).alphabet.chars == "".join(sorted(set("".join(texts))))
    out = capsys.readouterr().out
    assert "6 training and 2 validation images" in out
    # Not a terminal: one log line per epoch, no progress bar redrawn step by step.
    assert "━" not in out and "1/1 - " in out


def test_train_with_an_impossible_val_split_exits_2(tmp_path, capsys):
    data = small_folder(tmp_path / "d", ["ab", "ba"])
    assert main(["train", "--data", str(data), "--val-split", "1.5", "--out", str(tmp_path / "m.keras")]) == 2
    assert "--val-split" in capsys.readouterr().err


@pytest.mark.parametrize(("option", "named"), [(["--alphabet", "abca"], "a"), (["--width", "130"], "130")])
def test_train_with_invalid_options_exits_2_instead_of_a_traceback(tmp_path, capsys, option, named):
    data = small_folder(tmp_path / "d", ["ab", "ba", "cab", "ca"])
    code = main(["train", "--data", str(data), "--epochs", "1", "--out", str(tmp_path / "m.keras"), *option])
    assert code == 2
    assert named in capsys.readouterr().err


def test_train_resume_after_the_last_epoch_trains_nothing_and_says_so(smoke, tmp_path, capsys):
    model = tmp_path / "M.keras"
    shutil.copy(smoke["model"], model)
    shutil.copy(last_checkpoint_path(smoke["model"]), last_checkpoint_path(model))
    code = main(["train", "--data", str(smoke["data"]), "--val-split", "0.25", "--epochs", "1",
                 "--resume", "--out", str(model)])
    assert code == 0
    assert f"nothing to train: {model} already has 1 epochs" in capsys.readouterr().out
    assert model.read_bytes() == smoke["model"].read_bytes()
    assert last_checkpoint_path(model).read_bytes() == last_checkpoint_path(smoke["model"]).read_bytes()


def test_evaluate_on_a_character_outside_the_models_alphabet_exits_1_naming_it(smoke, tmp_path, capsys):
    data = small_folder(tmp_path / "d", ["AB12", "q7"])
    assert main(["evaluate", "--model", str(smoke["model"]), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "'q'" in err and "1.png" in err


def test_predict_with_an_unreadable_image_exits_1_naming_it(smoke, tmp_path, capsys):
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x00garbage")
    assert main(["predict", "--model", str(smoke["model"]), str(junk)]) == 1
    assert "junk.png" in capsys.readouterr().err


@pytest.mark.parametrize(("kind", "message"),
                         [("truncated", "is not an ocrlib model"), ("lambda", "holds a Lambda layer")])
def test_predict_with_a_truncated_or_unsafe_model_exits_1_naming_the_file(smoke, tmp_path, capsys, kind, message):
    model = tmp_path / f"{kind}.keras"
    if kind == "truncated":
        model.write_bytes(smoke["model"].read_bytes()[:5000])
    else:
        lambda_model(model)
    assert main(["predict", "--model", str(model), str(smoke["data"] / "00.png")]) == 1
    err = capsys.readouterr().err
    assert f"{model}" in err and message in err and "Traceback" not in err


def test_python_dash_m_ocrlib_runs_main_and_returns_its_exit_code(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    missing = tmp_path / "missing.keras"
    data = small_folder(tmp_path / "d", ["ab"])
    completed = subprocess.run(
        [sys.executable, "-m", "ocrlib", "evaluate", "--model", str(missing), "--data", str(data)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert completed.returncode == 1
    assert "missing.keras" in completed.stderr
    assert "Traceback" not in completed.stderr
