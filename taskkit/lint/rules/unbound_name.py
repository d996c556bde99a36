"""A template of a multi-step behaviour (a step, or its ``respond``) reads a name that no
earlier step binds: not ``args``, ``state``, ``result``, a template helper, nor an ``as`` or
``let`` name of a step before it (names bound inside an ``each`` stay inside it). At run
time the call would fail with a ``behavior_error``.

Bad::

    steps:
      - {require: "user.balance >= args.amount", error: "Error: too little"}
      - {get: users, id: "{{ args.user_id }}", as: user}
Good::

    steps:
      - {get: users, id: "{{ args.user_id }}", as: user}
      - {require: "user.balance >= args.amount", error: "Error: too little"}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ...library import LoadedDoc
from ...models import Toolset
from ...rule_ids import UNBOUND_NAME
from ...templates.environment import TemplateError, undeclared_variables
from ..context import LintContext
from ..positions import template_position
from ..scope import Scope
from ..step_scopes import scope_of, step_scopes

ID = UNBOUND_NAME
NAME = "unbound-name"
SEVERITY = Severity.ERROR
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if isinstance(ld.model, Toolset):
            yield from _check_toolset(ctx, ld, ld.model)


def _check_toolset(ctx: LintContext, ld: LoadedDoc, toolset: Toolset) -> Iterator[Diagnostic]:
    scopes = step_scopes(toolset)
    if not scopes:
        return
    for site in ctx.template_sites(ld):
        allowed = scope_of(scopes, site.loc)
        if allowed is None:
            continue
        try:
            names = undeclared_variables(site.source)
        except TemplateError:
            continue  # TK301 reports it
        for name in sorted(names - allowed):
            line, col = template_position(ld, site.loc, needle=name)
            yield Diagnostic(
                ld.path,
                line,
                col,
                ID,
                f"{name!r} is not bound by an earlier step (nor args, state, result or a helper)",
                hint=did_you_mean(name, allowed),
            )
