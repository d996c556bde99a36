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
from functools import lru_cache
from typing import Any

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
        for loc, value in _braced_strings(ld.doc.data):
            for name in _names(value):
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


@lru_cache(maxsize=65536)
def _names(text: str) -> tuple[str, ...]:
    # Tasks repeat the same few template texts thousands of times.
    return tuple(python_braces(text))


def _braced_strings(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Strings containing ``{`` with their key paths, last child first at every level (the
    order the rule has always reported in). Paths are built for containers and hits only."""
    if isinstance(data, str):
        if "{" in data:
            yield (), data
        return
    if not isinstance(data, dict | list):
        return
    stack: list[tuple[Iterator[tuple[Any, Any]], tuple[str | int, ...]]] = [
        (_reversed_children(data), ())
    ]
    while stack:
        children, loc = stack[-1]
        for key, value in children:
            if isinstance(value, str):
                if "{" in value:
                    yield (*loc, key), value
            elif isinstance(value, dict | list):
                stack.append((_reversed_children(value), (*loc, key)))
                break
        else:
            stack.pop()


def _reversed_children(value: dict[str, Any] | list[Any]) -> Iterator[tuple[Any, Any]]:
    if isinstance(value, dict):
        return reversed(value.items())
    return zip(range(len(value) - 1, -1, -1), reversed(value), strict=True)
