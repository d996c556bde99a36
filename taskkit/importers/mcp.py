"""MCP ``tools/list`` results -> one toolset named after the file.

Accepts the result object ``{"tools": [{name, description, inputSchema, outputSchema?,
annotations?}]}`` or the whole JSON-RPC response whose ``result`` it is. ``inputSchema``
becomes ``parameters`` and ``outputSchema`` becomes ``returns``. A tool is a write tool when
its annotations say ``readOnlyHint: false`` or ``destructiveHint: true``; otherwise a read
tool (MCP's own defaults assume unannotated tools may write, but most servers leave read
tools unannotated, and a read tool that echoes its call is the harmless guess).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from . import ImportResult, SourceError, read_json
from ._names import Namer
from ._schema import normalize_parameters, simulated_tool

__all__ = ["load", "name", "title"]

name = "mcp"
title = "MCP tools/list"

_FIELDS = frozenset({"name", "description", "inputSchema", "outputSchema", "annotations"})
_HINTS = frozenset({"readOnlyHint", "destructiveHint"})


def load(path: Path) -> ImportResult:
    """Read an MCP ``tools/list`` result; raises :class:`SourceError` when it is not one."""
    data = read_json(path)
    if isinstance(data, dict) and "error" in data and "jsonrpc" in data:
        error = data["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise SourceError(f"a JSON-RPC error response, not a tools list: {message!r}")
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        data = data["result"]
    if not isinstance(data, dict) or not isinstance(data.get("tools"), list):
        raise SourceError("expected a tools/list result: an object with a 'tools' list")
    notes: list[str] = []
    if data.get("nextCursor"):
        notes.append("the list is paginated (nextCursor): only this page was imported")
    toolset = Namer("toolset", notes, what="file stem").claim(path.stem)
    names = Namer("tool", notes, what="MCP tool")
    tools = [_tool(item, i, names, notes) for i, item in enumerate(data["tools"])]
    toolset_doc = {
        "kind": "toolset",
        "schema_version": 1,
        "name": toolset,
        "description": f"Imported from the MCP tools/list result in {path.name}.",
        "tools": tools,
    }
    return ImportResult(toolsets=[toolset_doc], notes=notes, source=title)


def _tool(item: Any, index: int, names: Namer, notes: list[str]) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise SourceError(f"tool {index}: expected an object with a string 'name'")
    where = item["name"]
    raw = item.get("annotations")
    annotations: dict[str, Any] = raw if isinstance(raw, dict) else {}
    dropped = sorted(set(item) - _FIELDS) + [
        f"annotations.{k}" for k in sorted(annotations) if k not in _HINTS
    ]
    if dropped:
        notes.append(f"{where}: {', '.join(dropped)} not carried over (no taskkit field)")
    if "inputSchema" not in item:
        notes.append(f"{where}: no inputSchema; taken as a tool without arguments")
    try:
        parameters = normalize_parameters(item.get("inputSchema"), where, notes)
    except ValueError as exc:
        raise SourceError(str(exc)) from None
    description = item.get("description")
    if not isinstance(description, str) or not description.strip():
        description = str(item.get("title") or annotations.get("title") or "")
        notes.append(f"{where}: no description; " + ("used its title" if description else "none"))
    write = annotations.get("readOnlyHint") is False or annotations.get("destructiveHint") is True
    return simulated_tool(
        names.claim(where),
        description,
        parameters,
        effect="write" if write else "read",
        returns=_returns(item.get("outputSchema"), where, notes),
    )


def _returns(schema: Any, where: str, notes: list[str]) -> dict[str, Any] | None:
    if schema is None:
        return None
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        notes.append(f"{where}: outputSchema dropped (invalid JSON Schema: {exc.message})")
        return None
    if not isinstance(schema, dict):
        notes.append(f"{where}: outputSchema dropped (not an object)")
        return None
    return schema
