"""Attribute access that meets a dict method: in a template, ``order.items`` is the
method ``dict.items`` of the record, not its ``items`` field (Jinja tries the attribute
before the key), so it renders as ``<built-in method items ...>`` or fails at run time.
The same for ``keys``, ``values``, ``get``, ``pop``, ``update`` and the other dict methods,
when they are not called.

Bad::

    respond: "{{ result.items | length }} items"
Good::

    respond: "{{ result['items'] | length }} items"
"""

from __future__ import annotations

from collections.abc import Iterator

from jinja2 import nodes

from ...diagnostics import Diagnostic, Severity
from ...models import Evaluator, Task, Toolset
from ...rule_ids import DICT_METHOD_ATTRIBUTE
from ...templates.environment import TemplateError, parse
from ..context import LintContext
from ..positions import template_position
from ..scope import Scope

ID = DICT_METHOD_ATTRIBUTE
NAME = "dict-method-attribute"
SEVERITY = Severity.ERROR
READS: Scope = "document"

DICT_METHODS = frozenset(name for name in dir(dict) if not name.startswith("_"))
"""``items``, ``keys``, ``values``, ``get``, ``pop``, ``update``, ``copy``, ``clear`` ..."""


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld in ctx.lib.docs:
        if not isinstance(ld.model, Task | Toolset | Evaluator):
            continue
        for site in ctx.template_sites(ld):
            if "." not in site.source:
                continue
            for attr, target, lineno in _uncalled_methods(site.source):
                line, col = template_position(ld, site.loc, lineno=lineno)
                yield Diagnostic(
                    ld.path,
                    line,
                    col,
                    ID,
                    f"'{target}.{attr}' is the dict method {attr!r}, not a field",
                    hint=f"write {target}['{attr}']",
                )


def _uncalled_methods(source: str) -> list[tuple[str, str, int]]:
    try:
        tree = parse(source)
    except (TemplateError, RecursionError):
        return []  # TK301 reports it (or the template is too deep to be read at all)
    # Walked with a stack, not Jinja's recursive find_all: a chain of thousands of
    # attributes (hostile, but a valid template) must not exhaust the recursion limit.
    getattrs: list[nodes.Getattr] = []
    called: set[int] = set()
    stack: list[nodes.Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Getattr):
            getattrs.append(node)
        elif isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            called.add(id(node.node))
        stack.extend(node.iter_child_nodes())
    return [
        (g.attr, _name(g.node), g.lineno or 1)
        for g in sorted(getattrs, key=lambda g: g.lineno or 1)
        if g.attr in DICT_METHODS and id(g) not in called
    ]


def _name(node: nodes.Node) -> str:
    """``a.b.c`` for a chain of attributes of a name (``...`` for anything else); long
    chains are cut short."""
    parts: list[str] = []
    while isinstance(node, nodes.Getattr) and len(parts) < 8:
        parts.append(node.attr)
        node = node.node
    head = node.name if isinstance(node, nodes.Name) else "..."
    return ".".join([head, *reversed(parts)])
