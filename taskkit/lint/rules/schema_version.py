"""A missing or unsupported ``schema_version``.

Bad::

    schema_version: 7
Good::

    schema_version: 1
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import BAD_SCHEMA_VERSION
from ..context import LintContext
from ..scope import Scope

ID = BAD_SCHEMA_VERSION
NAME = "schema-version"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
