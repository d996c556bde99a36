"""A tool in ``tools`` that no gold action uses. Offer it as a ``distractor`` if the task
means the agent to ignore it, or drop it.

Bad::

    tools: [listings.search_homes, listings.schedule_viewing, listings.delete_listing]
Good::

    tools: [listings.search_homes, listings.schedule_viewing]
    distractors: [listings.delete_listing]
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import UNUSED_TOOL
from ..context import LintContext
from ..scope import Scope

ID = UNUSED_TOOL
NAME = "unused-tool"
SEVERITY = Severity.WARNING
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        used = {a.tool for a in task.final.calls}
        for i, ref in enumerate(task.tools):
            if ref not in used:
                yield ld.at(
                    ("tools", i),
                    ID,
                    f"tool {ref!r} is offered but no gold action uses it",
                    hint="list it under 'distractors' if that is the intent",
                )
