"""A task names a tool that no toolset defines, or a gold action or check uses a tool the
task does not offer. When the tool's whole toolset failed to load, the toolset's error is
the cause: output folds these findings under it (``--verbose`` lists them).

Bad::

    tools: [listings.search_home]
Good::

    tools: [listings.search_homes]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ...library import Library, LoadedDoc
from ...models import Task
from ...models.checks import ArgValues, ForbiddenTools, Order
from ...rule_ids import UNKNOWN_TOOL
from ..causes import missing
from ..context import LintContext
from ..scope import Scope

ID = UNKNOWN_TOOL
NAME = "unknown-tool"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        offered: set[str] = set()
        for field in ("tools", "distractors"):
            for i, ref in enumerate(getattr(task, field)):
                if ctx.lib.tool(ld.pack, ref) is None:
                    d = ld.at(
                        (field, i),
                        ID,
                        f"unknown tool {ref!r}",
                        hint=did_you_mean(ref, ctx.lib.tool_refs(ld.pack)),
                    )
                    yield replace(d, cause=_toolset_missing(ctx, ld.pack, ref))
                offered.add(ref)
        bare = {ref.rsplit(".", 1)[-1] for ref in offered}
        for i, action in task.final.indexed_calls():
            if action.tool not in offered and ctx.lib.tool(ld.pack, action.tool) is not None:
                yield ld.at(
                    ("final", "gold_actions", i, "tool"),
                    ID,
                    f"gold action calls {action.tool!r}, which the task does not offer",
                    hint="add it to 'tools'",
                )
            elif action.tool not in offered:
                yield ld.at(
                    ("final", "gold_actions", i, "tool"),
                    ID,
                    f"unknown tool {action.tool!r}",
                    hint=did_you_mean(action.tool, sorted(offered)),
                )
        yield from _check_refs(ld, task, offered, bare)


def _toolset_missing(ctx: LintContext, pack: str, ref: str) -> str | None:
    """When no toolset of the ref's name loaded at all: what the finding follows from (a
    toolset file with a typo makes every tool of it unknown, see :mod:`..causes`)."""
    p, rest = Library.resolve(pack, ref)
    toolset = rest.partition(".")[0]
    return missing("toolset", p, toolset) if (p, toolset) not in ctx.lib.toolsets else None


def _check_refs(
    ld: LoadedDoc, task: Task, offered: set[str], bare: set[str]
) -> Iterator[Diagnostic]:
    names = sorted(offered | bare)
    for i, c in enumerate(task.action_checks):
        refs: list[tuple[tuple[str | int, ...], str]] = []
        if isinstance(c, ForbiddenTools):
            refs = [(("tools", j), t) for j, t in enumerate(c.tools)]
        elif isinstance(c, ArgValues):
            refs = [(("tool",), c.tool)]
        elif isinstance(c, Order):
            refs = [(("first",), c.first), (("then",), c.then)]
        for sub, ref in refs:
            if ref not in offered and ref not in bare:
                yield ld.at(
                    ("action_checks", i, *sub),
                    ID,
                    f"check refers to {ref!r}, which the task does not offer",
                    hint=did_you_mean(ref, names),
                )
    if task.faults and task.faults.tools:
        for j, ref in enumerate(task.faults.tools):
            if ref not in offered:
                yield ld.at(
                    ("faults", "tools", j),
                    ID,
                    f"faults name {ref!r}, which the task does not offer",
                    hint=did_you_mean(ref, names),
                )
