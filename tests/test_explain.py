import keras
import numpy as np
import pytest
from keras import layers

from ocrlib.alphabet import Alphabet
from ocrlib.explain import character_peaks, peak_offsets
from ocrlib.recognizer import Recognizer


def test_character_peaks_are_the_most_probable_step_of_each_run():
    #          -    A    -    A    A    -    B
    probs = np.array([[.9, .05, .05], [.1, .8, .1], [.9, .05, .05], [.2, .6, .2], [.1, .85, .05],
                      [.9, .05, .05], [.3, .1, .6]])
    assert character_peaks(probs) == [(1, 1), (4, 1), (6, 2)]
    assert character_peaks(np.tile([[1.0, 0.0, 0.0]], (5, 1))) == []


def column_reader(displacement: int) -> Recognizer:
    """A model whose step t says 'ink' (class 1) when the 4 pixel columns of step t - displacement are
    dark: each peak sits ``displacement`` steps to the right of its glyph."""
    image = keras.Input((64, 128, 1))
    x = layers.AveragePooling2D((64, 4))(image)              # (1, 32, 1): mean brightness per step
    x = layers.Reshape((32, 1))(x)
    x = layers.Lambda(lambda v: keras.ops.roll(v, displacement, axis=1), output_shape=(32, 1))(x)
    dense = layers.Dense(2, activation="softmax")
    probs = dense(x)
    dense.set_weights([np.array([[20.0, -20.0]]), np.array([-10.0, 10.0])])  # bright -> blank, dark -> ink
    return Recognizer(keras.Model(image, probs), Alphabet("x"))


@pytest.mark.parametrize("displacement", [0, 6])
def test_peak_offsets_find_how_far_peaks_sit_from_the_columns_that_make_them(displacement):
    page = np.full((64, 128), 255, np.uint8)
    page[:, 40:48] = 0   # a glyph under steps 10 and 11
    page[:, 72:80] = 0   # and one under steps 18 and 19
    offsets = peak_offsets(column_reader(displacement), [page])
    assert len(offsets) == 2
    np.testing.assert_allclose(np.abs(offsets - displacement), 0.5)  # the band's centre sits between two steps


def test_no_images_no_offsets():
    assert peak_offsets(column_reader(0), []).shape == (0,)


def test_a_band_wider_than_the_input_is_refused():
    with pytest.raises(ValueError, match="band 200"):
        peak_offsets(column_reader(0), [np.zeros((64, 128), np.uint8)], band=200)
