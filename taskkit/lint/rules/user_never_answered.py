"""A task with a ``user:`` block whose gold conversation never speaks to the user: no gold
action is a ``say`` message, so the gold agent works from the first command alone and the
scripted turns are never tried (only the final answer reaches the user). Either the task is
single-command (drop the block) or the gold conversation lacks the agent's questions.

Bad::

    user:
      goal: Cancel order {{ order }}.
      hidden: {order: "{{ order }}"}
      turns: [{id: give_order, when: {asks: [which order]}, say: "{{ hidden.order }}", reveals: [order]}]
    final:
      gold_actions:
        - {tool: shop.cancel_order, args: {order_id: "{{ order }}"}}
Good::

    final:
      gold_actions:
        - say: Which order would you like to cancel?
        - {tool: shop.cancel_order, args: {order_id: "{{ order }}"}}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import USER_NEVER_ANSWERED
from ..context import LintContext
from ..scope import Scope

ID = USER_NEVER_ANSWERED
NAME = "user-never-answered"
SEVERITY = Severity.WARNING
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task, _ in ctx.user_tasks():
        if not task.final.messages:
            yield ld.at(
                ("user",),
                ID,
                "the task has a simulated user, but no gold action is a message to it (`say`)",
                hint="add the questions the gold agent asks (- say: ...) to final.gold_actions, "
                "or drop the user block",
                key=True,
            )
