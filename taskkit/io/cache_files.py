"""The files of taskkit's caches (the lint cache, the pack index, ``generate``'s
``.tasks.idx``): how a file is stamped to know it unchanged, and how a cache file is read
and written. One way for all of them, so that each trusts a file for the same reasons.

A file counts as unchanged when its stamp (size, mtime, ctime and inode) is as recorded
and it was already older than the reading that recorded it by :data:`RACY_NS` (git's rule
for "racily clean" files: a write in the clock tick of our read can leave the stat as it
was); otherwise when its content hashes as recorded (:func:`taskkit.io.digests.file_digest`).

A cache is only ever a shortcut: a cache file that cannot be read, is not a regular file
or is larger than expected reads as nothing, and the work is done again.
"""

from __future__ import annotations

import os
import stat as stat_module
from pathlib import Path

from .atomic import write_bytes

__all__ = [
    "RACY_NS",
    "Stamp",
    "mark_cache_dir",
    "read_cache_file",
    "stamp_of",
    "vouches",
    "write_bytes",
    "write_text",
]

RACY_NS = 2 * 10**9
"""How much older than its reading a file must be for its stamp alone to vouch for it (FAT
keeps mtimes to 2 s; most file systems to a clock tick)."""

Stamp = tuple[int, int, int, int]
"""Size, mtime, ctime (ns) and inode."""


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def vouches(stamp: Stamp, read_ns: int) -> bool:
    """Whether a file with ``stamp``, read at ``read_ns`` (:func:`time.time_ns`), was old
    enough then that an equal stamp later means the same content."""
    return read_ns - max(stamp[1], stamp[2]) > RACY_NS


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Put ``text`` (UTF-8) in ``path`` at once, as :func:`write_bytes` does."""
    write_bytes(path, text.encode("utf-8", "surrogatepass"))


def read_cache_file(path: str | os.PathLike[str], limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link, folder, FIFO or device) of
    at most ``limit`` bytes; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | os.O_NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat_module.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by taskkit.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def mark_cache_dir(directory: str | os.PathLike[str], *, by: str) -> None:
    """Make ``directory``, marked as a cache for backup tools (``CACHEDIR.TAG``) and git
    (a ``.gitignore`` of everything), as ruff does; ``by`` says which command wrote it."""
    folder = Path(directory)
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / ".gitignore", f"# written by {by}\n*\n")
    write_text(folder / "CACHEDIR.TAG", CACHEDIR_TAG)
