"""Shipped models: a name or a path resolved to a file, ``Recognizer.pretrained``."""
from pathlib import Path

import numpy as np
import pytest

import ocrlib
from ocrlib import pretrained
from ocrlib.data.plates import ALPHABET
from ocrlib.errors import ModelFileError
from ocrlib.pretrained import resolve_model
from ocrlib.recognizer import Recognizer

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGE_FOLDER = Path(ocrlib.__file__).parent / "pretrained"  # where package data puts the shipped files


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
