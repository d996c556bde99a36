"""A gold action that fails on the first entry, not marked ``expect_error``. Replayed on the
first entry of the task's dataset, it returns a tool error: the answer key itself fails, so
the gold agent scores 0 (or the task means the failure, and must say so). Plain lint replays the first
entry only; ``taskkit lint --deep`` replays every entry (TK702).

Bad (no item ``i-9`` is on the shelf the task sets up)::

    initial_state: {items: [{id: i-1, name: pen}], orders: []}
    final:
      gold_actions: [{tool: shop.buy_item, args: {item_id: i-9, qty: 1}}]
Good: buy ``i-1``, or, if the refusal is the point of the task::

      gold_actions: [{tool: shop.buy_item, args: {item_id: i-9, qty: 1}, expect_error: true}]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ...library import LoadedDoc
from ...models import Task
from ...models.toolset import Behavior
from ...rule_ids import GOLD_ACTION_ERRORS
from ...schema.validate import SchemaError, Validator
from ...sim.behaviors import HandlerRefused, ToolError, run_behavior
from ...sim.collections import clone, is_collection
from ...templates.environment import TemplateError, render_value
from ...templates.render import entry_context
from ...worlds import with_world
from ..context import LintContext
from ..scope import Scope

ID = GOLD_ACTION_ERRORS
NAME = "gold-action-errors"
SEVERITY = Severity.ERROR
READS: Scope = "index"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    steps: dict[int, Step | None] = {}  # by tool: tasks share a pack's few tools
    for ld, task in ctx.tasks():
        indexed = task.final.indexed_calls()  # locations index gold_actions, messages too
        actions = [a for _, a in indexed]
        if not actions:
            continue
        content = ctx.content_of(ld, task)
        offered = set(task.tools) | set(task.distractors)
        if content is None or any(a.tool not in offered for a in actions):
            continue  # TK202, TK203 report it
        found = _first_failure(ctx, ld, task, content[0], steps)
        if found is not None:
            i, entry_id, error = found
            yield ld.at(
                ("final", "gold_actions", indexed[i][0]),
                ID,
                f"gold action {indexed[i][0] + 1} ({actions[i].tool}) fails for entry {entry_id!r}: {error}",
                hint="fix the action or the initial state; if the task means the call to "
                "fail, mark it `expect_error: true`",
            )


Step = tuple[Behavior | None, str | None, Validator, bool]
"""A tool's behaviour, its operation, its parameters' validator, and whether it may fail."""


_READS = frozenset({"select", "count", "aggregate"})


def _first_failure(
    ctx: LintContext,
    ld: LoadedDoc,
    task: Task,
    content: LoadedDoc,
    steps: dict[int, Step | None],
) -> tuple[int, str, str] | None:
    """The first gold action not marked ``expect_error`` that fails on the first entry, with
    the entry and the error; ``None`` when none does, or when replaying is another rule's
    to report (TK202, TK402, TK403, TK701, or the tool's own: TK301, TK302, TK305) or not
    lint's to do (Python handlers)."""
    entries = ctx.lib.entries(content)
    if not entries:
        return None
    path = _gold_path(ctx, ld, task, steps)
    if path is None or not any(step[3] for step in path):
        return None  # most gold paths only read: nothing to replay
    entry = entries[0]
    values = entry_context(entry.data)
    state = _start_state(ctx, ld, task, values)
    if state is None:
        return None
    owned: set[str] | None = None  # collections copied: `{{ homes }}` is the entry's own list
    for i, (action, (behavior, _op, validator, fails)) in enumerate(
        zip(task.final.calls, path, strict=True)
    ):
        if not fails:
            continue
        try:
            args: Any = render_value(action.args, values)
        except TemplateError:
            return None
        if validator.first_error(args) is not None:
            return None  # TK403 reports it
        touched = behavior.touched if behavior is not None else frozenset()
        if touched:
            # Writes (single operations and write steps alike: the operations table says
            # which collections) append, replace or remove records, never change one in
            # place: a shallow copy of each collection written keeps the entry, and a pack's
            # shared world, as they are.
            if owned is None:
                state, owned = dict(state), set()
            for name in sorted(touched - owned):
                if is_collection(state.get(name)):
                    state[name] = clone(state[name])
                owned.add(name)
        try:
            run_behavior(behavior, args, state)
        except ToolError as exc:
            if exc.kind == "behavior_error":
                return None  # the tool's templates fail: TK301, TK302, TK305 say why
            if not action.expect_error:
                return i, entry.id, exc.message
        except HandlerRefused:
            return None
    return None


def _gold_path(
    ctx: LintContext, ld: LoadedDoc, task: Task, steps: dict[int, Step | None]
) -> list[Step] | None:
    """How lint replays each gold call's tool (``steps`` caches them by tool); ``None``
    when one is unknown or not lint's to replay."""
    path: list[Step] = []
    for action in task.final.calls:
        info = ctx.lib.tool(ld.pack, action.tool)
        if info is None:
            return None
        if id(info) not in steps:
            steps[id(info)] = _step(ctx, info.tool.parameters, info.tool.behavior)
        step = steps[id(info)]
        if step is None:
            return None
        path.append(step)
    return path


def _start_state(
    ctx: LintContext, ld: LoadedDoc, task: Task, values: dict[str, Any]
) -> dict[str, Any] | None:
    """The initial state rendered for the entry, over the pack's world; ``None`` when it
    does not render to a mapping or the world cannot be read (other rules report both)."""
    try:  # once: render_value, not a compiled renderer
        state = render_value(task.initial_state, values)
    except TemplateError:
        return None
    if not isinstance(state, dict):
        return None
    world = ctx.lib.world(ld.pack)
    if world is not None:
        return with_world(world.data, state)
    if ctx.lib.world_diagnostics(ld.pack):
        return None  # a world that cannot be read: TK420, TK421
    return state


def _step(ctx: LintContext, parameters: dict[str, Any], behavior: Behavior | None) -> Step | None:
    """How lint replays a tool; ``None`` when it does not (an invalid ``parameters``: TK402;
    a Python handler: not lint's to run)."""
    validator = ctx.validator(parameters)
    op = behavior.operation if behavior is not None else None
    if isinstance(validator, SchemaError) or op == "handler":
        return None
    # Whether a call can fail, or change what a later call reads: a tool without a
    # behaviour returns an empty object, and a read with no `require` finds what there is,
    # or nothing, and changes nothing.
    fails = behavior is not None and (op not in _READS or bool(behavior.require))
    return behavior, op, validator, fails
