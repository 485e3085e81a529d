"""Shipped models: a name or a path resolved to a file, ``Recognizer.pretrained``, scripts/make_pretrained.py,
and the real shipped plates model where this checkout has it."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import ocrlib
from ocrlib import pretrained
from ocrlib.alphabet import Alphabet
from ocrlib.data.folder import write_folder
from ocrlib.data.plates import ALPHABET, generate_plates
from ocrlib.errors import ModelFileError
from ocrlib.metrics import character_error_rate, sequence_accuracy
from ocrlib.model import build_crnn
from ocrlib.pretrained import PRETRAINED, resolve_model
from ocrlib.recognizer import Recognizer
from tests.helpers import TINY, leftovers

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGE_FOLDER = Path(ocrlib.__file__).parent / "pretrained"  # where package data puts the shipped files


def script(name: str):
    """scripts/NAME.py as a module."""
    spec = importlib.util.spec_from_file_location(name, REPOSITORY / "scripts" / f"{name}.py")
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_pretrained():
    return script("make_pretrained")


def test_a_shipped_name_resolves_to_its_file_in_the_package_folder(shipped_plates):
    assert resolve_model("plates") == shipped_plates


def test_an_existing_file_wins_over_the_shipped_name(shipped_plates, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("plates").write_bytes(b"a file the user named plates")
    assert resolve_model("plates") == Path("plates")


def test_an_unknown_name_is_refused_naming_it_and_listing_the_shipped_ones():
    with pytest.raises(ModelFileError, match="plaets: no such model file, nor the name of a shipped model "
                                             r"\(plates, captcha, equations\)"):
        resolve_model("plaets")


def test_a_shipped_name_this_installation_lacks_names_the_script_that_makes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrained, "pretrained_folder", lambda: tmp_path)
    with pytest.raises(ModelFileError, match="captcha is not in this installation.*scripts/make_pretrained.py captcha"):
        resolve_model("captcha")
    with pytest.raises(ModelFileError, match="captcha is not in this installation"):
        Recognizer.pretrained("captcha")


def test_the_shipped_files_live_in_the_package_folder_that_pyproject_installs():
    assert pretrained.pretrained_folder() == PACKAGE_FOLDER
    assert '"ocrlib.pretrained" = ["*.keras"]' in (REPOSITORY / "pyproject.toml").read_text()


def test_recognizer_pretrained_loads_the_shipped_file(shipped_plates, plates32):
    images = plates32[0][:4]
    shipped = Recognizer.pretrained("plates")
    assert shipped.metadata["pretrained"]["name"] == "plates" and shipped.alphabet.chars == ALPHABET
    np.testing.assert_array_equal(shipped.predict_proba(images), Recognizer.load(shipped_plates).predict_proba(images))
    with pytest.raises(ModelFileError, match="'plaets' is not a shipped model: the shipped ones are plates, captcha"):
        Recognizer.pretrained("plaets")


def test_the_shipped_models_fit_in_10_mb():
    assert sum(path.stat().st_size for path in PACKAGE_FOLDER.glob("*.keras")) <= 10_000_000


def tiny_model(path: Path, alphabet: str = ALPHABET) -> Path:
    """An untrained model of the tiny widths for ``alphabet`` at ``path``."""
    return Recognizer(build_crnn(alphabet, **TINY).inference_model, Alphabet(alphabet)).save(path)


def test_make_pretrained_from_a_model_scores_it_and_records_how_it_was_made(make_pretrained, tmp_path, monkeypatch):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    monkeypatch.setattr(pretrained, "pretrained_folder", lambda: shipped)
    source = tiny_model(tmp_path / "m.keras")
    argv = ["plates", "--from", str(source), "--trained-by", "python benchmarks/train_plates.py", "--test", "20"]
    assert make_pretrained.main(argv) == shipped / "plates.keras"
    recognizer = Recognizer.pretrained("plates")
    made = recognizer.metadata["pretrained"]
    assert made["name"] == "plates" and made["description"] == PRETRAINED["plates"]
    assert made["trained_by"] == "python benchmarks/train_plates.py"
    assert made["made_by"] == f"python scripts/make_pretrained.py plates --from {source} --trained-by " \
                              "'python benchmarks/train_plates.py' --test 20"
    images, texts = generate_plates(20, seed=2)
    readings = [text for text, _ in recognizer.recognize(images)]
    synthetic = made["scores"].pop("held-out synthetic images (n=20, seed 2)")
    assert synthetic["sequence_accuracy"] == sequence_accuracy(texts, readings)
    assert synthetic["cer"] == pytest.approx(character_error_rate(texts, readings))
    real = (REPOSITORY.parent / "shared" / "data" / "real-plates-ar").is_dir()
    assert list(made["scores"]) == (["real Argentine plates (n=147)"] if real else [])
    assert leftovers(shipped, {"plates.keras"}) == set()


def test_make_pretrained_refuses_a_model_of_another_alphabet_naming_both(make_pretrained, tmp_path, monkeypatch):
    monkeypatch.setattr(pretrained, "pretrained_folder", lambda: tmp_path)
    source = tiny_model(tmp_path / "digits.keras", "0123456789")
    with pytest.raises(ModelFileError, match=f"digits.keras reads '0123456789' in images of \\(64, 128, 1\\), but the "
                                             f"shipped plates model must read '{ALPHABET}'"):
        make_pretrained.main(["plates", "--from", str(source), "--trained-by", "x", "--test", "2"])
    assert not (tmp_path / "plates.keras").exists()


def test_make_pretrained_from_without_trained_by_is_a_usage_error(make_pretrained, capsys):
    with pytest.raises(SystemExit) as exit_:
        make_pretrained.main(["captcha", "--from", "m.keras"])
    assert exit_.value.code == 2 and "--from and --trained-by go together" in capsys.readouterr().err


def test_the_demo_compares_its_model_with_the_shipped_one_on_each_folder_there_is(shipped_plates, tmp_path, capsys):
    images, _ = generate_plates(8, seed=5)
    texts = [text for text, _ in Recognizer.load(shipped_plates).recognize(images)]  # all read right by the shipped model
    write_folder(tmp_path / "test", images, texts)
    fresh = tiny_model(tmp_path / "fresh.keras")
    script("compare_with_shipped").main(str(fresh), str(tmp_path / "test"), str(tmp_path / "absent"))
    mine = sequence_accuracy(texts, [text for text, _ in Recognizer.load(fresh).recognize(images)])
    assert mine < 1 and capsys.readouterr().out == (f"{fresh} vs the shipped plates model, sequence accuracy: "
                                                    f"{tmp_path / 'test'} {mine:.2%} vs 100.00%\n")


def test_the_demo_says_in_one_line_when_there_is_no_shipped_model(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pretrained, "pretrained_folder", lambda: tmp_path)
    script("compare_with_shipped").main("runs/demo/plates.keras", "data/plates-test")
    assert capsys.readouterr().out == ("no shipped plates model in this installation "
                                       "(python scripts/make_pretrained.py plates makes it): comparison skipped\n")


@pytest.mark.skipif(not (PACKAGE_FOLDER / "plates.keras").is_file(),
                    reason="no shipped plates model in ocrlib/pretrained (scripts/make_pretrained.py plates makes it)")
def test_the_shipped_plates_model_reads_half_of_100_fresh_plates_and_names_the_script_that_made_it():
    recognizer = Recognizer.pretrained("plates")
    images, texts = generate_plates(100, seed=99)  # no recipe draws seed 99
    accuracy = sequence_accuracy(texts, [text for text, _ in recognizer.recognize(images)])
    assert accuracy >= 0.5, f"the shipped plates model read {accuracy:.0%} of 100 fresh plates"
    assert recognizer.metadata["pretrained"]["made_by"].startswith("python scripts/make_pretrained.py plates")
