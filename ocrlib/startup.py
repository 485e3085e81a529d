"""How ``import ocrlib`` starts TensorFlow: with its oneDNN kernels, and without its start-up lines.

oneDNN: TensorFlow turns its oneDNN CPU kernels on by default only on CPUs with AVX-512. On others
(AVX2 machines, such as the 2-core AMD EPYC this project is measured on), the CRNN then trains 2 to 3
times slower. ``onednn_on_unless_set`` turns them on unless ``TF_ENABLE_ONEDNN_OPTS`` is already set
(0 keeps them off); it only counts before TensorFlow is first imported.

Start-up lines: TensorFlow writes a few lines to the process's stderr while its libraries load
("Could not find cuda drivers", "oneDNN custom operations are on"), before it reads
``TF_CPP_MIN_LOG_LEVEL``. With the variable at 3, file descriptor 2 points at /dev/null while Keras
(and TensorFlow) load, so a notebook's first cell and the command line's output stay clean. Python
errors raised by the import still reach the user: they are printed after stderr is back.

``import ocrlib`` does not load Keras itself (the command line's ``--help``, ``generate`` and
``check`` never need it): ``hide_start_up_of_later_imports`` makes the first ``import keras`` or
``import tensorflow`` after it, by ocrlib or by the user, load in ``tensorflow_start_up_hidden``.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

QUIET_IMPORTS = ("keras", "tensorflow")


def onednn_on_unless_set() -> None:
    """Ask TensorFlow for its oneDNN kernels, unless ``TF_ENABLE_ONEDNN_OPTS`` already says otherwise."""
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")


@contextmanager
def tensorflow_start_up_hidden() -> Iterator[None]:
    """Within the block, writes to file descriptor 2 go nowhere if ``TF_CPP_MIN_LOG_LEVEL`` is 3."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") != "3":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _QuietFinder(importlib.abc.MetaPathFinder):
    """Finds the packages of ``QUIET_IMPORTS`` as Python would, and loads them in ``tensorflow_start_up_hidden``."""

    def find_spec(self, name, path=None, target=None):
        if name not in QUIET_IMPORTS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader(importlib.abc.Loader):
    """Runs ``loader`` with stderr hidden, then leaves the module with ``loader`` as if it had run alone."""

    def __init__(self, loader: importlib.abc.Loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        with tensorflow_start_up_hidden():
            self.loader.exec_module(module)
        module.__loader__ = module.__spec__.loader = self.loader


def hide_start_up_of_later_imports() -> None:
    """From now on, Keras and TensorFlow load in ``tensorflow_start_up_hidden`` (once: a second call does nothing)."""
    if not any(isinstance(finder, _QuietFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _QuietFinder())
