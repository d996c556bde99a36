"""A world file that ``pack.yaml`` declares is missing, outside the pack folder, unreadable,
not JSON, or not a collection (an object keyed by id, or a list of records); or a
``world_schema`` that names no world collection or is not a valid JSON Schema.

Bad::

    world: {flights: world/flight.json}   # the file is world/flights.json
Good::

    world: {flights: world/flights.json}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import WORLD_FILE
from ..context import LintContext
from ..scope import Scope

ID = WORLD_FILE
NAME = "world-file"
SEVERITY = Severity.ERROR
READS: Scope = "library"  # reads files other than documents: never cached


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    return world_findings(ctx, ID)


def world_findings(ctx: LintContext, rule: str) -> Iterator[Diagnostic]:
    """What reading each pack's world files found (:meth:`Library.world_diagnostics`)."""
    for pack in sorted(ctx.lib.packs):
        yield from (d for d in ctx.lib.world_diagnostics(pack) if d.rule == rule)
