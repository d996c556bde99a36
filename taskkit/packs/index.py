"""The cached pack index: what ``taskkit packs`` knows about each pack folder, and when that
is still true.

A pack's summary (name, version, title, task count, ``requires``, and every diagnostic of
reading its files and checking its manifest) is stored under the pack's real path, with a
fingerprint of its files: relative path and stamp (size, mtime, ctime, inode) of every
``.yaml``/``.yml``/``.jsonl`` file of the pack folder and of its ``content_datasets/<name>/``
folder. Listing an unchanged pack then costs one ``stat`` per file, and no YAML parsing (nor
even importing pydantic). Stamps vouch for a file by the rule of all taskkit's caches
(:mod:`taskkit.io.cache_files`): only a file older than its reading by two seconds.

When a fingerprint differs only in stamps (a ``touch``, a ``git checkout`` of the same
bytes), or a file was too new to vouch for, the files concerned are hashed and compared with
the hashes stored for them; equal contents keep the summary. Anything else re-reads the whole pack. Diagnostics are
part of the summary, so a broken pack stays broken in the listing until its files change:
the cache never hides one.

Layout of the cache folder (``$TASKKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/taskkit``, else
``~/.cache/taskkit``): ``index.json`` holds every summary and fingerprint digest (small: read
on every listing); ``files/<key>.json`` holds one pack's per-file stats and hashes (read only
when its fingerprint changed). Both are rebuilt from scratch when the taskkit version or the
cache format changes. A cache that cannot be read or written is ignored: it only saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from .. import __version__
from ..diagnostics import Diagnostic, Severity
from ..io.cache_files import mark_cache_dir, read_cache_file, stamp_of, vouches, write_text
from ..io.cache_home import CACHE_ENV, cache_dir
from ..io.digests import file_digest
from ..io.walk import Folder, is_file, walk
from ..rule_ids import PACK_MANIFEST

__all__ = [
    "CACHE_ENV",
    "PackIndex",
    "Summary",
    "cache_dir",
    "content_dirs",
    "find_pack_roots",
    "manifest_name",
    "walk_packs",
]

INDEX_FORMAT = 2
"""2: files stamped as all taskkit's caches stamp them (size, mtime, ctime, inode), and the
time they were read (:mod:`taskkit.io.cache_files`)."""
MAX_INDEX_BYTES = 1 << 26
"""An index or details file larger than this is not read (1,000 packs make about 1 MB)."""
MANIFEST = "pack.yaml"
SUFFIXES = (".yaml", ".yml", ".jsonl")

FileStat = tuple[str, int, int, int, int]
"""Path relative to the pack folder, then its stamp (:data:`taskkit.io.cache_files.Stamp`)."""


@dataclass(frozen=True)
class Summary:
    """What the index knows of one pack folder."""

    name: str
    """From the manifest; the folder's name when the manifest cannot be read."""
    version: str
    title: str
    requires: dict[str, str]
    tasks: int
    """Documents of kind ``task``, valid or not."""
    name_at: tuple[int, int]
    """Line and column of ``name:`` in ``pack.yaml``."""
    content_dirs: tuple[str, ...]
    """``content_datasets/<name>/`` folders used, relative to the pack folder."""
    diagnostics: tuple[Diagnostic, ...]
    """Paths relative to the pack folder."""
    cached: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "title": self.title,
            "requires": self.requires,
            "tasks": self.tasks,
            "name_at": list(self.name_at),
            "content_dirs": list(self.content_dirs),
            "diagnostics": [d.as_json() for d in self.diagnostics],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(
            name=data["name"],
            version=data["version"],
            title=data["title"],
            requires=dict(data["requires"]),
            tasks=int(data["tasks"]),
            name_at=(int(data["name_at"][0]), int(data["name_at"][1])),
            content_dirs=tuple(data["content_dirs"]),
            diagnostics=tuple(_diagnostic(d) for d in data["diagnostics"]),
            cached=True,
        )


def _diagnostic(d: dict[str, Any]) -> Diagnostic:
    return Diagnostic(
        d["path"],
        d["line"],
        d["col"],
        d["rule"],
        d["message"],
        severity=Severity(d["severity"]),
        hint=d["hint"],
        pointer=d["pointer"],
    )


# --- walking the file system -----------------------------------------------------------------


def find_pack_roots(top: str) -> list[str]:
    """Folders under ``top`` (``top`` included) that hold a ``pack.yaml``, sorted."""
    return sorted(walk_packs(top))


def walk_packs(top: str, diags: list[Diagnostic] | None = None) -> dict[str, list[FileStat]]:
    """Every pack folder under ``top`` (``top`` included), with the stats of its own files.

    One pass over the tree (:func:`taskkit.io.walk.walk`, as the loader goes): listing packs
    and checking them against the index share it. Leaves out nested packs' files (they are
    packs of their own), and ``content_datasets`` folders outside packs (they belong to
    the packs named after their sub-folders; see :func:`content_dirs`). A folder that
    cannot be listed is a diagnostic in ``diags``."""
    found: dict[str, list[FileStat]] = {}
    owners: dict[str, tuple[str | None, str]] = {top: (None, "")}
    """Each folder to come -> its pack folder (None outside packs), and its path in it."""
    for folder in walk(top, diags if diags is not None else []):
        owner, rel = owners.pop(folder.path)
        if any(e.name == MANIFEST and e.is_file() for e in folder.entries):
            owner, rel = folder.path, ""
            found[owner] = []
        if owner is None:
            folder.folders[:] = [e for e in folder.folders if e.name != "content_datasets"]
        for e in folder.folders:
            owners[e.path] = (owner, f"{rel}{e.name}/" if owner is not None else "")
        if owner is not None:
            found[owner] += (_stat(e, rel + e.name) for e in _pack_files(folder))
    for files in found.values():
        files.sort()
    return found


def _pack_files(folder: Folder) -> Iterator[os.DirEntry[str]]:
    return (e for e in folder.entries if e.name.endswith(SUFFIXES) and is_file(e))


def _stat(entry: os.DirEntry[str], rel: str) -> FileStat:
    try:
        return (rel, *stamp_of(entry.stat()))
    except OSError:  # a dangling link: the loader reports it
        return (rel, -1, -1, -1, -1)


def content_dirs(root: str, name: str) -> list[str]:
    """The ``content_datasets/<name>/`` folders beside the pack folder or beside its parent
    (``task_library/<pack>/`` + ``content_datasets/<pack>/``), that exist."""
    parent = os.path.dirname(os.path.abspath(root))
    out = []
    for base in (parent, os.path.dirname(parent)):
        candidate = os.path.join(base, "content_datasets", name)
        if os.path.isdir(candidate):
            out.append(os.path.relpath(candidate, root))
    return out


def scan(
    root: str, folders: Iterable[str] = (".",), diags: list[Diagnostic] | None = None
) -> list[FileStat]:
    """Stat every pack file under ``folders`` (relative to ``root``), leaving out nested
    packs, which are packs of their own. A folder that cannot be listed is a diagnostic in
    ``diags``."""
    out: list[FileStat] = []
    for rel in folders:
        top = os.path.join(root, rel) if rel != "." else root
        for folder in walk(top, diags if diags is not None else []):
            if folder.path != top and any(e.name == MANIFEST for e in folder.entries):
                folder.folders.clear()
                continue  # a nested pack
            base = os.path.relpath(folder.path, root).replace(os.sep, "/")
            prefix = "" if base == "." else base + "/"
            out += (_stat(e, prefix + e.name) for e in _pack_files(folder))
    out.sort()
    return out


def _fingerprint(files: list[FileStat]) -> str:
    # repr of (str, int, int) tuples is exact and stable, and one encode is cheaper than many.
    return hashlib.blake2b(repr(files).encode(), digest_size=16).hexdigest()


def _file_hash(path: str) -> str:
    return file_digest(path).hex()


# --- the index -------------------------------------------------------------------------------


class PackIndex:
    """Summaries of pack folders, read from and written to the cache folder."""

    def __init__(self, directory: str | None = None, *, enabled: bool = True) -> None:
        self.directory = directory if directory is not None else cache_dir()
        self.enabled = enabled
        self._packs: dict[str, dict[str, Any]] = {}
        self._dirty = False
        self.hits = 0
        self.misses = 0
        if enabled:
            self._read()

    @property
    def _path(self) -> str:
        return os.path.join(self.directory, "index.json")

    def _read(self) -> None:
        data = _read_json(self._path)
        if (
            isinstance(data, dict)
            and data.get("format") == INDEX_FORMAT
            and data.get("taskkit") == __version__
            and isinstance(data.get("packs"), dict)
        ):
            self._packs = data["packs"]

    def save(self) -> None:
        """Write the index if anything changed; failures are ignored (it is only a cache)."""
        if not (self.enabled and self._dirty):
            return
        doc = {"format": INDEX_FORMAT, "taskkit": __version__, "packs": self._packs}
        with contextlib.suppress(OSError):
            _write_json(self.directory, self._path, doc)
            self._dirty = False

    def summary(self, root: str, own: list[FileStat] | None = None) -> Summary:
        """The summary of the pack folder ``root``: from the cache when its files are
        unchanged, read afresh (and cached) otherwise. ``own`` are the stats of the pack's
        own files when the caller has them (:func:`walk_packs`)."""
        key = os.path.realpath(root)
        walked: list[Diagnostic] = []
        """Folders of the pack that cannot be listed: its summary says so, and is not kept."""
        own = scan(root, diags=walked) if own is None else own
        entry = self._packs.get(key) if self.enabled else None
        if entry is not None and not walked:
            try:
                hit = self._check(key, root, own, entry)
            except (KeyError, TypeError, ValueError, IndexError):
                hit = None  # a damaged entry: rebuild it
            if hit is not None:
                self.hits += 1
                return hit
        self.misses += 1
        return self._build(key, root, own, walked)

    def _check(
        self, key: str, root: str, own: list[FileStat], entry: dict[str, Any]
    ) -> Summary | None:
        summary = Summary.from_json(entry["summary"])
        # Which content_datasets/ folders belong to the pack depends on its name, so scan
        # them for the cached name, then compare: a renamed pack changes pack.yaml anyway.
        walked: list[Diagnostic] = []
        files = own + scan(root, content_dirs(root, summary.name), walked)
        if walked:
            return None  # read afresh, to say so
        files.sort()
        read_ns = entry["read_ns"]
        if type(read_ns) is not int:
            return None
        if _fingerprint(files) == entry["fingerprint"] and all(
            vouches(f[1:], read_ns) for f in files
        ):
            return summary
        details = self._details(key)
        if details is None or set(details) != {f[0] for f in files}:
            return None
        now = time.time_ns()  # before hashing: what is hashed is at least as new
        for rel, *stamp in files:
            *stamp0, digest0 = details[rel]
            if stamp == stamp0 and vouches((stamp[0], stamp[1], stamp[2], stamp[3]), read_ns):
                continue
            if stamp[0] != stamp0[0] or _file_hash(os.path.join(root, rel)) != digest0:
                return None
            details[rel] = [*stamp, digest0]
        # Same bytes (under new stamps, or too new to vouch for them before): keep the
        # summary, remember the stamps and when they were checked.
        entry["fingerprint"] = _fingerprint(files)
        entry["read_ns"] = now
        self._dirty = True
        self._write_details(key, details)
        return summary

    def _build(self, key: str, root: str, own: list[FileStat], walked: list[Diagnostic]) -> Summary:
        name = manifest_name(root)
        dirs = content_dirs(root, name)
        files = sorted(own + scan(root, dirs, walked))
        # Hash before reading, so that a file edited while we read is seen as changed later.
        now = time.time_ns()
        details = {f[0]: [*f[1:], _file_hash(os.path.join(root, f[0]))] for f in files}
        summary = _summarize(root, [f[0] for f in files], tuple(dirs))
        if walked:
            # Not kept: once the folder can be listed, it may hold no pack file, and the
            # fingerprint would vouch for a summary that still says it cannot.
            self._packs.pop(key, None)
            found = (replace(d, path=os.path.relpath(d.path, root)) for d in walked)
            return replace(summary, diagnostics=(*found, *summary.diagnostics))
        if self.enabled:
            self._packs[key] = {
                "fingerprint": _fingerprint(files),
                "read_ns": now,
                "summary": summary.as_json(),
            }
            self._dirty = True
            self._write_details(key, details)
        return summary

    def _details_path(self, key: str) -> str:
        digest = hashlib.blake2b(key.encode(), digest_size=10).hexdigest()
        return os.path.join(self.directory, "files", f"{digest}.json")

    def _details(self, key: str) -> dict[str, list[Any]] | None:
        data = _read_json(self._details_path(key))
        if not isinstance(data, dict) or data.get("root") != key:
            return None
        files = data.get("files")
        return files if isinstance(files, dict) else None

    def _write_details(self, key: str, details: dict[str, list[Any]]) -> None:
        with contextlib.suppress(OSError):
            _write_json(self.directory, self._details_path(key), {"root": key, "files": details})


def _read_json(path: str) -> Any:
    """The JSON in the cache file ``path``; None when there is none, or none to trust."""
    raw = read_cache_file(path, MAX_INDEX_BYTES)
    try:
        return json.loads(raw) if raw is not None else None
    except ValueError:
        return None


def _write_json(directory: str, path: str, doc: Any) -> None:
    mark_cache_dir(directory, by="taskkit packs")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_text(path, json.dumps(doc, separators=(",", ":")))


def manifest_name(root: str) -> str:
    """The ``name`` in ``root/pack.yaml``, or the folder's name if it has none."""
    from ..io.yamlio import load_yaml_file  # noqa: PLC0415 - only for packs not in the cache

    result = load_yaml_file(os.path.join(root, MANIFEST))
    for doc in result.documents:
        if isinstance(doc.data, dict) and isinstance(doc.data.get("name"), str):
            return str(doc.data["name"])
    return os.path.basename(os.path.abspath(root))


def _summarize(root: str, files: list[str], dirs: tuple[str, ...]) -> Summary:
    """Read a pack: every document, the loader's diagnostics and the manifest rule."""
    # Imported here: pydantic and the models are the expensive part of a cold start, and a
    # warm listing never needs them.
    from ..library import load_library  # noqa: PLC0415
    from ..lint import lint_library  # noqa: PLC0415
    from ..models import Pack  # noqa: PLC0415

    yaml_files = [os.path.join(root, rel) for rel in files if not rel.endswith(".jsonl")]
    lib = load_library(yaml_files)
    # Syntax, encoding, kind and schema problems (TK0xx, TK1xx) and the manifest (TK601):
    # whether the pack can be read at all. Cross-references need the packs it requires, so
    # they are left to `taskkit lint NAME`.
    result = lint_library(lib, select=("TK0", "TK1", PACK_MANIFEST))
    manifest = next(
        (ld for ld in lib.docs if os.path.basename(ld.path) == MANIFEST and ld.kind == "pack"),
        None,
    )
    raw = manifest.doc.data if manifest is not None and isinstance(manifest.doc.data, dict) else {}
    model = manifest.model if manifest is not None else None

    def text(key: str) -> str:
        value = getattr(model, key, None) if isinstance(model, Pack) else raw.get(key)
        return value if isinstance(value, str) else ""

    requires = raw.get("requires")
    name_at = manifest.doc.locate(("name",)) if manifest is not None else (1, 1)
    return Summary(
        name=text("name") or os.path.basename(os.path.abspath(root)),
        version=text("version"),
        title=text("title"),
        requires={str(k): str(v) for k, v in requires.items()}
        if isinstance(requires, dict)
        else {},
        tasks=sum(1 for ld in lib.docs if ld.kind == "task"),
        name_at=name_at,
        content_dirs=dirs,
        diagnostics=tuple(
            replace(d, path=os.path.relpath(d.path, root)) for d in result.diagnostics
        ),
    )
