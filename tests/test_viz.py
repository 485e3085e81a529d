import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ocrlib.explain import PeakPositions, ShiftCurve  # noqa: E402
from ocrlib.viz import (plot_history, plot_peak_positions, plot_probability_matrix, plot_relevance,  # noqa: E402
                        plot_samples, plot_shift_curve)
from tests.helpers import random_probs  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_probability_matrix_has_one_labelled_row_per_class(rng):
    probs = random_probs(rng, (32, 4))
    figure = plot_probability_matrix(np.zeros((64, 128), np.uint8), probs, "xyz", title="truth 'xy'")
    assert isinstance(figure, matplotlib.figure.Figure)
    top, bottom = figure.axes
    assert [label.get_text() for label in bottom.get_yticklabels()] == ["blank", "x", "y", "z"]
    assert list(bottom.get_yticks()) == [0, 1, 2, 3]
    # rows = classes, columns = time steps
    assert bottom.images[0].get_array().shape == (4, 32)
    assert top.get_title() == "truth 'xy'"


def test_probability_matrix_accepts_a_channel_axis(rng):
    figure = plot_probability_matrix(np.zeros((64, 128, 1), np.float32), random_probs(rng, (32, 3)), "ab")
    assert isinstance(figure, matplotlib.figure.Figure)
    assert figure.axes[0].images[0].get_array().shape == (64, 128)


def test_samples_grid_colours_right_and_wrong_predictions():
    images = [np.zeros((64, 128, 1), np.uint8)] * 5
    figure = plot_samples(images, ["a", "b", "c", "d", "e"], ["a", "x", "c", "d", "e"], columns=3)
    assert isinstance(figure, matplotlib.figure.Figure)
    assert len(figure.axes) == 6
    titles = [axis.title for axis in figure.axes[:5]]
    assert titles[0].get_text() == "a -> a" and matplotlib.colors.same_color(titles[0].get_color(), "green")
    assert titles[1].get_text() == "b -> x" and matplotlib.colors.same_color(titles[1].get_color(), "red")
    assert figure.axes[5].get_title() == "" and not figure.axes[5].images


def test_samples_grid_without_predictions_shows_the_truth():
    figure = plot_samples([np.zeros((64, 128), np.uint8)] * 2, ["AB12", "C3"])
    assert [axis.get_title() for axis in figure.axes[:2]] == ["AB12", "C3"]


def test_history_plot_has_a_score_panel_only_when_scores_exist():
    losses = {"loss": [10.0, 5.0, 2.0], "val_loss": [11.0, 6.0, 3.0]}
    figure = plot_history(losses)
    assert isinstance(figure, matplotlib.figure.Figure) and len(figure.axes) == 1
    assert len(figure.axes[0].lines) == 2
    scored = plot_history({**losses, "val_sequence_accuracy": [0.0, 0.4, 0.8], "val_cer": [1.0, 0.5, 0.1]})
    assert len(scored.axes) == 2
    assert [line.get_label() for line in scored.axes[1].lines] == ["val_sequence_accuracy", "val_cer"]
    np.testing.assert_array_equal(scored.axes[1].lines[0].get_xdata(), [1, 2, 3])
    two_sets = plot_history({**losses, "val_sequence_accuracy": [0.1, 0.5, 0.9], "real_sequence_accuracy": [0, 0.2, 0.6],
                             "real_cer": [1.0, 0.4, 0.2], "learning_rate": [1e-3, 5e-4, 1e-4]})
    assert [line.get_label() for line in two_sets.axes[1].lines] == ["val_sequence_accuracy", "real_sequence_accuracy",
                                                                     "real_cer"]


def test_probability_matrix_draws_each_path_over_the_matrix_with_a_legend(rng):
    probs = random_probs(rng, (6, 3))
    paths = {"best path": probs.argmax(axis=1), "alignment of 'ab'": np.array([0, 1, 1, 0, 2, 0])}
    figure = plot_probability_matrix(np.zeros((64, 128), np.uint8), probs, "ab", paths=paths)
    bottom = figure.axes[1]
    assert [line.get_label() for line in bottom.lines] == list(paths)
    for line, path in zip(bottom.lines, paths.values()):
        np.testing.assert_array_equal(line.get_ydata(), path)  # y is the class row
        assert np.all(np.abs(line.get_xdata() - np.arange(6)) <= 0.5)  # x is the step, nudged apart
    assert [text.get_text() for text in bottom.get_legend().get_texts()] == list(paths)


def test_probability_matrix_without_paths_draws_no_lines(rng):
    figure = plot_probability_matrix(np.zeros((64, 128), np.uint8), random_probs(rng, (6, 3)), "ab")
    assert not figure.axes[1].lines and figure.axes[1].get_legend() is None


@pytest.mark.parametrize("path, message", [([0, 1, 2], "shape"), ([0, 1, 2, 3, 0, 0], "outside"),
                                           ([0.0, 1.0, 0.0, 0.0, 0.0, 0.0], "dtype")])
def test_probability_matrix_rejects_a_path_that_does_not_fit_naming_it(rng, path, message):
    with pytest.raises(ValueError, match=f"'bad'.*{message}|{message}.*'bad'"):
        plot_probability_matrix(np.zeros((64, 128), np.uint8), random_probs(rng, (6, 3)), "ab", paths={"bad": path})


def test_colour_images_are_shown_in_their_true_colours_from_opencv_bgr(rng):
    blue_in_bgr = np.zeros((64, 128, 3), np.uint8)
    blue_in_bgr[..., 0] = 255
    for figure in (plot_samples([blue_in_bgr], ["a"]),
                   plot_probability_matrix(blue_in_bgr, random_probs(rng, (32, 2)), "a")):
        shown = np.asarray(figure.axes[0].images[0].get_array())
        assert shown[0, 0].tolist() == [0, 0, 255]  # RGB: blue


def test_relevance_is_drawn_over_its_image_red_where_it_supports_blue_where_it_opposes():
    relevance = np.zeros((64, 128))
    relevance[:, :10], relevance[:, 100:] = 2.0, -0.5
    figure = plot_relevance(np.zeros((64, 128, 1), np.uint8), relevance, ["AB12"])
    panel = figure.axes[0]
    image, overlay = panel.images
    assert image.get_array().shape == (64, 128) and panel.get_title() == "AB12"
    assert overlay.norm.vmin == -2.0 and overlay.norm.vmax == 2.0   # symmetric: 0 is white
    red, blue = overlay.cmap(overlay.norm(2.0)), overlay.cmap(overlay.norm(-2.0))
    assert red[0] > 0.9 > 0.1 > red[2] and blue[2] > 0.9 > 0.1 > blue[0]
    assert figure.axes[-1].get_ylabel() == "relevance (log-odds)"   # the colour bar


def test_character_relevance_maps_share_one_colour_scale_one_panel_each():
    maps = np.zeros((5, 64, 128))
    maps[3, 0, 0] = -3.0
    figure = plot_relevance(np.zeros((64, 128), np.uint8), maps, list("AB123"), columns=3)
    panels = [axis for axis in figure.axes if axis.images]
    assert [axis.get_title() for axis in panels] == list("AB123")
    assert all(axis.images[1].norm.vmax == 3.0 for axis in panels)


@pytest.mark.parametrize("maps, titles, message", [(np.zeros((32, 128)), None, "32 x 128 pixels do not fit"),
                                                   (np.zeros((2, 64, 128)), ["a"], "1 titles for 2")])
def test_relevance_that_does_not_fit_its_image_or_titles_is_refused(maps, titles, message):
    with pytest.raises(ValueError, match=message):
        plot_relevance(np.zeros((64, 128), np.uint8), maps, titles)


def test_shift_curve_plot_shows_the_probability_and_one_peak_line_per_character():
    curve = ShiftCurve("AB", np.array([-4, 0, 4]), np.array([0.2, 0.9, 0.5]), np.array([[2, 6], [3, 7], [4, 8]]))
    probability, peaks = plot_shift_curve(curve).axes
    np.testing.assert_array_equal(probability.lines[0].get_xdata(), [-4, 0, 4])
    np.testing.assert_array_equal(probability.lines[0].get_ydata(), [0.2, 0.9, 0.5])
    assert [line.get_label() for line in peaks.lines] == ["0: A", "1: B"]
    np.testing.assert_array_equal(peaks.lines[1].get_ydata(), [6, 7, 8])


def test_peak_positions_plot_shows_each_peak_against_its_glyph_and_the_offsets():
    positions = PeakPositions(np.array([1.0, 5.0, 9.0, 13.0]), np.array([2, 6, 9, 16]))
    scatter, histogram = plot_peak_positions(positions, bins=5).axes
    np.testing.assert_array_equal(scatter.collections[0].get_offsets(), [[1, 2], [5, 6], [9, 9], [13, 16]])
    assert sum(bar.get_height() for bar in histogram.patches) == 4
    assert histogram.get_xlabel() == "peak - glyph (time steps)"
