"""Is this a valid JSON Schema? A structural check of every draft 2020-12 keyword.

jsonschema's ``check_schema`` validates against the metaschema with the general validator,
too slow for the thousands of tool and field schemas of a library (the figure is in
``benchmarks/README.md``, "Figures the code points to"). This walks
the schema once, checking each keyword's value, and reports every problem with its path.
Unknown keywords are allowed here, as JSON Schema allows them (lint's TK404 warns).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["schema_problems"]

Path = tuple[str | int, ...]

TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_ONE = ("additionalProperties", "items", "not", "if", "then", "else", "contains",
               "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema")  # fmt: skip
_SCHEMA_LISTS = ("prefixItems", "allOf", "anyOf", "oneOf")
_COUNTS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties",
           "minContains", "maxContains")  # fmt: skip
_NUMBERS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_STRINGS = ("format", "title", "description", "$comment", "$ref", "$schema", "$id", "$anchor",
            "$dynamicRef", "$dynamicAnchor", "contentMediaType", "contentEncoding")  # fmt: skip
_BOOLS = ("uniqueItems", "deprecated", "readOnly", "writeOnly")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def schema_problems(schema: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every structural problem of ``schema``: (path inside the schema, message)."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        yield path, f"a schema must be an object or a boolean, not {type(schema).__name__}"
        return
    for key, value in schema.items():
        at = (*path, key)
        if key in _SCHEMA_MAPS or key in _SCHEMA_ONE or key in _SCHEMA_LISTS:
            yield from _subschema_problems(key, value, at)
        else:
            yield from _keyword_problems(key, value, at)


def _subschema_problems(key: str, value: Any, at: Path) -> Iterator[tuple[Path, str]]:
    """A keyword whose value holds schemas: its shape, then each schema in it."""
    if key in _SCHEMA_MAPS:
        if not isinstance(value, dict):
            yield at, f"{key} must be an object of schemas"
            return
        for name, sub in value.items():
            if key == "patternProperties":
                yield from _pattern(name, (*at, name))
            yield from schema_problems(sub, (*at, name))
    elif key in _SCHEMA_ONE:
        yield from schema_problems(value, at)
    else:
        if not isinstance(value, list) or not value:
            yield at, f"{key} must be a non-empty array of schemas"
            return
        for i, sub in enumerate(value):
            yield from schema_problems(sub, (*at, i))


def _keyword_problems(key: str, value: Any, at: Path) -> Iterator[tuple[Path, str]]:
    """A keyword whose value is data (a type, names, a count, a pattern...)."""
    if key == "type":
        names = value if isinstance(value, list) else [value]
        if not names or not all(isinstance(n, str) and n in TYPES for n in names):
            yield at, f"{value!r} is not a valid type (one of {', '.join(sorted(TYPES))})"
        elif len(set(names)) != len(names):
            yield at, "type names must be unique"
    elif key == "required":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            yield at, "required must be an array of property names"
        elif len(set(value)) != len(value):
            yield at, "required names must be unique"
    elif key == "enum":
        if not isinstance(value, list):
            yield at, "enum must be an array"
    elif key in _COUNTS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            yield at, f"{key} must be a non-negative integer"
    elif key in _NUMBERS:
        if not _is_number(value):
            yield at, f"{key} must be a number"
    elif key == "multipleOf":
        if not _is_number(value) or value <= 0:
            yield at, "multipleOf must be a number greater than 0"
    elif key == "pattern":
        if not isinstance(value, str):
            yield at, "pattern must be a string"
        else:
            yield from _pattern(value, at)
    elif key in _STRINGS:
        if not isinstance(value, str):
            yield at, f"{key} must be a string"
    elif key in _BOOLS:
        if not isinstance(value, bool):
            yield at, f"{key} must be true or false"
    elif key == "examples":
        if not isinstance(value, list):
            yield at, "examples must be an array"
    elif key == "dependentRequired" and not (
        isinstance(value, dict)
        and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values())
    ):
        yield at, "dependentRequired must map names to arrays of names"


def _pattern(pattern: str, at: Path) -> Iterator[tuple[Path, str]]:
    try:
        re.compile(pattern)
    except re.error as exc:
        yield at, f"{pattern!r} is not a valid regular expression: {exc}"
