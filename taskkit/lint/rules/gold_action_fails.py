"""A gold action that, replayed on the initial state of some entry, is not a valid call or
returns a tool error (unless marked ``expect_error: true``), or is marked ``expect_error``
but succeeds. A task whose own answer key fails is a bug in the task.

Bad (the entry's ``cheapest_id`` is not in its ``homes``)::

    - {tool: listings.schedule_viewing, args: {home_id: "{{ cheapest_id }}", date: "{{ date }}"}}
Good: fix the entry so ``cheapest_id`` names one of its homes.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import GOLD_ACTION_FAILS
from ..context import LintContext
from ..scope import Scope

ID = GOLD_ACTION_FAILS
NAME = "gold-action-fails"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Found while compiling; ``taskkit lint --deep`` compiles to find them too."""
    return ctx.compile_diagnostics(ID)
