"""The lint cache: what linting each file found, kept between runs (as ruff and mypy keep
theirs), so that linting a library again reads only the files that changed.

A file's record holds what round one found in it (the loader's and the schema's
diagnostics, its index documents or its tasks' ids and references: see :mod:`.shards`) and
what the rules found in it. Round one depends on the file's bytes and its pack root alone.
The rules also read the index, so their findings are kept with the file's fingerprint of
what they read besides it (:class:`Fingerprints`, see :mod:`.depends`): the index's names,
and the content of the index documents its documents name (a task's toolsets, dataset,
evaluators, manifest; the entries files and locks these bring). They serve only a run in
which that fingerprint is the same: an edit of one toolset re-lints the tasks that name it.
The library-wide rules (:data:`.shards.COORDINATOR_RULES`) run every time: they are cheap,
and their findings move whenever any file does.

The cache lives in ``lint/`` of taskkit's cache folder (:func:`default_dir`). One folder
holds the records of one project folder and configuration: taskkit's version and source
files, the libraries it leans on, the YAML reader, the rules selected, the trusted packs,
the file size limit. Anything else makes another folder; the few most recent are kept. In
the folder, the records are spread over :data:`BUCKETS` files by the folder of the file
they describe, each signed with a key of the user's (:class:`LintCache`).

A file counts as unchanged by the rule of all taskkit's caches (:mod:`taskkit.io.cache_files`):
its stamp as recorded and older than the run that read it by
:data:`~taskkit.io.cache_files.RACY_NS`, otherwise its content hashing as recorded.

The cache is only ever a shortcut: a bucket that does not verify, a record that is not
shaped as written, are ignored, and their files are linted again.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import marshal
import os
import secrets
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import orjson
import pydantic
import yaml

from .. import __version__
from ..diagnostics import Diagnostic, Severity
from ..io import fastyaml
from ..io.cache_files import Stamp, mark_cache_dir, read_cache_file, stamp_of, vouches, write_bytes
from ..io.cache_home import cache_dir
from ..io.digests import SIZE, digest, file_digest, keyed_digest
from ..io.walk import is_file, walk
from ..library import Library, namespace
from ..packs.lockfile import LOCK_NAME
from ..runtime.memo import Memo

__all__ = [
    "FileStamp",
    "Fingerprints",
    "LintCache",
    "Record",
    "default_dir",
    "diag_from",
    "diag_tuple",
    "stamp",
    "stamp_of",
]

FORMAT = 4
"""Bumped whenever what a record holds changes shape (a Diagnostic field, say)."""
KEEP_FILES = 8
"""Cache folders (projects and configurations) kept in the directory; the least recently
written go."""
BUCKETS = 64
"""Files a configuration's records are spread over (by folder): an edit rewrites one or a
few, about 1/64 of the cache each."""
MAX_BUCKET_BYTES = 1 << 28
"""A bucket larger than this is not read (none is written: 14,000 tasks make 16 MB)."""
KEY_NAME = "lint-cache.key"
KEY_ENV = "TASKKIT_LINT_CACHE_KEY"
KEY_SIZE = 32
STATE_NAME = "state.bin"
MAC_SIZE = 32
_MAGIC = f"taskkit lint cache {FORMAT}\n".encode()

Stat = Stamp


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
    """What linting one file found, as kept in the cache (JSON: see :func:`encode_record`).
    Read from a bucket, it is as JSON gives it back: lists for tuples, its parts unchecked
    but for the stamp (:mod:`.reuse` checks the rest where it uses them)."""

    stamp: FileStamp
    first: Any
    """Round one: read diagnostics, check diagnostics, manifests ``(root, name)``,
    documents ``(is_index, item)`` (see :mod:`.shards`) and duplicate entry ids, diagnostics
    as :func:`diag_tuple`."""
    index: bytes
    """The fingerprint of what the rules read besides the file (:class:`Fingerprints`)."""
    found: dict[str, list[Any]] | None
    """Each rule's findings in this file, as :func:`diag_tuple`; None when not kept."""
    exact: bool = True
    """Whether ``first`` is known to be what JSON can say exactly (YAML data of index
    documents may hold a NaN or a huge integer: :func:`encode_record` checks those)."""


def stamp(st: os.stat_result, data: bytes, root: str | None, read_ns: int) -> FileStamp:
    return FileStamp(stamp_of(st), digest(data), read_ns, root)


def diag_tuple(d: Diagnostic) -> tuple[Any, ...]:
    """A diagnostic as the cache keeps it. With :func:`diag_from`, the one place that knows
    a Diagnostic's fields: a new field goes in both (and :data:`FORMAT` goes up)."""
    return (d.path, d.line, d.col, d.rule, d.message, d.severity.value, d.hint, d.pointer, d.cause)


def diag_from(t: Any) -> Diagnostic:
    """A diagnostic from :func:`diag_tuple`'s form; ValueError when ``t`` is not so shaped."""
    if (type(t) is not list and type(t) is not tuple) or len(t) != 9:
        raise ValueError("not a cached diagnostic")
    path, line, col, rule, message, severity, hint, pointer, cause = t
    if (
        type(path) is not str
        or type(line) is not int
        or type(col) is not int
        or type(rule) is not str
        or type(message) is not str
        or (hint is not None and type(hint) is not str)
        or type(pointer) is not str
        or (cause is not None and type(cause) is not str)
    ):
        raise ValueError("not a cached diagnostic")
    return Diagnostic(path, line, col, rule, message, Severity(severity), hint, pointer, cause)


class Fingerprints:
    """Each file's fingerprint of what the rules read besides the file (see
    :mod:`.depends`): the index's names, and the content of the index documents its own
    documents name, with the entries files and pack locks those bring."""

    def __init__(
        self,
        index_docs: Iterable[tuple[str, str | None, Any]],
        names: dict[str, str],
        digests: dict[str, bytes],
    ) -> None:
        """``index_docs``: each index document's ``(path, pack root, data)``, in file order;
        ``names``: each pack root's name; ``digests``: of every file read (or recorded)."""
        self._names = names
        self._digests = digests
        self._holders: dict[tuple[str, str, str], list[str]] = {}
        """(kind, pack, name) -> every file with such an index document (a pack by name)."""
        self._outside: dict[str, list[str]] = {}
        """A dataset's file -> its entries files; a manifest's file -> its pack's lock."""
        self._parts: dict[Any, bytes] = {}
        self._pieces: dict[tuple[tuple[str, str, str], bool], bytes] = {}
        self._files: dict[str, bytes] = {}
        listing: list[Any] = [sorted(names.items())]
        for path, root, data in index_docs:
            kind, name = data.get("kind"), data.get("name")
            if type(kind) is not str or type(name) is not str:
                continue
            pack = "" if kind == "pack" else namespace(path, root, names)
            tools = data.get("tools") if kind == "toolset" else None
            tool_names = (
                [t.get("name") for t in tools if type(t) is dict] if type(tools) is list else []
            )
            listing.append((kind, pack, name, tool_names))
            self._holders.setdefault((kind, pack, name), []).append(path)
            if kind == "pack":
                self._outside.setdefault(path, []).append(
                    os.path.join(os.path.dirname(path), LOCK_NAME)
                )
                # Its world files: the gold replay of its tasks starts from them (TK406).
                for key in ("world", "world_schema"):
                    files = data.get(key)
                    for rel in files.values() if type(files) is dict else ():
                        if type(rel) is str and "\0" not in rel:
                            self._outside[path].append(os.path.join(os.path.dirname(path), rel))
            elif kind == "content":
                entries = data.get("entries_file")
                if type(entries) is str and "\0" not in entries:
                    self._outside.setdefault(path, []).append(str(Path(path).parent / entries))
        self.names = digest(orjson.dumps(listing, option=orjson.OPT_NON_STR_KEYS))

    def snapshot(self) -> bytes:
        """The digest of everything any file's fingerprint reads: while it is the same, and
        the files linted are, every fingerprint is (see :meth:`LintCache.verified`)."""
        found = [self.names]
        for paths in self._holders.values():
            for path in paths:
                found += (path.encode("utf-8", "surrogatepass"), self._digests.get(path, b"?"))
                for other in self._outside.get(path, ()):
                    found += (other.encode("utf-8", "surrogatepass"), self._file(other))
        return digest(b"\0".join(found))

    def of_file(self, parts: Sequence[bytes]) -> bytes:
        """The fingerprint of a file whose documents read ``parts`` (see :meth:`index_part`
        and :meth:`task_part`; each holds the names): most files hold one document."""
        if len(parts) == 1:
            return parts[0]
        return digest(b"".join(parts)) if parts else self.names

    def index_part(self, path: str, data: Any) -> bytes:
        """What an index document's findings read besides its file: a dataset its entries
        file, a manifest the manifests of the packs it requires (TK603)."""
        kind = data.get("kind") if type(data) is dict else None
        if kind == "pack":
            requires = data.get("requires")
            names = sorted(n for n in requires if type(n) is str) if type(requires) is dict else []
            return self._part(("requires", *names), [("pack", "", n) for n in names], False)
        if kind == "content":
            return self._part(("entries", path), [], True, extra=[path])
        return self.names

    def task_part(self, path: str, root: str | None, refs: str) -> bytes:
        """What a task's findings read besides its file: ``refs`` (:func:`.depends.task_refs`,
        a line each) resolved in its pack."""
        # Keyed by pack root where there is one: the pack follows from it.
        key = (root, refs) if root is not None else (namespace(path, root, self._names), refs)
        part = self._parts.get(key)
        if part is None:
            pack = namespace(path, root, self._names)
            wanted: list[tuple[str, str, str]] = []
            for ref in refs.split("\n") if refs else ():
                kind, _, name = ref.partition(":")
                if kind == "pack":
                    wanted.append(("pack", "", pack))
                else:
                    wanted.append((kind, *Library.resolve(pack, name)))
            part = self._parts[key] = self._part(key, wanted, True)
        return part

    def _part(
        self,
        key: Any,
        wanted: list[tuple[str, str, str]],
        outside: bool,
        extra: Sequence[str] = (),
    ) -> bytes:
        part = self._parts.get(key)
        if part is not None:
            return part
        pieces = [self._piece(want, outside) for want in wanted]
        for path in extra:
            for other in self._outside.get(path, ()):
                pieces += (other.encode("utf-8", "surrogatepass"), self._file(other))
        part = self._parts[key] = digest(self.names + b"\0".join(pieces))
        return part

    def _piece(self, want: tuple[str, str, str], outside: bool) -> bytes:
        """The digest of the documents of one name (and of the files they bring)."""
        piece = self._pieces.get((want, outside))
        if piece is None:
            # Paths too: findings quote them (a dataset's entries in TK403's hint, say).
            found = [repr(want).encode("utf-8", "surrogatepass")]
            for path in self._holders.get(want, ()):
                found += (path.encode("utf-8", "surrogatepass"), self._digests.get(path, b"?"))
                if outside:
                    for other in self._outside.get(path, ()):
                        found += (other.encode("utf-8", "surrogatepass"), self._file(other))
            piece = self._pieces[(want, outside)] = digest(b"\0".join(found))
        return piece

    def _file(self, path: str) -> bytes:
        found = self._files.get(path)
        if found is None:
            found = self._files[path] = file_digest(path) or b"-"
        return found


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
    package = str(Path(__file__).resolve().parents[1])
    out = []
    unread: list[Diagnostic] = []  # a folder of the package not listed: in the stamp too
    for folder in walk(package, unread):
        for entry in folder.entries:
            if entry.name.endswith(".py") and is_file(entry):
                st = entry.stat()
                out.append((os.path.relpath(entry.path, package), st.st_size, st.st_mtime_ns))
    out += ((os.path.relpath(d.path, package), -1, -1) for d in unread)
    return out


def _library_versions() -> tuple[str, ...]:
    return (jinja2.__version__, pydantic.VERSION, yaml.__version__)


class LintCache:
    """The records of one configuration: a folder of :data:`BUCKETS` files, each holding
    the records of the files of some folders of the library, so that an edit rewrites the
    bucket of its folder (and of the files that depend on it), not the whole cache.

    Each bucket is signed with HMAC-SHA256 under a key only the user can read (see
    :func:`user_key`; it is not in ``directory``): a bucket someone else wrote (a cache
    restored from another branch or machine, a crafted file) does not verify, and its
    records are not used. What a record
    holds is checked for shape where it is used (:mod:`.reuse`); one that is not as written
    is a miss. Buckets are JSON (orjson), which describes no code and no lengths."""

    def __init__(self, directory: str | os.PathLike[str], configuration: str) -> None:
        self.directory = Path(directory)
        self.folder = self.directory / f"lint-{configuration}"
        self.configuration = configuration
        self.records: dict[str, Record] = {}
        self._dirty: set[int] = set()
        self._key: bytes | None = None
        self._files = b""
        self._state: bytes | None = None
        """The snapshot and files of the last run (:meth:`verified`), as the state file says."""
        self._new_state: bytes | None = None
        with contextlib.suppress(OSError):  # an untrustworthy key: nothing is read; saving says why
            self._key = user_key(create=False)
        if self._key is not None:
            self.records = _read(self.folder, self._key, configuration)
            self._state = _signed(self.folder / STATE_NAME, self._key, configuration, 1024)

    def linting(self, files: Sequence[str]) -> None:
        """Say which files this run lints (in order): :meth:`verified` is for the same ones."""
        self._files = digest("\0".join(files).encode("utf-8", "surrogatepass"))

    def verified(self, snapshot: bytes) -> bool:
        """Whether the last run that saved linted the same files with the same
        :meth:`Fingerprints.snapshot`: then every record of an unchanged file was made or
        checked with the fingerprint it would have now, and need not be checked again."""
        return self._state is not None and self._state == snapshot + self._files

    def verify(self, snapshot: bytes) -> None:
        """Note that every record of this run's files holds for ``snapshot`` (saved last)."""
        self._new_state = snapshot + self._files

    def fresh(self, path: str, root: str | None, now_ns: int) -> Record | None:
        """The record of ``path`` if the file is unchanged since, and in the same pack root."""
        record = self.records.get(path)
        if record is None or record.stamp.root != root:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        stat = stamp_of(st)
        old = record.stamp
        if stat == old.stat and vouches(stat, old.read_ns):
            return record
        if file_digest(path) != old.digest:
            return None
        # Same content. Keep the new stat if it can vouch for the file next time, so that
        # the next run need not hash it (and else spare writing the cache for it).
        if vouches(stat, now_ns):
            record.stamp = FileStamp(stat, old.digest, now_ns, root)
            self._dirty.add(bucket_of(path))
        return record

    def put(self, path: str, record: Record) -> None:
        self.records[path] = record
        self._dirty.add(bucket_of(path))

    def save(self, seen: Iterable[str]) -> None:
        """Write the buckets whose records changed, each atomically: the records of
        ``seen`` files, and of others that still exist (another run may lint them again).
        Raises OSError when the directory cannot be written or the key is not private."""
        if not self._dirty and self._new_state == self._state:
            return
        mark_cache_dir(self.directory, by="taskkit lint")
        key = self._key or user_key(create=True)
        assert key is not None  # made, or OSError
        if not self.folder.is_dir() or self.folder.is_symlink():
            _remove(self.folder)
            self.folder.mkdir()
        # The state says "these records hold": gone while buckets change, written last.
        with contextlib.suppress(FileNotFoundError):
            _remove(self.folder / STATE_NAME)
        self._state = None
        seen = set(seen)
        buckets: dict[int, list[bytes]] = {b: [] for b in self._dirty}
        for path, r in self.records.items():
            bucket = bucket_of(path)
            if bucket in buckets and (path in seen or os.path.exists(path)):
                encoded = encode_record(path, r)
                if encoded is not None:
                    buckets[bucket].append(encoded)
        for bucket, rows in sorted(buckets.items()):
            body = b"[" + b",".join(rows) + b"]"
            name = _bucket_name(bucket)
            signed = _MAGIC + _mac(key, self.configuration, name, body) + body
            if (self.folder / name).is_dir():
                _remove(self.folder / name)  # a folder cannot be replaced by a file
            write_bytes(self.folder / name, signed)
        self._dirty.clear()
        if self._new_state is not None:
            body = self._new_state
            mac = _mac(key, self.configuration, STATE_NAME, body)
            write_bytes(self.folder / STATE_NAME, _MAGIC + mac + body)
            self._state = body
        os.utime(self.folder)  # the folder's mtime says which configurations are in use
        _prune(self.directory, self.folder)


def bucket_of(path: str) -> int:
    """The bucket of a file: that of its folder (tasks that share a toolset share a folder)."""
    folder = path.rpartition(os.sep)[0]  # os.path.dirname, at a third of the cost
    bucket = _BUCKET_OF.get(folder)
    if bucket is None:
        bucket = _BUCKET_OF.put(
            folder, zlib.crc32(folder.encode("utf-8", "surrogatepass")) % BUCKETS
        )
    return bucket


_BUCKET_OF: Memo[str, int] = Memo(4096)  # by folder: a library has a few per pack


def _bucket_name(bucket: int) -> str:
    return f"{bucket:02x}.json"


def _mac(key: bytes, configuration: str, name: str, body: bytes) -> bytes:
    # The configuration and bucket are signed too: a bucket is good for its own place only.
    return keyed_digest(key, _MAGIC + f"{configuration}/{name}\0".encode() + body)


def encode_record(path: str, r: Record) -> bytes | None:
    """A record as JSON; None when it holds what JSON cannot say exactly (a lone surrogate,
    an integer past 64 bits, a NaN read from YAML): such a file is linted every time."""
    stamp = r.stamp
    row = [
        path,
        list(stamp.stat),
        stamp.digest.hex(),
        stamp.read_ns,
        stamp.root,
        r.first,
        r.index.hex(),
        r.found,
    ]
    try:
        encoded = orjson.dumps(row)
    except (TypeError, orjson.JSONEncodeError):
        return None
    # orjson writes NaN and infinities as null: where no null was written, none was lost.
    if not r.exact and b"null" in encoded and orjson.loads(encoded)[5] != _jsonable(r.first):
        return None
    return encoded


def _jsonable(value: Any) -> Any:
    """``value`` with tuples as lists, as JSON gives it back."""
    if type(value) is tuple or type(value) is list:
        return [_jsonable(v) for v in value]
    if type(value) is dict:
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _read(folder: Path, key: bytes, configuration: str) -> dict[str, Record]:
    records: dict[str, Record] = {}
    try:
        if folder.is_symlink() or not folder.is_dir():
            return records
    except OSError:
        return records
    for bucket in range(BUCKETS):
        body = _signed(folder / _bucket_name(bucket), key, configuration, MAX_BUCKET_BYTES)
        if body is None:
            continue
        try:
            rows = orjson.loads(body)
        except orjson.JSONDecodeError:
            continue
        if type(rows) is not list:
            continue
        for row in rows:
            decoded = decode_record(row)
            if decoded is not None and bucket_of(decoded[0]) == bucket:
                records[decoded[0]] = decoded[1]
    return records


def _signed(path: Path, key: bytes, configuration: str, limit: int) -> bytes | None:
    """The body of a file of ours, if it is a regular file signed for its place with ``key``."""
    raw = read_cache_file(path, limit)
    if raw is None or len(raw) < len(_MAGIC) + MAC_SIZE or not raw.startswith(_MAGIC):
        return None
    mac, body = raw[len(_MAGIC) : len(_MAGIC) + MAC_SIZE], raw[len(_MAGIC) + MAC_SIZE :]
    if not hmac.compare_digest(mac, _mac(key, configuration, path.name, body)):
        return None
    return body


def decode_record(row: Any) -> tuple[str, Record] | None:
    """A record as :func:`encode_record` wrote it, or None when it is not so shaped (what the
    record holds beyond its stamp is checked where it is used, see :mod:`.reuse`)."""
    try:
        path, (size, mtime, ctime, ino), dig, read_ns, root, first, index, found = row
    except (TypeError, ValueError):
        return None
    if not (
        type(path) is str
        and type(size) is int
        and type(mtime) is int
        and type(ctime) is int
        and type(ino) is int
        and type(read_ns) is int
        and type(dig) is str
        and type(index) is str
        and type(first) is list
        and (root is None or type(root) is str)
        and (found is None or type(found) is dict)
        and len(dig) == len(index) == 2 * SIZE
    ):
        return None
    try:
        stamp = FileStamp((size, mtime, ctime, ino), bytes.fromhex(dig), read_ns, root)
        return path, Record(stamp, first, bytes.fromhex(index), found)
    except ValueError:
        return None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def key_path() -> Path:
    """Where the user's key is: ``lint-cache.key`` in taskkit's cache folder (the parent of
    the default cache folder, :func:`default_dir`), wherever ``--cache-dir`` puts the cache:
    never in a folder that is shared or restored as a cache, nor in a project."""
    return Path(cache_dir()) / KEY_NAME


def user_key(*, create: bool) -> bytes | None:
    """The key the cache's buckets are signed with (:func:`key_path`): a random secret made
    on first use, readable by its owner only. None when there is none yet and ``create`` is
    false. Raises OSError when it cannot be made, or is not a private regular file of the
    current user (then it cannot vouch for anything).

    ``$TASKKIT_LINT_CACHE_KEY``, when set, is the key instead (any text: a CI secret), so
    that jobs that share a cache folder, and the secret, can share what they found."""
    secret = os.environ.get(KEY_ENV)
    if secret:
        return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()
    path = key_path()
    raw = read_cache_file(path, 4 * KEY_SIZE)
    if raw is None:
        if os.path.lexists(path):
            raise OSError(f"the lint cache key {path} is not a regular file")
        if not create:
            return None
        _make_key(path)
        raw = read_cache_file(path, 4 * KEY_SIZE)
        if raw is None:
            raise OSError(f"cannot read the lint cache key {path}")
    st = os.lstat(path)
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
        raise OSError(
            f"the lint cache key {path} must be readable by its owner only (chmod 600), "
            "and owned by you"
        )
    try:
        key = bytes.fromhex(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != KEY_SIZE:
        raise OSError(f"the lint cache key {path} is damaged: delete it to make a new one")
    return key


def _make_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lint-cache-key-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(KEY_SIZE) + "\n")
        try:
            os.link(tmp, path)  # whole, and never over a key another run just made
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            with contextlib.suppress(FileExistsError):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(Path(tmp).read_text())
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _remove(path: Path) -> None:
    """Take away what stands where a folder of ours should be (a file, a link, a folder)."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _prune(directory: Path, current: Path) -> None:
    """Keep the :data:`KEEP_FILES` configurations last written; take away the rest, and the
    single-file caches of earlier taskkit versions."""
    with contextlib.suppress(OSError):  # tidying up is best effort
        for old in directory.glob("lint-*.bin"):
            old.unlink()
        folders = sorted(
            (p for p in directory.glob("lint-*") if p.is_dir() and not p.is_symlink()),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for old in [f for f in folders if f != current][KEEP_FILES - 1 :]:
            shutil.rmtree(old, ignore_errors=True)
