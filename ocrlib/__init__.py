"""ocrlib: read text in images without segmenting characters (CRNN + CTC, Keras 3).

``import ocrlib`` does not load Keras: ``build_crnn``, ``CRNN``, ``Recognizer`` and the fine-tuning
functions ``crnn_like`` and ``transfer_weights`` load it when first used, and Keras, however imported,
starts as ``ocrlib.startup`` describes (oneDNN on, start-up lines hidden).
"""
from importlib import import_module, metadata

from ocrlib.startup import hide_start_up_of_later_imports, onednn_on_unless_set

onednn_on_unless_set()
hide_start_up_of_later_imports()

from ocrlib.alphabet import Alphabet  # noqa: E402

# Names that need Keras -> the module that defines them, imported on first use (PEP 562).
_KERAS_NAMES = {"CRNN": "ocrlib.model", "build_crnn": "ocrlib.model", "Recognizer": "ocrlib.recognizer",
                "crnn_like": "ocrlib.transfer", "transfer_weights": "ocrlib.transfer"}


def __getattr__(name: str):
    if name in _KERAS_NAMES:
        return getattr(import_module(_KERAS_NAMES[name]), name)
    raise AttributeError(f"module 'ocrlib' has no attribute {name!r}")


def _version() -> str:
    """The installed distribution's version; ``unknown`` for a source tree that was never installed."""
    try:
        return metadata.version("ocrlib")
    except metadata.PackageNotFoundError:
        return "unknown"


__version__ = _version()
__all__ = ["CRNN", "Alphabet", "Recognizer", "build_crnn", "crnn_like", "transfer_weights", "__version__"]
