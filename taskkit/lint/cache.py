"""The lint cache: what linting each file found, kept between runs (as ruff and mypy keep
theirs), so that linting a library again reads only the files that changed.

A file's record holds what round one found in it (the loader's and the schema's
diagnostics, its index documents or its tasks' ids: see :mod:`.shards`) and what the
rules found in it. Round one depends on the file's bytes and its pack root alone. The rules
also read the index, so their findings are kept with the index's fingerprint
(:func:`index_fingerprint`: every index document's file, the JSONL files and pack locks
they name, the pack names) and serve only a run with the same one. The library-wide rules
(:data:`.shards.COORDINATOR_RULES`) run every time: they are cheap, and their findings move
whenever any file does.

The cache lives in ``lint/`` of taskkit's cache folder (:func:`default_dir`). One cache file
holds the records of one project folder and configuration: taskkit's version and source
files, the libraries it leans on, the YAML reader, the rules selected, the trusted packs,
the file size limit. Anything else makes another file; the few most recent are kept.

A file counts as unchanged when its size, mtime, ctime and inode are as recorded and it was
already older than the run that read it by :data:`RACY_NS` (git's rule for "racily clean"
files: a write in the clock tick of our read can leave the stat as it was); otherwise when
its content hashes as recorded.

The cache is only ever a shortcut: a record that cannot be read, or a cache file that does
not check out, is ignored, and the file is linted again.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pydantic
import yaml

from .. import __version__, fastyaml
from ..diagnostics import Diagnostic, Severity
from ..digests import SIZE, digest, file_digest
from ..packs.index import cache_dir
from ..packs.lockfile import LOCK_NAME

__all__ = [
    "FileStamp",
    "LintCache",
    "Record",
    "default_dir",
    "index_fingerprint",
    "stamp",
]

FORMAT = 3
"""Bumped whenever what a record holds changes shape."""
RACY_NS = 2 * 10**9
"""How much older than its reading a file must be for its stat alone to vouch for it (FAT
keeps mtimes to 2 s; most file systems to a clock tick)."""
KEEP_FILES = 8
"""Cache files (projects and configurations) kept in the directory; the least recently
written go."""
_MAGIC = b"taskkit lint cache\n"

Stat = tuple[int, int, int, int]
"""Size, mtime, ctime (ns) and inode."""


@dataclass(frozen=True, slots=True)
class FileStamp:
    """How a file was when a shard read it."""

    stat: Stat
    digest: bytes
    read_ns: int
    root: str | None
    """Its pack root (the folder of the nearest pack.yaml above it)."""


@dataclass(slots=True)
class Record:
    """What linting one file found, as kept in the cache (JSON-like, for marshal)."""

    stamp: FileStamp
    first: tuple[Any, ...]
    """Round one: read diagnostics, check diagnostics, manifests ``(root, name)``,
    documents ``(is_index, item)`` (see :mod:`.shards`) and duplicate entry ids, diagnostics
    as tuples."""
    index: bytes
    """The fingerprint of the index the rules read."""
    found: dict[str, list[tuple[Any, ...]]] | None
    """Each rule's findings in this file, diagnostics as tuples; None when not kept."""


def stat_of(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def stamp(st: os.stat_result, data: bytes, root: str | None, read_ns: int) -> FileStamp:
    return FileStamp(stat_of(st), digest(data), read_ns, root)


def diag_tuple(d: Diagnostic) -> tuple[Any, ...]:
    return (d.path, d.line, d.col, d.rule, d.message, d.severity.value, d.hint, d.pointer, d.cause)


def diag_from(t: Sequence[Any]) -> Diagnostic:
    path, line, col, rule, message, severity, hint, pointer, cause = t
    return Diagnostic(path, line, col, rule, message, Severity(severity), hint, pointer, cause)


def index_fingerprint(
    index_docs: Iterable[tuple[str, str | None, int, Any]],
    digests: dict[str, bytes],
    names: dict[str, str],
) -> bytes:
    """What the rules read besides the document they report on: the index documents
    ``(path, root, index in file, data)`` (by their files' digests), the JSONL entries
    files of the datasets and the locks of the packs among them, and the pack names."""
    parts: list[Any] = [sorted(names.items())]
    outside: set[str] = set()
    for path, root, number, data in index_docs:
        parts.append((path, root, number, digests.get(path, b"")))
        kind = data.get("kind")
        if kind == "content" and type(data.get("entries_file")) is str:
            name = data["entries_file"]
            if "\0" not in name:
                outside.add(str(Path(path).parent / name))
        elif kind == "pack":
            outside.add(os.path.join(os.path.dirname(path), LOCK_NAME))
    parts.extend((name, file_digest(name)) for name in sorted(outside))
    return digest(marshal.dumps(parts))


def default_dir() -> str:
    """``lint/`` in taskkit's cache folder (``$TASKKIT_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/taskkit``, else ``~/.cache/taskkit``), beside the pack index."""
    return os.path.join(cache_dir(), "lint")


def configuration(*, rules: Sequence[str], trust: Iterable[str], max_bytes: int) -> str:
    """The name of the cache file for a run: everything besides the files that decides
    what lint finds, and the current folder (paths are kept as given, often relative)."""
    try:
        here = os.getcwd()
    except OSError:  # the current folder is gone: only absolute paths can be linted
        here = ""
    key = (
        FORMAT,
        here,
        __version__,
        sys.version,
        _source_stamp(),
        _library_versions(),
        fastyaml.reader(),
        tuple(rules),
        tuple(sorted(trust)),
        max_bytes,
    )
    return digest(marshal.dumps(key)).hex()


def _source_stamp() -> list[tuple[str, int, int]]:
    """taskkit's own modules as they are now: an editable checkout changes under the cache."""
    package = Path(__file__).resolve().parents[1]
    out = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                out.append(
                    (
                        os.path.relpath(os.path.join(folder, name), package),
                        st.st_size,
                        st.st_mtime_ns,
                    )
                )
    return out


def _library_versions() -> tuple[str, ...]:
    return (jinja2.__version__, pydantic.VERSION, yaml.__version__)


class LintCache:
    """The records of one configuration, read from and written to one file."""

    def __init__(self, directory: str | os.PathLike[str], configuration: str) -> None:
        self.directory = Path(directory)
        self.path = self.directory / f"lint-{configuration}.bin"
        self.records: dict[str, Record] = _read(self.path)
        self._changed = False

    def fresh(self, path: str, root: str | None, now_ns: int) -> Record | None:
        """The record of ``path`` if the file is unchanged since, and in the same pack root."""
        record = self.records.get(path)
        if record is None or record.stamp.root != root:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        stat = stat_of(st)
        old = record.stamp
        if stat == old.stat and old.read_ns - max(stat[1], stat[2]) > RACY_NS:
            return record
        if file_digest(path) != old.digest:
            return None
        # Same content. Keep the new stat if it can vouch for the file next time, so that
        # the next run need not hash it (and else spare writing the cache for it).
        if now_ns - max(stat[1], stat[2]) > RACY_NS:
            record.stamp = FileStamp(stat, old.digest, now_ns, root)
            self._changed = True
        return record

    def put(self, path: str, record: Record) -> None:
        self.records[path] = record
        self._changed = True

    def save(self, seen: Iterable[str]) -> None:
        """Write the records atomically: those of ``seen`` files, and of others that still
        exist (another run may lint them again). Raises OSError when the directory cannot
        be written."""
        if not self._changed:
            return
        seen = set(seen)
        keep = {p: r for p, r in self.records.items() if p in seen or os.path.exists(p)}
        body = marshal.dumps(
            {
                path: (
                    r.stamp.stat,
                    r.stamp.digest,
                    r.stamp.read_ns,
                    r.stamp.root,
                    r.first,
                    r.index,
                    r.found,
                )
                for path, r in keep.items()
            }
        )
        _prepare(self.directory)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".lint-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + digest(body) + body)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._changed = False
        _prune(self.directory, self.path)


def _read(path: Path) -> dict[str, Record]:
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    head, check, body = (
        raw[: len(_MAGIC)],
        raw[len(_MAGIC) : len(_MAGIC) + SIZE],
        raw[len(_MAGIC) + SIZE :],
    )
    if head != _MAGIC or digest(body) != check:
        return {}
    try:
        table = marshal.loads(body)
        return {
            path: Record(FileStamp(tuple(stat), dig, read_ns, root), first, index, found)
            for path, (stat, dig, read_ns, root, first, index, found) in table.items()
        }
    except (ValueError, TypeError, EOFError):
        return {}


def _prepare(directory: Path) -> None:
    """Make the cache directory, marked as one for backup tools and git (as ruff does)."""
    if directory.is_dir():
        return
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".gitignore").write_text("# written by taskkit lint\n*\n")
    (directory / "CACHEDIR.TAG").write_text(
        "Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by taskkit.\n"
        "# For information about cache directory tags, see https://bford.info/cachedir/\n"
    )


def _prune(directory: Path, current: Path) -> None:
    with contextlib.suppress(OSError):  # tidying up is best effort
        files = sorted(
            directory.glob("lint-*.bin"), key=lambda p: p.stat().st_mtime_ns, reverse=True
        )
        for old in [f for f in files if f != current][KEEP_FILES - 1 :]:
            old.unlink()
