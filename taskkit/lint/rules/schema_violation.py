"""A document that does not match the schema of its kind: a missing key, an unknown key
(with the nearest known one), a value of the wrong type. Every violation is reported at its
own line.

Bad::

    kind: task
    user_comand: Find homes in {{ city }}
Good::

    kind: task
    user_command: Find homes in {{ city }}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import SCHEMA_VIOLATION
from ..context import LintContext
from ..scope import Scope

ID = SCHEMA_VIOLATION
NAME = "schema"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
