"""Importers: existing tool corpora in, taskkit documents out.

Each source format is one module that satisfies :class:`Importer` (a ``name``, a ``title``
and ``load(path) -> ImportResult``), listed in the literal registry :data:`IMPORTERS`:

* ``toolbench``: ToolBench ``G*_query.json`` (RapidAPI tool docs) -> toolsets;
* ``bfcl``: Berkeley Function Calling Leaderboard JSON lines -> toolsets, and with the
  ``possible_answer`` file beside it, tasks and content datasets;
* ``bfcl_multi_turn``: BFCL multi-turn questions -> multi-turn tasks with a scripted user;
* ``tooltalk``: ToolTalk dialogues -> a multi-turn task with a scripted user each;
* ``openai``: an OpenAI ``tools`` list -> one toolset;
* ``mcp``: an MCP ``tools/list`` result -> one toolset.

An :class:`ImportResult` holds plain dicts that validate as :class:`~taskkit.models.Toolset`,
:class:`~taskkit.models.Task` and :class:`~taskkit.models.Content`, plus notes on every
rename and every dropped keyword. :func:`merge_results` joins the results of several files
and :func:`write_result` writes them out as one pack folder. Unusable input raises
:class:`SourceError`; nothing here prints or exits (that is the CLI's job).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..io.atomic import atomic_writer
from ..io.jsonlines import JsonlError, JsonLines
from ..io.regular_files import FileRefused, read_regular
from ..io.yamlio import dump_yaml
from ..models import KINDS, SCHEMA_VERSION, Toolset
from ._names import Namer

__all__ = [
    "IMPORTERS",
    "ImportResult",
    "Importer",
    "SourceError",
    "export_openai_tools",
    "merge_results",
    "read_json",
    "read_json_lines",
    "write_result",
]


class SourceError(ValueError):
    """The input file cannot be imported (unreadable, not JSON, not the expected shape)."""


@dataclass(frozen=True)
class ImportResult:
    """What one import produced: documents as plain dicts, and notes for the user."""

    toolsets: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    contents: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Renames, dropped keywords and skipped items, each with its reason."""
    source: str = ""
    """The corpus it came from, for the pack description (e.g. ``ToolBench``)."""

    def summary(self) -> str:
        """One line: how many of each thing were produced."""
        tools = sum(len(ts["tools"]) for ts in self.toolsets)
        entries = sum(len(c.get("entries") or ()) for c in self.contents)
        return (
            f"{_count(len(self.toolsets), 'toolset')} ({_count(tools, 'tool')}), "
            f"{_count(len(self.tasks), 'task')}, {_count(len(self.contents), 'content dataset')} "
            f"({_count(entries, 'entry', 'entries')}), {_count(len(self.notes), 'note')}"
        )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


class Importer(Protocol):
    """One source format. Implemented by a module with these attributes."""

    @property
    def name(self) -> str:
        """Registry key, the ``SOURCE`` argument of ``taskkit import``."""

    @property
    def title(self) -> str:
        """Human name of the format."""

    def load(self, path: Path) -> ImportResult:
        """Read ``path``; raises :class:`SourceError` when it cannot be imported."""
        ...


# --- reading ----------------------------------------------------------------------------


MAX_SOURCE_BYTES = 64 * 2**20
"""The largest corpus file read (a FIFO, a device or a bigger file is refused)."""


def _read_text(path: Path) -> str:
    try:
        raw = read_regular(path, max_bytes=MAX_SOURCE_BYTES)
    except FileRefused as exc:
        raise SourceError(str(exc)) from None
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"invalid UTF-8 at byte {exc.start}") from None


def read_json(path: Path) -> Any:
    """The JSON value in ``path``; any problem is a :class:`SourceError`."""
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise SourceError(message) from None
    except RecursionError:
        raise SourceError("JSON nested too deeply to read") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise SourceError(f"invalid JSON: {exc}") from None


def read_json_lines(path: Path, notes: list[str]) -> list[tuple[int, Any]]:
    """``(line number, value)`` for each non-blank line of a JSON Lines file, by the one
    policy (:mod:`taskkit.io.jsonlines`): a bad line is a :class:`SourceError` saying where; a
    torn last line (a download cut short) is left out, and ``notes`` say so."""
    raw = _read_text(path).encode("utf-8")  # checked UTF-8, without a BOM
    lines = JsonLines(raw, name=path.name, exact=True)
    try:
        records = list(lines)
    except JsonlError as exc:
        raise SourceError(exc.diagnostic.message) from None
    torn = lines.torn_note(len(records))
    if torn is not None:
        notes.append(torn)
    return records


# --- merging ----------------------------------------------------------------------------


def merge_results(results: Sequence[ImportResult]) -> ImportResult:
    """Join several imports into one pack's worth of documents.

    Toolsets of the same name are united (ToolBench files share tools); identical tasks and
    datasets are kept once. A clash that cannot be united (same name, different content) is
    resolved by renaming the later document, with a note, and updating references to it.
    The notes are those of ``results`` in order, then the merge's own.
    """
    toolsets: dict[str, dict[str, Any]] = {}
    contents: dict[str, dict[str, Any]] = {}
    tasks: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    toolset_names = Namer("toolset", notes, what="toolset")
    content_names = Namer("doc", notes, what="content dataset")
    task_ids = Namer("doc", notes, what="task")
    for result in results:
        refs: dict[str, str] = {}
        for ts in result.toolsets:
            name = ts["name"]
            if name in toolsets and _unite(toolsets[name], ts):
                continue
            why = "its tools differ from an earlier file's" if name in toolsets else ""
            new = toolset_names.claim(name, why=why)
            toolsets[new] = {**copy.deepcopy(ts), "name": new}
            if new != name:
                refs.update({f"{name}.{t['name']}": f"{new}.{t['name']}" for t in ts["tools"]})
        renamed_content: dict[str, str] = {}
        for doc in result.contents:
            new = _place(doc, "name", contents, content_names)
            if new != doc["name"]:
                renamed_content[doc["name"]] = new
        for original in result.tasks:
            task = _rewrite(original, refs)
            task["content"] = renamed_content.get(task["content"], task["content"])
            _place(task, "id", tasks, task_ids)
    return ImportResult(
        toolsets=list(toolsets.values()),
        tasks=list(tasks.values()),
        contents=list(contents.values()),
        notes=[n for r in results for n in r.notes] + notes,
        source=", ".join(dict.fromkeys(r.source for r in results if r.source)),
    )


def _unite(base: dict[str, Any], extra: dict[str, Any]) -> bool:
    """Add ``extra``'s tools to ``base``; False (and ``base`` untouched) on a clash."""
    have = {t["name"]: t for t in base["tools"]}
    if any(t["name"] in have and have[t["name"]] != t for t in extra["tools"]):
        return False
    base["tools"].extend(copy.deepcopy(t) for t in extra["tools"] if t["name"] not in have)
    return True


def _place(doc: dict[str, Any], key: str, into: dict[str, dict[str, Any]], names: Namer) -> str:
    name: str = doc[key]
    if name in into and into[name] == doc:
        return name
    why = "an earlier file has a different one of that name" if name in into else ""
    new = names.claim(name, why=why)
    into[new] = {**copy.deepcopy(doc), key: new}
    return new


def _rewrite(value: Any, refs: dict[str, str]) -> Any:
    """A deep copy of ``value`` with every string that is a renamed tool ref replaced."""
    if isinstance(value, str):
        return refs.get(value, value)
    if isinstance(value, dict):
        return {k: _rewrite(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, refs) for v in value]
    return value


# --- writing ----------------------------------------------------------------------------


def write_result(
    result: ImportResult,
    out_dir: str | os.PathLike[str],
    *,
    pack_name: str,
    title: str | None = None,
    license: str = "Apache-2.0",
) -> list[Path]:
    """Write ``result`` as a complete pack folder; returns the files written, sorted.

    ``pack.yaml``, ``tools/<toolset>.yaml``, ``tasks/<id>.yaml`` and ``content/<name>.yaml``,
    each written atomically (temporary file, then rename) so an interrupted import never
    leaves a half-written document. Every document is validated first: an invalid one (a
    bug in an importer, or a bad ``pack_name``) raises ``ValueError`` before anything is
    written, and so do two documents of one name (join results with :func:`merge_results`).
    """
    source = result.source or "an external corpus"
    pack = {
        "kind": "pack",
        "schema_version": SCHEMA_VERSION,
        "name": pack_name,
        "version": "0.1.0",
        "title": title or f"{pack_name}: imported from {source}",
        "description": (
            f"Imported from {source} by `taskkit import`. The license ({license}) is "
            "inherited from the source corpus: check its upstream terms before redistributing."
        ),
        "license": license,
    }
    root = Path(out_dir)
    plan: list[tuple[Path, str, dict[str, Any]]] = [(root / "pack.yaml", "pack", pack)]
    plan += _files(root / "tools", "toolset", "name", result.toolsets)
    plan += _files(root / "tasks", "task", "id", result.tasks)
    plan += _files(root / "content", "content", "name", result.contents)
    paths = [path for path, _, _ in plan]
    if len(set(paths)) != len(paths):
        raise ValueError("two documents would share a file: pass the results through merge_results")
    for path, kind, data in plan:
        try:
            KINDS[kind].model_validate(data)
        except ValueError as exc:
            raise ValueError(f"{path.name}: invalid {kind} document: {exc}") from exc
    for path, kind, data in plan:
        with atomic_writer(path) as f:
            f.write(dump_yaml(data, kind=kind))
    return sorted(path for path, _, _ in plan)


def _files(
    folder: Path, kind: str, key: str, docs: Iterable[dict[str, Any]]
) -> list[tuple[Path, str, dict[str, Any]]]:
    return [(folder / f"{doc[key]}.yaml", kind, doc) for doc in sorted(docs, key=lambda d: d[key])]


# --- exporting --------------------------------------------------------------------------


def export_openai_tools(toolset: dict[str, Any] | Toolset) -> list[dict[str, Any]]:
    """The toolset as an OpenAI ``tools`` list: ``{"type": "function", "function": ...}``."""
    model = toolset if isinstance(toolset, Toolset) else Toolset.model_validate(toolset)
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": copy.deepcopy(tool.parameters),
            },
        }
        for tool in model.tools
    ]


# The importer modules import ImportResult and SourceError from this package, so they are
# imported only once those are defined.
from . import bfcl, bfcl_multi_turn, mcp, openai_tools, toolbench, tooltalk  # noqa: E402

IMPORTERS: dict[str, Importer] = {
    "toolbench": toolbench,
    "bfcl": bfcl,
    "bfcl_multi_turn": bfcl_multi_turn,
    "tooltalk": tooltalk,
    "openai": openai_tools,
    "mcp": mcp,
}
"""Source name -> importer. The one table ``taskkit import`` dispatches on."""
