"""The same key twice in one mapping; YAML loaders silently keep the last.

Bad::

    max_turns: 4
    max_turns: 6
Good::

    max_turns: 6
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import DUPLICATE_KEY
from ..context import LintContext
from ..scope import Scope

ID = DUPLICATE_KEY
NAME = "duplicate-key"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
