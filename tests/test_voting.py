import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.recognizer import Recognizer
from ocrlib.voting import JITTERS, jittered, voted


def dot(height=16, width=32, row=8, column=12, channels=1, dtype=np.uint8):
    """One image (1, H, W, C) dark but for one bright pixel."""
    image = np.zeros((1, height, width, channels), dtype)
    image[0, row, column] = 255 if dtype == np.uint8 else 1.0
    return image


def brightest(images):
    """(row, column) of the brightest pixel of the first image."""
    return np.unravel_index(np.argmax(images[0, :, :, 0]), images.shape[1:3])


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("channels", [1, 3])
def test_jittered_keeps_shape_and_dtype_and_moves_the_picture_as_asked(dtype, channels):
    image = dot(channels=channels, dtype=dtype)
    for dx, dy, scale in JITTERS:
        moved = jittered(image, dx, dy, scale)
        assert moved.shape == image.shape and moved.dtype == image.dtype
    np.testing.assert_array_equal(jittered(image, 0, 0, 1.0), image)
    assert brightest(jittered(image, 2, 0, 1.0)) == (8, 14)  # right by two
    assert brightest(jittered(image, 0, -2, 1.0)) == (6, 12)  # up by two
    # Scaled by 1/2 about the centre (16, 8): the column 4 from the centre comes to 2 from it.
    assert brightest(jittered(dot(column=20, dtype=dtype), 0, 0, 0.5))[1] in (17, 18)


def test_jittered_fills_what_the_move_uncovers_with_the_edge_not_black():
    image = np.full((1, 8, 8, 1), 200, np.uint8)
    assert jittered(image, 2, 0, 1.0).min() == 200
    assert jittered(image, 0, 0, 0.92).min() == 200


def test_voted_keeps_the_text_most_readings_agree_on_and_the_first_reading_on_a_tie():
    readings = [["AB1", "x", "p"], ["AB7", "y", "q"], ["AB7", "x", "p"], ["AB1", "y", "q"], ["AB7", "z", "r"]]
    assert voted(readings) == ["AB7", "x", "p"]  # 3 of 5; x and y tie: the first reading's; p and q tie
    assert voted([["only"]]) == ["only"]
    with pytest.raises(ValueError):
        voted([["a", "b"], ["a"]])  # a reading that lost an image


class ScriptedModel:
    """Stands in for a Keras model of input 16 x 32 x 1 and T = 4 over blank + 'ab': its k-th call reads
    every image of the batch as the k-th text of ``script``."""

    input_shape, output_shape = (None, 16, 32, 1), (None, 4, 3)

    def __init__(self, script):
        self.script, self.calls = script, []

    def predict_on_batch(self, inputs):
        self.calls.append(inputs)
        text = self.script[(len(self.calls) - 1) % len(self.script)]
        probs = np.zeros((len(inputs), 4, 3), np.float32)
        probs[:, :, 0] = 1.0
        for step, char in enumerate(text):
            probs[:, step] = np.eye(3)[" ab".index(char)]
        return probs


def test_recognizer_vote_reads_seven_copies_and_keeps_the_majority():
    model = ScriptedModel(["a", "b", "ab", "b", "b", "a", "b"])  # once: "a"; four of seven: "b"
    recognizer = Recognizer(model, Alphabet("ab"))
    images = [np.full((16, 32), 128, np.uint8) for _ in range(3)]
    assert recognizer.vote(images) == ["b", "b", "b"]
    assert len(model.calls) == 7
    np.testing.assert_array_equal(model.calls[0], recognizer.preprocess(images))  # the first copy: as it is
    model.calls.clear()
    readings = recognizer.recognize(images, vote=True)  # one more reading, for the confidence
    assert [text for text, _ in readings] == ["b", "b", "b"]
    assert all(confidence == 0.0 for _, confidence in readings)  # the image as it is reads "a" for certain
