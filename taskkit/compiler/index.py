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
from ..handlers.trust import Handler
from ..io.cache_files import read_cache_file, write_bytes
from ..io.regular_files import FileRefused, open_regular
from .idtable import IdTable
from .select import Selection

__all__ = ["Indexed", "held_tasks", "index_key", "read_index", "write_index"]


class Indexed(NamedTuple):
    ids: IdTable
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


INDEX_FORMAT = 2
"""Version of the index file: a JSON header line, then the line table, the id ends and
the ids as raw bytes (version 1, all JSON, cost the writer 16 MiB for 20,000 tasks)."""
MAX_INDEX_BYTES = 1 << 32
"""An index larger than this is not read (20,000 tasks make about 1 MB)."""


def read_index(path: Path, key: dict[str, Any]) -> Indexed | None:
    """The index at ``path`` if it was made for exactly ``key`` and is well formed;
    ``None`` (read the files) for anything else, never an error."""
    data = read_cache_file(path, MAX_INDEX_BYTES)  # not a FIFO, which would block
    if data is None:
        return None
    try:
        cut = data.index(b"\n")
        doc = orjson.loads(data[:cut])
        if not isinstance(doc, dict) or doc.get("format") != INDEX_FORMAT:
            return None
        if doc.get("byteorder") != sys.byteorder:
            return None
        if doc.get("key") != orjson.loads(orjson.dumps(key)):
            return None
        count, read, size = doc["tasks"], doc["read"], doc["blob"]
        if not all(isinstance(n, int) and n >= 0 for n in (count, read, size)):
            return None
        found = [Handler(*map(str, h)) for h in doc["handlers"]]
        where, ends = array("q"), array("q")
        body = memoryview(data)[cut + 1 :]
        if len(body) != 4 * count * where.itemsize + size:
            return None
        split = 3 * count * where.itemsize
        where.frombytes(body[:split])
        ends.frombytes(body[split : split + count * ends.itemsize])
        blob = bytes(body[split + count * ends.itemsize :])
    except (OSError, ValueError, TypeError, KeyError, OverflowError):
        return None
    sizes = [size for *_, size, _ in key["files"]]
    if not all(
        0 <= where[j] < len(sizes)
        and where[j + 1] >= 0
        and where[j + 2] >= 0
        and where[j + 1] + where[j + 2] <= sizes[where[j]]
        for j in range(0, len(where), 3)
    ):
        return None
    ids = IdTable.checked(blob, ends)
    if ids is None:
        return None
    return Indexed(ids, where, read, found)


def write_index(path: Path, key: dict[str, Any], found: Indexed) -> None:
    head = {
        "format": INDEX_FORMAT,
        "byteorder": sys.byteorder,
        "key": key,
        "read": found.read,
        "tasks": len(found.ids),
        "blob": len(found.ids.blob),
        "handlers": [[h.pack, h.tool, h.handler] for h in found.handlers],
    }
    data = b"".join(
        (orjson.dumps(head), b"\n", found.where.tobytes(), found.ids.ends.tobytes(), found.ids.blob)
    )
    # Only a shortcut: where it cannot be written (a read-only folder) the next open reads
    # the files again.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)  # the run's folder, made a bit early
        write_bytes(path, data)


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
