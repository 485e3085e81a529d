import argparse
import contextlib
import importlib.metadata
import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

import cv2
import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.backup import STATE_FILE, backup_path, read_backup
from ocrlib.cli import GENERATORS, _progress_verbosity, main
from ocrlib.data.captchas import generate_captchas
from ocrlib.data.equations import generate_equations
from ocrlib.data.folder import LABELS_FILE, load_folder, read_image, read_labels, write_folder
from ocrlib.data.lines import generate_lines
from ocrlib.data.plates import generate_plates
from ocrlib.errors import DatasetError
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


def test_generate_lines_writes_each_line_at_its_own_width_and_texts_with_commas_and_quotes_round_trip(tmp_path):
    assert main(["generate", "lines", "--n", "12", "--seed", "5", "--out", str(tmp_path / "l")]) == 0
    images, texts = generate_lines(12, seed=5)
    pairs = read_labels(tmp_path / "l")
    assert [text for _, text in pairs] == texts
    assert any("," in text for text in texts) and any('"' in text for text in texts)
    for (path, _), image in zip(pairs, images):
        np.testing.assert_array_equal(read_image(path), image)
    assert len({image.shape[1] for image in images}) > 1


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


def test_evaluate_and_predict_read_by_vote(smoke, capsys):
    model = str(smoke["model"])
    assert main(["evaluate", "--model", model, "--data", str(smoke["data"]), "--vote", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["vote"] is True and result["n"] == 32 and 0 <= result["sequence_accuracy"] <= 1
    paths = sorted(str(path) for path in smoke["data"].glob("*.png"))[:3]
    assert main(["predict", "--model", model, "--vote", *paths]) == 0
    assert [row.split("\t")[0] for row in capsys.readouterr().out.strip().splitlines()] == paths


def test_evaluate_json_prints_only_one_json_object_on_stdout(smoke, capsys):
    code = main(["evaluate", "--model", str(smoke["model"]), "--data", str(smoke["data"]), "--json"])
    assert code == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)  # the whole of stdout: no "wrong:" lines, no summary
    assert "sequence accuracy" in captured.err  # the summary for people goes to stderr
    assert result["n"] == 32
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
    result = json.loads(capsys.readouterr().out)
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
    assert "6 images: batch 8, 1 epoch, plateau (--epochs as given)" in out  # the small-set recipe, but 1 epoch
    # Not a terminal: one log line per epoch, no progress bar redrawn step by step.
    assert "━" not in out and "1/1 - " in out


def test_train_gives_a_generated_size_of_set_the_shortcut_unless_told_not_to(tmp_path, monkeypatch, capsys):
    from ocrlib import recipe

    for name, size in (("SMALL_SET", 3), ("LARGE_SET", 6)):  # so that these 6 training images get the large-set recipe
        monkeypatch.setattr(recipe, name, size)
    data = small_folder(tmp_path / "d", ["ab", "ba"] * 4)
    concatenates = []
    for flags in ([], ["--no-shortcut"]):
        model = tmp_path / f"m{len(flags)}.keras"
        assert main(["train", "--data", str(data), "--val-split", "0.25", "--epochs", "1", "--out", str(model),
                     *flags]) == 0
        concatenates.append(any(isinstance(layer, keras.layers.Concatenate) for layer in Recognizer.load(model).model.layers))
    assert concatenates == [True, False]
    out = capsys.readouterr().out
    assert "6 images: batch 32, 1 epoch, cosine, shortcut (--epochs as given)" in out
    assert "6 images: batch 32, 1 epoch, cosine (--epochs, --no-shortcut as given)" in out


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


def copy_of_smoke_run(smoke, tmp_path):
    """The smoke run's model, last checkpoint and backup, copied to tmp_path/M.*: a run to resume."""
    model = tmp_path / "M.keras"
    shutil.copy(smoke["model"], model)
    shutil.copy(last_checkpoint_path(smoke["model"]), last_checkpoint_path(model))
    shutil.copytree(backup_path(smoke["model"]), backup_path(model))
    return model


def resume_smoke(smoke, model, *options):
    return main(["train", "--data", str(smoke["data"]), "--val-split", "0.25", "--batch-size", "8",
                 "--resume", "--out", str(model), *options])


def test_train_resume_after_the_last_epoch_trains_nothing_and_says_so(smoke, tmp_path, capsys):
    model = copy_of_smoke_run(smoke, tmp_path)
    assert resume_smoke(smoke, model, "--epochs", "1") == 0
    assert f"nothing to train: the run of {model} has done 1 epochs (raise --epochs to go on)" in capsys.readouterr().out
    assert model.read_bytes() == smoke["model"].read_bytes()
    assert last_checkpoint_path(model).read_bytes() == last_checkpoint_path(smoke["model"]).read_bytes()


@pytest.mark.parametrize("options, named", [
    (["--val-split", "0.5"], "--val-split was 0.25, now 0.5"),
    (["--data", "OTHER"], "--data was 'SMOKE', now 'OTHER'"),
    (["--height", "32"], "--height was 64, now 32"),
    (["--alphabet", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"], "alphabet was"),
])
def test_train_resume_with_other_data_split_size_or_alphabet_exits_1_saying_what_differs(
        smoke, tmp_path, capsys, options, named):
    model = copy_of_smoke_run(smoke, tmp_path)
    other = shutil.copytree(smoke["data"], tmp_path / "other")
    options = [str(other) if option == "OTHER" else option for option in options]
    assert resume_smoke(smoke, model, "--epochs", "2", *options) == 1
    err = capsys.readouterr().err
    assert "cannot resume" in err and named.replace("SMOKE", str(smoke["data"])).replace("OTHER", str(other)) in err
    assert read_backup(backup_path(model))["epoch"] == 1


@pytest.fixture(scope="module")
def mixed_run(smoke, tmp_path_factory):
    """A 1-epoch `train` on the smoke plates with 12 of them, at 50 x 200 in colour, as --extra-data."""
    root = tmp_path_factory.mktemp("mixed")
    pairs = read_labels(smoke["data"])[:12]
    extra = write_folder(root / "extra", [cv2.cvtColor(cv2.resize(read_image(path), (200, 50)), cv2.COLOR_GRAY2BGR)
                                          for path, _ in pairs], [text for _, text in pairs])
    model = root / "M.keras"
    keras.utils.set_random_seed(0)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = main(["train", "--data", str(smoke["data"]), "--val-split", "0.25", "--epochs", "1",
                     "--batch-size", "8", "--extra-data", str(extra), "--out", str(model)])
    return {"data": smoke["data"], "extra": extra, "model": model, "code": code, "out": out.getvalue()}


def test_train_with_extra_data_mixes_it_into_training_only_and_records_the_mix(mixed_run):
    assert mixed_run["code"] == 0
    assert f"2 of every 8 training images drawn from the 12 of {mixed_run['extra']}" in mixed_run["out"]
    training = Recognizer.load(mixed_run["model"]).metadata["training"]
    assert training["arguments"]["extra_data"] == str(mixed_run["extra"])
    assert training["arguments"]["extra_share"] == 0.25
    assert training["extra_images"] == 12
    assert training["train_images"] == 24 and training["validation_images"] == 8  # the split of --data alone
    run = read_backup(backup_path(mixed_run["model"]))["run"]
    assert run["--extra-data"] == str(mixed_run["extra"]) and run["--extra-share"] == 0.25 and run["extra images"] == 12


@pytest.mark.parametrize("options, named", [
    (["--extra-data", "EXTRA", "--extra-share", "0.5"], "--extra-share was 0.25, now 0.5"),
    ([], "--extra-data was 'EXTRA', now None"),
])
def test_train_resume_with_another_mix_exits_1_saying_what_differs(mixed_run, tmp_path, capsys, options, named):
    model = copy_of_smoke_run(mixed_run, tmp_path)
    options = [str(mixed_run["extra"]) if option == "EXTRA" else option for option in options]
    assert resume_smoke(mixed_run, model, "--epochs", "2", *options) == 1
    err = capsys.readouterr().err
    assert "cannot resume" in err and named.replace("EXTRA", str(mixed_run["extra"])) in err
    assert read_backup(backup_path(model))["epoch"] == 1


def test_train_with_an_extra_label_outside_the_alphabet_exits_1_naming_folder_file_and_character(tmp_path, capsys):
    data = small_folder(tmp_path / "d", ["ab", "ba", "ab", "ba"])
    extra = small_folder(tmp_path / "extra", ["ab", "a?b", "ba"])
    model = tmp_path / "m.keras"
    assert main(["train", "--data", str(data), "--extra-data", str(extra), "--epochs", "1", "--out", str(model)]) == 1
    err = capsys.readouterr().err
    assert f"{extra / '1.png'}: label 'a?b' holds '?', not in the alphabet 'ab'" in err
    assert "give --alphabet" in err
    assert not model.exists()


@pytest.mark.parametrize("options, named", [
    (["--extra-share", "0.5"], "--extra-share needs --extra-data"),
    (["--extra-data", "EXTRA", "--extra-share", "1.5"], "--extra-share must be between 0 and 1, got 1.5"),
    (["--extra-data", "EXTRA", "--extra-share", "0.05"], "--extra-share 0.05 of a batch of 8 images is 0 extra images"),
])
def test_train_with_an_extra_share_that_cannot_work_exits_2_naming_it(tmp_path, capsys, options, named):
    data = small_folder(tmp_path / "d", ["ab", "ba", "ab", "ba"])
    options = [str(data) if option == "EXTRA" else option for option in options]
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "m.keras"), *options]) == 2
    assert named in capsys.readouterr().err


def test_train_summary_names_the_best_model_on_disk_when_no_resumed_epoch_improved_on_it(smoke, tmp_path, capsys):
    model = copy_of_smoke_run(smoke, tmp_path)
    state_file = backup_path(model) / STATE_FILE
    state_file.write_text(json.dumps({**json.loads(state_file.read_text()), "best": 0.0}))  # unbeatable
    assert resume_smoke(smoke, model, "--epochs", "2") == 0
    out = capsys.readouterr().out
    assert f"resuming the run backed up in {backup_path(model)} after epoch 1" in out
    val_loss = Recognizer.load(smoke["model"]).metadata["logs"]["val_loss"]
    assert f"no epoch since epoch 2 improved on the best model, epoch 1 (val_loss {val_loss:.4f}" in out
    assert f"kept at {model}" in out


def test_train_draws_progress_bars_on_a_terminal_but_not_under_a_jupyter_kernel(monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("JPY_PARENT_PID", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    assert _progress_verbosity() == "auto"
    monkeypatch.setenv("JPY_PARENT_PID", "4242")  # what a notebook's `!ocrlib train` runs with
    assert _progress_verbosity() == 2
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    monkeypatch.delenv("JPY_PARENT_PID")
    assert _progress_verbosity() == 2


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_training_keeps_the_last_epoch_and_prints_the_command_that_resumes_it(
        smoke, tmp_path, signum, status):
    model = tmp_path / "M.keras"
    argv = ["train", "--data", str(smoke["data"]), "--val-split", "0.25", "--epochs", "4", "--batch-size", "2",
            "--height", "32", "--out", str(model)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen([sys.executable, "-m", "ocrlib", *argv], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    while not (backup_path(model) / STATE_FILE).exists() and process.poll() is None:  # epoch 1 done
        time.sleep(0.05)
    process.send_signal(signum)
    _, err = process.communicate(timeout=300)
    assert process.returncode == status, err
    kept = read_backup(backup_path(model))["epoch"]
    assert 1 <= kept < 4
    assert f"interrupted by {signal.Signals(signum).name}: {model}, its last checkpoint and its backup keep epoch {kept}" in err
    command = err.strip().splitlines()[-1].strip()
    assert command == shlex.join([sys.executable, "-m", "ocrlib", *argv, "--resume"])
    assert Recognizer.load(last_checkpoint_path(model)).metadata["epoch"] == kept
    assert Recognizer.load(model).metadata["epoch"] <= kept
    resumed = subprocess.run(shlex.split(command), capture_output=True, text=True, env=env, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"after epoch {kept}" in resumed.stdout
    assert read_backup(backup_path(model))["epoch"] == 4


def test_evaluate_scores_labels_with_characters_the_model_lacks_as_wrong_and_warns(smoke, tmp_path, capsys):
    pairs = read_labels(smoke["data"])[:4]
    texts = [text for _, text in pairs]
    texts[1] += "ñ"  # a character seen only in the test set
    data = write_folder(tmp_path / "d", [read_image(path) for path, _ in pairs], texts)
    assert main(["evaluate", "--model", str(smoke["model"]), "--data", str(data), "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    predictions = [text for text, _ in Recognizer.load(smoke["model"]).recognize([path for path, _ in pairs])]
    assert result["n"] == 4 and result["labels_outside_alphabet"] == 1
    assert result["sequence_accuracy"] == pytest.approx(sequence_accuracy(texts, predictions))
    assert result["cer"] == pytest.approx(character_error_rate(texts, predictions))
    assert "warning: 1 of 4 labels" in captured.err and "'ñ'" in captured.err


def test_evaluate_strict_on_a_character_outside_the_models_alphabet_exits_1_naming_file_and_it(smoke, tmp_path, capsys):
    data = small_folder(tmp_path / "d", ["AB12", "q7"])
    assert main(["evaluate", "--model", str(smoke["model"]), "--data", str(data), "--strict"]) == 1
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


def test_version_prints_the_installed_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"ocrlib {importlib.metadata.version('ocrlib')}\n"


def test_version_outside_an_installed_package_is_unknown(monkeypatch):
    import ocrlib

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert ocrlib._version() == "unknown"


def test_help_of_every_command_shows_the_default_of_each_option_that_has_one(capsys):
    from ocrlib.cli import parser

    (commands,) = [action for action in parser()._actions if action.dest == "command"]
    shown = 0
    for name, command in commands.choices.items():
        with pytest.raises(SystemExit):
            main([name, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        for action in command._actions:
            if action.option_strings and not any(action.default is none for none in (None, False, argparse.SUPPRESS)):
                assert f"(default: {action.default})" in text, f"{name} {action.option_strings[0]}"
                shown += 1
        if name == "train":  # --epochs, --batch-size, --schedule, --patience and --shortcut: the recipe's
            assert text.count("(default: from the number of training images") == 5
    assert shown == 5  # --seed of generate, --val-split and --seed of train, --decoder of evaluate and predict


def test_debug_shows_the_traceback_instead_of_the_one_line_message(tmp_path, capsys):
    missing = str(tmp_path / "nowhere")
    assert main(["check", missing]) == 1
    assert "nowhere" in capsys.readouterr().err
    with pytest.raises(DatasetError, match="nowhere"):
        main(["--debug", "check", missing])


def test_an_internal_error_propagates_instead_of_passing_for_a_usage_error(tmp_path, monkeypatch):
    def broken(n, seed):
        raise ValueError("operands could not be broadcast together")  # a bug, not the user's input

    monkeypatch.setitem(GENERATORS, "plates", broken)
    with pytest.raises(ValueError, match="broadcast"):
        main(["generate", "plates", "--n", "2", "--out", str(tmp_path / "p")])


def test_info_shows_alphabet_input_parameters_and_how_the_model_was_trained(smoke, capsys):
    assert main(["info", str(smoke["model"])]) == 0
    out = capsys.readouterr().out
    recognizer = Recognizer.load(smoke["model"])
    assert repr(recognizer.alphabet.chars) in out
    assert "64 x 128 x 1" in out and "32 time steps" in out
    assert f"parameters: {recognizer.model.count_params():,}" in out
    assert "trained on 24 images, validated on 8" in out and "--epochs 1" in out
    assert "best epoch: 1 (val_loss" in out


def test_info_of_a_shipped_name_shows_its_file_what_it_reads_how_it_was_made_and_its_scores(shipped_plates, capsys):
    assert main(["info", "plates"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"plates: {shipped_plates}\nalphabet (36): '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'")
    assert "shipped model plates: number plates of six formats" in out
    assert "trained by: python benchmarks/train_plates.py\nmade by: python scripts/make_pretrained.py plates" in out
    assert "held-out synthetic images (n=2000, seed 2): sequence accuracy 91.25%, CER 0.0123" in out


def test_info_without_a_model_lists_the_shipped_ones_and_how_to_make_those_missing(shipped_plates, capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "plates: number plates of six formats" in out and f"  {shipped_plates}\n" in out
    assert "  not in this installation: python scripts/make_pretrained.py captcha makes it" in out
    assert main(["info", "--json"]) == 0
    models = json.loads(capsys.readouterr().out)
    assert list(models) == ["plates", "captcha", "equations"]
    assert models["plates"]["file"] == str(shipped_plates) and models["equations"]["file"] is None


def test_predict_model_takes_a_shipped_name(shipped_plates, smoke, capsys):
    path = str(smoke["data"] / "00.png")
    assert main(["predict", "--model", "plates", path]) == 0
    ((text, confidence),) = Recognizer.load(shipped_plates).recognize([path])
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"{path}\t{text}\t{confidence:.4f}"


@pytest.mark.parametrize("argv", [["predict", "--model", "plaets", "x.png"],
                                  ["evaluate", "--model", "plaets", "--data", "d"], ["info", "plaets"],
                                  ["export", "--model", "plaets", "--format", "onnx", "--out", "m.onnx"],
                                  ["check", "d", "--model", "plaets"],
                                  ["train", "--data", "d", "--out", "m.keras", "--init", "plaets"]])
def test_every_model_option_given_an_unknown_name_exits_1_naming_it_and_the_shipped_ones(argv, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "error: plaets: no such model file, nor the name of a shipped model (plates, captcha, equations)" in err


def test_info_json_is_the_whole_of_stdout_and_traces_the_training_run(smoke, capsys):
    assert main(["info", str(smoke["model"]), "--json"]) == 0
    details = json.loads(capsys.readouterr().out)
    recognizer = Recognizer.load(smoke["model"])
    assert details["alphabet"] == recognizer.alphabet.chars and details["input_shape"] == [64, 128, 1]
    assert details["time_steps"] == 32 and details["parameters"] == recognizer.model.count_params()
    training = details["training"]
    assert training["arguments"]["data"] == str(smoke["data"]) and training["arguments"]["val_split"] == 0.25
    assert training["train_images"] == 24 and training["validation_images"] == 8
    assert details["epoch"] == 1 and 0 <= details["logs"]["val_sequence_accuracy"] <= 1


def test_check_lists_every_problem_and_exits_1(tmp_path, capsys):
    from tests.test_check import folder_with_every_problem

    folder = folder_with_every_problem(tmp_path / "set")
    assert main(["check", str(folder), "--alphabet", "ab", "--width", "64"]) == 1
    captured = capsys.readouterr()
    assert captured.out.count("problem: ") == 8
    assert "8 problems" in captured.err


def test_check_of_a_clean_folder_summarises_it_and_exits_0(smoke, capsys):
    assert main(["check", str(smoke["data"]), "--model", str(smoke["model"])]) == 0
    out = capsys.readouterr().out
    assert "32 labelled images" in out and "128x64 x32" in out and "8-bit gray x32" in out
    assert "time steps: 32" in out and "no problems" in out


def test_train_lists_every_problem_of_its_data_before_refusing(tmp_path, capsys):
    data = small_folder(tmp_path / "d", ["ab", "a?b", "ba", "b!", "aa"])
    model = tmp_path / "m.keras"
    assert main(["train", "--data", str(data), "--alphabet", "ab", "--epochs", "1", "--out", str(model)]) == 1
    err = capsys.readouterr().err
    assert "2 problems" in err and "1.png" in err and "'?'" in err and "3.png" in err and "'!'" in err
    assert not model.exists()


def modules_loaded(code: str) -> set[str]:
    """Top-level modules a fresh Python holds after running ``code``."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    completed = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                               capture_output=True, text=True, env=env, timeout=300, check=True)
    return {name.split(".")[0] for name in completed.stdout.split()}


@pytest.mark.parametrize("argv", [["--help"], ["generate", "plates", "--n", "2", "--out", "{tmp}/p"],
                                  ["check", "{tmp}/p", "--alphabet", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"]])
def test_help_generate_and_check_run_without_keras_or_tensorflow(tmp_path, argv):
    if argv[0] == "check":
        main(["generate", "plates", "--n", "2", "--out", str(tmp_path / "p")])
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    code = (f"from ocrlib.cli import main\ntry:\n    assert main({argv!r}) == 0\n"
            f"except SystemExit as exit_:\n    assert exit_.code == 0")
    loaded = modules_loaded(code)
    assert "ocrlib" in loaded and not loaded & {"keras", "tensorflow", "jax"}


def fine_tune(smoke, tmp_path, *options):
    """`train --init` the smoke model on 4 random images labelled with 3 of its characters and a new one, 'x'."""
    data = small_folder(tmp_path / "d", ["AB1x", "B1Ax", "1ABx", "x1AB"])
    model = tmp_path / "F.keras"
    code = main(["train", "--data", str(data), "--val-split", "0.25", "--batch-size", "2", "--out", str(model),
                 "--init", str(smoke["model"]), *options])
    return code, model


def feature_weights(model):
    """The weights of every layer before the first LSTM (CNN and dense features) of a model file."""
    layers = Recognizer.load(model).model.layers
    first_rnn = next(i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.Bidirectional))
    return [w for layer in layers[:first_rnn] for w in layer.get_weights()]


def test_train_init_starts_from_the_model_and_prints_kept_added_and_dropped(smoke, tmp_path, capsys):
    code, model = fine_tune(smoke, tmp_path, "--epochs", "1")
    assert code == 0
    dropped = "".join(char for char in Recognizer.load(smoke["model"]).alphabet if char not in "1ABx")
    assert f"kept 3 characters '1AB', added 1 'x', dropped {len(dropped)} {dropped!r}" in capsys.readouterr().out
    recognizer = Recognizer.load(model)
    assert recognizer.alphabet.chars == "1ABx"
    assert recognizer.metadata["training"]["arguments"]["learning_rate"] == 3e-4


def test_train_init_with_a_shipped_name_missing_here_exits_1_naming_the_script(tmp_path, monkeypatch, capsys):
    from ocrlib import pretrained

    monkeypatch.setattr(pretrained, "pretrained_folder", lambda: tmp_path)
    data = small_folder(tmp_path / "d", ["ab", "ba", "ab", "ba"])
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "m.keras"), "--init", "plates"]) == 1
    assert "python scripts/make_pretrained.py plates makes it" in capsys.readouterr().err


def test_train_init_with_a_shipped_name_fine_tunes_the_shipped_model(shipped_plates, tmp_path, capsys):
    from ocrlib.transfer import architecture

    data = small_folder(tmp_path / "d", ["AB1x", "B1Ax", "1ABx", "x1AB"])
    model = tmp_path / "F.keras"
    assert main(["train", "--data", str(data), "--val-split", "0.25", "--batch-size", "2", "--epochs", "1",
                 "--out", str(model), "--init", "plates"]) == 0
    assert "starting from plates: kept 3 characters '1AB', added 1 'x', dropped 33" in capsys.readouterr().out
    tuned, shipped = Recognizer.load(model), Recognizer.load(shipped_plates)
    assert tuned.alphabet.chars == "1ABx" and architecture(tuned.model) == architecture(shipped.model)
    assert tuned.metadata["training"]["arguments"]["init"] == "plates" and "pretrained" not in tuned.metadata


def test_train_init_refuses_a_shortcut_option_the_init_model_does_not_match(smoke, tmp_path, capsys):
    code, _ = fine_tune(smoke, tmp_path / "a", "--epochs", "1", "--shortcut")  # the smoke model has none
    assert code == 2
    assert f"--shortcut: the --init model {smoke['model']} has none" in capsys.readouterr().err
    code, _ = fine_tune(smoke, tmp_path / "b", "--epochs", "1", "--no-shortcut")  # as the model is: fine
    assert code == 0
    assert "3 images: batch 2, 1 epoch, plateau (--batch-size, --epochs as given)" in capsys.readouterr().out


def test_train_freeze_features_changes_the_output_layer_but_not_the_features(smoke, tmp_path):
    code, model = fine_tune(smoke, tmp_path, "--epochs", "1", "--freeze-features")
    assert code == 0
    for tuned, source in zip(feature_weights(model), feature_weights(smoke["model"]), strict=True):
        np.testing.assert_array_equal(tuned, source)
    tuned, source = Recognizer.load(model), Recognizer.load(smoke["model"])
    columns = [source.alphabet.encode(char)[0] for char in "1AB"]
    assert not np.allclose(tuned.model.layers[-1].get_weights()[0][:, 1:4], source.model.layers[-1].get_weights()[0][:, columns])


def test_train_freeze_features_without_init_exits_2(tmp_path, capsys):
    data = small_folder(tmp_path / "d", ["ab", "ba", "ab", "ba"])
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "m.keras"), "--freeze-features"]) == 2
    assert "--freeze-features needs --init" in capsys.readouterr().err


def test_train_unfreeze_after_k_epochs_changes_the_features_after_them(smoke, tmp_path, capsys):
    code, model = fine_tune(smoke, tmp_path, "--epochs", "2", "--freeze-features", "--unfreeze-after", "1")
    assert code == 0
    assert "after epoch 1: every layer trainable" in capsys.readouterr().out
    last = last_checkpoint_path(model)
    assert Recognizer.load(last).metadata["epoch"] == 2
    assert any(not np.array_equal(tuned, source)
               for tuned, source in zip(feature_weights(last), feature_weights(smoke["model"]), strict=True))
