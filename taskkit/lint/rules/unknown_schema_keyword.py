"""A key in a tool's ``parameters`` (or a dataset's ``fields``) that is not a JSON Schema
keyword. JSON Schema ignores unknown keywords, so a typo (``requird``) or a YAML flow-mapping
slip (an unquoted comma in a description) silently loosens the schema.

Bad (the comma ends the description and starts a key ``e.g. Austin.``)::

    city: {type: string, description: City name, e.g. Austin.}
Good::

    city: {type: string, description: "City name, e.g. Austin."}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ...library import LoadedDoc
from ...models import Content, Toolset
from ...rule_ids import UNKNOWN_SCHEMA_KEYWORD
from ..context import LintContext
from ..scope import Scope

ID = UNKNOWN_SCHEMA_KEYWORD
NAME = "unknown-schema-keyword"
SEVERITY = Severity.WARNING
READS: Scope = "document"

KEYWORDS = frozenset({
    "$schema", "$id", "$ref", "$defs", "$anchor", "$dynamicRef", "$dynamicAnchor", "$comment",
    "$vocabulary", "definitions", "type", "enum", "const", "properties", "required",
    "additionalProperties", "patternProperties", "propertyNames", "unevaluatedProperties",
    "minProperties", "maxProperties", "dependentRequired", "dependentSchemas", "items",
    "prefixItems", "contains", "minContains", "maxContains", "unevaluatedItems", "minItems",
    "maxItems", "uniqueItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minLength", "maxLength", "pattern", "format", "allOf", "anyOf", "oneOf",
    "not", "if", "then", "else", "title", "description", "default", "examples", "deprecated",
    "readOnly", "writeOnly", "contentMediaType", "contentEncoding", "contentSchema", "nullable",
})  # fmt: skip
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains",
               "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema")  # fmt: skip


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if isinstance(ld.model, Toolset):
            for i, tool in enumerate(ld.model.tools):
                yield from _walk(ld, ("tools", i, "parameters"), tool.parameters)
                if tool.returns is not None:
                    yield from _walk(ld, ("tools", i, "returns"), tool.returns)
        elif isinstance(ld.model, Content):
            yield from _walk(ld, ("fields",), ld.model.fields)


def _walk(ld: LoadedDoc, loc: tuple[str | int, ...], schema: Any) -> Iterator[Diagnostic]:
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key not in KEYWORDS and not key.startswith("x-"):
            yield ld.at(
                (*loc, key),
                ID,
                f"{key!r} is not a JSON Schema keyword and is ignored",
                key=True,
                hint=did_you_mean(key, KEYWORDS) or "quote text that contains ', ' or ': '",
            )
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from _walk(ld, (*loc, key, name), sub)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            for j, sub in enumerate(value):
                yield from _walk(ld, (*loc, key, j), sub)
        elif key in _SCHEMA_ONE:
            yield from _walk(ld, (*loc, key), value)
