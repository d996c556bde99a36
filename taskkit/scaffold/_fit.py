"""Scaffolds fitted to the pack they are written into.

``taskkit new task|content`` inside a pack (a folder at or below a ``pack.yaml``) reads that
pack and writes a document that uses its real tools and datasets, rather than the standalone
example's ``shop`` tools and ``orders`` dataset, which would be unknown there. Which tool and
dataset can be chosen with flags; otherwise each candidate is tried in turn and the first
one that the pack's lint (``--deep``: the gold action is replayed for every entry) finds
nothing wrong with is kept.

What a scaffold cannot know it makes up from the schemas: an argument named like a required
content field of the same type is that field (``"{{ city }}"``); otherwise the parameter's
``const``, ``default``, first ``enum`` value or first example, or a value of its type within
its bounds. A parameter with a ``pattern`` or ``format`` and none of those is not guessed:
such a tool is left out unless a content field provides the value.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from ..diagnostics import Diagnostic
from ..library import Library, load_library
from ..models import Content, Toolset
from ..models.operations import OPERATIONS

__all__ = [
    "Candidate",
    "PackView",
    "content_fields",
    "example_value",
    "find_pack",
    "own_findings",
    "task_candidates",
]

MAX_CANDIDATES = 12
"""Tools tried (each costs a deep lint of the pack) before giving up."""


@dataclass
class PackView:
    """The pack around a target folder: its name, root and what it defines."""

    name: str
    root: Path
    paths: list[str]
    library: Library

    def toolsets(self) -> dict[str, Toolset]:
        return {
            ts: ld.model
            for (pack, ts), ld in self.library.toolsets.items()
            if pack == self.name and isinstance(ld.model, Toolset)
        }

    def contents(self) -> dict[str, Content]:
        return {
            n: ld.model
            for (pack, n), ld in self.library.contents.items()
            if pack == self.name and isinstance(ld.model, Content)
        }


def find_pack(directory: str | os.PathLike[str]) -> PackView | None:
    """The pack whose folder holds ``directory`` (which need not exist yet), loaded with the
    pack's content folder in a ``content_datasets/<pack>`` beside it, as the bundled library
    keeps it; ``None`` outside any pack."""
    here = Path(directory).resolve()
    while not here.exists() and here != here.parent:
        here = here.parent
    root = next((d for d in (here, *here.parents) if (d / "pack.yaml").is_file()), None)
    if root is None:
        return None
    paths = [str(root)]
    try:
        manifest = yaml.safe_load((root / "pack.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        manifest = None
    name = manifest.get("name") if isinstance(manifest, dict) else None
    name = name if isinstance(name, str) else root.name
    for parent in root.parents:
        extra = parent / "content_datasets" / name
        if extra.is_dir():
            paths.append(str(extra))
            break
    return PackView(name, root, paths, load_library(paths))


def _type(schema: Any) -> str | None:
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind if isinstance(kind, str) else None


def _valid(schema: dict[str, Any], value: Any) -> bool:
    try:
        return Draft202012Validator(schema).is_valid(value)
    except SchemaError:
        return False


def example_value(schema: Any, name: str, n: int = 1) -> Any:
    """A value ``schema`` accepts, the ``n``-th of its kind (entries differ), or ``None``
    when none can be made up."""
    if not isinstance(schema, dict):
        return None
    for key in ("const", "default"):
        if key in schema and _valid(schema, schema[key]):
            return schema[key]
    for key in ("enum", "examples"):
        values = schema.get(key)
        if isinstance(values, list) and values:
            return values[(n - 1) % len(values)]
    value = _typed_value(schema, name, n)
    return value if value is not None and _valid(schema, value) else None


def _typed_value(schema: dict[str, Any], name: str, n: int) -> Any:
    kind = _type(schema)
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + n + 1) - 1)
        value = min(low + n - 1, high)
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind == "string":
        if "pattern" in schema or "format" in schema:
            return None
        text = f"{name.replace('_', '-')}-{n}"
        return text.ljust(int(schema.get("minLength", 0)), "x")[: schema.get("maxLength")]
    if kind == "array":
        item = example_value(schema.get("items", {}), name, n)
        return [item] * int(schema.get("minItems", 0)) if item is not None else None
    if kind == "object":
        props = schema.get("properties", {})
        out = {}
        for key in schema.get("required", []):
            value = example_value(props.get(key, {}), key, n)
            if value is None:
                return None
            out[key] = value
        return out
    return None


def content_fields(content: Content) -> dict[str, str | None]:
    """The dataset's required fields (those a task may use without ``default``) -> type."""
    props = content.fields.get("properties", {})
    return {f: _type(props.get(f)) for f in content.fields.get("required", []) if f in props}


@dataclass
class Candidate:
    toolset: str
    tool: str
    effect: str
    args: dict[str, Any]
    field: str
    """The content field the task's command and answer quote (``id`` when no better)."""
    state: dict[str, str]
    """Collection -> the content field that seeds it."""

    @property
    def ref(self) -> str:
        return f"{self.toolset}.{self.tool}"


def task_candidates(
    view: PackView, content: Content, toolset: str | None = None, tool: str | None = None
) -> Iterator[Candidate]:
    """Every tool of the pack (read tools first) with arguments it accepts."""
    fields = content_fields(content)
    tools = [
        (ts_name, t)
        for ts_name, ts in sorted(view.toolsets().items())
        if toolset in (None, ts_name)
        for t in ts.tools
        if tool in (None, t.name)
    ]
    tools.sort(key=lambda pair: pair[1].effect != "read")  # stable: file order otherwise
    for ts_name, t in tools[:MAX_CANDIDATES]:
        props = t.parameters.get("properties", {})
        args: dict[str, Any] = {}
        quoted = None
        for param in t.parameters.get("required", []):
            schema = props.get(param, {})
            if param in fields and fields[param] in (None, _type(schema)):
                args[param] = "{{ " + param + " }}"
                if fields[param] == "string":
                    quoted = quoted or param
                continue
            value = example_value(schema, param)
            if value is None:
                break
            args[param] = value
        else:
            string_fields = [f for f, kind in fields.items() if kind == "string"]
            field = quoted or (string_fields[0] if string_fields else "id")
            yield Candidate(ts_name, t.name, t.effect, args, field, _seeds(t, fields))


def _seeds(tool: Any, fields: dict[str, str | None]) -> dict[str, str]:
    """Collections the tool's behaviour acts on that a list field of the content can seed."""
    behavior = tool.behavior
    if behavior is None:
        return {}
    out = {}
    for op in (name for name, o in OPERATIONS.items() if o.touches == "named"):
        collection = getattr(behavior, op, None)
        if isinstance(collection, str) and fields.get(collection) == "array":
            out[collection] = collection
    return out


def own_findings(diagnostics: list[Diagnostic], path: Path) -> list[Diagnostic]:
    target = os.path.realpath(path)
    return [d for d in diagnostics if os.path.realpath(d.path) == target]
