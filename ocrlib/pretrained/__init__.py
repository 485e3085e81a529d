"""The recognizers that ship inside ocrlib, as package data beside this module (``ocrlib/pretrained/NAME.keras``,
under 10 MB in all), and how a model argument, a path or a shipped name, becomes a model file.

``scripts/make_pretrained.py NAME`` makes each file and records in its metadata, under ``pretrained``,
the name, the description, the commands that trained and made it, its scores and the date. The
alphabet and input size are in the metadata every model file carries. Needs no Keras.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from ocrlib.errors import ModelFileError

# Name -> what the model reads, in one line; everything else is in the file.
PRETRAINED = {
    "plates": "number plates of six formats (Russian, Latin, Mercosur, two groups, EU, US-like), "
              "trained on synthetic plates only",
    "captcha": "captchas of 4 to 6 characters, digits and A-Z without O, as the captcha package draws them",
    "equations": "arithmetic equations such as (3-8)*2=-10: digits and + - * ( ) =",
}
MAKER = "scripts/make_pretrained.py"  # in the repository, not in the installed package


def pretrained_folder() -> Path:
    """The folder of the shipped ``.keras`` files: this package's, where it is installed."""
    return Path(str(resources.files(__name__)))


def shipped_file(name: str) -> Path:
    """Where the shipped model ``name`` lives, whether this installation has it or not."""
    return pretrained_folder() / f"{name}.keras"


def shipped_models() -> dict[str, Path | None]:
    """Each shipped model's name -> its file, or None where this installation lacks it."""
    return {name: shipped_file(name) if shipped_file(name).is_file() else None for name in PRETRAINED}


def pretrained_path(name: str) -> Path:
    """The file of the shipped model ``name``. ``ModelFileError`` for an unknown name (listing the
    shipped ones), or for a known one whose file this installation lacks (naming the script that makes it)."""
    if name not in PRETRAINED:
        raise ModelFileError(f"{name!r} is not a shipped model: the shipped ones are {', '.join(PRETRAINED)}")
    path = shipped_file(name)
    if not path.is_file():
        raise ModelFileError(f"the shipped model {name} is not in this installation ({path} is missing): "
                             f"python {MAKER} {name} makes it")
    return path


def resolve_model(model: str | Path) -> Path:
    """The file that ``model`` names: an existing file as it is (a file wins over a shipped name), else the
    shipped model of that name; ``ModelFileError`` naming ``model`` and the shipped names otherwise."""
    if Path(model).is_file():
        return Path(model)
    if str(model) in PRETRAINED:
        return pretrained_path(str(model))
    raise ModelFileError(f"{model}: no such model file, nor the name of a shipped model ({', '.join(PRETRAINED)})")
