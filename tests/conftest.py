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
