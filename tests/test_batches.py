import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.data.augment import add_gaussian_noise, augment_batch, jitter_brightness_contrast, shift
from ocrlib.data.batches import Batches, encode_labels
from ocrlib.errors import UnknownCharacterError

ALPHABET = Alphabet("0123456789")


def numbered_images(n):
    """uint8 (n, 64, 128, 1) where image i is filled with the value i, so a batch tells its rows."""
    return np.broadcast_to(np.arange(n, dtype=np.uint8)[:, None, None, None], (n, 64, 128, 1)).copy()


def texts_for(n):
    return [str(i) for i in range(n)]


def rows_of(batches):
    """Row indices in the order the batches yield them, read back from the image values."""
    return [int(round(v)) for i in range(len(batches)) for v in batches[i][0]["image"][:, 0, 0, 0] * 255]


def test_batches_yield_the_training_model_inputs():
    batches = Batches(numbered_images(10), texts_for(10), ALPHABET, max_label_length=15, batch_size=4)
    assert isinstance(batches, keras.utils.PyDataset)
    assert len(batches) == 3
    inputs, target = batches[0]
    assert set(inputs) == {"image", "labels", "label_length"}
    assert inputs["image"].shape == (4, 64, 128, 1) and inputs["image"].dtype == np.float32
    assert inputs["labels"].shape == (4, 15) and inputs["labels"].dtype == np.int32
    assert inputs["label_length"].shape == (4, 1)
    assert len(target) == 4
    last_inputs, _ = batches[2]
    assert last_inputs["image"].shape[0] == 2


@pytest.mark.parametrize("n, replicas, expected", [
    (11, 2, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 8]]),  # the short last batch repeats its own rows
    (10, 2, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]),         # already a multiple: unchanged
    (1, 4, [[0, 0, 0, 0]]),
])
def test_every_batch_is_a_multiple_of_the_replicas(n, replicas, expected):
    batches = Batches(numbered_images(n), texts_for(n), ALPHABET, 15, batch_size=4, replicas=replicas)
    batch_rows = [[int(round(v * 255)) for v in batches[i][0]["image"][:, 0, 0, 0]] for i in range(len(batches))]
    assert batch_rows == expected
    inputs, target = batches[len(batches) - 1]
    texts = [ALPHABET.decode(label[: length[0]]) for label, length in zip(inputs["labels"], inputs["label_length"])]
    assert texts == [str(row) for row in expected[-1]]  # labels follow their images
    assert len(target) == len(expected[-1])


def test_labels_are_encoded_and_padded():
    batches = Batches(numbered_images(2), ["907", "11"], ALPHABET, max_label_length=5, batch_size=2)
    inputs, _ = batches[0]
    np.testing.assert_array_equal(inputs["labels"], [[10, 1, 8, 0, 0], [2, 2, 0, 0, 0]])
    np.testing.assert_array_equal(inputs["label_length"], [[3], [2]])


def test_images_are_scaled_to_unit_range_without_augmentation():
    images = numbered_images(3) * 100
    batches = Batches(images, ["1", "2", "3"], ALPHABET, 15, batch_size=3)
    np.testing.assert_allclose(batches[0][0]["image"], images / 255.0, rtol=1e-6)


def test_unknown_character_fails_at_construction_naming_it():
    with pytest.raises(UnknownCharacterError, match="'x'"):
        Batches(numbered_images(2), ["12", "3x"], ALPHABET, 15)


def test_label_longer_than_max_label_length_fails_naming_it():
    # A label that does not fit must fail with a message naming it, not with a NumPy broadcast error.
    long_label = "1234567890123456"
    with pytest.raises(ValueError, match=long_label):
        encode_labels([long_label], ALPHABET, max_label_length=15)
    with pytest.raises(ValueError, match=long_label):
        Batches(numbered_images(1), [long_label], ALPHABET, 15)


def test_mismatched_or_empty_inputs_are_rejected():
    with pytest.raises(ValueError, match="3 images but 2 texts"):
        Batches(numbered_images(3), ["1", "2"], ALPHABET, 15)
    with pytest.raises(ValueError):
        Batches(numbered_images(0), [], ALPHABET, 15)


def test_without_shuffle_the_order_is_the_input_order():
    batches = Batches(numbered_images(10), texts_for(10), ALPHABET, 15, batch_size=4)
    assert rows_of(batches) == list(range(10))
    batches.on_epoch_end()
    assert rows_of(batches) == list(range(10))


def test_shuffle_changes_the_order_each_epoch_but_keeps_the_set():
    batches = Batches(numbered_images(20), texts_for(20), ALPHABET, 15, batch_size=6, shuffle=True, seed=3)
    first = rows_of(batches)
    batches.on_epoch_end()
    second = rows_of(batches)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second


def test_shuffled_labels_stay_with_their_images():
    batches = Batches(numbered_images(12), texts_for(12), ALPHABET, 15, batch_size=5, shuffle=True, seed=1)
    for i in range(len(batches)):
        inputs, _ = batches[i]
        rows = np.round(inputs["image"][:, 0, 0, 0] * 255).astype(int)
        texts = [ALPHABET.decode(label[: n[0]]) for label, n in zip(inputs["labels"], inputs["label_length"])]
        assert texts == [str(r) for r in rows]


def test_augmented_batches_stay_in_unit_range_and_change_the_images(plates32):
    images, texts = plates32
    batches = Batches(images[:8, :, :, None], texts[:8], Alphabet.from_texts(texts), 15, batch_size=8, augment=True)
    augmented = batches[0][0]["image"]
    assert augmented.dtype == np.float32 and augmented.shape == (8, 64, 128, 1)
    assert 0.0 <= augmented.min() and augmented.max() <= 1.0
    assert not np.allclose(augmented, images[:8, :, :, None] / 255.0)


@pytest.mark.parametrize("function", [augment_batch, jitter_brightness_contrast, add_gaussian_noise, shift])
def test_each_augmentation_keeps_shape_dtype_and_range(function):
    rng = np.random.default_rng(0)
    batch = np.concatenate([np.zeros((2, 16, 32, 1)), np.ones((2, 16, 32, 1)),
                            rng.uniform(0, 1, (2, 16, 32, 1))]).astype(np.float32)
    out = function(batch, np.random.default_rng(1))
    assert out.shape == batch.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0


def test_augmentation_is_seeded():
    batch = np.random.default_rng(0).uniform(0, 1, (3, 16, 32, 1)).astype(np.float32)
    np.testing.assert_array_equal(augment_batch(batch, np.random.default_rng(5)),
                                  augment_batch(batch, np.random.default_rng(5)))


def test_shift_moves_content_by_at_most_max_pixels():
    batch = np.zeros((20, 16, 32, 1), np.float32)
    batch[:, 8, 16] = 1.0
    out = shift(batch, np.random.default_rng(0), max_pixels=3)
    for image in out:
        rows, cols = np.nonzero(image[:, :, 0])
        assert len(rows) == 1 and abs(rows[0] - 8) <= 3 and abs(cols[0] - 16) <= 3


def test_an_epoch_draws_the_same_order_and_augmentation_whatever_epochs_came_before(plates32):
    # What a resumed run relies on: epoch 2 of a fresh batcher set to it is epoch 2 of one that ran 0 and 1.
    images, texts = plates32
    options = dict(alphabet=Alphabet.from_texts(texts), max_label_length=15, batch_size=5, shuffle=True,
                   augment=True, seed=4)
    ran, fresh = Batches(images[:12, :, :, None], texts[:12], **options), Batches(images[:12, :, :, None], texts[:12], **options)
    for index in range(len(ran)):  # epoch 0 drawn in full
        ran[index]
    ran.on_epoch_end()
    ran.on_epoch_end()
    fresh.set_epoch(2)
    for index in (2, 0, 1):  # in any order, as prefetching workers may ask
        np.testing.assert_array_equal(fresh[index][0]["image"], ran[index][0]["image"])
        np.testing.assert_array_equal(fresh[index][0]["labels"], ran[index][0]["labels"])


EXTRA_MARK = 100  # extra image j is numbered 100 + j (in its pixels and its label), main image i is i < 100


def mixed(n=20, m=30, batch_size=8, extra_share=0.25, **options):
    """Batches of n numbered main images with m numbered extra images mixed in; labels are the numbers."""
    extra = numbered_images(EXTRA_MARK + m)[EXTRA_MARK:], [str(EXTRA_MARK + j) for j in range(m)]
    return Batches(numbered_images(n), texts_for(n), ALPHABET, 15, batch_size=batch_size, extra=extra,
                   extra_share=extra_share, **options)


def batch_rows(batches):
    """Per batch, the numbers of its images, read from their labels (augmentation leaves them as they are)."""
    return [[int(ALPHABET.decode(label[: n[0]])) for label, n in zip(inputs["labels"], inputs["label_length"])]
            for inputs, _ in (batches[i] for i in range(len(batches)))]


@pytest.mark.parametrize("batch_size, extra_share, extra_per_batch",
                         [(8, 0.25, 2), (8, 0.2, 2), (8, 0.5, 4), (10, 0.3, 3), (4, 0.75, 3)])
def test_each_mixed_batch_holds_the_asked_share_of_extra_images(batch_size, extra_share, extra_per_batch):
    batches = mixed(n=20, batch_size=batch_size, extra_share=extra_share, shuffle=True)
    rows = batch_rows(batches)
    assert len(batches) == -(-20 // (batch_size - extra_per_batch))
    assert [sum(row >= EXTRA_MARK for row in batch) for batch in rows] == [extra_per_batch] * len(batches)
    assert all(len(batch) == batch_size for batch in rows[:-1])


@pytest.mark.parametrize("extra_images", [30, 5])  # more than an epoch needs, and fewer
def test_a_mixed_epoch_shows_every_main_image_once_and_spreads_the_extra_ones_evenly(extra_images):
    batches = mixed(n=20, m=extra_images, batch_size=8, shuffle=True, seed=2)  # 4 batches, 8 extra images an epoch
    for _ in range(3):
        rows = [row for batch in batch_rows(batches) for row in batch]
        assert sorted(row for row in rows if row < EXTRA_MARK) == list(range(20))
        drawn = np.bincount([row - EXTRA_MARK for row in rows if row >= EXTRA_MARK], minlength=extra_images)
        assert drawn.sum() == 8 and drawn.max() - drawn.min() <= 1  # 30: none twice; 5: each once or twice
        batches.on_epoch_end()


def test_mixed_labels_stay_with_their_images():
    batches = mixed(n=7, m=9, batch_size=4, extra_share=0.5, shuffle=True, seed=5)
    for i in range(len(batches)):
        inputs, _ = batches[i]
        rows = np.round(inputs["image"][:, 0, 0, 0] * 255).astype(int)
        texts = [ALPHABET.decode(label[: n[0]]) for label, n in zip(inputs["labels"], inputs["label_length"])]
        assert texts == [str(row) for row in rows]


def test_a_mixed_epoch_is_drawn_from_the_seed_and_its_number_alone():
    ran, fresh = mixed(shuffle=True, augment=True, seed=4), mixed(shuffle=True, augment=True, seed=4)
    first = batch_rows(ran)
    ran.on_epoch_end()
    ran.on_epoch_end()
    fresh.set_epoch(2)
    for index in (2, 0, 1):
        np.testing.assert_array_equal(fresh[index][0]["image"], ran[index][0]["image"])
    extra = [[row for row in batch if row >= EXTRA_MARK] for batch in first]
    assert extra != [[row for row in batch if row >= EXTRA_MARK] for batch in batch_rows(ran)]
    assert batch_rows(mixed(shuffle=True, seed=5)) != first


@pytest.mark.parametrize("extra_share, named", [
    (0.0, "extra_share must be between 0 and 1, got 0.0"),
    (1.0, "extra_share must be between 0 and 1, got 1.0"),
    (-0.25, "extra_share must be between 0 and 1, got -0.25"),
    (0.05, "extra_share 0.05 of a batch of 8 images is 0 extra images"),
    (0.95, "extra_share 0.95 of a batch of 8 images is 8 extra images"),
])
def test_a_share_that_leaves_a_set_out_of_the_batches_is_refused_naming_it(extra_share, named):
    with pytest.raises(ValueError, match=named):
        mixed(batch_size=8, extra_share=extra_share)


def test_extra_images_of_another_shape_are_refused_naming_both_shapes():
    extra = np.zeros((3, 64, 96, 1), np.uint8), ["1", "2", "3"]
    with pytest.raises(ValueError, match=r"extra images are \(64, 96, 1\).*\(64, 128, 1\)"):
        Batches(numbered_images(4), texts_for(4), ALPHABET, 15, batch_size=4, extra=extra)


def test_an_extra_label_outside_the_alphabet_is_refused_naming_it_and_the_character():
    extra = numbered_images(3), ["1", "2x", "3"]
    with pytest.raises(UnknownCharacterError, match="extra text 1: character 'x' in '2x'"):
        Batches(numbered_images(4), texts_for(4), ALPHABET, 15, batch_size=4, extra=extra)
