"""Finding, reading and indexing the documents of a library.

A *library* is whatever the user points at: files, pack folders, or a whole tree such as
``task_library/`` + ``content_datasets/``. Every ``.yaml``/``.yml`` file found is read and
validated against the model of its ``kind``; nothing is skipped silently -- a file that
cannot be read or validated becomes a diagnostic and stays in the index as a broken entry.

Namespaces: a file belongs to the pack whose ``pack.yaml`` is in one of its parent folders,
or, under a ``content_datasets/<pack>/`` folder, to ``<pack>``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .diagnostics import Diagnostic, did_you_mean
from .io.walk import is_file, walk
from .io.yamlio import MAX_FILE_BYTES, Document, LoadResult, load_jsonl_file, load_yaml_file
from .models import KINDS, SCHEMA_VERSION, Content, DocModel, Evaluator, Pack, Task, Toolset
from .models.toolset import Tool
from .rule_ids import (
    BAD_SCHEMA_VERSION,
    FILE_UNREADABLE,
    JSONL_SYNTAX,
    SCHEMA_VIOLATION,
    UNKNOWN_KIND,
)
from .runtime.parallel import map_chunks, paused_gc
from .schema.keys import allowed_keys
from .worlds import World, load_world

__all__ = [
    "INDEX_MODELS",
    "Entry",
    "Library",
    "LoadedDoc",
    "PackFinder",
    "ToolInfo",
    "discover",
    "index_document",
    "load_library",
    "manifest_name",
    "namespace",
    "validate_document",
]

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class LoadedDoc:
    """A document, its pack, and its validated model (``None`` when invalid)."""

    doc: Document
    pack: str
    kind: str | None
    model: DocModel | None

    @property
    def path(self) -> str:
        return self.doc.path

    def at(
        self,
        loc: Sequence[str | int],
        rule: str,
        message: str,
        *,
        hint: str | None = None,
        key: bool = False,
        severity: Any = None,
    ) -> Diagnostic:
        line, col = self.doc.locate_key(loc) if key else self.doc.locate(loc)
        extra = {"severity": severity} if severity is not None else {}
        return Diagnostic(
            self.path, line, col, rule, message, hint=hint, pointer=_pointer(loc), **extra
        )


def _pointer(loc: Sequence[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


@dataclass(frozen=True, slots=True)
class Entry:
    """One content entry and where it is written.

    The position of an inline entry is looked up only when asked for: a clean library never
    needs the source map that finding it builds."""

    id: str
    data: dict[str, Any]
    path: str
    loc: tuple[str | int, ...]
    """Path of the entry inside its YAML document (empty for JSONL entries)."""
    doc: Document | None = None
    jsonl_line: int = 0

    @property
    def position(self) -> tuple[int, int]:
        if self.doc is not None:
            return self.doc.locate(self.loc)
        return self.jsonl_line, 1

    @property
    def line(self) -> int:
        return self.position[0]

    @property
    def col(self) -> int:
        return self.position[1]


@dataclass(slots=True)
class ToolInfo:
    tool: Tool
    ref: str
    """``toolset.tool`` qualified by pack: ``pack/toolset.tool``."""
    owner: LoadedDoc
    index: int


@dataclass
class Library:
    """Every document found, indexed by namespace and name."""

    docs: list[LoadedDoc] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    packs: dict[str, LoadedDoc] = field(default_factory=dict)
    toolsets: dict[tuple[str, str], LoadedDoc] = field(default_factory=dict)
    tools: dict[tuple[str, str, str], ToolInfo] = field(default_factory=dict)
    contents: dict[tuple[str, str], LoadedDoc] = field(default_factory=dict)
    evaluators: dict[tuple[str, str], LoadedDoc] = field(default_factory=dict)
    tasks: list[LoadedDoc] = field(default_factory=list)
    max_bytes: int = MAX_FILE_BYTES
    entry_files: dict[str, list[str]] = field(default_factory=dict)
    """Each JSONL file read, and the datasets that read it."""
    _entries: dict[int, list[Entry]] = field(default_factory=dict)
    _worlds: dict[str, tuple[World | None, list[Diagnostic]]] = field(default_factory=dict)

    def world(self, pack: str) -> World | None:
        """The shared world the pack's ``pack.yaml`` declares (read on first use), or
        ``None``: no world, or one that cannot be read (:meth:`world_diagnostics` says why)."""
        return self._world(pack)[0]

    def world_diagnostics(self, pack: str) -> list[Diagnostic]:
        """What reading and checking the pack's world files found (TK420, TK421)."""
        return self._world(pack)[1]

    def _world(self, pack: str) -> tuple[World | None, list[Diagnostic]]:
        if pack not in self._worlds:
            ld = self.packs.get(pack)
            model = ld.model if ld is not None else None
            if ld is None or not isinstance(model, Pack) or not model.world:
                self._worlds[pack] = (None, [])
            else:
                self._worlds[pack] = load_world(
                    Path(ld.path).parent,
                    model.world,
                    model.world_schema,
                    manifest=ld.path,
                    locate=ld.doc.locate_key,
                )
        return self._worlds[pack]

    def entries(self, content: LoadedDoc) -> list[Entry]:
        """The entries of a content dataset (JSONL files are read on first use)."""
        key = id(content)
        if key not in self._entries:
            self._entries[key] = self._read_entries(content)
        return self._entries[key]

    def _read_entries(self, content: LoadedDoc) -> list[Entry]:
        model = content.model
        assert isinstance(model, Content)
        out: list[Entry] = []
        if model.entries is not None:
            for i, data in enumerate(model.entries):
                out.append(
                    Entry(str(data.get("id", "")), data, content.path, ("entries", i), content.doc)
                )
            return out
        assert model.entries_file is not None
        if "\0" in model.entries_file:  # no file has such a name; the OS refuses to look
            self.diagnostics.append(
                content.at(
                    ("entries_file",),
                    JSONL_SYNTAX,
                    f"entries file {model.entries_file!r} is not a file name (it holds a NUL)",
                )
            )
            return out
        folder = Path(content.path).parent
        jsonl = folder / model.entries_file
        try:
            inside = os.path.realpath(jsonl).startswith(os.path.realpath(folder) + os.sep)
            found = jsonl.is_file()
        except OSError as exc:  # a name too long for the system, a link loop
            self.diagnostics.append(
                content.at(
                    ("entries_file",),
                    JSONL_SYNTAX,
                    f"entries file {_short_name(model.entries_file)} cannot be opened: "
                    f"{exc.strerror or exc}",
                )
            )
            return out
        if Path(model.entries_file).is_absolute() or not inside:
            self.diagnostics.append(
                content.at(
                    ("entries_file",),
                    SCHEMA_VIOLATION,
                    f"entries_file {model.entries_file!r} is outside the dataset's folder",
                    hint="packs are data: they may only read files beside their documents",
                )
            )
            return out
        if not found and not os.path.lexists(jsonl):
            self.diagnostics.append(
                content.at(
                    ("entries_file",),
                    JSONL_SYNTAX,
                    f"entries file {model.entries_file!r} not found next to {Path(content.path).name}",
                )
            )
            return out
        self.entry_files.setdefault(str(jsonl), []).append(content.path)
        records, diags = load_jsonl_file(jsonl, max_bytes=self.max_bytes)
        self.diagnostics.extend(diags)
        for rec in records:
            if not isinstance(rec.data, dict):
                self.diagnostics.append(
                    Diagnostic(
                        str(jsonl), rec.line, 1, JSONL_SYNTAX, "a JSONL entry must be an object"
                    )
                )
                continue
            entry_id = str(rec.data.get("id", ""))
            out.append(Entry(entry_id, rec.data, str(jsonl), (), jsonl_line=rec.line))
        return out

    @staticmethod
    def resolve(pack: str, ref: str) -> tuple[str, str]:
        """``name`` or ``pack/name`` -> (pack, name)."""
        if "/" in ref:
            p, _, name = ref.partition("/")
            return p, name
        return pack, ref

    def tool(self, pack: str, ref: str) -> ToolInfo | None:
        p, rest = self.resolve(pack, ref)
        toolset, _, name = rest.partition(".")
        return self.tools.get((p, toolset, name))

    def tool_refs(self, pack: str) -> list[str]:
        return [f"{ts}.{name}" for (p, ts, name) in self.tools if p == pack]

    def content(self, pack: str, ref: str) -> LoadedDoc | None:
        return self.contents.get(self.resolve(pack, ref))


def _short_name(name: str) -> str:
    return repr(name) if len(name) <= 80 else f"{name[:60]!r}... ({len(name):,} characters)"


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[Diagnostic]]:
    """Every YAML file under ``paths``, once each, sorted; a missing path is a diagnostic."""
    found: dict[str, str] = {}  # real path -> the path as the user named it
    diags: list[Diagnostic] = []
    for raw in paths:
        path = os.fspath(raw)
        if os.path.isdir(path):
            for real, name in _yaml_files(path, diags):
                found.setdefault(real, name)
        elif os.path.lexists(path):  # a file, or a FIFO or device: the reader says which
            found.setdefault(os.path.realpath(path), os.path.normpath(path))
        else:
            diags.append(Diagnostic(path, 1, 1, FILE_UNREADABLE, "no such file or directory"))
    return sorted(found.values()), diags


def _yaml_files(top: str, diags: list[Diagnostic]) -> Iterator[tuple[str, str]]:
    """``(real path, path)`` of every YAML file under ``top``, a folder at a time, files
    before subfolders, each in name order, as :func:`taskkit.io.walk.walk` goes. A folder that
    cannot be listed, and a ``pack.yaml`` that is a folder, are diagnostics in ``diags``:
    their documents would be missing without a word."""
    for folder in walk(top, diags):
        real_folder = os.path.realpath(folder.path)
        for entry in folder.entries:
            name = entry.name
            if not is_file(entry):
                if name == "pack.yaml":
                    if entry in folder.folders:
                        folder.folders.remove(entry)
                    diags.append(
                        Diagnostic(
                            os.path.normpath(entry.path),
                            1,
                            1,
                            FILE_UNREADABLE,
                            "pack.yaml is a folder, not a file: the pack has no manifest",
                        )
                    )
            elif name.endswith(YAML_SUFFIXES):
                path = os.path.normpath(entry.path)
                # The folder is resolved once, and a file only when it is a link (which the
                # folder listing tells without a system call): realpath at a fraction of
                # the cost.
                link = entry.is_symlink()
                yield os.path.realpath(path) if link else os.path.join(real_folder, name), path


class PackFinder:
    """Which pack a file belongs to; pack.yaml look-ups are cached per folder."""

    def __init__(self) -> None:
        self._dir_pack: dict[str, str | None] = {}
        self.manifests: dict[str, str] = {}  # pack.yaml path -> its folder

    def pack_root(self, directory: str) -> str | None:
        if directory in self._dir_pack:
            return self._dir_pack[directory]
        if os.path.isfile(os.path.join(directory, "pack.yaml")):
            result: str | None = directory
        else:
            parent = os.path.dirname(directory)
            result = None if parent == directory else self.pack_root(parent)
        self._dir_pack[directory] = result
        return result


def namespace(path: str, root: str | None, names: dict[str, str]) -> str:
    """The pack a file belongs to, given its pack root and the manifests' names by root."""
    if root is not None:
        return names.get(root, os.path.basename(root))
    parts = Path(path).parts
    if "content_datasets" in parts:
        i = len(parts) - 1 - parts[::-1].index("content_datasets")
        if i + 2 < len(parts):
            return parts[i + 1]
    return ""


def load_library(
    paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = MAX_FILE_BYTES
) -> Library:
    """Read and validate every document under ``paths`` and index them."""
    with paused_gc():
        return _load_library(paths, max_bytes=max_bytes)


def _load_library(paths: Iterable[str | os.PathLike[str]], *, max_bytes: int) -> Library:
    files, diags = discover(paths)
    lib = Library(diagnostics=diags, max_bytes=max_bytes)
    finder = PackFinder()
    loaded: list[tuple[str, str | None, Document]] = []
    for path, result in map_chunks(partial(_read_files, max_bytes=max_bytes), files):
        lib.diagnostics.extend(result.diagnostics)
        root = finder.pack_root(os.path.dirname(os.path.abspath(path)))
        loaded.extend((path, root, doc) for doc in result.documents)
    # Pack names come from the manifests, so read those first.
    names: dict[str, str] = {}
    for path, root, doc in loaded:
        name = manifest_name(path, root, doc)
        if name is not None and root is not None:
            names[root] = name
    for path, root, doc in loaded:
        ld = validate_document(doc, namespace(path, root, names), lib.diagnostics)
        lib.docs.append(ld)
        index_document(lib, ld)
    return lib


def manifest_name(path: str, root: str | None, doc: Document) -> str | None:
    """The pack name a ``pack.yaml`` document gives its folder, if it gives one."""
    if root is None or os.path.basename(path) != "pack.yaml" or not isinstance(doc.data, dict):
        return None
    name = doc.data.get("name")
    return name if isinstance(name, str) else None


def _read_files(paths: Sequence[str], *, max_bytes: int) -> list[tuple[str, LoadResult]]:
    return [(path, load_yaml_file(path, max_bytes=max_bytes)) for path in paths]


def validate_document(doc: Document, pack: str, diags: list[Diagnostic]) -> LoadedDoc:
    """The document with its model; what makes it invalid goes to ``diags``."""
    data = doc.data
    if not isinstance(data, dict):
        diags.append(
            Diagnostic(
                doc.path,
                *doc.locate(()),
                UNKNOWN_KIND,
                "a document must be a mapping with a 'kind'",
            )
        )
        return LoadedDoc(doc, pack, None, None)
    kind = data.get("kind")
    ld = LoadedDoc(doc, pack, kind if isinstance(kind, str) else None, None)
    if not isinstance(kind, str) or kind not in KINDS:  # `kind: []` cannot even be looked up
        if kind is None:
            diags.append(
                ld.at((), UNKNOWN_KIND, "missing 'kind'", hint=f"one of {', '.join(KINDS)}")
            )
        elif not isinstance(kind, str):
            diags.append(
                ld.at(
                    ("kind",),
                    UNKNOWN_KIND,
                    f"kind must be a name, not {type(kind).__name__} {kind!r}",
                    hint=f"one of {', '.join(KINDS)}",
                )
            )
        else:
            hint = did_you_mean(str(kind), KINDS) or f"one of {', '.join(KINDS)}"
            diags.append(ld.at(("kind",), UNKNOWN_KIND, f"unknown kind {kind!r}", hint=hint))
        return ld
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        if version is None:
            diags.append(
                ld.at(
                    (),
                    BAD_SCHEMA_VERSION,
                    "missing 'schema_version'",
                    hint=f"add schema_version: {SCHEMA_VERSION}",
                )
            )
        else:
            diags.append(
                ld.at(
                    ("schema_version",),
                    BAD_SCHEMA_VERSION,
                    f"unsupported schema_version {version!r}",
                    hint=f"this taskkit reads schema_version {SCHEMA_VERSION}",
                )
            )
        return ld
    try:
        ld.model = KINDS[kind].model_validate(data)
    except ValidationError as exc:
        diags.extend(_schema_diagnostics(ld, exc))
    return ld


def _schema_diagnostics(ld: LoadedDoc, exc: ValidationError) -> Iterator[Diagnostic]:
    seen: set[tuple[str | int, ...]] = set()
    for err in exc.errors(include_url=False):
        loc = _data_loc(ld.doc.data, err["loc"])
        if (loc, err["type"]) in seen:  # type: ignore[comparison-overlap]
            continue
        seen.add((loc, err["type"]))  # type: ignore[arg-type]
        if err["type"] == "extra_forbidden":
            parent = _get(ld.doc.data, loc[:-1])
            allowed = _allowed_keys(ld.kind, loc[:-1], parent)
            hint = did_you_mean(str(loc[-1]), allowed) if allowed else None
            yield ld.at(loc, SCHEMA_VIOLATION, f"unknown key {loc[-1]!r}", hint=hint, key=True)
        elif err["type"] == "missing":
            yield ld.at(loc[:-1], SCHEMA_VIOLATION, f"missing required key {loc[-1]!r}", key=True)
        else:
            where = ".".join(str(p) for p in loc) or "document"
            yield ld.at(loc, SCHEMA_VIOLATION, f"{where}: {_message(err)}")


def _message(err: Any) -> str:
    msg = str(err["msg"])
    msg = msg.removeprefix("Value error, ")
    if err["type"] == "string_pattern_mismatch":
        return f"{err['input']!r} does not match the pattern {err['ctx']['pattern']}"
    if err["type"] in ("literal_error", "enum"):
        return f"{err['input']!r}: {msg[:1].lower()}{msg[1:]}"
    return msg[:1].lower() + msg[1:]


def _data_loc(data: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop the union/tag members pydantic puts in ``loc`` that are not keys of the data."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part == loc[-1]:
            out.append(part)  # a missing or extra key: keep it, it names the problem
    return tuple(out)


def _get(data: Any, loc: Sequence[str | int]) -> Any:
    for part in loc:
        data = data[part]
    return data


def _allowed_keys(kind: str | None, loc: Sequence[str | int], parent: Any) -> list[str]:
    """Field names of the model that validates the mapping at ``loc`` (for "did you mean")."""
    return allowed_keys(kind, loc, parent)


INDEX_MODELS = (Pack, Toolset, Content, Evaluator)
"""Documents that other documents refer to by name (tasks are the rest of a library)."""


def index_document(lib: Library, ld: LoadedDoc) -> None:
    """Add ``ld`` to the name indexes of ``lib`` (the first of a name wins)."""
    model = ld.model
    if isinstance(model, Pack):
        lib.packs.setdefault(model.name, ld)
    elif isinstance(model, Toolset):
        lib.toolsets.setdefault((ld.pack, model.name), ld)
        for i, tool in enumerate(model.tools):
            key = (ld.pack, model.name, tool.name)
            lib.tools.setdefault(key, ToolInfo(tool, f"{model.name}.{tool.name}", ld, i))
    elif isinstance(model, Content):
        lib.contents.setdefault((ld.pack, model.name), ld)
    elif isinstance(model, Evaluator):
        lib.evaluators.setdefault((ld.pack, model.name), ld)
    elif isinstance(model, Task):
        lib.tasks.append(ld)
