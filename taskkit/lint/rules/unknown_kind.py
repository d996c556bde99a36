"""A document without ``kind``, or with a kind taskkit does not know.

Bad::

    kind: tsak
Good::

    kind: task
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import UNKNOWN_KIND
from ..context import LintContext
from ..scope import Scope

ID = UNKNOWN_KIND
NAME = "unknown-kind"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
