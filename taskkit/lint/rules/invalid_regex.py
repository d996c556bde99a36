"""An answer check's ``regex`` that does not compile. Every answer would fail it (or the
run would stop on it). Checked where it is written, unless it is templated
(then per entry, by ``taskkit lint --deep``). The same for a ``forbidden_text`` check's
``regex`` and a user turn's ``asks_regex``, which would never match.

Bad::

    expect: {answer: {regex: "total: (\\d+"}}
Good::

    expect: {answer: {regex: "total: (\\d+)"}}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Evaluator, Task
from ...models.checks import Expect, ForbiddenText
from ...rule_ids import INVALID_REGEX
from ...templates.environment import is_template
from ..context import LintContext
from ..scope import Scope

ID = INVALID_REGEX
NAME = "invalid-regex"
SEVERITY = Severity.ERROR
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        for where, pattern in _other_patterns(ld.model):
            error = regex_error(pattern)
            if error is not None:
                yield ld.at(where, ID, f"invalid regex {pattern!r}: {error}")
        expect: Expect | None = None
        at: tuple[str | int, ...] = ()
        if isinstance(ld.model, Task):
            expect, at = ld.model.final.expect, ("final", "expect")
        elif isinstance(ld.model, Evaluator):
            expect, at = ld.model.expect, ("expect",)
        if expect is None or expect.answer is None or expect.answer.regex is None:
            continue
        error = regex_error(expect.answer.regex)
        if error is not None:
            yield ld.at(
                (*at, "answer", "regex"), ID, f"invalid regex {expect.answer.regex!r}: {error}"
            )


def _other_patterns(model: object) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The regexes of ``forbidden_text`` checks and of the user's ``asks_regex`` triggers."""
    checks = model.action_checks if isinstance(model, Task | Evaluator) else []
    for i, c in enumerate(checks):
        if isinstance(c, ForbiddenText) and c.regex is not None:
            yield ("action_checks", i, "regex"), c.regex
    user = model.user if isinstance(model, Task) else None
    for i, turn in enumerate(user.turns if user is not None else []):
        if turn.when.asks_regex is not None:
            yield ("user", "turns", i, "when", "asks_regex"), turn.when.asks_regex


def regex_error(pattern: str) -> str | None:
    """Why ``pattern`` does not compile (``None``: it does, or it is a template)."""
    if is_template(pattern):
        return None
    try:
        re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        return str(exc)
    return None
