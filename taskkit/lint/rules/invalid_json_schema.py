"""A tool's ``parameters`` (or ``returns``), or a dataset's ``fields``, that is not a valid
JSON Schema, is not an object schema, or whose ``required`` names a property it does not
define.

Bad::

    parameters:
      type: object
      properties: {city: {type: text}}
      required: [city, bedrooms]
Good::

    parameters:
      type: object
      properties: {city: {type: string}, bedrooms: {type: integer}}
      required: [city, bedrooms]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ...library import LoadedDoc
from ...models import Content, Toolset
from ...rule_ids import INVALID_JSON_SCHEMA
from ...schema.check import schema_problems
from ...schema.validate import SchemaError
from ..context import LintContext
from ..scope import Scope

ID = INVALID_JSON_SCHEMA
NAME = "invalid-json-schema"
SEVERITY = Severity.ERROR
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if isinstance(ld.model, Toolset):
            for i, tool in enumerate(ld.model.tools):
                yield from _schema(
                    ctx, ld, ("tools", i, "parameters"), tool.parameters, params=True
                )
                if tool.returns is not None:
                    yield from _schema(ctx, ld, ("tools", i, "returns"), tool.returns, params=False)
        elif isinstance(ld.model, Content):
            yield from _schema(ctx, ld, ("fields",), ld.model.fields, params=True)


def _schema(
    ctx: LintContext,
    ld: LoadedDoc,
    loc: tuple[str | int, ...],
    schema: dict[str, Any],
    *,
    params: bool,
) -> Iterator[Diagnostic]:
    invalid = ctx.validator(schema)
    if isinstance(invalid, SchemaError):
        try:
            problems = list(schema_problems(schema))
        except RecursionError:
            yield ld.at(loc, ID, "schema nested too deeply to check", hint="flatten it with $defs")
            return
        for path, message in problems:
            yield ld.at((*loc, *path), ID, f"not a valid JSON Schema: {message}")
        if not problems:  # valid by the metaschema, but unusable (a $ref loop)
            yield ld.at(loc, ID, f"not a usable JSON Schema: {invalid}")
        return
    if params and schema.get("type") != "object":
        yield ld.at(loc, ID, "must be an object schema", hint="add type: object")
    yield from _required(ld, loc, schema)


def _required(
    ld: LoadedDoc, loc: tuple[str | int, ...], schema: dict[str, Any]
) -> Iterator[Diagnostic]:
    """``required`` names that ``properties`` does not define, at every nesting level."""
    props = schema.get("properties")
    if isinstance(props, dict):
        for j, name in enumerate(schema.get("required", [])):
            if name not in props:
                yield ld.at(
                    (*loc, "required", j),
                    ID,
                    f"required names {name!r}, which is not in properties",
                    hint=did_you_mean(name, props),
                )
        for name, sub in props.items():
            if isinstance(sub, dict):
                yield from _required(ld, (*loc, "properties", name), sub)
    items = schema.get("items")
    if isinstance(items, dict):
        yield from _required(ld, (*loc, "items"), items)
