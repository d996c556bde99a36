"""A write step (``set``, ``append``, ``increment``, ``delete``) of a multi-step behaviour
names a collection that is in the initial state of no task offering the tool: every such
call would fail with ``not_found``. Usually a typo, or a collection the tasks forgot.
(``insert`` may create a collection, so it is not checked.)

Bad (the tasks' initial state has ``users``)::

    steps:
      - {increment: user, id: "{{ args.user_id }}", path: balance, by: 10}
Good::

    steps:
      - {increment: users, id: "{{ args.user_id }}", path: balance, by: 10}
"""

from __future__ import annotations

from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity, did_you_mean
from ...models import Step
from ...models.operations import STEPS
from ...rule_ids import WRITE_UNKNOWN_COLLECTION
from ..context import LintContext
from ..scope import Scope
from ..step_scopes import Loc

ID = WRITE_UNKNOWN_COLLECTION
NAME = "write-unknown-collection"
SEVERITY = Severity.ERROR
READS: Scope = "index"

_CHECKED = frozenset(kind for kind, step in STEPS.items() if step.writes == "yes") - {"insert"}


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    # (toolset document, tool index) -> the collections of every task offering the tool;
    # None once a task's state is not known here (no initial state: a shared world)
    known: dict[tuple[int, int], set[str] | None] = {}
    infos = {}
    for ld, task in ctx.tasks():
        state = task.initial_state
        for ref in task.tools:
            info = ctx.lib.tool(ld.pack, ref)
            if info is None or info.tool.behavior is None or info.tool.behavior.steps is None:
                continue
            key = (id(info.owner), info.index)
            infos[key] = info
            seen = known.setdefault(key, set())
            if seen is not None and state:
                seen.update(state)
            else:
                known[key] = None
    for key, collections in known.items():
        if not collections:
            continue
        info = infos[key]
        behavior = info.tool.behavior
        assert behavior is not None and behavior.steps is not None
        at = ("tools", info.index, "behavior", "steps")
        for loc, step in _write_steps(behavior.steps, at):
            name = str(getattr(step, step.kind))
            if name not in collections:
                yield info.owner.at(
                    (*loc, step.kind),
                    ID,
                    f"{step.kind!r} writes collection {name!r}, which the initial state of "
                    f"no task offering {info.tool.name!r} has",
                    hint=did_you_mean(name, collections),
                )


def _write_steps(steps: list[Step], at: Loc) -> Iterator[tuple[Loc, Step]]:
    for j, step in enumerate(steps):
        if step.steps is not None:
            yield from _write_steps(step.steps, (*at, j, "steps"))
        elif step.kind in _CHECKED:
            yield (*at, j), step
