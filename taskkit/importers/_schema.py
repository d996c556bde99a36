"""Type dialects of the source corpora -> JSON Schema draft 2020-12, and imported tool docs.

Each corpus spells parameter types its own way (ToolBench ``STRING``/``NUMBER``, BFCL
``dict``/``float``/``tuple``/``any``). The functions here translate one schema node at a
time, keep only keywords JSON Schema knows (a keyword a validator would ignore is a doc the
agent never sees checked, so it is dropped with a note rather than kept half-working), and
drop a ``default`` that does not satisfy its own schema.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema

__all__ = [
    "BFCL_TYPES",
    "MISSING",
    "TOOLBENCH_TYPES",
    "bfcl_schema",
    "checked_default",
    "is_missing",
    "normalize_parameters",
    "simulated_tool",
]

BFCL_TYPES: dict[str, str | None] = {
    "dict": "object",
    "float": "number",
    "tuple": "array",
    "any": None,
    "integer": "integer",
    "string": "string",
    "boolean": "boolean",
    "array": "array",
    # Not in BFCL's documented dialect, but standard and harmless.
    "object": "object",
    "number": "number",
    "null": "null",
}
"""BFCL type -> JSON Schema type (``None``: no type constraint)."""

TOOLBENCH_TYPES: dict[str, str] = {
    "STRING": "string",
    "NUMBER": "number",
    "BOOLEAN": "boolean",
    "ARRAY": "array",
    "OBJECT": "object",
    "ENUM": "string",
}
"""ToolBench (RapidAPI) type, upper-cased -> JSON Schema type."""

# Keywords of JSON Schema 2020-12 that BFCL-style docs use or might; anything else is a
# source-specific extension (BFCL's per-property ``optional: true``) and is dropped.
_KEEP = frozenset(
    {
        "description", "title", "enum", "const", "format", "pattern", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
        "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties", "examples",
    }
)  # fmt: skip

_VALIDATOR = jsonschema.Draft202012Validator


def bfcl_schema(node: Any, where: str, notes: list[str]) -> dict[str, Any]:
    """One BFCL schema node (and everything below it) as JSON Schema."""
    if not isinstance(node, dict):
        notes.append(f"{where}: schema {node!r} is not an object; left unconstrained")
        return {}
    out: dict[str, Any] = {}
    raw_type = node.get("type")
    if raw_type is not None:
        if isinstance(raw_type, str) and raw_type in BFCL_TYPES:
            mapped = BFCL_TYPES[raw_type]
            if mapped is not None:
                out["type"] = mapped
        else:
            notes.append(f"{where}: unknown type {raw_type!r} dropped (no type constraint)")
    for key, value in node.items():
        if key in _KEEP:
            out[key] = copy.deepcopy(value)
        elif key == "properties" and isinstance(value, dict):
            out["properties"] = {
                name: bfcl_schema(sub, f"{where}.{name}", notes) for name, sub in value.items()
            }
        elif key == "items":
            out["items"] = bfcl_schema(value, f"{where}[]", notes)
        elif key == "additionalProperties":
            out[key] = value if isinstance(value, bool) else bfcl_schema(value, where, notes)
        elif key == "required" and isinstance(value, list):
            out["required"] = [str(name) for name in value]
        elif key in ("properties", "required"):
            notes.append(f"{where}: {key!r} dropped ({value!r} is not a valid value for it)")
        elif key not in ("type", "default"):
            notes.append(f"{where}: keyword {key!r} dropped (not JSON Schema)")
    if "default" in node:
        default = checked_default(out, node["default"])
        if default is MISSING:
            notes.append(f"{where}: default {node['default']!r} dropped (not a valid value)")
        else:
            out["default"] = default
    _require_declared(out, where, notes)
    return out


class _Missing:
    """No value (``None`` is a value: JSON null)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def checked_default(schema: dict[str, Any], value: Any) -> Any:
    """``value`` if it satisfies ``schema``, else a sentinel (tested with ``is``)."""
    try:
        ok = _VALIDATOR(schema).is_valid(value)
    except jsonschema.exceptions.SchemaError:
        ok = False
    return value if ok else MISSING


def is_missing(value: Any) -> bool:
    return value is MISSING


def _require_declared(schema: dict[str, Any], where: str, notes: list[str]) -> None:
    """Give every ``required`` name a property: with ``additionalProperties: false`` an
    undeclared required name could never be supplied, and verifiers key on ``properties``."""
    required = schema.get("required")
    if not isinstance(required, list):
        return
    props = schema.setdefault("properties", {})
    for name in required:
        if name not in props:
            props[name] = {}
            notes.append(f"{where}: required {name!r} had no property; declared it untyped")


def normalize_parameters(schema: Any, where: str, notes: list[str]) -> dict[str, Any]:
    """A standard (OpenAI / MCP) parameters schema, checked against draft 2020-12.

    Raises ``ValueError`` with a readable message when the schema is not valid JSON Schema
    or does not describe an object: such a tool could never be called correctly.
    """
    if schema is None:
        return {"type": "object", "properties": {}}
    if not isinstance(schema, dict):
        raise ValueError(f"{where}: parameters must be a JSON object, got {_kind(schema)}")
    out = copy.deepcopy(schema)
    if "$schema" in out:
        # The dialect is fixed (draft 2020-12) for every taskkit tool; a draft-07 marker
        # would make editors check the document against the wrong meta-schema.
        notes.append(f"{where}: '$schema' {out.pop('$schema')!r} dropped (taskkit uses 2020-12)")
    if out.get("type", "object") != "object":
        raise ValueError(f"{where}: parameters must describe an object, not {out['type']!r}")
    try:
        _VALIDATOR.check_schema(out)
    except jsonschema.exceptions.SchemaError as exc:
        path = "/".join(str(p) for p in exc.path)
        raise ValueError(f"{where}: invalid JSON Schema at '/{path}': {exc.message}") from None
    _walk_objects(out, where, notes)
    return out


def _walk_objects(schema: Any, where: str, notes: list[str]) -> None:
    if not isinstance(schema, dict):
        return
    _require_declared(schema, where, notes)
    for name, sub in (schema.get("properties") or {}).items():
        _walk_objects(sub, f"{where}.{name}", notes)
    if isinstance(schema.get("items"), dict):
        _walk_objects(schema["items"], f"{where}[]", notes)


def _kind(value: Any) -> str:
    return type(value).__name__ if value is not None else "null"


def simulated_tool(
    name: str,
    description: str,
    parameters: dict[str, Any],
    *,
    effect: str = "read",
    returns: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A tool document with the behaviour every imported tool gets.

    Imported corpora document tools but carry no data to simulate them on, and inventing a
    fixed fake result would teach agents to trust made-up data. So a read tool answers with
    an echo of the call (``status``, ``tool``, ``arguments``), and a write tool also logs the
    call in the ``calls`` collection, so that a task's final state records exactly which
    calls were made and ``state: matches_gold`` compares the agent's calls with the gold ones.
    """
    echo = {"status": "ok", "tool": name, "arguments": "{{ args }}"}
    behavior: dict[str, Any] = {"respond": echo}
    if effect == "write":
        behavior = {
            "insert": "calls",
            "record": {"tool": name, "args": "{{ args }}"},
            "id_prefix": "call-",
            "respond": echo,
        }
    tool: dict[str, Any] = {
        "name": name,
        "description": description,
        "effect": effect,
        "parameters": parameters,
    }
    if returns is not None:
        tool["returns"] = returns
    tool["behavior"] = behavior
    return tool
