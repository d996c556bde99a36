"""Aliases that expand to a huge document ("billion laughs"), an alias inside its own
anchor, or nesting too deep to read.

Bad::

    a: &a [x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    # ... nine levels: a billion strings
Good: write the data out, or move it to a JSONL content file.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import YAML_BOMB
from ..context import LintContext
from ..scope import Scope

ID = YAML_BOMB
NAME = "yaml-bomb"
SEVERITY = Severity.ERROR
READS: Scope = "loader"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Reported while reading files; see :mod:`taskkit.io.yamlio`."""
    return ctx.loader(ID)
