"""A final evaluator that an agent doing nothing could pass: no state or answer check, or
a state check whose gold state is the initial state (no gold action writes) and no answer
check. A task that declares ``testing: {allow: [noop_passes], reason: ...}`` has said why
the second may be right, and is not reported for it.

Bad::

    final:
      gold_actions: [{tool: listings.search_homes, args: {city: Austin}}]
      expect: {state: ignore}
Good::

    final:
      gold_actions: [{tool: listings.search_homes, args: {city: Austin}}]
      expect: {state: ignore, answer: {contains: ["{{ cheapest_id }}"]}}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Evaluator, Task, Tool
from ...rule_ids import VACUOUS_FINAL
from ..context import LintContext
from ..scope import Scope

ID = VACUOUS_FINAL
NAME = "vacuous-final"
SEVERITY = Severity.WARNING
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        if any(ctx.lib.tool(ld.pack, a.tool) is None for a in task.final.calls):
            continue  # TK202 reports the tool; its effect is unknown
        expect = task.final.expect
        shared = [
            ev.model.expect
            for ref in task.evaluators
            if (ev := ctx.lib.evaluators.get(ctx.lib.resolve(ld.pack, ref))) is not None
            and isinstance(ev.model, Evaluator)
            and ev.model.expect is not None
        ]
        if any(e.answer is not None or e.diff for e in [expect, *shared]):
            continue
        if expect.state == "ignore":
            yield ld.at(
                ("final",),
                ID,
                "the final evaluator checks neither state nor answer",
                hint="add expect.answer, expect.diff, or state: matches_gold",
            )
            continue
        gold_writes = any(
            (info := ctx.lib.tool(ld.pack, a.tool)) is not None
            and (info.tool.effect == "write" or _behaviour_writes(info.tool))
            and not a.expect_error
            for a in task.final.calls
        )
        if not gold_writes and not _declared(task):
            yield ld.at(
                ("final",),
                ID,
                "no gold action writes, so the gold state is the initial state: doing nothing passes",
                hint="check the answer too (expect.answer)",
            )


def _declared(task: Task) -> bool:
    """The task says why doing nothing may pass (``testing: {allow: [noop_passes], reason}``,
    e.g. a ported benchmark task whose right outcome is no change)."""
    return task.testing is not None and "noop_passes" in task.testing.allow


def _behaviour_writes(tool: Tool) -> bool:
    return tool.behavior is not None and bool(tool.behavior.touched)
