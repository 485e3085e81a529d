"""CTC without Keras: the fewest time steps a label needs, and a NumPy float64 reference of the loss and
its gradient (forward/backward variables over the extended label) to check and teach ``ocrlib.ctc``.

The decoders, ``ocrlib.data.check`` and the explainer notebook import it before (or without) any backend.
"""
from __future__ import annotations

import numpy as np


def min_time_steps(text: str) -> int:
    """The fewest time steps on which CTC can emit ``text``: L + r, one step per character and a blank
    between each of the r pairs of equal neighbours (``"apple"``: 5 + 1)."""
    return len(text) + sum(a == b for a, b in zip(text, text[1:]))


def extended_label(label: list[int]) -> np.ndarray:
    """(2L + 1,) int: the label with a blank (0) before, between and after its characters."""
    extended = np.zeros(2 * len(label) + 1, dtype=int)
    extended[1::2] = label
    return extended


def forward_log_alpha(probs: np.ndarray, label: list[int]) -> np.ndarray:
    """The CTC forward variables in log space, NumPy float64.

    probs: (T, C) softmax, blank at 0, or a stack of such matrices (..., T, C), all run at once.
    label: class indices (>= 1), length L.
    Returns (..., T, 2L + 1): log alpha over the extended label ``blank l1 blank l2 ... lL blank``.
    """
    extended = extended_label(label)
    log_probs = np.log(np.asarray(probs, dtype=np.float64))[..., extended]  # (..., T, 2L + 1)
    time_steps, states = log_probs.shape[-2:]
    log_alpha = np.full(log_probs.shape, -np.inf)
    log_alpha[..., 0, :2] = log_probs[..., 0, :2]
    # A state may be reached from itself, the state before, or (for a label that differs from the
    # label two states back) skip the blank in between.
    can_skip = np.zeros(states, dtype=bool)
    can_skip[3::2] = extended[3::2] != extended[1:-2:2]
    for t in range(1, time_steps):
        stay = log_alpha[..., t - 1, :]
        step, skip = np.full_like(stay, -np.inf), np.full_like(stay, -np.inf)
        step[..., 1:] = stay[..., :-1]
        skip[..., can_skip] = stay[..., np.flatnonzero(can_skip) - 2]
        log_alpha[..., t, :] = np.logaddexp(np.logaddexp(stay, step), skip) + log_probs[..., t, :]
    return log_alpha


def ctc_loss_reference(probs: np.ndarray, label: list[int]) -> float | np.ndarray:
    """-log p(label | probs) by the forward algorithm, NumPy float64. probs: (T, C), blank at 0: a
    float; or a stack (..., T, C): an array (...) of them."""
    log_alpha = forward_log_alpha(probs, label)
    loss = -np.logaddexp(log_alpha[..., -1, -1], log_alpha[..., -1, -2] if len(label) else -np.inf)
    return float(loss) if np.ndim(loss) == 0 else loss


def backward_log_beta(probs: np.ndarray, label: list[int]) -> np.ndarray:
    """The CTC backward variables in log space, NumPy float64; the mirror image of ``forward_log_alpha``.

    probs: (T, C) softmax, blank at 0. label: class indices (>= 1), length L.
    Returns (T, 2L + 1): log beta over the extended label ``blank l1 blank l2 ... lL blank``, where
    beta_t(s) sums the paths from state s at step t to the end, **including** probs[t, l'_s] (the
    convention of Graves et al. 2006). So alpha_t(s) * beta_t(s) / probs[t, l'_s] sums the paths that
    pass through s at t, and summed over s it is p(label | probs) at every t.
    """
    log_probs = np.log(np.asarray(probs, dtype=np.float64))
    extended = extended_label(label)
    time_steps, states = log_probs.shape[0], len(extended)
    log_beta = np.full((time_steps, states), -np.inf)
    log_beta[-1, -1] = log_probs[-1, extended[-1]]
    if states > 1:
        log_beta[-1, -2] = log_probs[-1, extended[-2]]
    # A state may go on to itself, the next state, or (a character that differs from the character
    # two states on) skip the blank in between.
    can_skip = np.zeros(states, dtype=bool)
    can_skip[1:-2:2] = extended[1:-2:2] != extended[3::2]
    for t in range(time_steps - 2, -1, -1):
        stay = log_beta[t + 1]
        step, skip = np.full(states, -np.inf), np.full(states, -np.inf)
        step[:-1] = stay[1:]
        skip[can_skip] = stay[np.flatnonzero(can_skip) + 2]
        log_beta[t] = np.logaddexp(np.logaddexp(stay, step), skip) + log_probs[t, extended]
    return log_beta


def ctc_gradient_reference(probs: np.ndarray, label: list[int]) -> np.ndarray:
    """d(-log p(label | probs)) / d logits, NumPy float64, where probs = softmax(logits) over the last axis.

    probs: (T, C) softmax, blank at 0. label: class indices (>= 1), length L.
    Returns (T, C): ``probs[t, k] - gamma[t, k]``, where gamma[t, k] is the share of p(label | probs)
    carried by the paths that emit class k at step t,
    ``sum over s with l'_s = k of alpha_t(s) * beta_t(s) / (probs[t, k] * p)`` (Graves et al. 2006, eq. 16).
    Raises ``ValueError`` if the label cannot be aligned to T steps (p = 0: the loss is infinite).
    """
    probs = np.asarray(probs, dtype=np.float64)
    extended = extended_label(label)
    with np.errstate(divide="ignore"):
        log_alpha, log_beta = forward_log_alpha(probs, label), backward_log_beta(probs, label)
        log_probs = np.log(probs)
    log_p = np.logaddexp(log_alpha[-1, -1], log_alpha[-1, -2] if len(label) else -np.inf)
    if np.isneginf(log_p):
        raise ValueError(f"label {list(label)} of length {len(label)} cannot be aligned to {len(probs)} time steps")
    log_through = log_alpha + log_beta
    reachable = ~np.isneginf(log_through)  # a state no complete path visits carries nothing (and avoids inf - inf)
    share = np.zeros_like(log_through)
    share[reachable] = np.exp(log_through[reachable] - log_probs[:, extended][reachable] - log_p)
    gamma = np.zeros_like(probs)
    for s, k in enumerate(extended):
        gamma[:, k] += share[:, s]
    return probs - gamma
