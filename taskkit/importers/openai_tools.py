"""OpenAI function tools -> one toolset named after the file.

Accepts a JSON list of tools, or an object with a ``tools`` list (a request body). Each item
is ``{"type": "function", "function": {name, description, parameters}}`` (Chat Completions),
the flat ``{"type": "function", name, ...}`` of the Responses API, or a bare function object
(the legacy ``functions`` list). ``parameters`` is already JSON Schema and is kept as it is,
so :func:`taskkit.importers.export_openai_tools` gives back the same list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import ImportResult, SourceError, read_json
from ._names import Namer
from ._schema import normalize_parameters, simulated_tool

__all__ = ["load", "name", "title"]

name = "openai"
title = "OpenAI tools"

_FIELDS = ("name", "description", "parameters")


def load(path: Path) -> ImportResult:
    """Read an OpenAI tools file; raises :class:`SourceError` when it is not one."""
    data = read_json(path)
    items = data.get("tools") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise SourceError("expected a JSON list of tools, or an object with a 'tools' list")
    notes: list[str] = []
    toolset = Namer("toolset", notes, what="file stem").claim(path.stem)
    names = Namer("tool", notes, what="function")
    tools: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        function = _function(item, i, notes)
        if function is None:
            continue
        where = function["name"]
        extra = sorted(set(function) - set(_FIELDS))
        if extra:
            notes.append(f"{where}: {', '.join(map(repr, extra))} dropped (no taskkit field)")
        try:
            parameters = normalize_parameters(function.get("parameters"), where, notes)
        except ValueError as exc:
            raise SourceError(str(exc)) from None
        description = function.get("description")
        if not isinstance(description, str):
            notes.append(f"{where}: no description; the agent sees none")
            description = ""
        tools.append(simulated_tool(names.claim(function["name"]), description, parameters))
    if tools:
        notes.append(
            "OpenAI tool docs do not say which tools change state: all were imported as read "
            "tools that echo their call; set 'effect: write' (and a behavior) where one writes"
        )
    toolset_doc = {
        "kind": "toolset",
        "schema_version": 1,
        "name": toolset,
        "description": f"Imported from the OpenAI tools in {path.name}.",
        "tools": tools,
    }
    return ImportResult(toolsets=[toolset_doc], notes=notes, source=title)


def _function(item: Any, index: int, notes: list[str]) -> dict[str, Any] | None:
    """The function object of one tools-list item; None (with a note) for other tool types."""
    if not isinstance(item, dict):
        raise SourceError(f"tool {index}: expected an object, got {type(item).__name__}")
    kind = item.get("type", "function")
    if kind != "function":
        notes.append(f"tool {index}: type {kind!r} is not a function tool; skipped")
        return None
    function = item.get("function", item if "name" in item else None)
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise SourceError(f"tool {index}: expected a function with a string 'name'")
    if function is item:
        function = {k: v for k, v in item.items() if k != "type"}
    return function
