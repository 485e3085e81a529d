"""ocrlib: read text in images without segmenting characters (CRNN + CTC, Keras 3)."""
from ocrlib.alphabet import Alphabet
from ocrlib.model import CRNN, build_crnn
from ocrlib.recognizer import Recognizer

__version__ = "0.1.0"
__all__ = ["CRNN", "Alphabet", "Recognizer", "build_crnn", "__version__"]
