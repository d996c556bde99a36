"""A gold action that, rendered with some content entry, fails to render or has arguments
its tool's ``parameters`` reject. Reported at the action, naming the entry; the other
entries for which the same action fails are reported as following from the first.

Bad (``min_bedrooms`` is an integer; entry ``austin`` has ``bedrooms: "3"``)::

    gold_actions:
      - {tool: listings.search_homes, args: {city: "{{ city }}", min_bedrooms: "{{ bedrooms }}"}}
Good: make the entry's ``bedrooms`` the integer ``3`` (and type the field in ``fields``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ...library import Entry, LoadedDoc
from ...models.task import GoldAction
from ...rule_ids import GOLD_ACTION
from ...schema.validate import SchemaError, Validator, VError, describe
from ...templates.environment import TemplateError, compile_renderer
from ...templates.render import RenderError, entry_context, render_at
from ..context import LintContext
from ..positions import template_position
from ..scope import Scope

ID = GOLD_ACTION
NAME = "gold-action"
SEVERITY = Severity.ERROR
READS: Scope = "index"

Failure = tuple[int, RenderError | VError]
"""An entry (by index) for which an action fails, and why."""


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    # Tasks of a pack repeat the same few gold actions over the same datasets: whether an
    # action renders and validates for each entry is worked out once per distinct action.
    outcomes: dict[tuple[int, int, str], list[Failure]] = {}
    contexts: dict[int, list[dict[str, Any]]] = {}  # each entry's, once per dataset
    for ld, task in ctx.tasks():
        found = ctx.content_of(ld, task)
        if found is None:
            continue
        content_ld, _ = found
        offered = set(task.tools) | set(task.distractors)
        entries = ctx.lib.entries(content_ld)
        failing: list[tuple[int, int, GoldAction, list[Failure]]] = []
        for i, action in task.final.indexed_calls():
            info = ctx.lib.tool(ld.pack, action.tool)
            if info is None or action.tool not in offered:
                continue  # TK202 reports it
            validator = ctx.validator(info.tool.parameters)
            if isinstance(validator, SchemaError):
                continue  # TK402 reports it
            key = (id(content_ld), id(validator), repr(action.args))
            failures = outcomes.get(key)
            if failures is None:
                if id(content_ld) not in contexts:
                    contexts[id(content_ld)] = [entry_context(e.data) for e in entries]
                failures = _failures(action.args, validator, contexts[id(content_ld)])
                outcomes[key] = failures
            if failures:
                failing.append((failures[0][0], i, action, failures))
        # Actions in the order of their first failing entry, as one pass over the entries
        # would find them. The first entry's failure stands for the others: they follow
        # from it (one mistyped argument fails every entry), so output folds them under it.
        for _, i, action, failures in sorted(failing, key=lambda f: f[:2]):
            first = _diagnostic(ld, i, action, entries[failures[0][0]], failures[0][1])
            yield first
            for n, problem in failures[1:]:
                yield replace(_diagnostic(ld, i, action, entries[n], problem), cause=first.ref)


def _failures(
    args: dict[str, Any], validator: Validator, contexts: list[dict[str, Any]]
) -> list[Failure]:
    out: list[Failure] = []
    render = compile_renderer(args)  # the slow path below only says which template failed
    check = validator.first_error
    for n, context in enumerate(contexts):
        try:
            rendered = render(context)
        except TemplateError:
            try:
                rendered = render_at(args, context, ())
            except RenderError as exc:
                out.append((n, exc))
                continue
        err = check(rendered)
        if err is not None:
            out.append((n, err))
    return out


def _diagnostic(
    ld: LoadedDoc, i: int, action: GoldAction, entry: Entry, problem: RenderError | VError
) -> Diagnostic:
    loc: tuple[str | int, ...] = ("final", "gold_actions", i, "args")
    if isinstance(problem, RenderError):
        line, col = template_position(ld, (*loc, *problem.loc), needle=problem.error.name)
        message = (
            f"gold action {i + 1} does not render for entry {entry.id!r}: {problem.error.message}"
        )
    else:
        line, col = ld.doc.locate((*loc, *problem.path[:1]))
        message = f"gold action {i + 1} ({action.tool}) for entry {entry.id!r}: {describe(problem)}"
    return Diagnostic(ld.path, line, col, ID, message, hint=f"entry at {entry.path}:{entry.line}")
