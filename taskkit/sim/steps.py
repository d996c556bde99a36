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
from ..runtime.memo import IdentityMemo
from ..templates.environment import TemplateError, value_renderer
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


Program = Callable[[dict[str, Any], _Run], Any]
"""A list of steps compiled: run on a context (it gains the names bound) and a run."""

_PROGRAMS: IdentityMemo[Program] = IdentityMemo(512)
"""Each behaviour's steps compiled once, by the behaviour's identity: a tool runs the same
steps on every call, and reading each step's kind, options and templates again per call
was a tenth of a call. Bounded: a long run loads every task afresh."""


def run_steps(behavior: Behavior, ctx: dict[str, Any], state: State) -> Any:
    """Run ``behavior.steps`` on ``state``; the last step's value, or :class:`ToolError`
    with ``state`` as it was. ``ctx`` gains every bound name and ``result``."""
    run = _Run(state)
    try:
        program = _PROGRAMS.get(behavior)
        if program is None:
            program = _PROGRAMS.put(behavior, _compile_list(behavior.steps or [], ()))
        return program(ctx, run)
    except RecursionError:  # loops nested hundreds deep, run from an already deep stack
        run.rollback()
        raise ToolError(
            "tool misconfigured: the steps are nested too deeply", kind="behavior_error"
        ) from None
    except BaseException:  # a step's error, or a render's time budget: undo, in reverse
        run.rollback()
        raise


def _compile_list(steps: list[Step], where: tuple[int, ...]) -> Program:
    """The steps as one closure: each step's implementation, its condition and the name it
    binds resolved here, once."""
    plan = []
    for i, step in enumerate(steps):
        at = (*where, i + 1)
        kind = step.kind
        when = None if step.when is None else _when(step.when)
        bind = step.as_ if kind != "each" else None
        plan.append((_COMPILERS[kind](step, at), when, bind, kind, at))

    def run_list(ctx: dict[str, Any], run: _Run) -> Any:
        result: Any = ctx.get("result")
        for implementation, when, bind, kind, at in plan:
            run.budget -= 1
            if run.budget < 0:
                raise ToolError(
                    f"tool misconfigured: more than {MAX_STEPS_RUN} steps in one call",
                    kind="behavior_error",
                )
            if when is not None and not truthy(when(ctx)):
                continue
            try:
                result = implementation(ctx, run)
            except ToolError as exc:
                if exc.kind != "behavior_error" or exc.message.startswith(_LOCATED):
                    raise
                raise _misconfigured(at, kind, exc.message.removeprefix(_MISCONFIGURED)) from None
            except TemplateError as exc:  # a render of the step's, as render() would say it
                if (_MISCONFIGURED + exc.message).startswith(_LOCATED):
                    raise _as_tool_error(exc) from None
                raise _misconfigured(at, kind, exc.message) from None
            except (ValueError, TypeError) as exc:  # a path or a value the schema could not vet
                raise _misconfigured(at, kind, str(exc)) from None
            ctx["result"] = result
            if bind is not None:
                ctx[bind] = result
        return result

    return run_list


_MISCONFIGURED = "tool misconfigured: "
_LOCATED = _MISCONFIGURED + "step "


def _misconfigured(at: tuple[int, ...], kind: str, message: str) -> ToolError:
    """A behaviour error, located: ``step 2.1 (set)`` is the first step inside step 2."""
    where = ".".join(map(str, at))
    return ToolError(f"{_MISCONFIGURED}step {where} ({kind}): {message}", kind="behavior_error")


Rendered = Callable[[dict[str, Any]], Any]


def _renderer(value: Any) -> Rendered:
    """``value``'s renderer, looked up now. Inside a step, its :class:`TemplateError` is the
    step's behaviour error (the step list says so, located, as for
    :func:`~taskkit.sim.behaviors.render`)."""
    try:
        return value_renderer(value)
    except Exception:  # said when (and only if) the step runs, as before
        return lambda ctx: render(value, ctx)


def _as_tool_error(exc: TemplateError) -> ToolError:
    return ToolError(f"{_MISCONFIGURED}{exc.message}", kind="behavior_error")


def _condition(cond: Any) -> Rendered:
    """A ``when`` or a ``require``: an expression, or a template already."""
    return _renderer(check_source(cond) if isinstance(cond, str) else cond)


def _when(cond: Any) -> Rendered:
    """A ``when``: tested before its step runs, so its own render errors are not located."""
    compiled = _condition(cond)

    def when(ctx: dict[str, Any]) -> Any:
        try:
            return compiled(ctx)
        except TemplateError as exc:
            raise _as_tool_error(exc) from None

    return when


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


RecordFinder = Callable[[dict[str, Any], colls.Collection], tuple[Any, dict[str, Any]]]


def _finder(step: Step, name: str) -> RecordFinder:
    """The record ``step.id`` of a collection, or the step's ``error`` (not found)."""
    rid_of = _renderer(step.id)
    error = _renderer(step.error) if step.error else None
    what = name.rstrip("s")

    def find(ctx: dict[str, Any], coll: colls.Collection) -> tuple[Any, dict[str, Any]]:
        rid = rid_of(ctx)
        rec = colls.lookup(coll, rid)
        if rec is None:
            msg = error(ctx) if error is not None else f"no {what} with id {rid!r}"
            raise ToolError(str(msg), kind="not_found")
        return rid, rec

    return find


def _get(step: Step, at: tuple[int, ...]) -> Program:
    name, fields = step.get, step.fields
    assert name is not None
    find = _finder(step, name)
    return lambda ctx, run: project(find(ctx, _read(run, name))[1], fields)


def _select(step: Step, at: tuple[int, ...]) -> Program:
    name = step.select
    assert name is not None
    return lambda ctx, run: select_rows(step, ctx, _read(run, name))


def _count(step: Step, at: tuple[int, ...]) -> Program:
    name = step.count
    assert name is not None
    return lambda ctx, run: len(select_rows(step, ctx, _read(run, name)))


def _aggregate(step: Step, at: tuple[int, ...]) -> Program:
    name = step.aggregate
    assert name is not None
    return lambda ctx, run: aggregate_rows(step, select_rows(step, ctx, _read(run, name)))


def _let(step: Step, at: tuple[int, ...]) -> Program:
    assert step.let is not None
    bindings = [(name, _renderer(template)) for name, template in step.let.items()]

    def let(ctx: dict[str, Any], run: _Run) -> Any:
        bound = {}
        for name, rendered in bindings:
            bound[name] = ctx[name] = rendered(ctx)  # later keys see earlier ones
        return bound

    return let


def _require(step: Step, at: tuple[int, ...]) -> Program:
    assert step.require is not None and step.error is not None
    check, error = _condition(step.require), _renderer(step.error)

    def require(ctx: dict[str, Any], run: _Run) -> Any:
        if not truthy(check(ctx)):
            raise ToolError(str(error(ctx)), kind="precondition")
        return True

    return require


# --- writes --------------------------------------------------------------------------------

Change = Callable[[dict[str, Any]], dict[str, Any]]


def _writer(step: Step, name: str) -> Callable[[dict[str, Any], _Run, Change], dict[str, Any]]:
    """Replace the record ``step.id`` of collection ``name`` by ``change(record)``."""
    find = _finder(step, name)

    def write(ctx: dict[str, Any], run: _Run, change: Change) -> dict[str, Any]:
        rid, rec = find(ctx, _read(run, name))
        new = change(rec)
        run.put(run.collection(name), rid, new)
        return dict(new)

    return write


def _set(step: Step, at: tuple[int, ...]) -> Program:
    assert step.set is not None and step.values is not None
    write = _writer(step, step.set)
    # the paths are templates too: `payment_methods.{{ pid }}.amount`
    pairs = [(_renderer(path), _renderer(value)) for path, value in step.values.items()]

    def set_(ctx: dict[str, Any], run: _Run) -> Any:
        paths = [str(path(ctx)) for path, _ in pairs]  # every path first, as declared
        values = [(p, value(ctx)) for p, (_, value) in zip(paths, pairs, strict=True)]

        def change(rec: dict[str, Any]) -> dict[str, Any]:
            for path, value in values:
                rec = set_path(rec, path, value)
            return rec

        return write(ctx, run, change)

    return set_


def _append(step: Step, at: tuple[int, ...]) -> Program:
    assert step.append is not None and step.path is not None
    write, path_of, value_of = (
        _writer(step, step.append),
        _renderer(step.path),
        _renderer(step.value),
    )

    def append(ctx: dict[str, Any], run: _Run) -> Any:
        path = str(path_of(ctx))
        value = value_of(ctx)

        def change(rec: dict[str, Any]) -> dict[str, Any]:
            current = get_path(rec, path)
            if current is MISSING:
                current = []
            if not isinstance(current, list):
                raise ToolError(
                    f"tool misconfigured: {path!r} is not a list", kind="behavior_error"
                )
            return set_path(rec, path, [*current, value])  # type: ignore[no-any-return]

        return write(ctx, run, change)

    return append


def _increment(step: Step, at: tuple[int, ...]) -> Program:
    assert step.increment is not None and step.path is not None
    write, path_of, by_of = _writer(step, step.increment), _renderer(step.path), _renderer(step.by)

    def increment(ctx: dict[str, Any], run: _Run) -> Any:
        path = str(path_of(ctx))
        by = by_of(ctx)
        if not _is_number(by):
            raise ToolError(
                f"tool misconfigured: 'by' must be a number, got {by!r}"[:200],
                kind="behavior_error",
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

        return write(ctx, run, change)

    return increment


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _insert(step: Step, at: tuple[int, ...]) -> Program:
    name, rid_given = step.insert, step.id
    assert name is not None and step.record is not None
    record_of = _renderer(step.record)
    rid_of = _renderer(rid_given) if rid_given is not None else None
    prefix = step.id_prefix if step.id_prefix is not None else f"{name}-"

    def insert(ctx: dict[str, Any], run: _Run) -> Any:
        record = record_of(ctx)
        if not isinstance(record, dict):
            raise ToolError(
                "tool misconfigured: 'record' must render to an object", kind="behavior_error"
            )
        coll = run.collection(name, create=True)
        rid = rid_of(ctx) if rid_of is not None else None
        if rid is None and not colls.is_keyed(coll):
            rid = record.get("id")
        if rid is None:
            rid = colls.new_id(coll, prefix)
        elif colls.lookup(coll, rid) is not None:
            raise ToolError(f"{rid!r} already exists", kind="conflict")
        key = run.put(coll, rid, dict(record))
        return dict(coll[key])  # type: ignore[index]  # put says where it is

    return insert


def _delete(step: Step, at: tuple[int, ...]) -> Program:
    name = step.delete
    assert name is not None
    if step.path is None:
        find = _finder(step, name)

        def delete_record(ctx: dict[str, Any], run: _Run) -> Any:
            rid, _ = find(ctx, _read(run, name))
            run.remove(run.collection(name), rid)
            return {"deleted": rid}

        return delete_record
    write, path_of = _writer(step, name), _renderer(step.path)

    def delete_field(ctx: dict[str, Any], run: _Run) -> Any:
        path = path_of(ctx)
        return write(ctx, run, lambda rec: delete_path(rec, path))

    return delete_field


# --- loops ---------------------------------------------------------------------------------


def _each(step: Step, at: tuple[int, ...]) -> Program:
    assert step.as_ is not None and step.steps is not None
    name, items_of, body = step.as_, _renderer(step.each), _compile_list(step.steps, at)

    def each(ctx: dict[str, Any], run: _Run) -> Any:
        items = items_of(ctx)
        if not isinstance(items, list):
            raise ToolError(
                f"tool misconfigured: 'each' must render to a list, got {type(items).__name__}",
                kind="behavior_error",
            )
        results = []
        for item in items:
            # names bound inside the loop body are the body's own: each item starts afresh
            inner = dict(ctx)
            inner[name] = item
            results.append(body(inner, run))
        return results

    return each


StepCompiler = Callable[[Step, tuple[int, ...]], Program]

_COMPILERS: dict[str, StepCompiler] = {
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
"""One implementation per entry of :data:`taskkit.models.operations.STEPS`: each compiles a
step of its kind into a closure, once per behaviour."""


def step_implementations() -> frozenset[str]:
    """The step kinds the simulator can run (a test holds this equal to the table)."""
    return frozenset(_COMPILERS)
