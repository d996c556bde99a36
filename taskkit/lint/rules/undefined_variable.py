"""A template reads a variable that its context does not provide: a field the content
dataset's ``fields`` schema does not declare (task templates), or anything but ``args``,
``state``, ``result`` and the template helpers (tool behaviours; names bound by steps are
TK306's). Without this check a typo renders as an error
mid-run, or worse, as literal text in the prompt.

Bad (the dataset declares ``city``)::

    user_command: Find homes in {{ ctiy }}
Good::

    user_command: Find homes in {{ city }}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ...library import LoadedDoc
from ...models import Toolset
from ...rule_ids import UNDEFINED_VARIABLE
from ...templates.environment import TemplateError, undeclared_variables
from ..context import LintContext
from ..positions import template_position
from ..scope import Scope
from ..step_scopes import BASE_NAMES, scope_of, step_scopes
from ..variables import JINJA_GLOBALS, task_variables

ID = UNDEFINED_VARIABLE
NAME = "undefined-variable"
SEVERITY = Severity.ERROR
READS: Scope = "index"

TOOL_VARIABLES = BASE_NAMES
"""``args``, ``state``, ``result`` and the template helpers (:mod:`taskkit.sim.helpers`)."""


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        found = ctx.content_of(ld, task)
        if found is None:
            continue
        allowed = task_variables(found[1].fields)
        if allowed is None:
            continue
        # a user's turns and the gold messages to it see the rendered facts too
        talk = allowed | {"hidden"} if task.user is not None else None
        yield from _check_doc(
            ctx, ld, allowed, f"content dataset {task.content!r} has no field", talk=talk
        )
    for ld in ctx.lib.docs:
        if isinstance(ld.model, Toolset):
            yield from _check_doc(
                ctx,
                ld,
                TOOL_VARIABLES,
                "tool templates see only args, state, result and the helpers, not",
            )


def _talk_site(loc: tuple[str | int, ...]) -> bool:
    """A template rendered over the user's ``hidden`` facts: a turn's ``say``, the user's
    ``otherwise``, a gold message."""
    return loc[:2] in (("user", "turns"), ("user", "otherwise")) or (
        loc[:2] == ("final", "gold_actions") and len(loc) > 3 and loc[3] == "say"
    )


def _check_doc(
    ctx: LintContext,
    ld: LoadedDoc,
    allowed: frozenset[str],
    what: str,
    *,
    talk: frozenset[str] | None = None,
) -> Iterator[Diagnostic]:
    scopes = step_scopes(ld.model) if isinstance(ld.model, Toolset) else {}
    for site in ctx.template_sites(ld):
        if scopes and scope_of(scopes, site.loc) is not None:
            continue  # a steps behaviour's names depend on the step: TK306 checks them
        try:
            names = undeclared_variables(site.source)
        except TemplateError:
            continue  # TK301 reports it
        here = talk if talk is not None and _talk_site(site.loc) else allowed
        for name in sorted(names - here - JINJA_GLOBALS):
            line, col = template_position(ld, site.loc, needle=name)
            yield Diagnostic(
                ld.path, line, col, ID, f"{what} {name!r}", hint=did_you_mean(name, here)
            )
