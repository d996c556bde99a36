"""A Python handler in a pack the user has not trusted: packs are data, and their code runs
only with ``--trust PACK``.

Bad: ``taskkit compile lib`` on a pack whose tool has ``behavior: {handler: "pkg.mod:fn"}``.
Good: ``taskkit compile lib --trust PACK`` after reading the handler.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import UNTRUSTED_HANDLER
from ..context import LintContext
from ..scope import Scope

ID = UNTRUSTED_HANDLER
NAME = "untrusted-handler"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Found while compiling; ``taskkit lint --deep`` compiles to find them too."""
    return ctx.compile_diagnostics(ID)
