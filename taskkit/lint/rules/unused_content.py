"""A content dataset that no linted task draws from.

Bad: ``content_datasets/home/old_requests.yaml`` with no task naming ``old_requests``.
Good: delete it, or write the task that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Content
from ...rule_ids import UNUSED_CONTENT
from ..context import LintContext
from ..scope import Scope

ID = UNUSED_CONTENT
NAME = "unused-content"
SEVERITY = Severity.WARNING
READS: Scope = "library"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    used = {ctx.lib.resolve(t.owner.pack, t.content) for t in ctx.names_of_tasks()}
    if not used:
        return  # linting datasets alone: nothing to compare with
    for ld in ctx.lib.docs:
        if isinstance(ld.model, Content) and (ld.pack, ld.model.name) not in used:
            yield ld.at(
                ("name",),
                ID,
                f"content dataset {ld.model.name!r} is used by no task",
            )
