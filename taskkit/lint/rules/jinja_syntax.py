"""A template that Jinja cannot parse, reported at its line inside the YAML file.

Bad::

    user_command: Find homes in {{ city }
Good::

    user_command: Find homes in {{ city }}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Evaluator, Task, Toolset
from ...rule_ids import JINJA_SYNTAX
from ...templates.environment import TemplateError, check_syntax
from ..context import LintContext
from ..positions import template_position
from ..scope import Scope

ID = JINJA_SYNTAX
NAME = "jinja-syntax"
SEVERITY = Severity.ERROR
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if not isinstance(ld.model, Task | Toolset | Evaluator):
            continue
        for site in ctx.template_sites(ld):
            try:
                check_syntax(site.source)
            except TemplateError as exc:
                line, col = template_position(ld, site.loc, lineno=exc.lineno)
                yield Diagnostic(ld.path, line, col, ID, f"template syntax error: {exc.message}")
