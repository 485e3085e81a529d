"""Property-based tests: labels.csv, image files, the decoders and preprocessing on inputs hypothesis makes up.

Each property is checked against an oracle written here in the plainest way (a hand-written CSV, the
argmax path collapsed in a loop, the brute-force sum over all paths), not against the code under test.
"""
import re
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ocrlib.alphabet import Alphabet
from ocrlib.data.folder import LABELS_FILE, load_folder, read_labels, write_folder
from ocrlib.data.preprocess import preprocess
from ocrlib.decoders import (arithmetic_search, beam_search, beam_search_topk, best_alignment, best_path,
                             best_path_probability, lexicon_search, pattern_search, prefix_search, probability,
                             token_passing, word_beam_search)
from ocrlib.errors import DatasetError
from ocrlib.recognizer import Recognizer
from tests.helpers import labelling_probabilities

# Few examples each, no deadline: the suite runs on two shared CPU cores.
FEW = settings(max_examples=40, deadline=None)


# labels.csv ----------------------------------------------------------------------------------------------

# Any text a label may hold: commas, quotes, CR, LF and non-ASCII included; no surrogates (not UTF-8),
# no NUL (Python 3.10's csv refuses it).
label_texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
filenames = st.text("abcxyz019_-, é", min_size=1, max_size=8).map(lambda stem: f"{stem}.png")


def csv_field(value: str, quote_all: bool) -> str:
    """RFC 4180 by hand: quoted (quotes doubled) when asked or when the field holds a comma, quote, CR or LF."""
    needs_quotes = quote_all or any(c in value for c in ',"\r\n')
    return '"' + value.replace('"', '""') + '"' if needs_quotes else value


@st.composite
def labels_files(draw):
    """(bytes of a labels.csv, the (filename, text) rows it holds) with a BOM or not, CRLF or LF line
    ends, quoting everywhere or only where needed, and blank lines anywhere after the header."""
    names = draw(st.lists(filenames, min_size=1, max_size=5, unique=True))
    rows = [(name, draw(label_texts)) for name in names]
    newline, quote_all = draw(st.sampled_from(["\r\n", "\n"])), draw(st.booleans())
    lines = [csv_field(a, quote_all) + "," + csv_field(b, quote_all) for a, b in [("filename", "text"), *rows]]
    for _ in range(draw(st.integers(0, 3))):
        lines.insert(draw(st.integers(1, len(lines))), "")
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    return ("\ufeff" if draw(st.booleans()) else "").encode() + text.encode(), rows


@FEW
@given(labels_files())
def test_labels_csv_gives_back_every_row_whatever_its_bom_line_ends_quoting_and_blank_lines(file):
    data, rows = file
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / LABELS_FILE).write_bytes(data)
        assert [(path.name, text) for path, text in read_labels(directory)] == rows


@FEW
@given(labels_files(), st.data())
def test_labels_csv_with_a_byte_that_is_not_utf8_is_refused_naming_the_file_and_line(file, data):
    raw, _ = file
    at = data.draw(st.integers(0, len(raw)))
    bad = data.draw(st.sampled_from([b"\xff", b"\xc3(", b"\x80", b"\xe2\x82"]))  # never valid there
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / LABELS_FILE).write_bytes(raw[:at] + bad + raw[at:])
        with pytest.raises(DatasetError, match="not UTF-8") as error:
            read_labels(directory)
    line = raw[:at].count(b"\n") + 1
    assert f"{Path(directory) / LABELS_FILE}, line {line}:" in str(error.value)


@FEW
@given(st.lists(label_texts, min_size=1, max_size=5))
def test_write_folder_then_read_labels_gives_back_the_texts(texts):
    images = [np.full((2, 3), i, np.uint8) for i in range(len(texts))]
    with tempfile.TemporaryDirectory() as directory:
        folder = write_folder(Path(directory) / "set", images, texts)
        assert [text for _, text in read_labels(folder)] == texts


# Image files ---------------------------------------------------------------------------------------------

def encoded(suffix: str) -> bytes:
    """A small seeded gray image encoded as ``suffix`` by OpenCV."""
    image = np.random.default_rng(0).integers(0, 256, (12, 20), dtype=np.uint8)
    return cv2.imencode(suffix, image)[1].tobytes()


# Each format's first bytes, so that random bytes after them reach that format's decoder.
MAGIC = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"BM", b"II*\x00", b"RIFF\x00\x00\x00\x00WEBP", b"P5\n"]


def assert_refused_naming(content: bytes, name: str) -> None:
    """A labelled folder holding ``content`` as ``name`` fails to load with a DatasetError naming that file."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(content)
        with pytest.raises(DatasetError, match=re.escape(str(path))):
            load_folder(directory, (16, 32, 1))


@FEW
@given(st.sampled_from(MAGIC), st.binary(max_size=300), st.sampled_from([".png", ".jpg", ".bmp", ".pgm"]))
def test_an_image_file_of_random_bytes_is_refused_naming_it(magic, noise, suffix):
    content = magic + noise
    assume(not content or cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_UNCHANGED) is None)  # not by chance
    assert_refused_naming(content, "x" + suffix)


@FEW
@given(st.sampled_from([".png", ".jpg", ".bmp", ".tif", ".webp", ".pgm"]), st.floats(0.05, 0.95))
def test_a_truncated_image_file_is_refused_naming_it_not_read_half_blank(suffix, kept):
    data = encoded(suffix)
    assert_refused_naming(data[: int(len(data) * kept)], "x" + suffix)


# Decoders ------------------------------------------------------------------------------------------------

CHARS = "ab c"  # a space, so that the word decoders have something between words


@st.composite
def probability_matrices(draw, chars=CHARS, max_steps=6):
    """(T, len(chars) + 1) float64 rows that sum to one, zeros and ties included, T in 1..max_steps."""
    steps = draw(st.integers(1, max_steps))
    weights = st.sampled_from([0.0, 0.0, 0.5, 1.0, 2.0]) | st.floats(0.0, 10.0)
    raw = draw(arrays(np.float64, (steps, len(chars) + 1), elements=weights))
    raw[raw.sum(axis=1) == 0, 0] = 1.0  # an all-zero row becomes a certain blank
    return raw / raw.sum(axis=1, keepdims=True)


def collapsed_argmax(probs: np.ndarray, chars: str) -> str:
    """The best path the slow way: the likeliest class of each step, then repeats merged and blanks dropped."""
    path = [int(np.argmax(row)) for row in probs]
    text = ""
    for i, c in enumerate(path):
        if c != 0 and (i == 0 or c != path[i - 1]):
            text += chars[c - 1]
    return text


WORDS = ["a", "ab", "ca", "bac"]
DECODERS = {
    "best_path": lambda p: best_path(p, CHARS),
    "beam_search": lambda p: beam_search(p, CHARS, beam_width=3),
    "beam_search pruned": lambda p: beam_search(p, CHARS, beam_width=3, prune=np.log(0.3)),
    "prefix_search": lambda p: prefix_search(p, CHARS, max_expansions=20),
    "token_passing": lambda p: token_passing(p, CHARS, WORDS),
    "lexicon_search": lambda p: lexicon_search(p, CHARS, WORDS),
    "word_beam_search": lambda p: word_beam_search(p, CHARS, " ".join(WORDS), "abc", beam_width=3, mode="ngrams"),
    "pattern_search": lambda p: pattern_search(p, CHARS, "a+b?"),
}


@FEW
@given(probability_matrices())
def test_every_decoder_reads_only_characters_of_the_alphabet(probs):
    for name, decode in DECODERS.items():
        text = decode(probs)
        assert isinstance(text, str) and set(text) <= set(CHARS), name


@FEW
@given(probability_matrices())
def test_the_dictionary_decoders_read_only_dictionary_words(probs):
    assert lexicon_search(probs, CHARS, WORDS) in WORDS
    for text in (token_passing(probs, CHARS, WORDS), word_beam_search(probs, CHARS, " ".join(WORDS), "abc")):
        assert set(text.split()) <= set(WORDS), text


@FEW
@given(probability_matrices(chars="12+="))
def test_arithmetic_search_reads_only_characters_of_the_alphabet(probs):
    assert set(arithmetic_search(probs, "12+=", beam_width=4)) <= set("12+=")


@FEW
@given(probability_matrices())
def test_best_path_is_the_collapsed_argmax_path_and_at_least_as_probable_as_that_path(probs):
    text = best_path(probs, CHARS)
    assert text == collapsed_argmax(probs, CHARS)
    assert probability(probs, text, CHARS) >= best_path_probability(probs) * (1 - 1e-9)


@FEW
@given(probability_matrices(), st.integers(1, 4), st.none() | st.floats(-8.0, 0.0))
def test_beam_search_scores_are_probabilities_no_larger_than_the_forward_algorithm_gives(probs, width, prune):
    results = beam_search_topk(probs, CHARS, beam_width=width, k=width, prune=prune)
    assert results and len({text for text, _ in results}) == len(results)
    scores = np.array([score for _, score in results])
    assert np.all(np.isfinite(scores)) and np.all(np.diff(scores) <= 0)
    assert np.exp(scores).sum() <= 1 + 1e-9
    for text, score in results:  # a beam sums the alignments it kept: some, or all of them
        assert np.exp(score) <= probability(probs, text, CHARS) * (1 + 1e-9), text
    assert beam_search(probs, CHARS, beam_width=width, prune=prune) == results[0][0]


@FEW
@given(probability_matrices(chars="ab", max_steps=5))
def test_a_beam_wide_enough_for_every_prefix_and_prefix_search_find_a_most_probable_text(probs):
    totals = labelling_probabilities(probs, "ab")  # brute force over all 3^T paths
    best = max(totals.values())
    for text in (beam_search(probs, "ab", beam_width=2 ** len(probs)), prefix_search(probs, "ab")):
        assert totals.get(text, 0.0) == pytest.approx(best, rel=1e-9), text


@FEW
@given(probability_matrices(chars="ab", max_steps=5), st.text("ab", max_size=4))
def test_best_alignment_collapses_to_its_text_and_probabilities_sum_to_one(probs, text):
    totals = labelling_probabilities(probs, "ab")
    assert sum(probability(probs, t, "ab") for t in totals) == pytest.approx(1.0)
    assert probability(probs, text, "ab") == pytest.approx(totals.get(text, 0.0), abs=1e-12)
    if totals.get(text, 0.0) > 0:
        assert collapsed_argmax(np.eye(3)[best_alignment(probs, text, "ab")], "ab") == text


# Preprocessing -------------------------------------------------------------------------------------------

INPUT_SHAPES = st.sampled_from([(16, 32, 1), (16, 32, 3), (8, 40, 1)])


class ShapeOnlyModel:
    """All ``Recognizer.preprocess`` needs of a model: its input shape (and an output that fits "ab")."""

    def __init__(self, input_shape):
        self.input_shape, self.output_shape = (None, *input_shape), (None, input_shape[1] // 4, 3)


def recognizer_preprocess(images, shape, rgb=False):
    """``Recognizer.preprocess`` (what a recognizer's model is fed) for a model of input ``shape``."""
    return Recognizer(ShapeOnlyModel(shape), Alphabet("ab")).preprocess(images, rgb)


PREPROCESSORS = {"preprocess": preprocess, "Recognizer.preprocess": recognizer_preprocess}
sizes = st.integers(1, 40)


@st.composite
def valid_images(draw):
    """An image as ``preprocess`` takes it: uint8, uint16, bool or float in [0, 1]; (H, W) or (H, W, 1|3|4)."""
    shape = (draw(sizes), draw(sizes)) + draw(st.sampled_from([(), (1,), (3,), (4,)]))
    dtype = draw(st.sampled_from([np.uint8, np.uint16, np.bool_, np.float32, np.float64]))
    elements = st.floats(0.0, 1.0, width=32) if np.issubdtype(dtype, np.floating) else None
    return draw(arrays(dtype, shape, elements=elements))


@pytest.mark.parametrize("name", PREPROCESSORS)
@FEW
@given(images=st.lists(valid_images(), min_size=1, max_size=3), shape=INPUT_SHAPES, rgb=st.booleans())
def test_preprocess_gives_float32_in_unit_range_of_the_input_shape_for_any_valid_image(name, images, shape, rgb):
    batch = PREPROCESSORS[name](images, shape, rgb)
    assert batch.shape == (len(images), *shape) and batch.dtype == np.float32
    assert np.all((batch >= 0) & (batch <= 1))


invalid_images = st.one_of(
    arrays(np.uint8, st.sampled_from([(5,), (2, 3, 4, 1), (4, 5, 2), (4, 5, 5)])),  # wrong ndim or channels
    arrays(np.float32, (4, 5), elements=st.floats(-1e6, 1e6, width=32).filter(lambda v: not 0 <= v <= 1)),
    arrays(np.float64, (4, 5), elements=st.just(np.nan)),
    arrays(st.sampled_from([np.int8, np.int32, np.int64, np.complex64]), (4, 5)),  # unsupported dtypes
    arrays(np.uint8, st.sampled_from([(0, 5), (5, 0), (0, 0, 3)])),  # no pixels
)


@pytest.mark.parametrize("name", PREPROCESSORS)
@FEW
@given(image=invalid_images, shape=INPUT_SHAPES)
def test_preprocess_refuses_an_invalid_image_with_a_value_error_naming_what_is_wrong(name, image, shape):
    with pytest.raises(ValueError, match=r"image (dtype|shape)|float image|has no pixels"):
        PREPROCESSORS[name]([image], shape)
