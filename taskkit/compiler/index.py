"""What checking compiled files found, kept for the next run on the same files.

``generate`` keeps it in ``OUTDIR/.tasks.idx``: the id of every selected task, where its
line is, how many tasks the files hold and the Python handlers they would run, keyed by the
identity of every file (device, inode, size, change time), taskkit's version and the
selection. A resume on the same unchanged files reads it instead of parsing every task;
this module needs neither the models nor the simulator, so a rerun with nothing to do
(:func:`held_tasks`) does not load them either.
"""

from __future__ import annotations

import contextlib
import os
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import orjson

from .. import __version__
from ..atomic import write_bytes
from ..regular_files import FileRefused, open_regular
from ..trust import Handler
from .select import Selection

__all__ = ["Indexed", "held_tasks", "index_key", "read_index", "write_index"]


class Indexed(NamedTuple):
    ids: list[str]
    """The id of every selected task, in order."""
    where: array[int]
    """File number, start and size of each task's line: three numbers a task."""
    read: int
    """How many tasks the files hold, those the selection left out included."""
    handlers: list[Handler]


def index_key(files: Sequence[tuple[str, BinaryIO]], selection: Selection | None) -> dict[str, Any]:
    """What an index is valid for: these opened ``(path, file)``s, unchanged, and ``selection``."""
    identity = []
    for path, f in files:
        st = os.fstat(f.fileno())  # of what was opened, not of what the path is now
        identity.append([os.path.realpath(path), st.st_dev, st.st_ino, st.st_size])
        identity[-1].append(st.st_mtime_ns)
    return {
        "taskkit": __version__,
        "files": identity,
        "selection": None if selection is None else asdict(selection),
    }


def read_index(path: Path, key: dict[str, Any]) -> Indexed | None:
    """The index at ``path`` if it was made for exactly ``key`` and is well formed;
    ``None`` (read the files) for anything else, never an error."""
    try:
        doc = orjson.loads(path.read_bytes())
        if not isinstance(doc, dict) or doc.get("key") != orjson.loads(orjson.dumps(key)):
            return None
        ids, where, read = doc["ids"], array("q", doc["where"]), doc["read"]
        found = [Handler(*map(str, h)) for h in doc["handlers"]]
    except (OSError, ValueError, TypeError, KeyError, OverflowError):
        return None
    sizes = [size for *_, size, _ in key["files"]]
    if not (
        isinstance(ids, list)
        and all(isinstance(i, str) for i in ids)
        and isinstance(read, int)
        and len(where) == 3 * len(ids)
        and all(
            0 <= where[j] < len(sizes)
            and where[j + 1] >= 0
            and where[j + 2] >= 0
            and where[j + 1] + where[j + 2] <= sizes[where[j]]
            for j in range(0, len(where), 3)
        )
    ):
        return None
    return Indexed([sys.intern(i) for i in ids], where, read, found)


def write_index(path: Path, key: dict[str, Any], found: Indexed) -> None:
    doc = {
        "key": key,
        "read": found.read,
        "ids": found.ids,
        "where": list(found.where),
        "handlers": [[h.pack, h.tool, h.handler] for h in found.handlers],
    }
    # Only a shortcut: where it cannot be written (a read-only folder) the next open reads
    # the files again.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)  # the run's folder, made a bit early
        write_bytes(path, orjson.dumps(doc))


def held_tasks(
    paths: Iterable[str | os.PathLike[str]], selection: Selection | None, index: Path
) -> Indexed | None:
    """What ``index`` holds for the compiled files ``paths`` as they are now, without
    reading them; ``None`` when it holds nothing for them (or they cannot be opened: the
    full check says why)."""
    files: list[tuple[str, BinaryIO]] = []
    try:
        for path in paths:
            files.append((str(path), open_regular(path)))
        return read_index(index, index_key(files, selection))
    except (OSError, FileRefused):
        return None
    finally:
        for _, f in files:
            f.close()
