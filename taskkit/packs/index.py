"""The cached pack index: what ``taskkit packs`` knows about each pack folder, and when that
is still true.

A pack's summary (name, version, title, task count, ``requires``, and every diagnostic of
reading its files and checking its manifest) is stored under the pack's real path, with a
fingerprint of its files: relative path, mtime (ns) and size of every ``.yaml``/``.yml``/
``.jsonl`` file of the pack folder and of its ``content_datasets/<name>/`` folder. Listing an
unchanged pack then costs one ``stat`` per file, and no YAML parsing (nor even importing
pydantic).

When a fingerprint differs only in mtimes (a ``touch``, a ``git checkout`` of the same
bytes), the files whose stat changed are hashed and compared with the hashes stored for
them; equal contents keep the summary. Anything else re-reads the whole pack. Diagnostics are
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
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from .. import __version__
from ..cache_home import CACHE_ENV, cache_dir
from ..diagnostics import Diagnostic, Severity
from ..digests import file_digest
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

INDEX_FORMAT = 1
MANIFEST = "pack.yaml"
SKIP_DIRS = frozenset({"__pycache__", "node_modules", "venv", ".venv"})
"""Folders the library loader never enters (``taskkit.library._SKIP_DIRS``); hidden ones
neither."""
SUFFIXES = (".yaml", ".yml", ".jsonl")

FileStat = tuple[str, int, int]
"""Path relative to the pack folder, mtime in ns, size."""


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


def walk_packs(top: str) -> dict[str, list[FileStat]]:
    """Every pack folder under ``top`` (``top`` included), with the stats of its own files.

    One pass over the tree: listing packs and checking them against the index share it.
    Skips what the loader skips, nested packs' files (they are packs of their own), and
    ``content_datasets`` folders outside packs (they belong to the packs named after their
    sub-folders; see :func:`content_dirs`)."""
    found: dict[str, list[FileStat]] = {}
    _walk(top, found, None, "")
    for files in found.values():
        files.sort()
    return found


def _walk(folder: str, found: dict[str, list[FileStat]], owner: str | None, rel: str) -> None:
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:
        return
    if any(e.name == MANIFEST and e.is_file() for e in entries):
        owner, rel = folder, ""
        found[folder] = []
    for e in entries:
        if e.name.startswith("."):
            continue
        if e.is_dir(follow_symlinks=False):
            if e.name in SKIP_DIRS or (e.name == "content_datasets" and owner is None):
                continue
            _walk(e.path, found, owner, f"{rel}{e.name}/" if owner is not None else "")
        elif owner is not None and e.name.endswith(SUFFIXES):
            found[owner].append(_stat(e, rel + e.name))


def _stat(entry: os.DirEntry[str], rel: str) -> FileStat:
    try:
        st = entry.stat()
    except OSError:  # a dangling link: the loader reports it
        return (rel, -1, -1)
    return (rel, st.st_mtime_ns, st.st_size)


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


def scan(root: str, folders: Iterable[str] = (".",)) -> list[FileStat]:
    """Stat every pack file under ``folders`` (relative to ``root``), leaving out nested
    packs, which are packs of their own."""
    out: list[FileStat] = []
    for rel in folders:
        _scan(root, rel, out, top=True)
    out.sort()
    return out


def _scan(root: str, rel: str, out: list[FileStat], *, top: bool) -> None:
    folder = os.path.join(root, rel) if rel != "." else root
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:
        return
    if not top and any(e.name == MANIFEST for e in entries):
        return  # a nested pack
    for e in entries:
        if e.name.startswith("."):
            continue
        sub = e.name if rel == "." else f"{rel}/{e.name}"
        if e.is_dir(follow_symlinks=False):
            if e.name not in SKIP_DIRS:
                _scan(root, sub, out, top=False)
        elif e.name.endswith(SUFFIXES):
            out.append(_stat(e, sub))


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
        try:
            with open(self._path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return
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
            _write_json(self._path, doc)
            self._dirty = False

    def summary(self, root: str, own: list[FileStat] | None = None) -> Summary:
        """The summary of the pack folder ``root``: from the cache when its files are
        unchanged, read afresh (and cached) otherwise. ``own`` are the stats of the pack's
        own files when the caller has them (:func:`walk_packs`)."""
        key = os.path.realpath(root)
        own = scan(root) if own is None else own
        entry = self._packs.get(key) if self.enabled else None
        if entry is not None:
            try:
                hit = self._check(key, root, own, entry)
            except (KeyError, TypeError, ValueError, IndexError):
                hit = None  # a damaged entry: rebuild it
            if hit is not None:
                self.hits += 1
                return hit
        self.misses += 1
        return self._build(key, root, own)

    def _check(
        self, key: str, root: str, own: list[FileStat], entry: dict[str, Any]
    ) -> Summary | None:
        summary = Summary.from_json(entry["summary"])
        # Which content_datasets/ folders belong to the pack depends on its name, so scan
        # them for the cached name, then compare: a renamed pack changes pack.yaml anyway.
        files = own + scan(root, content_dirs(root, summary.name))
        files.sort()
        if _fingerprint(files) == entry["fingerprint"]:
            return summary
        details = self._details(key)
        if details is None or set(details) != {rel for rel, _, _ in files}:
            return None
        for rel, mtime, size in files:
            mtime0, size0, digest0 = details[rel]
            if (mtime, size) == (mtime0, size0):
                continue
            if size != size0 or _file_hash(os.path.join(root, rel)) != digest0:
                return None
            details[rel] = [mtime, size, digest0]
        # Same bytes under new mtimes: keep the summary, remember the new stats.
        entry["fingerprint"] = _fingerprint(files)
        self._dirty = True
        self._write_details(key, details)
        return summary

    def _build(self, key: str, root: str, own: list[FileStat]) -> Summary:
        name = manifest_name(root)
        dirs = content_dirs(root, name)
        files = sorted(own + scan(root, dirs))
        # Hash before reading, so that a file edited while we read is seen as changed later.
        details = {rel: [m, s, _file_hash(os.path.join(root, rel))] for rel, m, s in files}
        summary = _summarize(root, [rel for rel, _, _ in files], tuple(dirs))
        if self.enabled:
            self._packs[key] = {"fingerprint": _fingerprint(files), "summary": summary.as_json()}
            self._dirty = True
            self._write_details(key, details)
        return summary

    def _details_path(self, key: str) -> str:
        digest = hashlib.blake2b(key.encode(), digest_size=10).hexdigest()
        return os.path.join(self.directory, "files", f"{digest}.json")

    def _details(self, key: str) -> dict[str, list[Any]] | None:
        try:
            with open(self._details_path(key), encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("root") != key:
            return None
        files = data.get("files")
        return files if isinstance(files, dict) else None

    def _write_details(self, key: str, details: dict[str, list[Any]]) -> None:
        with contextlib.suppress(OSError):
            _write_json(self._details_path(key), {"root": key, "files": details})


def _write_json(path: str, doc: Any) -> None:
    from ..atomic import atomic_writer  # noqa: PLC0415 - only when the cache changed

    with atomic_writer(path) as f:
        json.dump(doc, f, separators=(",", ":"))


def manifest_name(root: str) -> str:
    """The ``name`` in ``root/pack.yaml``, or the folder's name if it has none."""
    from ..yamlio import load_yaml_file  # noqa: PLC0415 - only for packs not in the cache

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
