"""A gold action that, rendered with some content entry, fails to render or has arguments
its tool's ``parameters`` reject. Reported at the action, naming the entry.

Bad (``min_bedrooms`` is an integer; entry ``austin`` has ``bedrooms: "3"``)::

    gold_actions:
      - {tool: listings.search_homes, args: {city: "{{ city }}", min_bedrooms: "{{ bedrooms }}"}}
Good: make the entry's ``bedrooms`` the integer ``3`` (and type the field in ``fields``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...jsonvalidate import SchemaError, describe
from ...render import RenderError, entry_context, render_at
from ..context import LintContext
from ..positions import template_position

ID = "TK403"
NAME = "gold-action"
SEVERITY = Severity.ERROR

MAX_PER_ACTION = 3
"""Entries reported per failing action; the rest are counted in one line."""


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        found = ctx.content_of(ld, task)
        if found is None:
            continue
        content_ld, _ = found
        offered = set(task.tools) | set(task.distractors)
        actions = []
        for i, action in enumerate(task.final.gold_actions):
            info = ctx.lib.tool(ld.pack, action.tool)
            if info is None or action.tool not in offered:
                continue  # TK202 reports it
            validator = ctx.validator(info.tool.parameters)
            if isinstance(validator, SchemaError):
                continue  # TK402 reports it
            actions.append((i, action, validator))
        if not actions:
            continue
        failures: dict[int, list[Diagnostic]] = {}
        for entry in ctx.lib.entries(content_ld):
            context = entry_context(entry.data)
            for i, action, validator in actions:
                loc: tuple[str | int, ...] = ("final", "gold_actions", i, "args")
                try:
                    args = render_at(action.args, context, loc)
                except RenderError as exc:
                    line, col = template_position(ld, exc.loc, needle=exc.error.name)
                    diag = Diagnostic(
                        ld.path,
                        line,
                        col,
                        ID,
                        f"gold action {i + 1} does not render for entry {entry.id!r}: {exc.error.message}",
                        hint=f"entry at {entry.path}:{entry.line}",
                    )
                    failures.setdefault(i, []).append(diag)
                    continue
                err = validator.first_error(args)
                if err is not None:
                    line, col = ld.doc.locate((*loc, *err.path[:1]))
                    failures.setdefault(i, []).append(
                        Diagnostic(
                            ld.path,
                            line,
                            col,
                            ID,
                            f"gold action {i + 1} ({action.tool}) for entry {entry.id!r}: {describe(err)}",
                            hint=f"entry at {entry.path}:{entry.line}",
                        )
                    )
        for diags in failures.values():
            yield from diags[:MAX_PER_ACTION]
            if len(diags) > MAX_PER_ACTION:
                d = diags[MAX_PER_ACTION]
                yield Diagnostic(
                    d.path,
                    d.line,
                    d.col,
                    ID,
                    f"... and {len(diags) - MAX_PER_ACTION} more entries fail this gold action",
                )
