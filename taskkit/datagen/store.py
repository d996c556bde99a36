"""The episodes a ``generate`` folder holds: ``trajectories.jsonl`` and its index.

``trajectories.jsonl`` is the record of the run; ``done.idx`` says which episodes it holds
(task id, repeat, outcome) and where each line ends. Resuming reads the index, not the
trajectories, so its cost does not grow with the size of finished episodes; lines the index
has not seen yet (the run died between the two writes) are read from the end of the last
one it has. Whatever does not add up (no index, an index longer than the file) is rebuilt
from the trajectories.

A line that is not a record is moved to ``trajectories.quarantine.jsonl`` (and reported):
it costs its own episode, never the ones after it.
"""

from __future__ import annotations

import os
import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from ..io import jsonlines
from ..io.atomic import atomic_writer
from ..io.jsonlines import JsonLines
from ..rule_ids import SCHEMA_VIOLATION

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models.records import EpisodeRecord, EpisodeSummary, ExploredRecord

__all__ = ["EpisodeKey", "Lines", "Store", "key_of", "not_a_record", "read_records"]

EpisodeKey = tuple[str, int]
"""An episode: its task id and which repeat of that task it is."""

INDEX = "done.idx"
TRAJECTORIES = "trajectories.jsonl"
QUARANTINE = "trajectories.quarantine.jsonl"


def key_of(record: EpisodeRecord) -> EpisodeKey:
    repeat = record.get("repeat", 0)
    return str(record["task_id"]), repeat if isinstance(repeat, int) else 0


def status_of(record: EpisodeRecord | EpisodeSummary) -> str:
    """``ok``, or the failure kind of a failed episode."""
    failed = record.get("failed")
    return str(failed.get("kind", "agent")) if isinstance(failed, dict) else "ok"


def not_a_record(value: Any) -> tuple[str, str] | None:
    """Why a line's JSON value is not a trajectory record (of ``run`` or ``generate``), as
    far as the store and the report need one; ``None`` when it is one."""
    if isinstance(value, dict) and isinstance(value.get("task_id"), str):
        return None
    return SCHEMA_VIOLATION, "not a trajectory record (a JSON object with a string 'task_id')"


def _record(line: bytes) -> ExploredRecord | None:
    """The record a line holds, or None when it is not one."""
    try:
        value = jsonlines.loads_line(line)
    except (ValueError, RecursionError):
        return None
    return None if not_a_record(value) else cast("ExploredRecord", value)


def _lines(path: Path, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """``(end offset, line)`` for every complete line from ``start``."""
    with path.open("rb") as f:
        f.seek(start)
        offset = start
        for line in f:
            if not line.endswith(b"\n"):
                return  # torn by a crash: not a line yet
            offset += len(line)
            yield offset, line


@dataclass
class Store:
    """The episodes in ``outdir``, and appending more."""

    outdir: Path
    status: dict[EpisodeKey, str] = field(default_factory=dict)
    """The latest outcome of every episode held when the store was opened or last rebuilt
    (appends do not add to it: the run that appends knows them, and a long run kept an
    entry per episode for nothing)."""
    quarantined: int = 0
    """Corrupt lines moved aside since this store was opened."""

    @property
    def trajectories(self) -> Path:
        return self.outdir / TRAJECTORIES

    @property
    def index(self) -> Path:
        return self.outdir / INDEX

    @classmethod
    def open(cls, outdir: str | os.PathLike[str]) -> Store:
        store = cls(Path(outdir))
        store._truncate_torn_line()
        store._load_index()
        return store

    # -- reading ---------------------------------------------------------------------------

    def _truncate_torn_line(self) -> None:
        """Cut a half-written last line left by a crash, so appends start on a fresh line."""
        path = self.trajectories
        if not path.exists():
            return
        size = path.stat().st_size
        if not size:
            return
        with path.open("r+b") as f:
            f.seek(size - 1)
            if f.read(1) == b"\n":
                return
            # Scan back for the last newline, a block at a time (lines can be long).
            pos = size
            while pos > 0:
                start = max(0, pos - 65536)
                f.seek(start)
                block = f.read(pos - start)
                cut = block.rfind(b"\n")
                if cut >= 0:
                    f.truncate(start + cut + 1)
                    return
                pos = start
            f.truncate(0)

    def _load_index(self) -> None:
        size = self.trajectories.stat().st_size if self.trajectories.exists() else 0
        end = 0
        status: dict[EpisodeKey, str] = {}
        if self.index.exists():
            for _, line in _lines(self.index):
                try:
                    task_id, repeat, outcome, end = jsonlines.loads(line)
                    # One string per task id and outcome, however many tables hold them.
                    status[(sys.intern(task_id), repeat)] = sys.intern(outcome)
                except (ValueError, TypeError):
                    return self.rebuild()
        elif size:
            return self.rebuild()  # a folder written before there was an index
        if end > size or not self._line_ends_at(end):
            return self.rebuild()  # the trajectories were cut or replaced under the index
        self.status = status
        if end < size:  # the run died between writing an episode and indexing it
            self._index_tail(end)

    def _line_ends_at(self, offset: int) -> bool:
        if offset == 0:
            return True
        with self.trajectories.open("rb") as f:
            f.seek(offset - 1)
            return f.read(1) == b"\n"

    def _index_tail(self, start: int) -> None:
        bad = False
        with self.index.open("a", encoding="utf-8") as idx:
            for end, line in _lines(self.trajectories, start):
                record = _record(line)
                if record is None:
                    bad = True
                    continue
                self._note(idx, record, end)
        if bad:
            self.rebuild()  # quarantines the bad lines and re-indexes what is left

    def rebuild(self) -> None:
        """Re-index the trajectories from scratch, quarantining lines that are not records."""
        self.status = {}
        if not self.trajectories.exists():
            self.index.unlink(missing_ok=True)
            return
        corrupt: list[bytes] = []
        for _, line in _lines(self.trajectories):
            if _record(line) is None:
                corrupt.append(line)
        if corrupt:
            self._quarantine(corrupt)
        with atomic_writer(self.index) as idx:
            for end, line in _lines(self.trajectories):
                record = _record(line)
                if record is not None:
                    self._note(idx, record, end)

    def _quarantine(self, corrupt: list[bytes]) -> None:
        """Move ``corrupt`` lines out of the trajectories into the quarantine file."""
        with (self.outdir / QUARANTINE).open("ab") as q:
            q.writelines(corrupt)
            q.flush()
            os.fsync(q.fileno())
        bad = set(corrupt)
        tmp = self.trajectories.with_name(f".{TRAJECTORIES}.tmp")
        with tmp.open("wb") as out:
            for _, line in _lines(self.trajectories):
                if line not in bad:
                    out.write(line)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.trajectories)
        self.quarantined += len(corrupt)

    def _note(self, idx: IO[str], record: ExploredRecord, end: int) -> None:
        key = key_of(record)
        outcome = status_of(record)
        self.status[(sys.intern(key[0]), key[1])] = sys.intern(outcome)
        idx.write(jsonlines.line([key[0], key[1], outcome, end]))

    def records(self) -> list[ExploredRecord]:
        """The latest record of every episode (a rerun's success replaces a failure),
        quarantining lines that are not records and re-indexing if it found any."""
        latest: dict[EpisodeKey, ExploredRecord] = {}
        corrupt = False
        if self.trajectories.exists():
            for _, line in _lines(self.trajectories):
                record = _record(line)
                if record is None:
                    corrupt = True
                    continue
                latest[key_of(record)] = record
        if corrupt:
            self.rebuild()
        return list(latest.values())

    def take_status(self) -> dict[EpisodeKey, str]:
        """:attr:`status`, handed over (the store then holds none until it is rebuilt)."""
        status, self.status = self.status, {}
        return status

    def latest_lines(self, slot_of: Callable[[ExploredRecord], int | None], slots: int) -> Lines:
        """Where the latest record of each slot is (``slot_of(record)``: which of ``slots``
        a record fills, ``None`` for none): what :meth:`records` finds, without holding
        the records. Lines that are not records are quarantined, and the file re-indexed,
        first (the lines then move)."""
        for _ in range(2):
            found = Lines(self.trajectories, slots)
            corrupt = False
            if self.trajectories.exists():
                for end, line in _lines(self.trajectories):
                    record = _record(line)
                    if record is None:
                        corrupt = True
                        continue
                    slot = slot_of(record)
                    if slot is not None:
                        found.put(slot, end - len(line), end)
            if not corrupt:
                break
            self.rebuild()  # after which every line is a record
        return found

    # -- writing ---------------------------------------------------------------------------

    def appender(self) -> Appender:
        return Appender(self)


class Lines:
    """Where some lines of a file are (one slot each, or none), read back one at a time."""

    def __init__(self, path: Path, slots: int) -> None:
        self.path = path
        self._where = array("q", [-1]) * (2 * slots)  # start, end: two numbers a slot

    def put(self, slot: int, start: int, end: int) -> None:
        self._where[2 * slot : 2 * slot + 2] = array("q", (start, end))

    def __len__(self) -> int:
        """How many slots are filled."""
        return len(self._where) // 2 - self._where[::2].count(-1)

    def records(self) -> Iterator[ExploredRecord]:
        """The record of every filled slot, in slot order."""
        with self.path.open("rb") as f:
            for slot in range(len(self._where) // 2):
                start, end = self._where[2 * slot], self._where[2 * slot + 1]
                if start < 0:
                    continue
                f.seek(start)
                record = _record(f.read(end - start))
                if record is None:  # pragma: no cover - checked when the slots were filled
                    raise ValueError(f"{self.path}: a line changed while it was read")
                yield record


class Appender:
    """Appends episodes: the trajectory line first, then its index entry, each flushed (a
    crash between the two leaves a line the next open indexes)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.f = store.trajectories.open("ab")
        self.idx = store.index.open("a", encoding="utf-8")
        self.end = self.f.seek(0, os.SEEK_END)

    def write(self, key: EpisodeKey, outcome: str, line: str) -> None:
        data = line.encode("utf-8")
        self.f.write(data)
        self.f.flush()
        self.end += len(data)
        self.idx.write(jsonlines.line([key[0], key[1], outcome, self.end]))
        self.idx.flush()

    def sync(self) -> None:
        os.fsync(self.f.fileno())
        os.fsync(self.idx.fileno())

    def close(self) -> None:
        try:
            self.f.flush()
            self.idx.flush()
            self.sync()
        finally:
            self.f.close()
            self.idx.close()


def read_records(path: str | os.PathLike[str]) -> JsonLines:
    """The records of a trajectories file (of ``run`` or ``generate``), read by the one
    policy (:mod:`taskkit.io.jsonlines`): iterate for ``(line number, record)``; a torn last
    line is noted, a line that is not a record is a :class:`~taskkit.io.jsonlines.JsonlError`."""
    return JsonLines(
        path,
        accept=not_a_record,
        hint="a file of `taskkit run -o`, or trajectories.jsonl of `taskkit generate`",
    )
