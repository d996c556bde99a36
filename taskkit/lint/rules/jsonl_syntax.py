"""A line of a JSONL entries file that is not a JSON object, or an ``entries_file`` that
does not exist.

Bad (``homes.jsonl``)::

    {"id": "a", "city": "Austin",}
Good::

    {"id": "a", "city": "Austin"}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import JSONL_SYNTAX
from ..context import LintContext
from ..scope import Scope

ID = JSONL_SYNTAX
NAME = "jsonl-syntax"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
