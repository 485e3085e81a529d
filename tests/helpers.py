"""Small helpers shared by the test modules."""
import os
import stat
from pathlib import Path

import numpy as np

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


def permission_bits(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(directory: Path, expected: set[str]) -> set[str]:
    """Names in ``directory`` other than ``expected`` (temp files, staging folders...)."""
    return {p.name for p in Path(directory).iterdir()} - set(expected)
