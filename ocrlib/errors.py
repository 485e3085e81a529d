"""Errors raised for bad user input. Each message names the file, line, character or argument."""


class OcrlibError(ValueError):
    """Base class: every ocrlib input error is also a ``ValueError``."""


class UnknownCharacterError(OcrlibError):
    """A text holds a character that is not in the alphabet."""


class LabelTooLongError(OcrlibError):
    """A label the model cannot emit: CTC needs T >= L + r time steps (r: equal neighbours in the label)."""


class ImageTooWideError(OcrlibError):
    """An image wider, at a variable-width model's height, than ``ocrlib.geometry.MAX_WIDTH``."""


class DatasetError(OcrlibError):
    """A labelled folder, labels.csv or image file is missing, malformed or unreadable."""


class ModelFileError(OcrlibError):
    """A model file is not an ocrlib model, or does not match the data or alphabet it is used with."""


class TransferError(ModelFileError):
    """Weights cannot go from one model to another: their input sizes or layers differ, or their
    alphabets share no character."""


class TrainingDivergedError(OcrlibError):
    """The training loss became NaN or infinite (the learning rate is too high for the model or data)."""


class UsageError(ValueError):
    """A command-line option value that cannot work (the CLI exits 2, as for argparse's own usage errors)."""
