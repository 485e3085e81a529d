"""Small helpers shared by the test modules."""
import itertools
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from ocrlib.data.fonts import FontError

# A tiny model: the architecture (and so T = W / 4 time steps) is the default one, the widths are not.
TINY = {"filters": (4, 8, 8), "dense_units": 8, "rnn_units": 8}


def random_probs(rng: np.random.Generator, shape) -> np.ndarray:
    """Softmax of random logits, float64; the last axis sums to one."""
    logits = rng.normal(size=shape) * 2.0
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def one_hot_path(path: list[int], num_classes: int, high: float = 0.9) -> np.ndarray:
    """(T, C) probabilities whose argmax at step t is path[t]."""
    probs = np.full((len(path), num_classes), (1 - high) / (num_classes - 1))
    probs[np.arange(len(path)), path] = high
    return probs


def small_random_matrices(count: int) -> list[tuple[np.ndarray, str]]:
    """``count`` seeded (probs, chars) pairs, T in 1..6 steps, 3 or 4 classes (blank + "ab" or "abc")."""
    cases = []
    for seed in range(count):
        rng = np.random.default_rng(seed)
        chars = "abc"[: rng.integers(2, 4)]
        cases.append((random_probs(rng, (rng.integers(1, 7), len(chars) + 1)), chars))
    return cases


def labelling_probabilities(probs: np.ndarray, chars: str) -> dict[str, float]:
    """Brute force: p(text | probs) of every text, by collapsing each of the C^T paths and summing per text."""
    time_steps, classes = probs.shape
    paths = np.array(list(itertools.product(range(classes), repeat=time_steps)))
    totals: dict[str, float] = {}
    for path, p in zip(paths.tolist(), probs[np.arange(time_steps), paths].prod(axis=1).tolist()):
        text = "".join(chars[c - 1] for i, c in enumerate(path) if c and (i == 0 or c != path[i - 1]))
        totals[text] = totals.get(text, 0.0) + p
    return totals


def most_probable_labelling(probs: np.ndarray, chars: str) -> str:
    totals = labelling_probabilities(probs, chars)
    return max(totals, key=totals.get)


def permission_bits(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(directory: Path, expected: set[str]) -> set[str]:
    """Names in ``directory`` other than ``expected`` (temp files, staging folders...)."""
    return {p.name for p in Path(directory).iterdir()} - set(expected)


def text_path_probs(path: str, chars: str, high: float = 0.9) -> np.ndarray:
    """(len(path), len(chars) + 1) probabilities whose best path is ``path``, '-' standing for the blank."""
    return one_hot_path([0 if char == "-" else chars.index(char) + 1 for char in path], len(chars) + 1, high)


def assert_seeded(generator) -> None:
    """``generator(n, seed)`` gives the same images and texts for the same seed, and others for another."""
    images, texts = generator(6, seed=3)
    again, texts_again = generator(6, seed=3)
    other, other_texts = generator(6, seed=4)
    np.testing.assert_array_equal(images, again)
    assert texts == texts_again
    assert texts != other_texts and not np.array_equal(images, other)


def lambda_model(path: Path) -> Path:
    """Write a .keras file with ocrlib's metadata whose model holds a Lambda layer (a Python lambda)."""
    import keras

    from ocrlib.model_file import write_metadata

    inputs = keras.Input((64, 128, 1))
    outputs = keras.layers.Lambda(lambda x: x * 2)(keras.layers.Reshape((32, 256))(inputs))
    keras.Model(inputs, keras.layers.Dense(3)(outputs)).save(path)
    write_metadata(path, {"alphabet": "ab", "input_shape": [64, 128, 1]})
    return path


def assert_unreadable_fonts_are_named(draw, tmp_path: Path) -> None:
    """``draw(fonts)`` raises ``FontError`` naming a file that is not a font, and a face name that is unknown."""
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"\x00" * 100)
    with pytest.raises(FontError, match="broken.ttf"):
        draw(["DejaVu Sans", str(broken)])
    with pytest.raises(FontError, match="Comic Sans"):
        draw(["Comic Sans"])
