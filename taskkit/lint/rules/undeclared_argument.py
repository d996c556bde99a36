"""A tool template that reads an argument its ``parameters`` do not declare. With
``{{ args.x }}`` and no ``x`` in ``properties``, the agent is shown only the declared
parameters, so it never sends ``x``: the template fails, or falls back to its default, on
every call.

Bad (the parameter is ``item_id``)::

    record: {item: "{{ args.item }}"}
Good::

    record: {item: "{{ args.item_id }}"}
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from jinja2 import nodes

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ...models import Toolset
from ...rule_ids import UNDECLARED_ARGUMENT
from ...templates.environment import TemplateError, parse
from ..context import LintContext
from ..positions import template_position
from ..scope import Scope

ID = UNDECLARED_ARGUMENT
NAME = "undeclared-argument"
SEVERITY = Severity.ERROR
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if not isinstance(ld.model, Toolset):
            continue
        tools = ld.model.tools
        for site in ctx.template_sites(ld):
            if len(site.loc) < 3 or site.loc[0] != "tools" or "args" not in site.source:
                continue
            tool = tools[site.loc[1]] if isinstance(site.loc[1], int) else None
            props = tool.parameters.get("properties") if tool is not None else None
            if not isinstance(props, dict):
                continue  # no declared properties to hold it to (TK402 checks the schema)
            for name in sorted(argument_names(site.source) - set(props)):
                line, col = template_position(ld, site.loc, needle=f"args.{name}")
                yield Diagnostic(
                    ld.path,
                    line,
                    col,
                    ID,
                    f"tool {tool.name!r} reads argument {name!r}, which its parameters "  # type: ignore[union-attr]
                    "do not declare",
                    hint=did_you_mean(name, props) or "add it to the tool's parameters",
                )


@lru_cache(maxsize=16384)
def argument_names(source: str) -> frozenset[str]:
    """The names a template reads as ``args.name`` or ``args['name']``."""
    try:
        tree = parse(source)
    except TemplateError:
        return frozenset()  # TK301 reports it
    names = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Call)):
        if isinstance(node, nodes.Call):  # args.get('name')
            if (
                _is_args_get(node.node)
                and node.args
                and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
            continue
        if isinstance(node, nodes.Getattr) and _is_args(node.node):
            if node.attr not in _DICT_METHODS:
                names.add(node.attr)
        elif (
            isinstance(node, nodes.Getitem)
            and _is_args(node.node)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            names.add(node.arg.value)
    return frozenset(names)


_DICT_METHODS = frozenset(dir(dict))


def _is_args(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == "args"


def _is_args_get(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Getattr) and node.attr == "get" and _is_args(node.node)
