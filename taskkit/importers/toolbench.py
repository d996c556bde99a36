"""ToolBench query files (``G1_query.json`` ...): RapidAPI tool docs -> one toolset per tool.

A file is a JSON list of queries, each with an ``api_list`` of RapidAPI endpoint docs. Every
distinct ``(tool_name, api_name)`` becomes one taskkit tool in the toolset of its
``tool_name``, named the way ToolBench names its functions (``{api}_for_{tool}``) so that
agents trained on ToolBench trajectories see familiar names. The queries carry no gold calls
(only the ``relevant APIs``), so no tasks come out of a ToolBench file.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from . import ImportResult, SourceError, read_json
from ._names import Namer
from ._schema import MISSING, TOOLBENCH_TYPES, checked_default, is_missing, simulated_tool

__all__ = ["load", "name", "title"]

name = "toolbench"
title = "ToolBench"

# HTTP methods that conventionally change the server's state; the rest only read.
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# ToolBench renames these API names so they are not Python keywords or literals.
_RESERVED = frozenset({"from", "class", "return", "false", "true", "id", "and"})


def load(path: Path) -> ImportResult:
    """Read a ToolBench query file; raises :class:`SourceError` when it is not one."""
    data = read_json(path)
    if not isinstance(data, list):
        raise SourceError("expected a JSON list of ToolBench queries")
    notes: list[str] = []
    apis = _distinct_apis(data, notes)
    toolsets: dict[str, dict[str, Any]] = {}
    toolset_names = Namer("toolset", notes, what="ToolBench tool")
    tool_names: dict[str, Namer] = {}
    for (tool, api_name), api in apis.items():
        if tool not in toolsets:
            category = str(api.get("category_name") or "unknown")
            toolsets[tool] = {
                "kind": "toolset",
                "schema_version": 1,
                "name": toolset_names.claim(tool),
                "description": f"ToolBench (RapidAPI) tool {tool!r}, category {category}.",
                "tools": [],
            }
            tool_names[tool] = Namer("tool", notes, what=f"ToolBench API of {tool!r}")
        function = tool_names[tool].claim(
            api_name,
            base=_function_name(api_name, tool),
            why="ToolBench's own function name, '{api}_for_{tool}' standardised",
        )
        toolsets[tool]["tools"].append(_tool(function, api, notes))
    if data:
        notes.append(
            f"{len(data)} queries not made into tasks: ToolBench queries have no gold calls "
            "(only 'relevant APIs'), so only the tool docs are imported"
        )
    return ImportResult(toolsets=list(toolsets.values()), notes=notes, source=title)


def _distinct_apis(data: list[Any], notes: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every ``(tool_name, api_name)`` once, in order of first appearance."""
    apis: dict[tuple[str, str], dict[str, Any]] = {}
    for i, query in enumerate(data):
        api_list = query.get("api_list") if isinstance(query, dict) else None
        if not isinstance(api_list, list):
            raise SourceError(f"query {i}: expected an object with an 'api_list' list")
        for j, api in enumerate(api_list):
            if not (
                isinstance(api, dict)
                and isinstance(api.get("tool_name"), str)
                and isinstance(api.get("api_name"), str)
            ):
                raise SourceError(f"query {i}, api {j}: needs string 'tool_name' and 'api_name'")
            key = (api["tool_name"], api["api_name"])
            if key not in apis:
                apis[key] = api
            elif apis[key] != api:
                notes.append(
                    f"API {key[1]!r} of {key[0]!r} is documented differently in query {i}; "
                    "the first documentation is kept"
                )
    return apis


def _standardize(text: str) -> str:
    """ToolBench's ``standardize``: runs of other characters -> ``_``, lower-case."""
    text = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", text)).lower().strip("_")
    if text[:1].isdigit():
        text = "get_" + text
    return text


def _function_name(api_name: str, tool: str) -> str:
    api = _standardize(api_name) or "api"
    if api in _RESERVED:
        api = "is_" + api
    # ToolBench keeps the end of over-long names: the "_for_{tool}" part identifies them.
    return f"{api}_for_{_standardize(tool)}"[-64:]


def _tool(function: str, api: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    where = function
    description = str(api.get("api_description") or "").strip()
    if not description:
        description = f"{api['api_name']} endpoint of the {api['tool_name']} API."
        notes.append(f"{where}: empty description; wrote one from the API and tool names")
    method = str(api.get("method") or "GET").upper()
    effect = "write" if method in _WRITE_METHODS else "read"
    return simulated_tool(function, description, _parameters(api, where, notes), effect=effect)


def _parameters(api: dict[str, Any], where: str, notes: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for key, optional in (("required_parameters", False), ("optional_parameters", True)):
        params = api.get(key) or []
        if not isinstance(params, list):
            raise SourceError(f"{api['api_name']!r}: {key!r} must be a list")
        for param in params:
            if not isinstance(param, dict) or not isinstance(param.get("name"), str):
                notes.append(f"{where}: parameter {param!r} without a name skipped")
                continue
            pname = param["name"]
            if pname in properties:
                notes.append(f"{where}: parameter {pname!r} listed twice; the first is kept")
                continue
            properties[pname] = _parameter(param, f"{where}.{pname}", notes, optional=optional)
            if not optional:
                required.append(pname)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def _parameter(
    param: dict[str, Any], where: str, notes: list[str], *, optional: bool
) -> dict[str, Any]:
    raw_type = param.get("type")
    json_type = TOOLBENCH_TYPES.get(str(raw_type).upper())
    schema: dict[str, Any] = {}
    if json_type is None:
        notes.append(f"{where}: type {raw_type!r} has no JSON Schema equivalent; left untyped")
    else:
        schema["type"] = json_type
    description = str(param.get("description") or "").strip()
    if description:
        schema["description"] = description
    value = _default(param.get("default"), schema, where, notes)
    if not is_missing(value):
        # RapidAPI's "default" of a required parameter is the example filled into its
        # console, not a value used when the argument is left out.
        schema["default" if optional else "examples"] = value if optional else [value]
    return schema


def _default(raw: Any, schema: dict[str, Any], where: str, notes: list[str]) -> Any:
    """The default as a value of the parameter's type, or the missing sentinel."""
    if raw is None or raw == "":
        return MISSING  # ToolBench's way of saying "no default"
    if isinstance(raw, str) and raw.strip().lower() in ("null", "none"):
        notes.append(f"{where}: default {raw!r} dropped (reads as 'no default')")
        return MISSING
    value = _coerce(raw, schema.get("type"))
    checked = checked_default(schema, value)
    if is_missing(checked):
        notes.append(f"{where}: default {raw!r} dropped (not a valid {schema.get('type')})")
    return checked


def _coerce(raw: Any, json_type: Any) -> Any:
    """RapidAPI stores every default as text: read ``"10"`` as 10, ``"true"`` as true."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if json_type == "number":
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return raw
        return number if math.isfinite(number) else raw
    if json_type == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if json_type in ("array", "object"):
        try:
            return json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return raw
    return raw
