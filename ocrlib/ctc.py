"""CTC loss: the Keras version used for training, and a NumPy float64 reference to check and teach it."""
from __future__ import annotations

import numpy as np
from keras import ops

EPSILON = 1e-7


def ctc_loss(labels, label_length, probs):
    """Per-sample CTC loss, written with ``keras.ops`` so any Keras backend can train it.

    labels: (B, L) int, class indices >= 1, padded with anything past ``label_length``.
    label_length: (B,) or (B, 1) int, the true length of each label.
    probs: (B, T, C) float, softmax over blank + alphabet, blank at 0. Every sample uses all T steps.
    Returns (B,) float: -log p(label | probs).
    """
    batch_size, time_steps = ops.shape(probs)[0], ops.shape(probs)[1]
    # keras.ops.ctc_loss takes logits and applies log_softmax; for probabilities that already sum
    # to one, log(probs) is its own log_softmax. The clip keeps log() finite.
    log_probs = ops.log(ops.clip(probs, EPSILON, 1.0))
    return ops.ctc_loss(
        target=ops.cast(labels, "int32"),
        output=log_probs,
        target_length=ops.cast(ops.reshape(label_length, (-1,)), "int32"),
        output_length=ops.full((batch_size,), time_steps, dtype="int32"),
        mask_index=0,
    )


def ctc_lambda(inputs):
    """The body of the training model's CTC ``Lambda`` layer: [probs, labels, label_length] -> (B, 1) loss."""
    probs, labels, label_length = inputs
    return ops.expand_dims(ctc_loss(labels, label_length, probs), -1)


def forward_log_alpha(probs: np.ndarray, label: list[int]) -> np.ndarray:
    """The CTC forward variables in log space, NumPy float64.

    probs: (T, C) softmax, blank at 0. label: class indices (>= 1), length L.
    Returns (T, 2L + 1): log alpha over the extended label ``blank l1 blank l2 ... lL blank``.
    """
    log_probs = np.log(np.asarray(probs, dtype=np.float64))
    extended = np.zeros(2 * len(label) + 1, dtype=int)
    extended[1::2] = label
    time_steps, states = log_probs.shape[0], len(extended)
    log_alpha = np.full((time_steps, states), -np.inf)
    log_alpha[0, 0] = log_probs[0, extended[0]]
    if states > 1:
        log_alpha[0, 1] = log_probs[0, extended[1]]
    # A state may be reached from itself, the state before, or (for a label that differs from the
    # label two states back) skip the blank in between.
    can_skip = np.zeros(states, dtype=bool)
    can_skip[3::2] = extended[3::2] != extended[1:-2:2]
    for t in range(1, time_steps):
        stay = log_alpha[t - 1]
        step, skip = np.full(states, -np.inf), np.full(states, -np.inf)
        step[1:] = stay[:-1]
        skip[can_skip] = stay[np.flatnonzero(can_skip) - 2]
        log_alpha[t] = np.logaddexp(np.logaddexp(stay, step), skip) + log_probs[t, extended]
    return log_alpha


def ctc_loss_reference(probs: np.ndarray, label: list[int]) -> float:
    """-log p(label | probs) by the forward algorithm, NumPy float64. probs: (T, C), blank at 0."""
    log_alpha = forward_log_alpha(probs, label)
    return float(-np.logaddexp(log_alpha[-1, -1], log_alpha[-1, -2] if len(label) else -np.inf))
