"""An expectation (``final.expect``) that the gold run itself does not meet: a diff count,
an answer check against the gold answer, or an ``expect.answer`` with no ``final.answer``.

Bad (the gold run adds one viewing)::

    diff: [{collection: viewings, added: 2}]
Good::

    diff: [{collection: viewings, added: 1}]
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import GOLD_EXPECTATION
from ..context import LintContext
from ..scope import Scope

ID = GOLD_EXPECTATION
NAME = "gold-expectation"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Found while compiling; ``taskkit lint --deep`` compiles to find them too."""
    return ctx.compile_diagnostics(ID)
