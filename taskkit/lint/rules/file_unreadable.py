"""A path that does not exist, cannot be read, or is larger than the size limit.

Large content belongs in a JSONL file named by a content dataset's ``entries_file``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import FILE_UNREADABLE
from ..context import LintContext
from ..scope import Scope

ID = FILE_UNREADABLE
NAME = "file-unreadable"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
