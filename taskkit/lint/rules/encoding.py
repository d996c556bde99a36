"""The file is not valid UTF-8.

Bad: a file saved as Latin-1 with ``café`` in it. Good: the same file saved as UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import ENCODING
from ..context import LintContext
from ..scope import Scope

ID = ENCODING
NAME = "encoding"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
