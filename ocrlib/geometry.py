"""The CRNN's shape along the width, without Keras: which conv blocks halve the width, and so how many
time steps an input width gives. ``ocrlib.model`` builds to it; ``ocrlib.data.check`` checks labels
against it before any backend starts."""

# Each conv block halves the height; the first two also halve the width, later ones keep it, so the
# sequence has W / 4 time steps (32 for the default 128-pixel width).
WIDTH_POOLING_BLOCKS = 2


def time_steps_for_width(width: int) -> int:
    """T, the time steps of a CRNN (``ocrlib.build_crnn``) for images ``width`` pixels wide."""
    return width // 2**WIDTH_POOLING_BLOCKS
