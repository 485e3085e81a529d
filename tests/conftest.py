"""Shared fixtures. Keep the suite lean: the machine has two CPU cores and trains models elsewhere."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import ocrlib  # noqa: E402, F401  (before any test imports Keras: ocrlib starts TensorFlow with oneDNN)
import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def plates32():
    """32 seeded plates: uint8 (32, 64, 128) images and their texts."""
    from ocrlib.data.plates import generate_plates

    return generate_plates(32, seed=0)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def tiny_plates_folder(tmp_path_factory):
    """A folder holding ``plates.keras``: an untrained plates model of the tiny widths, with the ``pretrained``
    metadata that scripts/make_pretrained.py records."""
    from ocrlib.data.plates import ALPHABET
    from ocrlib.model import build_crnn
    from ocrlib.pretrained import PRETRAINED
    from ocrlib.recognizer import Recognizer
    from tests.helpers import TINY

    folder = tmp_path_factory.mktemp("pretrained")
    Recognizer(build_crnn(ALPHABET, **TINY).inference_model, ocrlib.Alphabet(ALPHABET)).save(
        folder / "plates.keras", pretrained={
            "name": "plates", "description": PRETRAINED["plates"], "trained_by": "python benchmarks/train_plates.py",
            "made_by": "python scripts/make_pretrained.py plates --from runs/benchmarks/plates.keras",
            "scores": {"held-out synthetic images (n=2000, seed 2)": {"sequence_accuracy": 0.9125, "cer": 0.0123}},
            "date": "2025-01-31"})
    return folder


@pytest.fixture
def shipped_plates(tiny_plates_folder, monkeypatch):
    """The tiny model of ``tiny_plates_folder`` shipped as ``plates`` (the package's folder patched); its file."""
    from ocrlib import pretrained

    monkeypatch.setattr(pretrained, "pretrained_folder", lambda: tiny_plates_folder)
    return tiny_plates_folder / "plates.keras"
