"""Reading a file a pack (or a user) names: regular files only, and only so much of them.

A FIFO named ``tasks/x.yaml`` would block ``open`` forever, a link to ``/dev/zero`` would be
read without end, and a socket cannot be read at all: a pack is data, so anything but a
regular file is refused with a message, and a file is read up to a size cap (checked on
what is read, not only on what ``stat`` said: the file may grow).
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

__all__ = ["FileRefused", "kind_of", "open_regular", "read_regular"]


class FileRefused(OSError):
    """Not a regular file, or over the size cap; ``str()`` is the message to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, in words (``a regular file`` when it is one)."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """The regular file at ``path`` open for reading in binary (links followed), for
    reading a line at a time; :class:`FileRefused` when it is not a regular file."""
    fd = _open(path)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused(f"is {kind_of(st.st_mode)}, not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _open(path: str | os.PathLike[str]) -> int:
    # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags)
    except IsADirectoryError:
        raise FileRefused("is a folder, not a file") from None
    except OSError:
        try:  # a socket cannot be opened at all (ENXIO): say what it is
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):
            raise FileRefused(f"is {kind_of(mode)}, not a regular file") from None
        raise


def read_regular(path: str | os.PathLike[str], *, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path`` (links followed); :class:`FileRefused`
    when it is anything else or larger than ``max_bytes``; other :class:`OSError` as the
    system reports them."""
    fd = _open(path)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused(f"is {kind_of(st.st_mode)}, not a regular file")
        if st.st_size > max_bytes:
            raise FileRefused(_too_large(st.st_size, max_bytes))
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise FileRefused(_too_large(total, max_bytes))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_large(size: int, max_bytes: int) -> str:
    return f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.1f} MiB limit"
