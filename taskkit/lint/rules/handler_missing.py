"""A Python handler whose module or function does not exist. The module is looked for in
the ``handlers/`` folder of the pack that declares the tool, then on the Python path; lint
reads the files and never imports them.

Bad: ``behavior: {handler: "refunds:issue"}`` with no ``handlers/refunds.py`` in the pack,
or one without a function ``issue``.
Good: ``handlers/refunds.py`` in the pack, defining ``def issue(args, state): ...``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import HANDLER_MISSING
from ..context import LintContext
from ..handler_sources import handler_findings
from ..scope import Scope

ID = HANDLER_MISSING
NAME = "handler-missing"
SEVERITY = Severity.ERROR
READS: Scope = "library"  # reads Python files, which the lint cache does not fingerprint


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, loc, _ref, source in handler_findings(ctx.lib):
        if source.problem is not None and source.missing:
            hint = (
                "define it there: def NAME(args, state): ..."
                if source.path is not None
                else "put the module in the pack's handlers/ folder (handlers/MODULE.py)"
            )
            yield ld.at(loc, ID, source.problem, hint=hint)
