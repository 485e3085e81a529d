import os
import signal

import pytest

from ocrlib.atomic import atomic_target, signals_held


@pytest.fixture
def synced(monkeypatch):
    """The (device, inode) of everything os.fsync is called on."""
    inodes = set()
    real_fsync = os.fsync

    def fsync(handle):
        stat = os.fstat(handle)
        inodes.add((stat.st_dev, stat.st_ino))
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    return inodes


def identity(path):
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def test_a_written_file_and_its_folder_are_synced_to_the_disk(tmp_path, synced):
    path = tmp_path / "m.keras"
    with atomic_target(path) as temporary:
        temporary.write_bytes(b"model")
    assert path.read_bytes() == b"model"
    assert {identity(path), identity(tmp_path)} <= synced  # the file's contents, then its new name


def test_a_written_folder_is_synced_file_by_file(tmp_path, synced):
    path = tmp_path / "saved_model"
    with atomic_target(path, directory=True) as temporary:
        (temporary / "variables").mkdir()
        (temporary / "variables" / "data").write_bytes(b"weights")
        (temporary / "saved_model.pb").write_bytes(b"graph")
    written = [path / "variables" / "data", path / "saved_model.pb", path / "variables", path, tmp_path]
    assert {identity(p) for p in written} <= synced


def test_signals_held_delivers_a_signal_after_the_block_not_within_it():
    class Arrived(Exception):
        pass

    def handler(signum, frame):
        raise Arrived(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    done = []
    try:
        with pytest.raises(Arrived):
            with signals_held():
                signal.raise_signal(signal.SIGTERM)
                done.append("the rest of the block")
        assert done == ["the rest of the block"]
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)
