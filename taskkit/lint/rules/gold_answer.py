"""A gold answer that fails the task's own answer check on the first entry. The gold answer
(``final.answer``), rendered for the first entry of the dataset, fails ``final.expect.answer``,
or the check does not render to a valid one (``contains: ["{{ qty }}"]`` with a number
``qty``; a templated ``regex`` that does not compile), or the answer is checked and there
is no gold answer: the answer key fails its
own test, so the gold agent scores 0. Plain
lint checks the first entry; ``taskkit lint --deep`` checks every entry (TK703).

Bad (the gold answer names the item; the check wants the total)::

    answer: Bought the {{ item }}.
    expect: {answer: {number: {value: "{{ total }}"}}}
Good::

    answer: Bought the {{ item }} for {{ total }}.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from ...diagnostics import Diagnostic, Severity
from ...library import Entry
from ...models.checks import AnswerCheck
from ...rule_ids import GOLD_ANSWER
from ...sim.answers import check_answer
from ...templates.environment import TemplateError, render_value
from ...templates.render import entry_context
from ..context import LintContext
from ..scope import Scope
from .invalid_regex import regex_error

ID = GOLD_ANSWER
NAME = "gold-answer"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    # Tasks repeat the same answer and check over the same dataset: each pair once.
    checked: dict[tuple[int, str, str], Failure | None] = {}
    for ld, task in ctx.tasks():
        want = task.final.expect.answer
        if want is None:
            continue
        if task.final.answer is None:
            yield ld.at(
                ("final",),  # where `answer` belongs (and where --deep's TK703 says it)
                ID,
                "the answer is checked but final.answer gives no gold answer",
                hint="add final.answer: what the gold agent answers",
            )
            continue
        content = ctx.content_of(ld, task)
        if content is None:
            continue
        spec = want.model_dump(mode="json", exclude_defaults=True)
        key = (id(content[0]), task.final.answer, repr(spec))
        if key not in checked:
            checked[key] = _failure(ctx.lib.entries(content[0]), task.final.answer, spec)
        failure = checked[key]
        if failure is not None:
            message, hint, at = failure
            yield ld.at(at, ID, message, hint=hint)


Failure = tuple[str, str | None, tuple[str, ...]]
"""A message, a hint and where to report it."""


def _failure(entries: list[Entry], answer_template: str, spec: dict[str, Any]) -> Failure | None:
    """Why the first entry's gold answer fails the check; ``None`` if it passes, or another
    rule reports why it cannot be checked."""
    if not entries:
        return None
    entry = entries[0]
    values = entry_context(entry.data)
    try:
        answer = str(render_value(answer_template, values))
        rendered = AnswerCheck.model_validate(render_value(spec, values))
    except TemplateError:
        return None  # TK302 and (--deep, every entry) TK701 report templates that fail
    except ValidationError as exc:
        error = exc.errors()[0]
        at = ".".join(str(p) for p in error["loc"])
        return (
            f"the answer check does not render to a valid one for entry {entry.id!r}: "
            f"{at}: {error['msg'][:1].lower()}{error['msg'][1:]}",
            None,
            ("final", "expect"),  # where --deep's TK701 says it
        )
    if rendered.regex is not None:
        bad = regex_error(rendered.regex)
        if bad is not None and regex_error(str(spec.get("regex"))) is None:  # templated
            message = f"the answer regex for entry {entry.id!r} is invalid: {bad}"
            return message, None, ("final", "expect", "answer", "regex")
        if bad is not None:
            return None  # TK408 reports it
    try:
        reasons = check_answer(rendered, answer)
    except (re.error, RecursionError):
        return None
    if not reasons:
        return None
    return (
        f"the gold answer for entry {entry.id!r} fails the answer check: {'; '.join(reasons)}",
        f"the gold answer renders as {answer!r}",
        ("final", "expect", "answer"),
    )
