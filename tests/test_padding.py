"""The padding experiment of notebook 07, held to its claims: a conv net with global max pooling is exactly
shift-invariant while every window that sees the pattern lies inside the image, whatever its padding;
near a border it is not, and with circular padding it is everywhere."""
import keras
import numpy as np
import pytest
from keras import layers

WIDTH, PATTERN = 64, np.array([1.0, 0.0, 1.0, 1.0])
DILATIONS = (1, 2, 4)
RECEPTIVE_FIELD = 1 + 2 * sum(DILATIONS)  # kernel 3: each layer adds 2 x its dilation


def pooled_net(padding: str) -> keras.Model:
    """Three dilated Conv1D layers, global max pooling, one output. padding: "valid", "same" (zeros)
    or "circular" (the signal wrapped around, then valid)."""
    keras.utils.set_random_seed(0)
    x = inputs = keras.Input((WIDTH, 1))
    for dilation in DILATIONS:
        if padding == "circular":
            x = layers.Lambda(lambda t, d=dilation: keras.ops.concatenate([t[:, -d:], t, t[:, :d]], axis=1))(x)
        x = layers.Conv1D(8, 3, dilation_rate=dilation, padding="same" if padding == "same" else "valid",
                          activation="relu")(x)
    return keras.Model(inputs, layers.Dense(1)(layers.GlobalMaxPooling1D()(x)))


def signals(positions) -> np.ndarray:
    """(N, WIDTH, 1): the pattern at each left position on a grey background."""
    batch = np.full((len(positions), WIDTH, 1), 0.5, np.float32)
    for i, x in enumerate(positions):
        batch[i, x:x + len(PATTERN), 0] = PATTERN
    return batch


INSIDE = np.arange(RECEPTIVE_FIELD - 1, WIDTH - RECEPTIVE_FIELD - len(PATTERN) + 2)  # every window seeing it inside
NEAR_BORDER = np.arange(0, RECEPTIVE_FIELD - 1)


@pytest.mark.parametrize("padding", ["valid", "same", "circular"])
def test_inside_the_borders_the_pooled_output_is_the_same_wherever_the_pattern_is(padding):
    outputs = pooled_net(padding).predict(signals(INSIDE), verbose=0)[:, 0]
    np.testing.assert_allclose(outputs, outputs[0], atol=1e-6)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_near_a_border_the_output_tells_where_the_pattern_is(padding):
    outputs = pooled_net(padding).predict(signals([*NEAR_BORDER, INSIDE[0]]), verbose=0)[:, 0]
    assert np.abs(outputs[:-1] - outputs[-1]).max() > 1e-3


def test_circular_padding_is_blind_to_position_everywhere():
    outputs = pooled_net("circular").predict(signals(np.arange(WIDTH - len(PATTERN) + 1)), verbose=0)[:, 0]
    np.testing.assert_allclose(outputs, outputs[0], atol=1e-6)
