"""A content entry that violates its dataset's ``fields`` schema, or has no string ``id``;
reported at the entry's line (JSONL entries: at their line of the JSONL file).

Bad (``bedrooms`` is ``{type: integer}``)::

    entries:
      - {id: austin, city: Austin, bedrooms: three}
Good::

    entries:
      - {id: austin, city: Austin, bedrooms: 3}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ...library import Entry, LoadedDoc
from ...models import Content
from ...rule_ids import ENTRY_SCHEMA
from ...schema.validate import SchemaError
from ..context import LintContext
from ..scope import Scope

ID = ENTRY_SCHEMA
NAME = "entry-schema"
SEVERITY = Severity.ERROR
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if not isinstance(ld.model, Content):
            continue
        validator = ctx.validator(ld.model.fields)
        if isinstance(validator, SchemaError):
            continue  # TK402 reports the schema
        full = None
        for entry in ctx.lib.entries(ld):
            if not isinstance(entry.data.get("id"), str) or not entry.data["id"]:
                yield _at(ld, entry, ("id",), "entry needs a non-empty string 'id'")
            data = {k: v for k, v in entry.data.items() if k != "id"}
            if validator.is_valid(data):
                continue
            full = full or _explaining_validator(ld.model.fields)
            for err in sorted(
                full.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
            ):
                where = ".".join(map(str, err.absolute_path))
                yield _at(
                    ld,
                    entry,
                    tuple(err.absolute_path),
                    f"entry {entry.id!r}: {where + ': ' if where else ''}{err.message}",
                )


def _explaining_validator(schema: dict[str, Any]) -> Any:
    """jsonschema's validator, which lists every violation (ours stops at the first).
    Imported on the first invalid entry: most lint runs have none."""
    import jsonschema  # noqa: PLC0415

    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _at(ld: LoadedDoc, entry: Entry, sub: tuple[str | int, ...], message: str) -> Diagnostic:
    if entry.loc:
        line, col = ld.doc.locate((*entry.loc, *sub))
    else:
        line, col = entry.line, entry.col
    return Diagnostic(entry.path, line, col, ID, message)
