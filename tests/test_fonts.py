from pathlib import Path

import cv2
import numpy as np
import pytest

from ocrlib.data.fonts import (CAP_HEIGHT, DIAGONAL, FACES, PLATE_FRAME, STROKE_FACES, TEXT_FRAME, TRUETYPE_FACES, FontError,
                               _frame, _square, centre_line, check_face, compose, embolden, glyph, line_mask,
                               line_mask_and_boxes)
from ocrlib.data.plates import ALPHABET

SYMBOLS_ONLY = str(Path(TRUETYPE_FACES["STIX"]).with_name("STIXSizOneSymReg.ttf"))  # big brackets, no letters


@pytest.mark.parametrize("face", FACES)
def test_every_shipped_face_draws_every_plate_character(face):
    check_face(face, ALPHABET)
    heights = {glyph(face, char).shape[0] for char in ALPHABET}
    assert len(heights) == 1, "all glyphs of a face share one frame"
    assert all(glyph(face, char).max() == 255 for char in ALPHABET)


def test_glyphs_are_cropped_to_their_ink_left_and_right():
    for char in "I1WM":
        mask = glyph("DejaVu Sans", char)
        assert mask[:, 0].any() and mask[:, -1].any(), char
    assert glyph("DejaVu Sans", "I").shape[1] < glyph("DejaVu Sans", "W").shape[1] / 3


def test_cap_top_and_baseline_sit_on_the_same_rows_for_every_character():
    rows = [np.flatnonzero(glyph("DejaVu Sans Bold", char).max(axis=1) > 128) for char in "HEZ17"]
    tops, bottoms = {r[0] for r in rows}, {r[-1] for r in rows}
    assert max(tops) - min(tops) <= 1 and max(bottoms) - min(bottoms) <= 1
    assert CAP_HEIGHT - 2 <= bottoms.pop() - tops.pop() + 1 <= CAP_HEIGHT + 2


def test_negative_spacing_makes_glyphs_touch_and_positive_spacing_separates_them():
    apart, touching = line_mask("DejaVu Sans", "HH", 0.3), line_mask("DejaVu Sans", "HH", -0.05)
    assert not apart.max(axis=0).all(), "a gap of empty columns between the two H"
    assert touching.max(axis=0).all(), "no empty column between touching glyphs"
    assert apart.shape[1] - touching.shape[1] == round(0.35 * CAP_HEIGHT)


def test_fixed_pitch_puts_narrow_and_wide_digits_in_equal_cells():
    narrow, wide = line_mask("DejaVu Sans", "11", 0.1, fixed_pitch=True), line_mask("DejaVu Sans", "00", 0.1, fixed_pitch=True)
    assert narrow.shape[1] > 2 * glyph("DejaVu Sans", "1").shape[1]
    assert abs(narrow.shape[1] - wide.shape[1]) <= glyph("DejaVu Sans", "0").shape[1] - glyph("DejaVu Sans", "1").shape[1]


def test_a_missing_font_file_is_named():
    with pytest.raises(FontError, match="nowhere.ttf"):
        check_face("/nowhere.ttf")


def test_a_file_that_is_not_a_font_is_named(tmp_path):
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font at all")
    with pytest.raises(FontError, match="broken.ttf"):
        check_face(str(bad))


def test_a_face_without_a_glyph_names_the_face_and_the_character():
    with pytest.raises(FontError, match=r"STIXSizOneSymReg.*'A'"):
        check_face(SYMBOLS_ONLY, "A")
    with pytest.raises(FontError, match=r"Hershey Simplex.*'é'"):
        glyph("Hershey Simplex", "é")


@pytest.mark.parametrize("face", ["DejaVu Sans", "Computer Modern Roman", "STIX Italic"])
def test_the_text_frame_holds_descenders_and_parentheses_that_the_plate_frame_cuts(face):
    def touches_edge(frame, char):
        rows = glyph(face, char, frame).max(axis=1)
        return bool(rows[0] or rows[-1])

    assert any(touches_edge(PLATE_FRAME, char) for char in "gjpqy()")
    assert not any(touches_edge(TEXT_FRAME, char) for char in "gjpqy()'\"")
    assert glyph(face, "H", TEXT_FRAME).shape[1] == glyph(face, "H").shape[1]  # frames differ in height only


def test_a_space_widens_a_line_by_the_word_spacing_and_draws_nothing():
    joined, spaced = line_mask("DejaVu Sans", "ab", 0.1), line_mask("DejaVu Sans", "a b", 0.1, word_spacing=0.5)
    assert spaced.shape[1] - joined.shape[1] == round(0.5 * CAP_HEIGHT)
    assert not spaced.max(axis=0).all()
    with pytest.raises(ValueError, match="no visible character"):
        line_mask("DejaVu Sans", "   ")


def test_compose_places_masks_at_their_lefts_taking_the_larger_value_where_they_overlap():
    a, b = np.full((2, 3), 100, np.uint8), np.full((2, 2), 200, np.uint8)
    line = compose([a, b], [-1, 1])
    np.testing.assert_array_equal(line[0], [100, 100, 200, 200])


def test_compose_keeps_the_larger_value_whatever_order_the_masks_come_in():
    dark, light = np.full((1, 3), 200, np.uint8), np.full((1, 3), 50, np.uint8)
    line = compose([dark, light, light], [1, 0, 2])  # the light ones overlap the dark one from both sides, later
    np.testing.assert_array_equal(line[0], [50, 200, 200, 200, 50])


def test_embolden_thickens_and_thins_strokes():
    mask = np.zeros((20, 20), np.uint8)
    mask[5:15, 8:12] = 255
    widths = [np.count_nonzero(embolden(mask, weight)[10]) for weight in (-2, 0, 2)]
    assert widths[0] < widths[1] == 4 < widths[2]


@pytest.mark.parametrize("char", "oxi8")
def test_a_centre_line_is_one_pixel_thin_inside_the_glyph_and_keeps_its_pieces_and_holes(char):
    line, mask = centre_line("DejaVu Sans", char) > 0, glyph("DejaVu Sans", char, TEXT_FRAME) > 127
    assert not (line & ~mask).any()
    two_by_two = line[:-1, :-1] & line[1:, :-1] & line[:-1, 1:] & line[1:, 1:]
    assert not two_by_two.any()
    assert line.sum() < mask.sum() / 2

    def pieces_and_holes(image):
        pieces = cv2.connectedComponents(image.astype(np.uint8), connectivity=8)[0] - 1
        background = cv2.connectedComponents((~np.pad(image, 1)).astype(np.uint8), connectivity=4)[0] - 1
        return pieces, background - 1

    assert pieces_and_holes(line) == pieces_and_holes(mask)


@pytest.mark.parametrize("text, spacing, fixed_pitch", [("AB 12", 0.1, False), ("1W1", 0.1, True), ("HH", -0.05, False)])
def test_each_glyph_box_holds_that_glyph_alone_on_the_line(text, spacing, fixed_pitch):
    mask, boxes = line_mask_and_boxes("DejaVu Sans", text, spacing, fixed_pitch)
    assert (mask == line_mask("DejaVu Sans", text, spacing, fixed_pitch)).all()
    assert len(boxes) == len(text.replace(" ", ""))
    for (left, right), char in zip(boxes, text.replace(" ", "")):
        drawn = glyph("DejaVu Sans", char)
        assert right - left == drawn.shape[1]
        assert (mask[:, left:right] >= drawn).all()  # the glyph's ink is there (touching neighbours may add to it)
    covered = np.zeros(mask.shape[1], bool)
    for left, right in boxes:
        covered[left:right] = True
    assert (covered == (mask.max(axis=0) > 0)).all()


def _stroke_widths(mask: np.ndarray) -> tuple[int, int]:
    """(width of the left stem, thickness of the crossbar) of an ink mask of "H": ink run lengths along
    the middle row and down the middle column."""
    ink = mask > 127
    middle_row, middle_column = ink[ink.shape[0] // 2 - CAP_HEIGHT // 4], ink[:, ink.shape[1] // 2]
    return int(np.argmin(middle_row)), int(middle_column.sum())


@pytest.mark.parametrize("face", STROKE_FACES)
def test_a_stroke_face_is_condensed_with_stems_as_thick_as_its_bars(face):
    base, width, pen = STROKE_FACES[face].base, STROKE_FACES[face].width, STROKE_FACES[face].pen
    h = glyph(face, "H")
    assert h.shape[0] == glyph(base, "H").shape[0]
    assert h.shape[1] < glyph(base, "H").shape[1]
    stem, bar = _stroke_widths(h)
    assert abs(stem - bar) <= 2 and abs(stem - pen * CAP_HEIGHT) <= 2, (stem, bar)
    squeezed = cv2.resize(glyph(base, "H"), (round(glyph(base, "H").shape[1] * width), h.shape[0]), interpolation=cv2.INTER_AREA)
    assert stem - _stroke_widths(squeezed)[0] >= 2, "condensing the base face alone would thin its stems"


def _ring(width: int) -> np.ndarray:
    """A bool ellipse's outline, one pixel wide, filling the cap rows (from row 5) of a mask (60, width)."""
    ring = np.zeros((60, width), np.uint8)
    cv2.ellipse(ring, (((width - 1) / 2, 5 + CAP_HEIGHT / 2), (width - 1, CAP_HEIGHT), 0), 255, 1)
    return ring > 0


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, columns = np.nonzero(mask)
    return rows.min(), rows.max(), columns.min(), columns.max()


def test_squaring_gives_round_letters_straight_sides_and_keeps_straight_strokes_and_the_middle_where_they_are():
    ring = _ring(21)
    squared = _square(ring, 5, 0.6)
    assert _box(squared) == _box(ring)
    assert cv2.connectedComponents(squared.astype(np.uint8), connectivity=8)[0] == 2, "one closed line (and background)"

    def left_side_length(mask):  # rows from the first to the last point within a pixel of the box's left
        rows, columns = np.nonzero(mask)
        side = rows[columns <= _box(mask)[2] + 1]
        return side.max() - side.min()
    assert left_side_length(squared) >= 1.5 * left_side_length(ring), "the side has straightened"

    cross = np.zeros((60, 21), bool)
    cross[5 : 6 + CAP_HEIGHT, 4] = True  # a stem, 0.6 of the half-width left of the centre
    cross[30, 4:] = True  # a bar, 0.25 of the half-height below it
    rows, columns = np.nonzero(_square(cross, 5, 0.6))
    stem_columns = set(columns[rows != 30])
    assert len(stem_columns) == 1 and stem_columns.pop() < 4, "the stem stays one column, further out"
    assert set(rows[columns > columns.min()]) == {30}, "the bar stays on its row"
    assert _square(ring, 5, 0.0) is ring


@pytest.mark.parametrize("face", [face for face, stroke in STROKE_FACES.items() if stroke.squareness])
def test_a_square_face_draws_o_as_a_rounded_rectangle_and_diagonal_letters_as_they_are(face):
    """The O's corners are inked (an ellipse in the same box leaves them empty); V keeps its point."""
    o = glyph(face, "O") > 127
    rows = np.flatnonzero(o.any(axis=1))
    corner = o[rows[0] : rows[0] + 6, :6]
    assert corner.mean() > 0.45, "ink near the top-left corner of the O's box"
    v = glyph(face, "V") > 127
    bottom = v[np.flatnonzero(v.any(axis=1))[-1]]
    assert "V" in DIAGONAL and bottom.sum() < 0.5 * v.shape[1], "V still ends in a point"


@pytest.mark.parametrize("face", [face for face, stroke in STROKE_FACES.items() if "J" in stroke.plate_shapes])
def test_a_plate_face_hooks_j_up_to_nearly_half_its_height(face):
    """DIN 1451's J, which the base face hooks low."""
    baseline = _frame(face, PLATE_FRAME)[1] + CAP_HEIGHT

    def hook_top(j):  # the highest ink in the left quarter of the J: where its hook ends
        return np.flatnonzero(j[:, : j.shape[1] // 4].any(axis=1))[0]
    assert hook_top(glyph(face, "J") > 127) <= baseline - 0.4 * CAP_HEIGHT, "hooked up to nearly half the height"
    assert hook_top(glyph(STROKE_FACES[face].base, "J") > 127) > baseline - 0.3 * CAP_HEIGHT, "the base face hooks low"


@pytest.mark.parametrize("face", [face for face, stroke in STROKE_FACES.items() if "M" in stroke.plate_shapes])
def test_a_plate_face_draws_m_and_w_in_a_capitals_cell_on_upright_sides(face):
    """As plates letter them; condensed from the base face, M is a third and W two thirds wider than H."""
    def ink_width(char):
        return np.ptp(np.flatnonzero((glyph(face, char) > 127).any(axis=0))) + 1

    for char in "MW":
        assert ink_width(char) <= 1.15 * ink_width("H"), f"{char} about as wide as H"
        left_stem = glyph(face, char)[:, :3] > 127
        assert left_stem.any(axis=1).sum() >= 0.9 * CAP_HEIGHT, f"{char}'s left side is upright"


@pytest.mark.parametrize("face", [face for face, stroke in STROKE_FACES.items() if stroke.plate_shapes])
def test_the_plates_i_has_bars_at_its_top_and_foot_in_the_faces_that_draw_it(face):
    """Older Argentine plates letter I with bars at the top and the foot; DejaVu's, the base face's, is a stem."""
    i = glyph(face, "I") > 127
    cap_top = _frame(face, PLATE_FRAME)[1]
    width = [np.count_nonzero(i[row]) for row in (cap_top + 1, cap_top + CAP_HEIGHT // 2, cap_top + CAP_HEIGHT - 1)]
    barred = width[0] >= 2 * width[1] and width[2] >= 2 * width[1]
    assert barred == ("I" in STROKE_FACES[face].plate_shapes), f"widths at the top, middle and foot: {width}"
