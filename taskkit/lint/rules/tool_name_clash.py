"""Two offered tools with the same function name: the agent sees bare names, so it could
not tell them apart.

Bad::

    tools: [listings.search, news.search]
Good: rename one of the tools in its toolset.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import TOOL_NAME_CLASH
from ..context import LintContext
from ..scope import Scope

ID = TOOL_NAME_CLASH
NAME = "tool-name-clash"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        seen: dict[str, str] = {}
        for field in ("tools", "distractors"):
            for i, ref in enumerate(getattr(task, field)):
                name = ref.rsplit(".", 1)[-1]
                if name in seen and seen[name] != ref:
                    yield ld.at(
                        (field, i), ID, f"{ref!r} and {seen[name]!r} are both offered as {name!r}"
                    )
                elif name in seen:
                    yield ld.at((field, i), ID, f"{ref!r} is offered twice")
                seen.setdefault(name, ref)
