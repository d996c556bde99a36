"""A task names a reusable evaluator that does not exist.

Bad::

    evaluators: [no_writes]
Good (with an ``evaluator`` document named ``read_only_lookup``)::

    evaluators: [read_only_lookup]
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ..context import LintContext
from ..scope import Scope

ID = "TK204"
NAME = "unknown-evaluator"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        for i, ref in enumerate(task.evaluators):
            if ctx.lib.evaluators.get(ctx.lib.resolve(ld.pack, ref)) is None:
                names = [n for (p, n) in ctx.lib.evaluators if p == ld.pack]
                yield ld.at(
                    ("evaluators", i),
                    ID,
                    f"unknown evaluator {ref!r}",
                    hint=did_you_mean(ref, names),
                )
