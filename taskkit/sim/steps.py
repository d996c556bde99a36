"""Multi-step behaviours: reads bound to names, preconditions, writes to several
collections, loops; all-or-nothing.

Steps change the state in place, the way single operations do (the caller owns the
containers it passes: the episode clones each collection a behaviour touches first), but
never a record: a write builds a new record (:mod:`taskkit.sim.paths` copies only along the
path it writes) and stores it with :func:`taskkit.sim.collections.put`. Each change is
logged with how to undo it, so when a step fails (a requirement, a missing record, a helper
given the wrong types) the log is played back and the state is exactly as it was. Reads see
the writes of earlier steps. Copying whole containers per call instead would cost a copy of
a 2,000-record collection on every call.

Every kind of step is declared in :data:`taskkit.models.operations.STEPS` and implemented
here, once (:func:`step_implementations`; a test holds the two key sets equal).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..models import Behavior, Step
from . import collections as colls
from .behaviors import (
    State,
    ToolError,
    aggregate_rows,
    check_source,
    project,
    render,
    select_rows,
    truthy,
)
from .paths import MISSING, delete_path, get_path, set_path

__all__ = ["MAX_STEPS_RUN", "run_steps", "step_implementations"]

MAX_STEPS_RUN = 100_000
"""The most steps one call may run (loops included): an ``each`` over a long list inside
another must end in bounded time."""


class _Run:
    """One call's steps: the state they change, and how to undo each change."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.undo: list[Callable[[], Any]] = []
        self.budget = MAX_STEPS_RUN

    def collection(self, name: str, *, create: bool = False) -> colls.Collection:
        """Collection ``name``, to be written (created as a list when missing, with
        ``create``)."""
        coll = self.state.get(name)
        if coll is None:
            if not create:
                raise ToolError(f"no collection {name!r} in the state", kind="not_found")
            coll = self.state[name] = []
            self.undo.append(lambda: self.state.pop(name, None))
        elif not colls.is_collection(coll):
            raise ToolError(
                f"tool misconfigured: state {name!r} is not a collection", kind="behavior_error"
            )
        return coll

    def put(self, coll: colls.Collection, rid: Any, record: dict[str, Any]) -> colls.Key:
        """Store ``record`` as the record ``rid`` of ``coll``, remembering what was there."""
        old = colls.lookup(coll, rid)
        key = colls.put(coll, rid, record)
        if old is None:
            self.undo.append(lambda: colls.remove(coll, rid))
        else:
            self.undo.append(lambda: colls.put(coll, rid, old))
        return key

    def remove(self, coll: colls.Collection, rid: Any) -> None:
        # a removal moves what follows it (a list's positions, an object's key order): keep
        # the whole order to put back; removals are rare, and the copy is shallow
        before = colls.clone(coll)
        colls.remove(coll, rid)

        def restore() -> None:
            if isinstance(coll, dict):
                coll.clear()
                coll.update(before)
            else:
                coll[:] = before
            colls.forget(coll)

        self.undo.append(restore)

    def rollback(self) -> None:
        while self.undo:
            self.undo.pop()()


def run_steps(behavior: Behavior, ctx: dict[str, Any], state: State) -> Any:
    """Run ``behavior.steps`` on ``state``; the last step's value, or :class:`ToolError`
    with ``state`` as it was. ``ctx`` gains every bound name and ``result``."""
    run = _Run(state)
    try:
        return _run_list(behavior.steps or [], ctx, run, ())
    except RecursionError:  # loops nested hundreds deep, run from an already deep stack
        run.rollback()
        raise ToolError(
            "tool misconfigured: the steps are nested too deeply", kind="behavior_error"
        ) from None
    except BaseException:  # a step's error, or a render's time budget: undo, in reverse
        run.rollback()
        raise


def _run_list(steps: list[Step], ctx: dict[str, Any], run: _Run, where: tuple[int, ...]) -> Any:
    result: Any = ctx.get("result")
    for i, step in enumerate(steps):
        run.budget -= 1
        if run.budget < 0:
            raise ToolError(
                f"tool misconfigured: more than {MAX_STEPS_RUN} steps in one call",
                kind="behavior_error",
            )
        at = (*where, i + 1)
        if step.when is not None and not _when(step, ctx, at):
            continue
        kind = step.kind
        try:
            result = _IMPLEMENTATIONS[kind](step, ctx, run, at)
        except ToolError as exc:
            if exc.kind != "behavior_error" or exc.message.startswith(_MISCONFIGURED + "step "):
                raise
            raise _misconfigured(at, kind, exc.message.removeprefix(_MISCONFIGURED)) from None
        except (ValueError, TypeError) as exc:  # a path or a value the schema could not vet
            raise _misconfigured(at, kind, str(exc)) from None
        ctx["result"] = result
        if step.as_ is not None and kind != "each":
            ctx[step.as_] = result
    return result


_MISCONFIGURED = "tool misconfigured: "


def _misconfigured(at: tuple[int, ...], kind: str, message: str) -> ToolError:
    """A behaviour error, located: ``step 2.1 (set)`` is the first step inside step 2."""
    where = ".".join(map(str, at))
    return ToolError(f"{_MISCONFIGURED}step {where} ({kind}): {message}", kind="behavior_error")


def _when(step: Step, ctx: dict[str, Any], at: tuple[int, ...]) -> bool:
    cond = step.when
    return truthy(render(check_source(cond) if isinstance(cond, str) else cond, ctx))


# --- reads ---------------------------------------------------------------------------------


def _read(run: _Run, name: str) -> colls.Collection:
    coll = run.state.get(name)
    if coll is None:
        return []
    if not colls.is_collection(coll):
        raise ToolError(
            f"tool misconfigured: state {name!r} is not a collection", kind="behavior_error"
        )
    return coll


def _record(
    step: Step, ctx: dict[str, Any], coll: colls.Collection, name: str
) -> tuple[Any, dict[str, Any]]:
    rid = render(step.id, ctx)
    rec = colls.lookup(coll, rid)
    if rec is None:
        msg = render(step.error, ctx) if step.error else f"no {name.rstrip('s')} with id {rid!r}"
        raise ToolError(str(msg), kind="not_found")
    return rid, rec


def _get(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.get is not None
    _, rec = _record(step, ctx, _read(run, step.get), step.get)
    return project(rec, step.fields)


def _select(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.select is not None
    return select_rows(step, ctx, _read(run, step.select))


def _count(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.count is not None
    return len(select_rows(step, ctx, _read(run, step.count)))


def _aggregate(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.aggregate is not None
    return aggregate_rows(step, select_rows(step, ctx, _read(run, step.aggregate)))


def _let(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.let is not None
    bound = {}
    for name, template in step.let.items():
        bound[name] = ctx[name] = render(template, ctx)  # later keys see earlier ones
    return bound


def _require(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.require is not None and step.error is not None
    if not truthy(render(check_source(step.require), ctx)):
        raise ToolError(str(render(step.error, ctx)), kind="precondition")
    return True


# --- writes --------------------------------------------------------------------------------


def _write(
    step: Step,
    ctx: dict[str, Any],
    run: _Run,
    name: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """Replace the record ``step.id`` of collection ``name`` by ``change(record)``."""
    rid, rec = _record(step, ctx, _read(run, name), name)
    new = change(rec)
    run.put(run.collection(name), rid, new)
    return dict(new)


def _set(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.set is not None and step.values is not None
    # the paths are templates too: `payment_methods.{{ pid }}.amount`
    values = [(str(render(path, ctx)), value) for path, value in step.values.items()]
    values = [(path, render(value, ctx)) for path, value in values]

    def change(rec: dict[str, Any]) -> dict[str, Any]:
        for path, value in values:
            rec = set_path(rec, path, value)
        return rec

    return _write(step, ctx, run, step.set, change)


def _append(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.append is not None and step.path is not None
    path = str(render(step.path, ctx))
    value = render(step.value, ctx)

    def change(rec: dict[str, Any]) -> dict[str, Any]:
        current = get_path(rec, path)
        if current is MISSING:
            current = []
        if not isinstance(current, list):
            raise ToolError(f"tool misconfigured: {path!r} is not a list", kind="behavior_error")
        return set_path(rec, path, [*current, value])  # type: ignore[no-any-return]

    return _write(step, ctx, run, step.append, change)


def _increment(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.increment is not None and step.path is not None
    path = str(render(step.path, ctx))
    by = render(step.by, ctx)
    if not _is_number(by):
        raise ToolError(
            f"tool misconfigured: 'by' must be a number, got {by!r}"[:200], kind="behavior_error"
        )

    def change(rec: dict[str, Any]) -> dict[str, Any]:
        current = get_path(rec, path)
        if not _is_number(current):
            found = "nothing" if current is MISSING else repr(current)[:80]
            raise ToolError(
                f"tool misconfigured: {path!r} is not a number (found {found})",
                kind="behavior_error",
            )
        total = current + by
        if isinstance(total, float) and not math.isfinite(total):
            raise ToolError(
                "tool misconfigured: the sum is not a finite number", kind="behavior_error"
            )
        return set_path(rec, path, total)  # type: ignore[no-any-return]

    return _write(step, ctx, run, step.increment, change)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _insert(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.insert is not None and step.record is not None
    record = render(step.record, ctx)
    if not isinstance(record, dict):
        raise ToolError(
            "tool misconfigured: 'record' must render to an object", kind="behavior_error"
        )
    coll = run.collection(step.insert, create=True)
    rid = render(step.id, ctx) if step.id is not None else None
    if rid is None and not colls.is_keyed(coll):
        rid = record.get("id")
    if rid is None:
        prefix = step.id_prefix if step.id_prefix is not None else f"{step.insert}-"
        rid = colls.new_id(coll, prefix)
    elif colls.lookup(coll, rid) is not None:
        raise ToolError(f"{rid!r} already exists", kind="conflict")
    key = run.put(coll, rid, dict(record))
    return dict(coll[key])  # type: ignore[index]  # put says where it is


def _delete(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.delete is not None
    if step.path is None:
        rid, _ = _record(step, ctx, _read(run, step.delete), step.delete)
        run.remove(run.collection(step.delete), rid)
        return {"deleted": rid}
    path = render(step.path, ctx)
    return _write(step, ctx, run, step.delete, lambda rec: delete_path(rec, path))


# --- loops ---------------------------------------------------------------------------------


def _each(step: Step, ctx: dict[str, Any], run: _Run, at: tuple[int, ...]) -> Any:
    assert step.as_ is not None and step.steps is not None
    items = render(step.each, ctx)
    if not isinstance(items, list):
        raise ToolError(
            f"tool misconfigured: 'each' must render to a list, got {type(items).__name__}",
            kind="behavior_error",
        )
    results = []
    for item in items:
        # names bound inside the loop body are the body's own: each item starts afresh
        inner = dict(ctx)
        inner[step.as_] = item
        results.append(_run_list(step.steps, inner, run, at))
    return results


StepImplementation = Callable[[Step, dict[str, Any], _Run, tuple[int, ...]], Any]

_IMPLEMENTATIONS: dict[str, StepImplementation] = {
    "get": _get,
    "select": _select,
    "count": _count,
    "aggregate": _aggregate,
    "let": _let,
    "require": _require,
    "set": _set,
    "append": _append,
    "increment": _increment,
    "insert": _insert,
    "delete": _delete,
    "each": _each,
}
"""One implementation per entry of :data:`taskkit.models.operations.STEPS`."""


def step_implementations() -> frozenset[str]:
    """The step kinds the simulator can run (a test holds this equal to the table)."""
    return frozenset(_IMPLEMENTATIONS)
