import csv
import re

import cv2
import numpy as np
import pytest

from ocrlib.data.folder import LABELS_FILE, load_folder, read_image, read_labels, write_folder
from ocrlib.errors import DatasetError
from tests.helpers import leftovers, permission_bits


def small_images(n, height=20, width=40):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (height, width), dtype=np.uint8) for _ in range(n)]


def test_write_folder_then_read_labels_round_trips(tmp_path):
    texts = ["AB12", "x,y", 'say "hi"', "ÄÖ ü", ""]
    images = small_images(len(texts))
    out = write_folder(tmp_path / "set", images, texts)
    pairs = read_labels(out)
    assert [text for _, text in pairs] == texts
    for (path, _), image in zip(pairs, images):
        assert path.parent == out
        np.testing.assert_array_equal(read_image(path), image)
    assert leftovers(tmp_path, {"set"}) == set()


def test_labels_csv_has_the_filename_text_header(tmp_path):
    out = write_folder(tmp_path / "set", small_images(2), ["a", "b"])
    with open(out / LABELS_FILE, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["filename", "text"]
    assert [row[1] for row in rows[1:]] == ["a", "b"]
    assert all((out / row[0]).is_file() for row in rows[1:])


def test_load_folder_fits_images_to_the_input_shape(tmp_path):
    out = write_folder(tmp_path / "set", small_images(3, 50, 200), ["a", "b", "c"])
    images, texts = load_folder(out, (64, 128, 1))
    assert images.shape == (3, 64, 128, 1) and images.dtype == np.uint8
    assert texts == ["a", "b", "c"]


def test_labels_come_from_file_stems_without_labels_csv(tmp_path):
    for name in ["abc12", "Z9"]:
        cv2.imwrite(str(tmp_path / f"{name}.png"), np.zeros((10, 20), np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    assert sorted(text for _, text in read_labels(tmp_path)) == ["Z9", "abc12"]
    images, texts = load_folder(tmp_path, (64, 128, 1))
    assert len(images) == 2 and sorted(texts) == ["Z9", "abc12"]


def test_labels_csv_without_header_raises_dataset_error_naming_the_file(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((10, 20), np.uint8))
    (tmp_path / LABELS_FILE).write_text("a.png,abc\n")
    with pytest.raises(DatasetError, match=LABELS_FILE):
        read_labels(tmp_path)


def test_empty_labels_csv_raises_dataset_error(tmp_path):
    (tmp_path / LABELS_FILE).write_text("")
    with pytest.raises(DatasetError, match=LABELS_FILE):
        read_labels(tmp_path)


def test_folder_without_labels_or_images_raises_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match=str(tmp_path.name)):
        read_labels(tmp_path)
    with pytest.raises(DatasetError, match="nowhere"):
        read_labels(tmp_path / "nowhere")


def test_empty_image_file_raises_dataset_error_naming_the_file(tmp_path):
    (tmp_path / "blank.png").write_bytes(b"")
    with pytest.raises(DatasetError, match="blank.png"):
        read_image(tmp_path / "blank.png")
    with pytest.raises(DatasetError, match="blank.png"):
        load_folder(tmp_path, (64, 128, 1))


def test_garbage_image_file_raises_dataset_error_naming_the_file(tmp_path):
    (tmp_path / "junk.png").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DatasetError, match="junk.png"):
        read_image(tmp_path / "junk.png")


def test_missing_image_listed_in_labels_csv_raises_dataset_error_naming_it(tmp_path):
    (tmp_path / LABELS_FILE).write_text("filename,text\ngone.png,abc\n")
    with pytest.raises(DatasetError, match="gone.png"):
        load_folder(tmp_path, (64, 128, 1))


def test_write_folder_into_a_non_empty_folder_raises_and_leaves_it_alone(tmp_path):
    target = tmp_path / "set"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(DatasetError, match="set"):
        write_folder(target, small_images(2), ["a", "b"])
    assert {p.name for p in target.iterdir()} == {"keep.txt"}
    assert leftovers(tmp_path, {"set"}) == set()


def test_write_folder_into_an_existing_empty_folder_works(tmp_path):
    (tmp_path / "set").mkdir()
    write_folder(tmp_path / "set", small_images(2), ["a", "b"])
    assert len(read_labels(tmp_path / "set")) == 2
    assert leftovers(tmp_path, {"set"}) == set()


def test_failure_while_writing_leaves_nothing_behind(tmp_path, monkeypatch):
    real_imwrite = cv2.imwrite
    calls = []

    def failing_imwrite(path, image, *args):
        calls.append(path)
        return real_imwrite(path, image, *args) if len(calls) < 3 else False

    monkeypatch.setattr(cv2, "imwrite", failing_imwrite)
    with pytest.raises(DatasetError):
        write_folder(tmp_path / "set", small_images(5), list("abcde"))
    assert len(calls) == 3
    assert leftovers(tmp_path, set()) == set()


def test_write_folder_rejects_mismatched_lengths(tmp_path):
    with pytest.raises(ValueError, match="2 images but 3 texts"):
        write_folder(tmp_path / "set", small_images(2), ["a", "b", "c"])
    assert leftovers(tmp_path, set()) == set()


def test_written_folder_gets_the_same_permissions_as_any_new_folder(tmp_path):
    # The folder is staged under a temporary name; it must not keep mkdtemp's private 0700 mode
    # (other users, e.g. a Docker container, must be able to read a generated dataset).
    write_folder(tmp_path / "set", small_images(1), ["a"])
    (tmp_path / "reference").mkdir()
    assert oct(permission_bits(tmp_path / "set")) == oct(permission_bits(tmp_path / "reference"))


def test_sixteen_bit_and_colour_files_are_read_unchanged(tmp_path):
    deep = (np.arange(200, dtype=np.uint16).reshape(10, 20) * 300)
    colour = np.zeros((10, 20, 3), np.uint8)
    colour[..., 2] = 255
    cv2.imwrite(str(tmp_path / "deep.png"), deep)
    cv2.imwrite(str(tmp_path / "colour.png"), colour)
    assert read_image(tmp_path / "deep.png").dtype == np.uint16
    np.testing.assert_array_equal(read_image(tmp_path / "deep.png"), deep)
    np.testing.assert_array_equal(read_image(tmp_path / "colour.png"), colour)


def test_a_folder_of_mixed_sizes_and_modes_loads_as_the_same_gray_pictures(tmp_path):
    from PIL import Image

    picture = np.full((50, 200), 230, np.uint8)
    for x in range(20, 180, 20):
        picture[10:40, x : x + 6] = 30  # dark strokes on light paper, like a captcha
    gray = Image.fromarray(picture)
    rgba = gray.convert("RGBA")
    rgba.putalpha(Image.fromarray(np.where(picture < 128, 255, 0).astype(np.uint8)))  # paper transparent
    variants = {
        "gray.png": gray,
        "rgb.png": gray.convert("RGB"),
        "rgba.png": rgba,
        "palette.png": gray.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE),
        "deep.png": Image.fromarray(picture.astype(np.uint16) * 257),
        "small.bmp": gray.resize((80, 20)),  # same aspect ratio, fewer pixels
    }
    for name, image in variants.items():
        image.save(tmp_path / name)
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    images, texts = load_folder(tmp_path, (64, 128, 1))
    assert images.shape == (6, 64, 128, 1) and images.dtype == np.uint8
    by_name = dict(zip(texts, images.astype(int)))
    reference = by_name["gray"]
    for name in ("rgb", "palette", "deep"):
        assert np.abs(by_name[name] - reference).max() <= 3, name
    # Transparent paper is composited on white: strokes stay dark, paper becomes white.
    assert by_name["rgba"][reference <= 30].max() <= 40 and by_name["rgba"][reference == 230].min() == 255
    # Another size is fitted the same way: same layout, just softer strokes.
    assert np.abs(by_name["small"] - reference).mean() < 12


@pytest.mark.parametrize("kind", ["parent", "absolute", "symlink"])
def test_labels_csv_row_pointing_outside_the_folder_is_refused_naming_file_line_and_name(tmp_path, kind):
    outside = tmp_path / "secret.png"
    cv2.imwrite(str(outside), np.zeros((10, 20), np.uint8))
    folder = write_folder(tmp_path / "set", small_images(2), ["a", "b"])
    if kind == "symlink":
        (folder / "link.png").symlink_to(outside)
    filename = {"parent": "../secret.png", "absolute": str(outside), "symlink": "link.png"}[kind]
    (folder / LABELS_FILE).write_text(f"filename,text\n0.png,a\n{filename},x\n")
    with pytest.raises(DatasetError, match=rf"{LABELS_FILE}, line 3: '{re.escape(filename)}' is outside"):
        read_labels(folder)


def test_labels_csv_may_name_files_in_subfolders(tmp_path):
    folder = write_folder(tmp_path / "set", small_images(1), ["a"])
    (folder / "sub").mkdir()
    (folder / "0.png").rename(folder / "sub" / "0.png")
    (folder / LABELS_FILE).write_text("filename,text\nsub/../sub/0.png,a\n")
    assert read_labels(folder) == [(folder / "sub/../sub/0.png", "a")]


def test_image_linking_outside_a_folder_without_labels_csv_is_refused_naming_it(tmp_path):
    cv2.imwrite(str(tmp_path / "secret.png"), np.zeros((10, 20), np.uint8))
    (tmp_path / "set").mkdir()
    cv2.imwrite(str(tmp_path / "set" / "ab.png"), np.zeros((10, 20), np.uint8))
    (tmp_path / "set" / "cd.png").symlink_to(tmp_path / "secret.png")
    with pytest.raises(DatasetError, match="cd.png links to a file outside"):
        read_labels(tmp_path / "set")
