"""A YAML tag other than the JSON types: task files are data, never code.

Bad::

    initial_state: !!python/object/apply:os.system ["rm -rf /"]
Good::

    initial_state: {homes: []}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import UNSAFE_TAG
from ..context import LintContext
from ..scope import Scope

ID = UNSAFE_TAG
NAME = "unsafe-tag"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
