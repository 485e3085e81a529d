"""Pictures: the probability matrix under its image, sample grids, training curves, and what
``ocrlib.explain`` measures (relevance maps, shift curves, peak positions)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from ocrlib.alphabet import Alphabet, as_alphabet

if TYPE_CHECKING:
    from ocrlib.explain import PeakPositions, ShiftCurve


def _displayable(image: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1) or (H, W, 3) in OpenCV's BGR order -> what ``imshow`` draws right."""
    image = np.squeeze(image)
    return image[..., ::-1] if image.ndim == 3 else image


def plot_probability_matrix(image: np.ndarray, probs: np.ndarray, chars: str | Alphabet,
                            title: str | None = None, *,
                            paths: Mapping[str, Sequence[int] | np.ndarray] | None = None) -> plt.Figure:
    """The picture of the original tutorial: the image on top, below it the (C, T) matrix of per-step
    probabilities, one row per class (blank first, then the alphabet), one column per time step.

    image: (H, W) or (H, W, C). probs: (T, len(chars) + 1), blank at 0. The figure widens with T, so
    the steps of a long text line stay apart.
    paths: optional {legend label: (T,) int class indices}, e.g. the argmax path and
    ``ocrlib.decoders.best_alignment`` of another decoder's text, each drawn over the matrix as a
    line through the class it takes at each step.
    """
    alphabet = as_alphabet(chars)
    classes = ["blank", *alphabet.chars]
    steps = np.shape(probs)[0]
    checked = {label: _check_path(label, path, steps, len(classes)) for label, path in (paths or {}).items()}
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(min(max(8, steps / 8), 30), 2 + 0.16 * len(classes)), height_ratios=[1, 0.09 * len(classes)]
    )
    top.imshow(_displayable(image), cmap="gray", aspect="auto")
    top.set_axis_off()
    if title:
        top.set_title(title)
    bottom.imshow(np.asarray(probs).T, cmap="viridis", aspect="auto", vmin=0, vmax=1, interpolation="nearest")
    bottom.set_yticks(range(len(classes)), classes, fontsize=7)
    bottom.set_xlabel("time step")
    markers, colors = ["o", "x", "s", "+", "^", "D"], ["tab:red", "white", "tab:orange", "cyan", "magenta", "black"]
    for i, (label, path) in enumerate(checked.items()):
        # Shift each path a little sideways so that where paths agree, all of them stay visible.
        shift = 0.2 * (i - (len(checked) - 1) / 2) if len(checked) > 1 else 0.0
        bottom.plot(np.arange(steps) + shift, path, marker=markers[i % len(markers)], markersize=4,
                    linewidth=1, color=colors[i % len(colors)], fillstyle="none", label=label)
    if checked:
        # Below the matrix, so that no cell is hidden; on a gray ground, where white and red lines both show.
        bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8, facecolor="0.45",
                      labelcolor="white", framealpha=1)
    figure.tight_layout()
    return figure


def _check_path(label: str, path, steps: int, num_classes: int) -> np.ndarray:
    """path as a (T,) int array of classes in [0, num_classes); ValueError naming ``label`` otherwise."""
    array = np.asarray(path)
    if array.shape != (steps,) or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise ValueError(f"path {label!r} of shape {array.shape} and dtype {array.dtype} is not ({steps},) "
                         f"class indices, one per time step")
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(f"path {label!r} has classes outside 0..{num_classes - 1}")
    return array


def plot_samples(images: Sequence[np.ndarray], truths: Sequence[str], predictions: Sequence[str] | None = None,
                 columns: int = 4) -> plt.Figure:
    """A grid of images captioned with their truth, and the prediction in green (right) or red (wrong)."""
    rows = -(-len(images) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3 * columns, 1.8 * rows), squeeze=False)
    for i, axis in enumerate(axes.flat):
        axis.set_axis_off()
        if i >= len(images):
            continue
        axis.imshow(_displayable(images[i]), cmap="gray")
        if predictions is None:
            axis.set_title(truths[i], fontsize=10)
        else:
            right = truths[i] == predictions[i]
            axis.set_title(f"{truths[i]} -> {predictions[i]}", fontsize=10, color="green" if right else "red")
    figure.tight_layout()
    return figure


def plot_history(history: dict[str, list[float]]) -> plt.Figure:
    """Training curves from ``History.history``: CTC loss, and the sequence accuracy and CER of every
    scored set when present (``val_...``, and e.g. ``real_...`` from an extra ``DecodeCallback``)."""
    scores = [k for k in history if k.endswith(("_sequence_accuracy", "_cer"))]
    figure, axes = plt.subplots(1, 1 + bool(scores), figsize=(10 if scores else 5, 3.5), squeeze=False)
    epochs = np.arange(1, len(history["loss"]) + 1)
    for key in ("loss", "val_loss"):
        if key in history:
            axes[0, 0].plot(epochs, history[key], label=key)
    axes[0, 0].set(xlabel="epoch", ylabel="CTC loss", yscale="log")
    axes[0, 0].legend()
    for key in scores:
        axes[0, 1].plot(epochs, history[key], label=key)
    if scores:
        axes[0, 1].set(xlabel="epoch", ylim=(0, 1))
        axes[0, 1].legend()
    figure.tight_layout()
    return figure


def plot_relevance(image: np.ndarray, relevance: np.ndarray, titles: Sequence[str] | None = None,
                   columns: int = 4) -> plt.Figure:
    """Relevance maps over their image: red where pixels support the text, blue where they oppose it,
    the colour scale symmetric about 0 and shared by all maps (so they compare).

    image: (H, W) or (H, W, C), as the model saw it (``recognizer.preprocess([image])[0]``).
    relevance: one (H, W) map of ``ocrlib.explain.relevance`` or (K, H, W), e.g. one per character
    from ``character_relevance``; titles: one per map.
    """
    maps = np.asarray(relevance, dtype=float).reshape(-1, *np.shape(relevance)[-2:])
    if maps.shape[1:] != np.shape(image)[:2]:
        raise ValueError(f"relevance maps of {maps.shape[1]} x {maps.shape[2]} pixels do not fit the image of "
                         f"{np.shape(image)[0]} x {np.shape(image)[1]}: draw them over the image the model saw")
    if titles is not None and len(titles) != len(maps):
        raise ValueError(f"{len(titles)} titles for {len(maps)} relevance maps")
    limit = float(np.abs(maps).max()) or 1.0
    columns = min(columns, len(maps))
    rows = -(-len(maps) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3 * columns + 1, 1.7 * rows + 0.3), squeeze=False,
                                layout="constrained")
    for i, axis in enumerate(axes.flat):
        axis.set_axis_off()
        if i >= len(maps):
            continue
        axis.imshow(_displayable(image), cmap="gray")
        shown = axis.imshow(maps[i], cmap="bwr", vmin=-limit, vmax=limit, alpha=0.55)
        if titles is not None:
            axis.set_title(titles[i], fontsize=10)
    figure.colorbar(shown, ax=axes, shrink=0.9, label="relevance (log-odds)")
    return figure


def plot_shift_curve(curve: ShiftCurve) -> plt.Figure:
    """What ``ocrlib.explain.shift_curve`` measured: p(text) against the shift (left), and the time
    step of each character's peak against the shift (right), one line per character."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    left.plot(curve.shifts, curve.probability, marker="o")
    left.set(xlabel="shift (pixels)", ylabel=f"p({curve.text!r})", ylim=(0, 1.05))
    for k, char in enumerate(curve.text):
        right.plot(curve.shifts, curve.peak_steps[:, k], marker=".", label=f"{k}: {char}")
    right.set(xlabel="shift (pixels)", ylabel="peak time step")
    if curve.text:
        right.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    return figure


def plot_peak_positions(positions: PeakPositions, bins: int = 21) -> plt.Figure:
    """What ``ocrlib.explain.peak_positions`` measured: each character's peak against its glyph's
    centre, both in time steps (left; on the diagonal a peak sits over its glyph), and the
    distribution of peak minus glyph (right)."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.scatter(positions.glyph_steps, positions.peak_steps, s=10, alpha=0.5)
    ends = [min(positions.glyph_steps.min(initial=0), positions.peak_steps.min(initial=0)),
            max(positions.glyph_steps.max(initial=1), positions.peak_steps.max(initial=1))]
    left.plot(ends, ends, color="gray", linewidth=1, label="peak over its glyph")
    left.set(xlabel="glyph centre (time step)", ylabel="CTC peak (time step)")
    left.legend(fontsize=8)
    right.hist(positions.offsets, bins=bins)
    right.axvline(0, color="gray", linewidth=1)
    right.set(xlabel="peak - glyph (time steps)", ylabel="characters")
    figure.tight_layout()
    return figure
