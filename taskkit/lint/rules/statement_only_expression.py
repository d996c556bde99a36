"""A value that must be an expression (a ``require.check``; a step's ``when`` and ``let``
values) written only with ``{% %}`` statement tags. An expression is evaluated for its
value, and statement tags have none: the check never parses (or is never true).

Bad::

    check: "{% if args.qty > 0 %}true{% endif %}"
Good::

    check: "args.qty > 0"
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Evaluator, Task, Toolset
from ...rule_ids import STATEMENT_ONLY_EXPRESSION
from ..context import LintContext
from ..scope import Scope

ID = STATEMENT_ONLY_EXPRESSION
NAME = "statement-only-expression"
SEVERITY = Severity.ERROR
READS: Scope = "document"


def needs_expression(loc: tuple[str | int, ...]) -> bool:
    """Whether the value at ``loc`` is an expression: ``require[i].check``, ``when``, or a
    value under ``let``."""
    if len(loc) >= 3 and loc[-1] == "check" and loc[-3] == "require":
        return True
    return (bool(loc) and loc[-1] == "when") or (len(loc) >= 2 and loc[-2] == "let")


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if not isinstance(ld.model, Task | Toolset | Evaluator):
            continue
        for loc, text in ctx.braced_strings(ld):
            if needs_expression(loc) and "{%" in text and "{{" not in text:
                yield ld.at(
                    loc,
                    ID,
                    f"{loc[-1] if isinstance(loc[-1], str) else loc[-2]!s} is an expression, "
                    f"but {text.strip()[:60]!r} has only statement tags, which give no value",
                    hint="write the condition itself, e.g. `args.qty > 0`, or "
                    "`{{ 'yes' if ... else 'no' }}` for a value",
                )
