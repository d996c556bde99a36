"""One writer per output: an advisory lock beside what a run writes.

The lock is an ``flock`` on a small file holding the writer's pid. The kernel drops it when
the process dies however it dies, so a lock left by a killed run is free for the next one
to take (the file stays; what it says is only read to name the holder in the message).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["LockHeld", "output_lock"]

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no second-writer check
    fcntl = None  # type: ignore[assignment]


class LockHeld(Exception):
    """Another process is writing this output."""

    def __init__(self, target: Path, holder: str) -> None:
        super().__init__(str(target), holder)
        self.target, self.holder = target, holder

    def __str__(self) -> str:
        who = f"process {self.holder}" if self.holder else "another process"
        return (
            f"{self.target} is being written by {who} (lock {_lock_path(self.target)}); "
            "wait for it to finish, or choose another output"
        )


def _lock_path(target: Path) -> Path:
    return target / ".taskkit.lock" if target.is_dir() else target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def output_lock(target: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the lock of ``target`` (a folder, or a file) for the block; raise
    :class:`LockHeld` at once if another living process holds it."""
    path = _lock_path(Path(target))
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            raise LockHeld(Path(target), holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing drops the lock
