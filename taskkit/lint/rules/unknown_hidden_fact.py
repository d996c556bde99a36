"""A turn's ``reveals:`` or a template's ``hidden.X`` names a fact the ``user.hidden``
block does not define: the turn claims to disclose nothing real, or its message fails to
render for every entry.

Bad::

    hidden: {address: "{{ new_address }}"}
    turns:
      - id: give_address
        when: {asks: [address]}
        say: Send it to {{ hidden.adress }}.
        reveals: [adress]
Good::

        say: Send it to {{ hidden.address }}.
        reveals: [address]
"""

from __future__ import annotations

from collections.abc import Iterator

from jinja2 import nodes

from ...diagnostics import Diagnostic, Severity
from ...models import Task
from ...rule_ids import UNKNOWN_HIDDEN_FACT
from ...templates.environment import TemplateError, is_template, parse
from ...text.nearest import NearestNames
from ..context import LintContext
from ..scope import Scope

ID = UNKNOWN_HIDDEN_FACT
NAME = "unknown-hidden-fact"
SEVERITY = Severity.ERROR
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.task_documents():
        user = task.user
        if user is None:
            continue
        known = set(user.hidden)
        for i, turn in enumerate(user.turns):
            for j, fact in enumerate(turn.reveals):
                if fact not in known:
                    yield ld.at(
                        ("user", "turns", i, "reveals", j),
                        ID,
                        f"turn {turn.id!r} reveals {fact!r}, which is not a hidden fact",
                        hint=_hint(fact, known),
                    )
        for loc, source in _user_templates(task):
            for fact in sorted(_hidden_names(source) - known):
                yield ld.at(
                    loc,
                    ID,
                    f"`hidden.{fact}` names no hidden fact",
                    hint=_hint(fact, known),
                )


def _hint(fact: str, known: set[str]) -> str:
    if not known:
        return "define it under user.hidden"
    near = NearestNames(known).nearest(fact)
    if near is not None:
        return f"did you mean {near!r}?"
    return f"the hidden facts are: {', '.join(sorted(known))}"


def _user_templates(task: Task) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every template of the user block that may read ``hidden``."""
    user = task.user
    assert user is not None
    for i, turn in enumerate(user.turns):
        yield ("user", "turns", i, "say"), turn.say
    if user.otherwise != "stop":
        yield ("user", "otherwise"), user.otherwise


def _hidden_names(source: str) -> set[str]:
    """The names read as ``hidden.X`` or ``hidden['X']`` in ``source``."""
    if not is_template(source):
        return set()
    try:
        tree = parse(source)
    except TemplateError:
        return set()  # TK301 reports it
    found: set[str] = set()
    for node in tree.find_all(nodes.Getattr):
        assert isinstance(node, nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "hidden":
            found.add(node.attr)
    for item in tree.find_all(nodes.Getitem):
        assert isinstance(item, nodes.Getitem)
        if (
            isinstance(item.node, nodes.Name)
            and item.node.name == "hidden"
            and isinstance(item.arg, nodes.Const)
            and isinstance(item.arg.value, str)
        ):
            found.add(item.arg.value)
    return found
