import cv2
import numpy as np

from ocrlib.alphabet import Alphabet
from ocrlib.data.check import check_folder, time_steps_for_width
from ocrlib.data.folder import LABELS_FILE, write_folder


def folder_with_every_problem(path):
    """A labelled folder with one of each problem `check_folder` finds, and two good rows."""
    folder = write_folder(path, [np.zeros((20, 40), np.uint8), np.full((30, 60, 3), 9, np.uint8)], ["ab", "ba"])
    (folder / "empty.png").write_bytes(b"")
    (folder / "junk.png").write_bytes(b"\x00garbage")
    cv2.imwrite(str(folder / "long.png"), np.zeros((20, 40), np.uint8))
    cv2.imwrite(str(folder / "odd.png"), np.zeros((20, 40), np.uint8))
    (folder / LABELS_FILE).write_text(
        "filename,text\n0.png,ab\n1.png,ba\n"
        "gone.png,ab\nempty.png,ab\njunk.png,ab\n"  # lines 4-6: missing, empty, unreadable
        "0.png,ab\n"  # line 7: listed again
        "odd.png,a,b\n"  # line 8: three fields
        "long.png,aaaaaaaaa\n"  # line 9: 9 + 8 = 17 time steps
        ",ab\n", encoding="utf-8")  # line 10: no filename
    (folder / "q.png").write_bytes((folder / "0.png").read_bytes())
    with open(folder / LABELS_FILE, "a", encoding="utf-8") as file:
        file.write("q.png,aq\n")  # line 11: 'q' outside the alphabet
    return folder


def test_check_folder_reports_every_problem_naming_file_line_and_character(tmp_path):
    folder = folder_with_every_problem(tmp_path / "set")
    report = check_folder(folder, Alphabet("ab"), time_steps=16)
    problems = "\n".join(report.problems)
    assert len(report.problems) == 8, problems
    for expected in ["gone.png", "empty.png", "junk.png", "line 7: '0.png' is listed again (first on line 2)",
                     "line 8: 3 fields", "long.png: label 'aaaaaaaaa' needs 17 time steps", "line 10: empty filename",
                     "q.png: label 'aq' holds 'q'"]:
        assert expected in problems


def test_check_folder_summarises_sizes_modes_lengths_and_characters(tmp_path):
    folder = write_folder(tmp_path / "set", [np.zeros((20, 40), np.uint8), np.zeros((20, 40), np.uint8),
                                             np.zeros((30, 60, 3), np.uint8)], ["ab", "abb", "b"])
    report = check_folder(folder, Alphabet("ab"), time_steps=32)
    assert report.problems == []
    assert report.sizes == {(40, 20): 2, (60, 30): 1}
    assert report.modes == {"8-bit gray": 2, "8-bit colour": 1}
    assert report.lengths == {2: 1, 3: 1, 1: 1}
    assert report.characters == {"a": 2, "b": 4}


def test_check_folder_finds_a_labels_csv_that_is_not_utf8_naming_the_line(tmp_path):
    folder = write_folder(tmp_path / "set", [np.zeros((20, 40), np.uint8)], ["ab"])
    (folder / LABELS_FILE).write_bytes(b"filename,text\n0.png,\xe9t\xe9\n")
    assert check_folder(folder).problems == [f"{folder / LABELS_FILE}, line 2: not UTF-8 text (byte 0xe9): save it as UTF-8"]


def test_time_steps_for_width_are_those_of_the_crnn_train_builds():
    from ocrlib.model import build_crnn

    for width in (128, 200):
        assert time_steps_for_width(width) == build_crnn("ab", (64, width, 1)).time_steps
