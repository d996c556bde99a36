"""A Python handler whose function cannot be called as ``function(args=..., state=...)``:
it lacks one of the two parameters (and has no ``**kwargs``), needs another one without a
default, or is ``async``. Read from the source with :mod:`ast`, never imported.

Bad::

    def issue(order_id, state): ...
Good::

    def issue(args, state): ...
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import HANDLER_SIGNATURE
from ..context import LintContext
from ..handler_sources import handler_findings
from ..scope import Scope

ID = HANDLER_SIGNATURE
NAME = "handler-signature"
SEVERITY = Severity.ERROR
READS: Scope = "library"  # reads Python files, which the lint cache does not fingerprint


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, loc, _ref, source in handler_findings(ctx.lib):
        if source.problem is not None and not source.missing:
            yield ld.at(loc, ID, source.problem, hint="def NAME(args, state): ...")
