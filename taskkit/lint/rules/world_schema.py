"""A record of a pack's world file breaks the JSON Schema that ``world_schema`` declares for
its collection. Reported at the record's line in the world file.

Bad (``world/users.json``, with ``world_schema: {users: {required: [name]}}``)::

    {"u1": {"email": "a@example.com"}}
Good::

    {"u1": {"name": "Ada", "email": "a@example.com"}}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import WORLD_SCHEMA
from ..context import LintContext
from ..scope import Scope
from .world_file import world_findings

ID = WORLD_SCHEMA
NAME = "world-schema"
SEVERITY = Severity.ERROR
READS: Scope = "library"  # reads files other than documents: never cached


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    return world_findings(ctx, ID)
