"""A ``max_turns`` that leaves no turn for the answer after the gold actions. The replay
agent spends one turn per gold action and one on the answer, so with ``max_turns`` at or below the number of gold
actions the episode ends before the answer, and even the answer key scores 0.

Bad (three gold actions and the answer take four turns)::

    max_turns: 3
    final:
      gold_actions: [{tool: shop.find_item}, {tool: shop.buy_item}, {tool: shop.pay}]
Good::

    max_turns: 6
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Task
from ...rule_ids import MAX_TURNS
from ..context import LintContext
from ..scope import Scope

ID = MAX_TURNS
NAME = "max-turns"
SEVERITY = Severity.ERROR
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:  # not ctx.tasks(): shards run document rules before indexing
        task = ld.model
        if not isinstance(task, Task):
            continue
        actions = len(task.final.gold_actions)
        if task.max_turns > actions:
            continue
        given = isinstance(ld.doc.data, dict) and "max_turns" in ld.doc.data
        yield ld.at(
            ("max_turns",) if given else ("final", "gold_actions"),
            ID,
            f"max_turns {task.max_turns}{'' if given else ' (the default)'} is below the "
            f"{actions + 1} turns of the gold path ({actions} gold actions, then the answer)",
            hint=f"set max_turns to at least {actions + 1}",
        )
