"""A task draws from a content dataset that does not exist.

Bad::

    content: viewing_request
Good::

    content: viewing_requests
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ...library import Library
from ...rule_ids import UNKNOWN_CONTENT
from ..causes import missing
from ..context import LintContext
from ..scope import Scope

ID = UNKNOWN_CONTENT
NAME = "unknown-content"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        if ctx.lib.content(ld.pack, task.content) is None:
            names = [n for (p, n) in ctx.lib.contents if p == ld.pack]
            hint = did_you_mean(task.content, names) or (
                f"datasets of pack {ld.pack!r}: {', '.join(sorted(names))}"
                if names
                else "no content dataset found; is content_datasets/ among the linted paths?"
            )
            d = ld.at(("content",), ID, f"unknown content dataset {task.content!r}", hint=hint)
            # a dataset with a typo fails to load: its error is the cause (see ..causes)
            yield replace(d, cause=missing("content", *Library.resolve(ld.pack, task.content)))
