"""A behaviour template calls a template helper in a way that must fail: with too few or
too many arguments, ``calc`` with an expression that is not arithmetic or reads a name not
passed to it, or a literal of the wrong type (``round(x, '2')``, ``sum(3)``). Found where the
call is written; without this check it fails only when a call runs it.

Bad::

    let: {total: "{{ calc('price * qty', price=item.price) }}"}
Good::

    let: {total: "{{ calc('price * qty', price=item.price, qty=args.qty) }}"}
"""

from __future__ import annotations

from collections.abc import Iterator

from jinja2 import nodes

from ...diagnostics import Diagnostic, Severity
from ...models import Toolset
from ...rule_ids import HELPER_MISUSE
from ...sim.helpers import HELPERS, HelperError, calc_names
from ...templates.environment import TemplateError, parse
from ..context import LintContext
from ..positions import template_position
from ..scope import Scope

ID = HELPER_MISUSE
NAME = "helper-misuse"
SEVERITY = Severity.ERROR
READS: Scope = "document"

_LISTS = frozenset({"sum", "zip"})
"""Helpers whose every argument must be a list."""
_OBJECTS = frozenset({"merge", "keys", "values", "items"})
"""Helpers whose every argument must be an object."""
_WHOLE_SECOND = frozenset({"round", "add_days"})
"""Helpers whose second argument must be a whole number."""


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if not isinstance(ld.model, Toolset):
            continue
        for site in ctx.template_sites(ld):
            if "(" not in site.source or site.loc[:1] != ("tools",):
                continue
            try:
                tree = parse(site.source)
            except TemplateError:
                continue  # TK301 reports it
            for call in tree.find_all(nodes.Call):
                if not isinstance(call.node, nodes.Name) or call.node.name not in HELPERS:
                    continue
                problem = _problem(call.node.name, call)
                if problem is not None:
                    line, col = template_position(ld, site.loc, needle=call.node.name)
                    yield Diagnostic(ld.path, line, col, ID, f"{call.node.name}(): {problem}")


def _problem(name: str, call: nodes.Call) -> str | None:
    helper = HELPERS[name]
    if call.dyn_args is not None or call.dyn_kwargs is not None:
        return None  # *args / **kwargs: not known here
    given = len(call.args) + (0 if name == "calc" else len(call.kwargs))
    if given < helper.min_args or (helper.max_args is not None and given > helper.max_args):
        most = "any number" if helper.max_args is None else str(helper.max_args)
        return f"takes {helper.min_args} to {most} arguments, given {given} ({helper.signature})"
    literals = [a.value if isinstance(a, nodes.Const) else _UNKNOWN for a in call.args]
    if name == "calc":
        return _calc_problem(literals[0], {kw.key for kw in call.kwargs})
    for i, value in enumerate(literals):
        if value is _UNKNOWN:
            continue
        if name in _LISTS and not isinstance(value, list):
            return f"argument {i + 1} must be a list, not {value!r}"
        if name in _OBJECTS and not isinstance(value, dict):
            return f"argument {i + 1} must be an object, not {value!r}"
        whole = isinstance(value, int) and not isinstance(value, bool)
        if name in _WHOLE_SECOND and i == 1 and not whole:
            return f"argument 2 must be a whole number, not {value!r}"
    return None


_UNKNOWN = object()


def _calc_problem(expr: object, passed: set[str]) -> str | None:
    if expr is _UNKNOWN:
        return None  # computed: checked when it runs
    if not isinstance(expr, str):
        return f"the expression must be a string, not {expr!r}"
    try:
        missing = sorted(calc_names(expr) - passed)
    except HelperError as exc:
        return str(exc).removeprefix("calc: ")
    if missing:
        return f"{missing[0]!r} is used but not passed (add {missing[0]}=...)"
    return None
