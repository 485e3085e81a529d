"""The CRNN's shape along the width, without Keras: which conv blocks halve the width, and so how many
time steps an input width gives. ``ocrlib.model`` builds to it; ``ocrlib.data.check`` checks labels
against it before any backend starts; a variable-width model's images are padded to it."""

# Each conv block halves the height; the first two also halve the width, later ones keep it, so the
# sequence has W / 4 time steps (32 for the default 128-pixel width).
WIDTH_POOLING_BLOCKS = 2


def time_steps_for_width(width: int) -> int:
    """T, the time steps of a CRNN (``ocrlib.build_crnn``) for images ``width`` pixels wide."""
    return width // 2**WIDTH_POOLING_BLOCKS


# A variable-width model (input width None) takes an image of any width that is a multiple of this.
WIDTH_MULTIPLE = 2**WIDTH_POOLING_BLOCKS
# The widest image a variable-width model is fed, in pixels at the model's height: a line of about
# 120 characters at a height of 32. Wider images are refused (split the line, or lower the height).
MAX_WIDTH = 2048
# A batch of lines is padded to a multiple of this many pixels: a model compiles its graph anew for
# each width it meets (about a second each on a CPU), so it meets at most MAX_WIDTH / 64 = 32 widths.
BATCH_WIDTH_MULTIPLE = 64


def padded_width(width: int, multiple: int = WIDTH_MULTIPLE) -> int:
    """``width`` rounded up to the next multiple of ``multiple``: 126 -> 128 (of 4), 130 -> 192 (of 64)."""
    return -(-width // multiple) * multiple
