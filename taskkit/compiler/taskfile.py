"""Compiled tasks read as a run meets them, not held: :class:`TaskFile`.

A compiled task is kilobytes of JSON and several times that as objects; a run of 20,000
held them all from start to end. A :class:`TaskFile` holds where each task's line is (and
its id) and parses the line when the task is asked for, so what a run holds does not grow
with its tasks. Every line is validated once when the file is opened, as
:func:`~taskkit.compiler.load_compiled` does, so a bad file is refused before anything runs.

The files stay open: a file replaced while a run goes on (a recompile renames a new one
into place) does not change the tasks under it. Workers forked from the run read through
the same descriptors (``os.pread``: no shared file position).
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, overload

from pydantic import ValidationError

from ..handlers.trust import Handler, handlers
from ..io.regular_files import FileRefused, open_regular
from ..models import CompiledTask
from .idtable import IdTable
from .index import Indexed, index_key, read_index, write_index
from .output import CompiledFileError, _resolved, _world, parse_task_line
from .select import Selection

__all__ = ["TaskFile", "open_compiled"]

BOM = b"\xef\xbb\xbf"


class TaskFile(Sequence[CompiledTask]):
    """Compiled tasks, each parsed from its file when it is asked for (a new object each
    time: nothing is kept)."""

    def __init__(
        self,
        files: Files,
        ids: IdTable,
        where: array[int],
        read: int,
        handlers: list[Handler] | None = None,
    ) -> None:
        self._files = files
        self.ids = ids
        """The id of every task, in order."""
        self._where = where  # file index, start, size: three numbers a task
        self.read = read
        """How many tasks the files hold, those a selection left out included."""
        self.handlers = handlers or []
        """The Python handlers the tasks would run (with the pack that declares each)."""

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> CompiledTask: ...

    @overload
    def __getitem__(self, index: slice) -> TaskFile: ...

    def __getitem__(self, index: int | slice) -> CompiledTask | TaskFile:
        if isinstance(index, slice):
            picked = range(len(self))[index]
            where = array("q")
            for i in picked:
                where.extend(self._where[3 * i : 3 * i + 3])
            return TaskFile(self._files, IdTable.of(self.ids[i] for i in picked), where, self.read)
        i = range(len(self))[index]  # negative indices, and IndexError past the end
        file, start, size = self._where[3 * i : 3 * i + 3]
        source = self._files[file]
        data = os.pread(source.file.fileno(), size, start)
        try:
            task = CompiledTask.model_validate_json(data)
        except ValidationError:
            # Written over in place (a rename would not have changed what was opened).
            raise CompiledFileError(
                f"{source.path}: changed while the run read it; nothing changes a compiled "
                "file in place, rerun to resume"
            ) from None
        if task.world is None:
            return task
        # a task on a pack's shared world: the world is read once per file set, as
        # load_compiled reads it once per file
        world = _world(source.path, task.world, self._files.worlds)
        return _resolved(task, world, f"{source.path}:{self.ids[i]}")

    def __iter__(self) -> Iterator[CompiledTask]:
        for i in range(len(self)):
            yield self[i]

    def close(self) -> None:
        self._files.close()

    def __enter__(self) -> TaskFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Source(NamedTuple):
    path: str
    file: BinaryIO


class Files(list[Source]):
    """The open files of a :class:`TaskFile` and of its slices, closed with the last of
    them (or by ``close``), and the shared worlds their tasks start from, by hash."""

    def __init__(self) -> None:
        super().__init__()
        self.worlds: dict[str, dict[str, Any]] = {}

    def close(self) -> None:
        for source in self:
            source.file.close()

    def __del__(self) -> None:
        self.close()


def open_compiled(
    paths: Iterable[str | os.PathLike[str]],
    selection: Selection | None = None,
    *,
    index: Path | None = None,
) -> TaskFile:
    """The compiled tasks of ``paths`` that ``selection`` keeps (as
    :func:`~taskkit.compiler.select` would), every line validated now, with the handlers
    they would run (``TaskFile.handlers``, for the trust check). Raises
    :class:`CompiledFileError` for a file that does not hold compiled tasks.

    ``index``: a file that keeps what the check found (ids, where each line is, handlers),
    keyed by the identity of every file (device, inode, size, change time) and the
    selection: opening the same unchanged files again (a resumed run) reads it instead of
    parsing every task. A task is parsed again, and checked, when a run plays it."""
    files = Files()
    try:
        for path in paths:
            try:
                files.append(Source(str(path), open_regular(path)))
            except FileRefused as exc:
                raise CompiledFileError(f"{path}: {exc}") from None
        key = index_key(files, selection)
        held = read_index(index, key) if index is not None else None
        if held is not None:
            return TaskFile(files, *held)
        found = _scan(files, selection)
    except OSError as exc:
        files.close()
        raise CompiledFileError(f"cannot read: {exc.strerror or exc}") from None
    except CompiledFileError:
        files.close()
        raise
    if index is not None:
        write_index(index, key, Indexed(found.ids, found._where, found.read, found.handlers))
    return found


def _scan(files: Files, selection: Selection | None) -> TaskFile:
    ids = bytearray()  # every id, UTF-8, one after another
    ends = array("q")  # where each ends
    where = array("q")
    found: list[Handler] = []
    read = 0
    for number, source in enumerate(files):
        for task, start, size in _lines(source.file, source.path):
            read += 1
            if selection is not None and not _wanted(task, selection, len(ends)):
                continue
            found.extend(handlers(task))
            ids += task.id.encode("utf-8", "surrogatepass")
            ends.append(len(ids))
            where.extend((number, start, size))
    return TaskFile(files, IdTable(ids, ends), where, read, found)


def _wanted(task: CompiledTask, selection: Selection, kept: int) -> bool:
    if selection.limit is not None and kept >= selection.limit:
        return False
    return selection.wants_task(task.pack, task.task, task.category) and (
        selection.wants_instance(task.pack, task.task, task.entry)
    )


def _lines(f: BinaryIO, path: str | os.PathLike[str]) -> Iterator[tuple[CompiledTask, int, int]]:
    """Every task of ``f`` with where its line starts and how long it is."""
    offset = 0
    for number, raw in enumerate(f, start=1):
        start, size = offset, len(raw)
        offset += size
        line = raw
        if number == 1 and raw.startswith(BOM):  # an editor's BOM: still the same tasks
            start, size = start + len(BOM), size - len(BOM)
            line = raw[len(BOM) :]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CompiledFileError(f"{path}: not UTF-8 text ({exc.reason})") from None
        if not text.strip():
            continue
        yield parse_task_line(line, path, number), start, size
