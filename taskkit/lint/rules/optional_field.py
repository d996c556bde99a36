"""A task template uses a content field that the ``fields`` schema does not require, with
no ``default``: entries without the field fail to render at compile time.

Bad (``budget`` is not in ``required``)::

    user_command: Find homes under {{ budget }}
Good::

    user_command: Find homes under {{ budget | default("any price") }}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...rule_ids import OPTIONAL_FIELD
from ...templates.environment import TemplateError, guarded_variables, undeclared_variables
from ..context import LintContext
from ..positions import template_position
from ..scope import Scope
from ..variables import optional_fields

ID = OPTIONAL_FIELD
NAME = "optional-field"
SEVERITY = Severity.WARNING
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        found = ctx.content_of(ld, task)
        if found is None:
            continue
        optional = optional_fields(found[1].fields)
        if not optional:
            continue
        for site in ctx.template_sites(ld):
            try:
                names = undeclared_variables(site.source) - guarded_variables(site.source)
            except TemplateError:
                continue
            for name in sorted(names & optional):
                line, col = template_position(ld, site.loc, needle=name)
                yield Diagnostic(
                    ld.path,
                    line,
                    col,
                    ID,
                    f"field {name!r} is optional in {task.content!r} but used without a default",
                    hint="require it in 'fields', or use | default(...)",
                )
