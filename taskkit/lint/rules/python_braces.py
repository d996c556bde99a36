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

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import PYTHON_BRACES
from ...templates.environment import python_braces
from ..context import LintContext
from ..positions import template_position
from ..scope import Scope
from ..variables import task_variables

ID = PYTHON_BRACES
NAME = "python-braces"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        found = ctx.content_of(ld, task)
        fields = task_variables(found[1].fields) if found else None
        if not fields:
            continue
        for loc, value in reversed(ctx.braced_strings(ld)):  # the order it always reported in
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
