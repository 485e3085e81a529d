import itertools

import keras
import numpy as np
import pytest

from ocrlib.ctc import ctc_loss
from ocrlib.ctc_reference import (backward_log_beta, ctc_gradient_reference, ctc_loss_reference, forward_log_alpha,
                                  min_time_steps)
from ocrlib.model import build_crnn
from tests.helpers import TINY, random_probs


def collapse(path):
    """CTC's many-to-one map: merge repeats, then drop blanks (0)."""
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return [c for c in merged if c != 0]


def brute_force_probability(probs, label):
    """p(label | probs) summed over all C^T paths that collapse to ``label``."""
    time_steps, classes = probs.shape
    total = 0.0
    for path in itertools.product(range(classes), repeat=time_steps):
        if collapse(list(path)) == list(label):
            total += np.prod(probs[np.arange(time_steps), path])
    return total


def test_brute_force_helper_sums_to_one_over_all_labels(rng):
    # Guard on the test's own oracle: every path collapses to exactly one label.
    probs = random_probs(rng, (4, 3))
    labels = {tuple(collapse(list(p))) for p in itertools.product(range(3), repeat=4)}
    assert sum(brute_force_probability(probs, label) for label in labels) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("label", [[1], [2], [1, 2], [2, 1], [1, 1], [1, 2, 1], [2, 2, 1]])
def test_reference_loss_equals_brute_force_over_all_alignments(rng, label):
    probs = random_probs(rng, (4, 3))
    expected = -np.log(brute_force_probability(probs, label))
    assert ctc_loss_reference(probs, label) == pytest.approx(expected, rel=1e-10)


def test_reference_loss_of_an_impossible_label_is_infinite(rng):
    # [1, 1, 1] needs a blank between each repeat: 5 steps, more than T = 4.
    probs = random_probs(rng, (4, 3))
    assert brute_force_probability(probs, [1, 1, 1]) == 0.0
    assert ctc_loss_reference(probs, [1, 1, 1]) == np.inf


def test_reference_loss_of_the_empty_label_is_the_all_blank_path(rng):
    probs = random_probs(rng, (4, 3))
    expected = -np.log(brute_force_probability(probs, []))
    assert expected == pytest.approx(-np.log(probs[:, 0]).sum())
    assert ctc_loss_reference(probs, []) == pytest.approx(expected, rel=1e-10)


def test_forward_variables_cover_the_extended_label(rng):
    probs = random_probs(rng, (5, 4))
    log_alpha = forward_log_alpha(probs, [3, 1])
    assert log_alpha.shape == (5, 5)
    # At t = 0 only the leading blank and the first character can be reached.
    assert log_alpha[0, 0] == pytest.approx(np.log(probs[0, 0]))
    assert log_alpha[0, 1] == pytest.approx(np.log(probs[0, 3]))
    assert np.all(np.isneginf(log_alpha[0, 2:]))


@pytest.mark.parametrize("label", [[], [2], [1, 1], [2, 1, 2]])
def test_reference_loss_of_a_stack_of_matrices_equals_each_one_alone(rng, label):
    stack = random_probs(rng, (2, 3, 5, 3))  # (2, 3) matrices of T = 5 steps
    losses = ctc_loss_reference(stack, label)
    assert losses.shape == (2, 3)
    expected = [[-np.log(brute_force_probability(probs, label)) for probs in row] for row in stack]
    np.testing.assert_allclose(losses, expected, rtol=1e-10)
    assert isinstance(ctc_loss_reference(stack[0, 0], label), float)


def padded(labels, width, fill=0):
    out = np.full((len(labels), width), fill, np.int32)
    for i, label in enumerate(labels):
        out[i, : len(label)] = label
    return out


LABELS = [[4, 4], [1, 2, 3], [5], [2, 3, 2, 3, 1], []]  # [] : an image with no text, all blank


@pytest.mark.parametrize("fill", [0, 3])
@pytest.mark.parametrize("length_shape", ["(B,)", "(B, 1)"])
def test_keras_loss_equals_the_reference_on_random_inputs(rng, fill, length_shape):
    probs = random_probs(rng, (len(LABELS), 16, 6)).astype(np.float32)
    lengths = np.array([len(label) for label in LABELS], np.int32)
    if length_shape == "(B, 1)":
        lengths = lengths[:, None]
    loss = keras.ops.convert_to_numpy(ctc_loss(padded(LABELS, 6, fill), lengths, probs))
    assert loss.shape == (len(LABELS),)
    expected = np.array([ctc_loss_reference(p.astype(np.float64), label) for p, label in zip(probs, LABELS)])
    np.testing.assert_allclose(loss, expected, rtol=1e-4)


def test_training_model_output_equals_the_reference_loss_of_the_inference_probs(rng):
    crnn = build_crnn("abcde", **TINY)
    images = rng.uniform(0, 1, (len(LABELS), 64, 128, 1)).astype(np.float32)
    labels = padded(LABELS, 15)
    lengths = np.array([[len(label)] for label in LABELS], np.int32)
    probs = keras.ops.convert_to_numpy(crnn.inference_model(images, training=False)).astype(np.float64)
    loss = keras.ops.convert_to_numpy(crnn.training_model([images, labels, lengths], training=False))
    assert loss.shape == (len(LABELS), 1)
    expected = [ctc_loss_reference(p, label) for p, label in zip(probs, LABELS)]
    np.testing.assert_allclose(loss[:, 0], expected, rtol=1e-4)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("label", [[], [1], [1, 2], [2, 2], [1, 2, 1], [3, 3, 1]])
def test_alpha_times_beta_gives_the_likelihood_at_every_step(rng, label):
    # sum_s alpha_t(s) beta_t(s) / y_t(l'_s) = p(label) for every t: each path passes one state per step.
    probs = random_probs(rng, (7, 4))
    extended = np.zeros(2 * len(label) + 1, dtype=int)
    extended[1::2] = label
    log_alpha, log_beta = forward_log_alpha(probs, label), backward_log_beta(probs, label)
    assert log_beta.shape == log_alpha.shape == (7, len(extended))
    per_step = np.logaddexp.reduce(log_alpha + log_beta - np.log(probs[:, extended]), axis=1)
    np.testing.assert_allclose(-per_step, ctc_loss_reference(probs, label), rtol=1e-12)


def test_backward_variables_at_the_first_step_give_the_likelihood(rng):
    probs = random_probs(rng, (5, 3))
    log_beta = backward_log_beta(probs, [1, 2])
    assert -np.logaddexp(log_beta[0, 0], log_beta[0, 1]) == pytest.approx(ctc_loss_reference(probs, [1, 2]))
    # At the last step only the final character and the trailing blank can still finish.
    assert log_beta[-1, -1] == pytest.approx(np.log(probs[-1, 0]))
    assert log_beta[-1, -2] == pytest.approx(np.log(probs[-1, 2]))
    assert np.all(np.isneginf(log_beta[-1, :-2]))


@pytest.mark.parametrize("label", [[], [1], [2, 1], [1, 1], [1, 2, 1]])
def test_gradient_reference_equals_finite_differences_of_the_loss(rng, label):
    logits = rng.normal(size=(6, 3)) * 2.0
    gradient = ctc_gradient_reference(softmax(logits), label)
    assert gradient.shape == (6, 3)
    h, numeric = 1e-6, np.zeros_like(logits)
    for index in np.ndindex(*logits.shape):
        step = np.zeros_like(logits)
        step[index] = h
        numeric[index] = (ctc_loss_reference(softmax(logits + step), label)
                          - ctc_loss_reference(softmax(logits - step), label)) / (2 * h)
    np.testing.assert_allclose(gradient, numeric, atol=1e-7)
    # Softmax rows sum to one, so shifting a step's logits by a constant changes nothing.
    np.testing.assert_allclose(gradient.sum(axis=1), 0.0, atol=1e-12)


def autodiff_gradient(loss_of, x: np.ndarray) -> np.ndarray:
    """d sum(loss_of(x)) / dx by the active Keras backend's automatic differentiation (TensorFlow or JAX)."""
    if keras.backend.backend() == "jax":
        import jax

        return np.asarray(jax.grad(lambda v: loss_of(v).sum())(x))
    import tensorflow as tf

    variable = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(loss_of(variable))
    return tape.gradient(loss, variable).numpy()


def test_gradient_reference_equals_autodiff_of_the_keras_loss(rng):
    logits = rng.normal(size=(1, 8, 4)).astype(np.float32)
    label = [3, 1, 1]
    autodiff = autodiff_gradient(
        lambda v: keras.ops.ctc_loss(np.array([label], np.int32), v, np.array([3], np.int32),
                                     np.array([8], np.int32), mask_index=0),
        logits,
    )[0]
    expected = ctc_gradient_reference(softmax(logits[0].astype(np.float64)), label)
    np.testing.assert_allclose(autodiff, expected, atol=1e-5)


def test_gradient_of_the_training_loss_equals_the_reference_for_every_label_of_a_batch(rng):
    # ocrlib's loss takes probabilities: through the softmax, its gradient by the logits is the reference's.
    logits = rng.normal(size=(len(LABELS), 12, 6)).astype(np.float32)
    lengths = np.array([len(label) for label in LABELS], np.int32)
    autodiff = autodiff_gradient(lambda v: ctc_loss(padded(LABELS, 6), lengths, keras.ops.softmax(v)), logits)
    for sample, label in zip(range(len(LABELS)), LABELS):
        expected = ctc_gradient_reference(softmax(logits[sample].astype(np.float64)), label)
        np.testing.assert_allclose(autodiff[sample], expected, atol=1e-5, err_msg=f"label {label}")


def test_gradient_reference_refuses_a_label_that_cannot_be_aligned(rng):
    with pytest.raises(ValueError, match="cannot be aligned to 4 time steps"):
        ctc_gradient_reference(random_probs(rng, (4, 3)), [1, 1, 1])


def test_gradient_reference_handles_zero_probabilities():
    # A class with probability 0 at a step carries no path: its gradient is just probs - 0 = 0.
    probs = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.6, 0.0, 0.4]])
    gradient = ctc_gradient_reference(probs, [1, 2])
    assert np.all(np.isfinite(gradient))
    np.testing.assert_allclose(gradient.sum(axis=1), 0.0, atol=1e-12)


@pytest.mark.parametrize("text", ["a", "ab", "aa", "aba", "aaa", "abba", "aabbcc", "cabbage"])
def test_min_time_steps_is_the_shortest_matrix_on_which_the_text_has_a_probability(text):
    # The forward algorithm decides: p(text) > 0 on a uniform (T, C) matrix iff some alignment of T steps exists.
    label = [" abcdeg".index(char) for char in text]
    fits = [np.isfinite(ctc_loss_reference(np.full((steps, 7), 1 / 7), label)) for steps in range(1, 20)]
    assert fits.index(True) + 1 == min_time_steps(text) and all(fits[fits.index(True):])
