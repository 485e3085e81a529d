import keras
import numpy as np
import pytest
from keras import layers

from ocrlib.alphabet import Alphabet
from ocrlib.errors import LabelTooLongError, UnknownCharacterError
from ocrlib.explain import (character_peaks, character_relevance, peak_offsets, peak_positions, relevance,
                            shift_curve, text_peaks)
from ocrlib.model import build_crnn
from ocrlib.recognizer import Recognizer
from tests.helpers import TINY, text_path_probs


def test_character_peaks_are_the_most_probable_step_of_each_run():
    #          -    A    -    A    A    -    B
    probs = np.array([[.9, .05, .05], [.1, .8, .1], [.9, .05, .05], [.2, .6, .2], [.1, .85, .05],
                      [.9, .05, .05], [.3, .1, .6]])
    assert character_peaks(probs) == [(1, 1), (4, 1), (6, 2)]
    assert character_peaks(np.tile([[1.0, 0.0, 0.0]], (5, 1))) == []


def test_text_peaks_are_the_most_probable_step_of_each_character_in_the_alignment_of_the_text():
    probs = text_path_probs("-aa-b-", "ab")
    probs[2] = [0.02, 0.96, 0.02]   # the a at step 2 is surer than the one at step 1
    assert text_peaks(probs, "ab", "ab").tolist() == [2, 4]
    assert text_peaks(probs, "b", "ab").tolist() == [4]   # the a's steps turn to blank in the alignment of "b"


def column_model(weights, biases, chars: str, displacement: int = 0) -> Recognizer:
    """A model whose step t reads only the mean brightness b (0 black, 1 white) of the 4 pixel columns of
    step t - displacement, through softmax(b * weights + biases): each peak sits ``displacement`` steps
    to the right of its glyph."""
    image = keras.Input((64, 128, 1))
    x = layers.AveragePooling2D((64, 4))(image)              # (1, 32, 1): mean brightness per step
    x = layers.Reshape((32, 1))(x)
    x = layers.Lambda(lambda v: keras.ops.roll(v, displacement, axis=1), output_shape=(32, 1))(x)
    dense = layers.Dense(len(chars) + 1, activation="softmax")
    probs = dense(x)
    dense.set_weights([np.array([weights], float), np.array(biases, float)])
    return Recognizer(keras.Model(image, probs), Alphabet(chars))


def column_reader(displacement: int = 0) -> Recognizer:
    """Class 1 ('x', ink) where the columns are dark, blank where they are bright."""
    return column_model([20.0, -20.0], [-10.0, 10.0], "x", displacement)


def grey_reader() -> Recognizer:
    """'x' where the columns are black, 'y' where they are mid grey, blank where they are white:
    logits blank 20 b, x 20 (1 - b), y 12."""
    return column_model([20.0, -20.0, 0.0], [0.0, 20.0, 12.0], "xy")


def page(*glyphs: tuple[int, int], width: int = 128) -> np.ndarray:
    """uint8 (64, width) white, black in the columns of each (left, right) of ``glyphs``."""
    image = np.full((64, width), 255, np.uint8)
    for left, right in glyphs:
        image[:, left:right] = 0
    return image


TWO_GLYPHS = page((40, 48), (80, 88))   # 'x' under steps 10-11 and 20-21


@pytest.mark.parametrize("displacement", [0, 6])
def test_peak_offsets_find_how_far_peaks_sit_from_the_columns_that_make_them(displacement):
    offsets = peak_offsets(column_reader(displacement), [page((40, 48), (72, 80))])
    assert len(offsets) == 2
    np.testing.assert_allclose(np.abs(offsets - displacement), 0.5)  # the band's centre sits between two steps


def test_no_images_no_offsets():
    assert peak_offsets(column_reader(0), []).shape == (0,)


def test_a_band_wider_than_the_input_is_refused():
    with pytest.raises(ValueError, match="band 200"):
        peak_offsets(column_reader(0), [np.zeros((64, 128), np.uint8)], band=200)


def test_relevance_is_zero_where_the_model_cannot_see():
    """A tiny CRNN behind a layer that crops the right half off and pads it with zeros: hiding a patch
    there changes nothing the model sees. Columns 71 on lie under no patch that reaches column 63."""
    keras.utils.set_random_seed(0)
    crnn = build_crnn("AB12", **TINY)
    image = keras.Input((64, 128, 1))
    half_blind = layers.ZeroPadding2D(((0, 0), (0, 64)))(layers.Cropping2D(((0, 0), (0, 64)))(image))
    recognizer = Recognizer(keras.Model(image, crnn.inference_model(half_blind)), crnn.alphabet)
    picture = np.random.default_rng(0).integers(0, 256, (64, 128), dtype=np.uint8)
    relevance_map = relevance(recognizer, picture, "AB12", patch=8, stride=4)
    assert relevance_map.shape == (64, 128)
    unseen, seen = np.abs(relevance_map[:, 71:]).max(), np.abs(relevance_map[:, :64])
    assert unseen < 1e-5   # 0 but for float32 rounding, which differs a little from row to row of a batch
    assert seen.min() > 0 and np.median(seen) > 100 * unseen   # every pixel it sees counts


def test_relevance_is_positive_over_a_glyph_the_text_needs_and_flips_where_the_text_is_wrong():
    reader = grey_reader()
    right, wrong_at_b = relevance(reader, TWO_GLYPHS, "xx"), relevance(reader, TWO_GLYPHS, "xy")
    glyph_a, glyph_b = np.s_[:, 40:48], np.s_[:, 80:88]
    assert (right[glyph_a] > 0).all() and (right[glyph_b] > 0).all()
    assert (wrong_at_b[glyph_a] > 0).all() and (wrong_at_b[glyph_b] < 0).all()
    np.testing.assert_array_equal(relevance(reader, TWO_GLYPHS), right)   # best path reads "xx"


def test_each_character_map_covers_its_own_glyph_only():
    """The grey reader's step sees its own 4 columns: the peak of the first x (step 10, columns 40-43)
    moves only when a patch over columns 33-50 is hidden, that of the second (step 20) over 73-90."""
    maps = character_relevance(grey_reader(), TWO_GLYPHS, "xx", fill=(0.0, 1.0), batch_size=50)
    assert maps.shape == (2, 64, 128)
    for k, (left, right) in enumerate([(33, 51), (73, 91)]):
        assert (maps[k][:, 40 + 40 * k:44 + 40 * k] > 0).all()
        outside = np.ones(128, bool)
        outside[left:right] = False
        np.testing.assert_allclose(maps[k][:, outside], 0, atol=1e-9)


def test_relevance_does_not_depend_on_the_batch_size():
    reader = grey_reader()
    np.testing.assert_allclose(relevance(reader, TWO_GLYPHS, "xy", fill=(0.3, 0.8), batch_size=7),
                               relevance(reader, TWO_GLYPHS, "xy", fill=(0.3, 0.8)), rtol=1e-6)


def test_an_image_of_another_size_is_resized_and_said():
    with pytest.warns(UserWarning, match=r"64 x 256 pixels resized to the model's input of 64 x 128"):
        relevance_map = relevance(grey_reader(), page((80, 96), (160, 176), width=256), "xx", stride=8)
    assert relevance_map.shape == (64, 128)


@pytest.mark.parametrize("call", [
    lambda reader: relevance(reader, TWO_GLYPHS, "xz"),
    lambda reader: character_relevance(reader, TWO_GLYPHS, "xz"),
    lambda reader: shift_curve(reader, TWO_GLYPHS, "xz", [0]),
])
def test_a_text_outside_the_alphabet_is_refused_naming_the_character(call):
    with pytest.raises(UnknownCharacterError, match="'z'"):
        call(grey_reader())


def test_a_text_too_long_for_the_time_steps_is_refused():
    with pytest.raises(LabelTooLongError, match="needs at least 33 time steps"):
        relevance(grey_reader(), TWO_GLYPHS, "x" * 17)


@pytest.mark.parametrize("arguments, message", [
    ({"patch": (80, 8)}, r"patch \(80, 8\) is larger than the model's input of 64 x 128"),
    ({"patch": 200}, "patch 200 is larger"),
    ({"stride": 0}, "stride 0"),
    ({"patch": (8, 8, 8)}, r"patch \(8, 8, 8\)"),
    ({"fill": "noise"}, "fill 'noise'"),
    ({"fill": (0.5, 2.0)}, r"fill \(0.5, 2.0\)"),
])
def test_bad_patches_strides_and_fills_are_refused_naming_them(arguments, message):
    with pytest.raises(ValueError, match=message):
        relevance(grey_reader(), TWO_GLYPHS, "xx", **arguments)


def test_shift_curve_moves_each_peak_one_step_per_4_pixels_until_the_glyph_leaves():
    curve = shift_curve(column_reader(), page((40, 44), (80, 84)), "xx", [-8, 0, 8, -44])
    assert curve.text == "xx" and curve.shifts.tolist() == [-8, 0, 8, -44]
    assert curve.peak_steps[:3].tolist() == [[8, 18], [10, 20], [12, 22]]
    np.testing.assert_allclose(curve.probability[:3], curve.probability[1], rtol=1e-6)
    assert curve.probability[1] > 0.99 and curve.probability[3] < 1e-3   # shifted 44 left, the first x is gone


@pytest.mark.parametrize("shifts, message", [([0, 128], "shift 128"), ([], "shifts"), ([0.5], "shifts")])
def test_bad_shifts_are_refused(shifts, message):
    with pytest.raises(ValueError, match=message):
        shift_curve(column_reader(), TWO_GLYPHS, "x", shifts)


@pytest.mark.parametrize("displacement", [0, 6])
def test_peak_positions_put_peaks_displacement_steps_right_of_their_glyph_boxes(displacement):
    images = [page((40, 44), (80, 84)), page((20, 24))]
    positions = peak_positions(column_reader(displacement), images, ["xx", "x"],
                               [[(40, 44), (80, 84)], [(20, 24)]])
    np.testing.assert_array_equal(positions.glyph_steps, [10, 20, 5])
    np.testing.assert_array_equal(positions.offsets, displacement)


def test_peak_positions_take_boxes_in_the_pixels_of_an_image_of_another_size():
    with pytest.warns(UserWarning, match="resized"):
        positions = peak_positions(column_reader(), [page((80, 88), width=256)], ["x"], [[(80, 88)]])
    np.testing.assert_array_equal(positions.glyph_steps, [10])
    np.testing.assert_array_equal(positions.offsets, 0)


def test_peak_positions_of_no_images_are_empty():
    positions = peak_positions(column_reader(), [], [], [])
    assert positions.glyph_steps.shape == positions.peak_steps.shape == positions.offsets.shape == (0,)


@pytest.mark.parametrize("texts, boxes, error, message", [
    (["x", "xz"], [[(0, 4)], [(0, 4), (8, 12)]], UnknownCharacterError, "text 1: character 'z'"),
    (["x", "xx"], [[(0, 4)], [(0, 4)]], ValueError, "glyph_boxes 1"),
    (["x", "x"], [[(4, 4)], [(0, 4)]], ValueError, "glyph_boxes 0"),
    (["x"], [[(0, 4)], [(0, 4)]], ValueError, "2 images, 1 texts and 2 glyph_boxes"),
])
def test_peak_positions_refuse_bad_texts_and_boxes_naming_them(texts, boxes, error, message):
    with pytest.raises(error, match=message):
        peak_positions(column_reader(), [TWO_GLYPHS] * 2, texts, boxes)
