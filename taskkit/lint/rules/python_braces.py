"""Python-style ``{name}`` braces where ``name`` is a content field: they render as literal
text, so every prompt says "{city}" (the lm-evaluation-harness failure that silently
dropped a benchmark to chance).

Bad::

    user_command: Find homes in {city}
Good::

    user_command: Find homes in {{ city }}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...templating import python_braces
from ..context import LintContext
from ..positions import template_position
from ..variables import task_variables

ID = "TK303"
NAME = "python-braces"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        found = ctx.content_of(ld, task)
        fields = task_variables(found[1].fields) if found else None
        if not fields:
            continue
        stack: list[tuple[tuple[str | int, ...], object]] = [((), ld.doc.data)]
        while stack:
            loc, value = stack.pop()
            if isinstance(value, str) and "{" in value:
                for name in python_braces(value):
                    if name in fields:
                        line, col = template_position(ld, loc, needle="{" + name)
                        yield Diagnostic(
                            ld.path,
                            line,
                            col,
                            ID,
                            f"'{{{name}}}' is Python format syntax and renders literally",
                            hint=f"write {{{{ {name} }}}}",
                        )
            elif isinstance(value, dict):
                stack.extend(((*loc, k), v) for k, v in value.items())
            elif isinstance(value, list):
                stack.extend(((*loc, i), v) for i, v in enumerate(value))
