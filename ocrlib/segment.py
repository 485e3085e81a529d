"""Line segmentation of a page of text: deskew, then cut where the rows' ink runs out.

1. Ink: the page in gray, less its median over ``BACKGROUND`` pixels around (uneven paper and light
   gone); pixels at least ``MIN_CONTRAST`` gray levels and four times the paper's noise (its median
   absolute deviation, scaled to a standard deviation) darker than the paper's median, or lighter
   for light text on a dark page (the side with more such pixels). A blank page, or paper with noise,
   has none or a few specks. Of the connected bits of ink, those under half a typical letter's
   height both ways, or no more than half ``min_height`` (specks, noise, dots, full stops), are left
   out; typical: the median height of the ink in bits.
2. Skew: the angle within ``max_skew`` degrees either way that makes the projection profile (the ink
   of each row) the most uneven, the sum of its squares the largest, as straight lines of text put
   their ink in the fewest rows: searched every 0.5 degrees, then every 0.05 around the best. On
   generated pages it comes within 0.3 degrees of the truth (0.03 on average for printed ones, 0.1
   for handwritten): closer, a line of a few hundred pixels drifts by under 2 pixels, which pixel
   rows barely tell from none.
3. Lines: the page turned straight; runs of rows with ink are bands. A band lower than half the
   typical band (quotation marks over lower-case letters) joins the nearer neighbour if it lies
   within a quarter of the typical band; one lower than ``min_height`` pixels or a quarter of the
   typical band is dropped. Typical: the median height of the ink in bands.
4. Each line: the columns of its band with ink, less bits that lie more than a band height away from
   the rest and hold under 5% of its ink, with a margin of an eighth of its height (taking in what
   step 1 left out), cut from the straightened page. Its box is the bounding box of that rectangle
   turned back onto the page.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_CONTRAST = 24  # gray levels from the paper around it, below which nothing is ink
BACKGROUND = 51  # the side of the square whose median gray is the paper's at its centre


@dataclass(frozen=True)
class TextLine:
    """image: the line cut from the straightened page, uint8 (h, w) or (h, w, C) as the page is.
    box: (x0, y0, x1, y1) in the page as given (x1, y1 exclusive), the bounding box of the line's
    rectangle turned back with the page's skew, clipped to the page."""

    image: np.ndarray
    box: tuple[int, int, int, int]


def segment_lines(page: np.ndarray, max_skew: float = 5.0, min_height: int = 8) -> list[TextLine]:
    """The lines of text of ``page`` (uint8 (H, W) gray, or (H, W, 3 or 4) BGR or BGRA), top to bottom;
    [] for a page without text. The module docstring says how they are found."""
    page = np.asarray(page)
    skew = estimate_skew(page, max_skew, min_height)
    height, width = page.shape[:2]
    straighten = cv2.getRotationMatrix2D((width / 2, height / 2), -skew, 1.0)
    paper = np.median(page.reshape(height * width, -1), axis=0).tolist()  # fills the corners turned in
    straight = cv2.warpAffine(page, straighten, (width, height), flags=cv2.INTER_LINEAR, borderValue=paper)
    ink = _letters_ink(straight, min_height)
    back = cv2.invertAffineTransform(straighten)
    lines = []
    for top, bottom in _bands(ink.sum(axis=1), min_height):
        left, right = _columns(ink[top:bottom].sum(axis=0), bottom - top)
        margin = max(2, (bottom - top) // 8)
        x0, y0, x1, y1 = max(0, left - margin), max(0, top - margin), min(width, right + margin), min(height, bottom + margin)
        corners = cv2.transform(np.float32([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]]), back)[0]
        box = (max(0, int(np.floor(corners[:, 0].min()))), max(0, int(np.floor(corners[:, 1].min()))),
               min(width, int(np.ceil(corners[:, 0].max()))), min(height, int(np.ceil(corners[:, 1].max()))))
        lines.append(TextLine(straight[y0:y1, x0:x1], box))
    return lines


def estimate_skew(page: np.ndarray, max_skew: float = 5.0, min_height: int = 8) -> float:
    """The degrees ``page`` is turned counter-clockwise (as ``cv2.getRotationMatrix2D`` turns), within
    ``max_skew`` either way; 0.0 for a page without text. min_height: as ``segment_lines``'."""
    return _skew(_letters_ink(page, min_height), max_skew)


def _letters_ink(page: np.ndarray, min_height: int) -> np.ndarray:
    """bool (H, W): where the letters of ``page`` are (the module docstring's step 1)."""
    flat = _flattened(page)
    paper = float(np.median(flat))
    noise = 1.4826 * float(np.median(np.abs(flat - np.float32(paper))))
    reach = max(MIN_CONTRAST, 4 * noise)
    darker, lighter = flat <= paper - reach, flat >= paper + reach
    return _letters(darker if np.count_nonzero(darker) >= np.count_nonzero(lighter) else lighter, min_height)


def _flattened(page: np.ndarray) -> np.ndarray:
    """uint8 (H, W): the page in gray less its paper, plus 128. The paper: the median gray of the
    ``BACKGROUND`` pixels square around each pixel (on the page shrunk four times, for speed), which
    text covering less than half of it leaves alone."""
    gray = _gray(page)
    height, width = gray.shape
    small = cv2.resize(gray, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    paper = cv2.resize(cv2.medianBlur(small, BACKGROUND // 4 | 1), (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip(gray.astype(np.int16) - paper + 128, 0, 255).astype(np.uint8)


def _gray(page: np.ndarray) -> np.ndarray:
    page = np.asarray(page)
    if page.dtype != np.uint8 or page.ndim not in (2, 3) or page.ndim == 3 and page.shape[2] not in (1, 3, 4):
        raise ValueError(f"page must be uint8 (H, W) gray or (H, W, 3 or 4) BGR(A); got {page.dtype} {page.shape}")
    if page.ndim == 2:
        return page
    if page.shape[2] == 1:
        return page[:, :, 0]
    return cv2.cvtColor(page, cv2.COLOR_BGR2GRAY if page.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)


def _letters(ink: np.ndarray, min_height: int) -> np.ndarray:
    """bool (H, W): ``ink`` without its connected bits (8-neighbours) that are under half the median
    height of the ink in bits, or no more than half ``min_height``, both wide and high."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    heights, widths, areas = (stats[1:, column] for column in (cv2.CC_STAT_HEIGHT, cv2.CC_STAT_WIDTH, cv2.CC_STAT_AREA))
    least = max(_median(heights, areas) / 2, min_height / 2 + 1)
    return np.r_[False, (heights >= least) | (widths >= least)][labels]


def _median(values: np.ndarray, weights: np.ndarray) -> float:
    """The weighted median of ``values``: half of the weight lies on values up to it."""
    if not len(values):
        return 0.0
    order = np.argsort(values)
    return float(values[order][np.searchsorted(np.cumsum(weights[order]), weights.sum() / 2)])


def _skew(ink: np.ndarray, max_skew: float) -> float:
    """The angle (degrees) whose turning back makes the rows of ``ink`` (bool (H, W)) the most uneven."""
    ys, xs = np.nonzero(ink)
    if not len(ys):
        return 0.0
    step = max(1, len(ys) // 50_000)  # enough points to measure any page, few enough to be quick
    xs, ys = xs[::step] - ink.shape[1] / 2, ys[::step] - ink.shape[0] / 2
    # Each point moved by its own fraction of a row, spread evenly over [-0.5, 0.5): rounding then
    # smears the rows the same at every angle. Unmoved, rows fall exactly on their bins at 0 degrees
    # only, whose profile then looks the most uneven whatever the skew.
    ys = ys + (np.arange(len(ys)) * 0.6180339887) % 1 - 0.5

    def unevenness(degrees: float) -> float:
        # The row each point lands on when the page is turned by -degrees (cv2.getRotationMatrix2D).
        radians = np.radians(degrees)
        rows = np.round(np.sin(radians) * xs + np.cos(radians) * ys).astype(np.int64)
        profile = np.bincount(rows - rows.min())
        return float(np.dot(profile, profile))

    best = max(np.arange(-max_skew, max_skew + 1e-9, 0.5), key=unevenness)
    near = np.arange(max(-max_skew, best - 0.5), min(max_skew, best + 0.5) + 1e-9, 0.05)
    return float(max(near, key=unevenness))


def _bands(profile: np.ndarray, min_height: int) -> list[tuple[int, int]]:
    """(top, bottom) rows (bottom exclusive) of the lines in a projection profile (H,) of ink per row."""
    runs = _runs(profile, 1)
    heights = np.array([bottom - top for top, bottom in runs])
    typical = _median(heights, np.array([profile[top:bottom].sum() for top, bottom in runs]))
    owners = list(range(len(runs)))  # the run each run is part of
    for i, (top, bottom) in enumerate(runs):
        gaps = {j: max(top - runs[j][1], runs[j][0] - bottom) for j in (i - 1, i + 1)
                if 0 <= j < len(runs) and heights[j] >= typical / 2}
        nearest = min(gaps, key=gaps.get, default=i)
        if heights[i] < typical / 2 and gaps.get(nearest, typical) < typical / 4:
            owners[i] = nearest
    bands: dict[int, tuple[int, int]] = {}
    for (top, bottom), owner in zip(runs, owners):
        low, high = bands.get(owner, (top, bottom))
        bands[owner] = (min(low, top), max(high, bottom))
    return [band for _, band in sorted(bands.items()) if band[1] - band[0] >= max(min_height, typical / 4)]


def _columns(profile: np.ndarray, height: int) -> tuple[int, int]:
    """(left, right) columns (right exclusive) of a line's ink in its column profile (W,): the runs of
    inked columns, joined across gaps no wider than ``height``, less those holding under 5% of the ink."""
    kept = [(left, right) for left, right in _runs(profile, height + 1) if profile[left:right].sum() >= 0.05 * profile.sum()]
    return kept[0][0], kept[-1][1]


def _runs(profile: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """(start, end) (end exclusive) of the runs of non-zero entries of ``profile``, a run going on
    across gaps of fewer than ``gap`` zeros."""
    inked = np.flatnonzero(profile)
    if not len(inked):
        return []
    breaks = np.flatnonzero(np.diff(inked) > gap)
    return list(zip(inked[np.r_[0, breaks + 1]].tolist(), (inked[np.r_[breaks, len(inked) - 1]] + 1).tolist()))
