"""The training recipe ``ocrlib train`` picks from the size of the data: batch size, epochs, schedule,
patience, shortcut. No Keras: the command line reads it before it starts a model."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    """How a run trains: images per batch, most epochs, learning-rate schedule (``fit``'s ``plateau`` or
    ``cosine``), early-stopping patience in epochs, and whether the CRNN has ``build_crnn``'s shortcut."""

    batch_size: int
    epochs: int
    schedule: str
    patience: int
    shortcut: bool

    def __str__(self) -> str:
        most = "up to " if self.patience < self.epochs else ""
        return (f"batch {self.batch_size}, {most}{self.epochs} epoch{'s' * (self.epochs != 1)}, {self.schedule}"
                + ", shortcut" * self.shortcut)


LEARNING_RATE, INIT_LEARNING_RATE = 1e-3, 3e-4  # Adam's first learning rate: from random weights, from --init
SMALL_SET, LARGE_SET = 2_500, 12_000  # training images: below the one, a small set; from the other on, a large one
IMAGES_PER_LARGE_RUN = 150_000  # a large set's budget: about this many images seen, whatever its size


def recipe_for(n_images: int, fine_tuning: bool = False) -> Recipe:
    """The recipe ``ocrlib train`` picks for ``n_images`` training images.

    A small set (about 1,000 real images) needs many updates to leave CTC's all-blank start: batch 8,
    the learning rate halved when validation stalls, up to 100 epochs and early stopping after 15 (30
    and 8 when fine-tuning: the features are learnt already). A mid-size set gets batch 16, up to 40
    epochs, patience 8. A large set (generated images) gets batch 32 and a fixed budget of about
    ``IMAGES_PER_LARGE_RUN`` images (20,000 images: 8 epochs, at least 3) with a cosine decay, which
    spends a known budget better than waiting for a plateau, and the shortcut: generated sets are
    varied (plates drawn in many ways), and on such data the plain CRNN can spend much of a fixed
    budget in CTC's all-blank start, where the shortcut leaves it within two epochs.
    """
    if n_images < SMALL_SET:
        return Recipe(8, 30, "plateau", 8, False) if fine_tuning else Recipe(8, 100, "plateau", 15, False)
    if n_images < LARGE_SET:
        return Recipe(16, 40, "plateau", 8, False)
    epochs = max(3, round(IMAGES_PER_LARGE_RUN / n_images))
    return Recipe(32, epochs, "cosine", epochs, True)
