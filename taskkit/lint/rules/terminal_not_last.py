"""A gold action calls a ``terminal`` tool while writes follow it: the episode ends with
the terminal call, so the writes after it can never run and no agent can reach the gold
state.

Bad::

    gold_actions:
      - {tool: desk.transfer_to_human, args: {summary: refund}}
      - {tool: desk.refund, args: {account_id: a-1}}
Good: the writes first, the terminal tool last::

    gold_actions:
      - {tool: desk.refund, args: {account_id: a-1}}
      - {tool: desk.transfer_to_human, args: {summary: refund}}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Tool
from ...rule_ids import TERMINAL_NOT_LAST
from ..context import LintContext
from ..scope import Scope

ID = TERMINAL_NOT_LAST
NAME = "terminal-not-last"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        calls = task.final.indexed_calls()  # locations index gold_actions, messages too
        tools = [ctx.lib.tool(ld.pack, a.tool) for _, a in calls]
        for i, info in enumerate(tools):
            if info is None or not info.tool.terminal:
                continue
            later = [
                (j, later.tool.name)
                for j, later in enumerate(tools[i + 1 :], start=i + 1)
                if later is not None and _writes(later.tool)
            ]
            if later:
                j, name = later[0]
                yield ld.at(
                    ("final", "gold_actions", calls[i][0], "tool"),
                    ID,
                    f"gold action {calls[i][0] + 1} calls the terminal tool {info.tool.name!r}, "
                    f"which ends the episode, but gold action {calls[j][0] + 1} ({name}) "
                    "writes after it",
                    hint="call the terminal tool last",
                )
                break


def _writes(tool: Tool) -> bool:
    """By its declared effect or by what its behaviour's operation may change."""
    return tool.effect == "write" or (
        tool.behavior is not None and tool.behavior.touched is not None
    )
