"""All-or-nothing writes: build under a temporary name beside the target, make it durable, rename it
into place; and groups of writes that SIGINT or SIGTERM do not cut in half."""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: Path) -> None:
    """Flush ``path`` (a file, or a folder's entries) to the disk. Folders cannot be opened on Windows: skipped there."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except (IsADirectoryError, PermissionError):
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@contextmanager
def atomic_target(path: str | Path, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write; on success it is synced to the disk and replaces
    ``path`` (the parent folder synced too, so the rename survives a power cut), on failure it is removed
    and ``path`` is untouched. The result gets the permissions any new file or folder gets."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if directory:
        temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    else:
        # All the suffixes kept: Keras wants weights files to end in ".weights.h5".
        handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix="".join(path.suffixes), dir=path.parent)
        os.close(handle)
        temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, (0o777 if directory else 0o666) & ~_umask())
        for written in [*temporary.rglob("*"), temporary]:  # rglob: a folder's files and subfolders
            _fsync(written)
        os.replace(temporary, path)
    except BaseException:
        if temporary.is_dir():
            shutil.rmtree(temporary, ignore_errors=True)
        else:
            temporary.unlink(missing_ok=True)
        raise
    _fsync(path.parent)


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM that arrive within the block take effect when it ends, as they would have
    (their handlers then run, or the default action): a block of writes is done whole or not begun.
    Only the main thread receives signals; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: arrived.append(signum)) for signum in HELD_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(arrived):
            signal.raise_signal(signum)
