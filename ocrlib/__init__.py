"""ocrlib: read text in images without segmenting characters (CRNN + CTC, Keras 3)."""
from ocrlib.startup import onednn_on_unless_set, tensorflow_start_up_hidden

onednn_on_unless_set()
with tensorflow_start_up_hidden():
    import keras  # noqa: F401  (the backend's start-up log, hidden where TF_CPP_MIN_LOG_LEVEL=3)

from ocrlib.alphabet import Alphabet
from ocrlib.model import CRNN, build_crnn
from ocrlib.recognizer import Recognizer

__version__ = "0.1.0"
__all__ = ["CRNN", "Alphabet", "Recognizer", "build_crnn", "__version__"]
