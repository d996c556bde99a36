"""A task names a reusable evaluator that does not exist.

Bad::

    evaluators: [no_writes]
Good (with an ``evaluator`` document named ``read_only_lookup``)::

    evaluators: [read_only_lookup]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ...rule_ids import UNKNOWN_EVALUATOR
from ..causes import missing
from ..context import LintContext
from ..scope import Scope

ID = UNKNOWN_EVALUATOR
NAME = "unknown-evaluator"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        for i, ref in enumerate(task.evaluators):
            if ctx.lib.evaluators.get(ctx.lib.resolve(ld.pack, ref)) is None:
                names = [n for (p, n) in ctx.lib.evaluators if p == ld.pack]
                d = ld.at(
                    ("evaluators", i),
                    ID,
                    f"unknown evaluator {ref!r}",
                    hint=did_you_mean(ref, names),
                )
                # an evaluator with a typo fails to load: its error is the cause (..causes)
                yield replace(d, cause=missing("evaluator", *ctx.lib.resolve(ld.pack, ref)))
