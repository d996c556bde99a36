"""Declared tool behaviour: select / get / insert / update / delete / count / aggregate /
respond on the world state, and Python handlers for trusted packs.

Every operation is deterministic: generated ids come from the state (the next free number
of a prefix), never from a clock or a random source, so the gold replay and an agent's run
of the same calls reach the same state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..handlers.sources import handler_root, load_handler
from ..handlers.trust import HandlerRefused
from ..models import Behavior, Step
from ..models.operations import OPERATIONS
from ..models.toolset import Require
from ..templates.environment import TemplateError, value_renderer
from . import collections as colls
from .collections import Collection, Key
from .helpers import helper_context
from .paths import MISSING, get_path, set_path
from .records import sort_records

__all__ = [
    "HandlerRefused",
    "Implementation",
    "ToolError",
    "aggregate_rows",
    "check_source",
    "copies_records",
    "implementations",
    "project",
    "register_operation",
    "render",
    "returns_stored_record",
    "run_behavior",
    "select_rows",
    "truthy",
]


class ToolError(Exception):
    """The tool refuses the call; the message goes back to the agent as the observation."""

    def __init__(self, message: str, *, kind: str = "tool_error") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


State = dict[str, Any]

_HELPERS = helper_context()
"""The template helpers every behaviour template sees (:mod:`taskkit.sim.helpers`)."""


def run_behavior(
    behavior: Behavior | None, args: dict[str, Any], state: State, *, trusted: bool = False
) -> Any:
    """Run one call; mutate ``state`` for writes; return the observation or raise ToolError."""
    if behavior is None:
        return {}
    try:
        return _run(behavior, args, state, trusted=trusted)
    except (ValueError, TypeError) as exc:  # a behaviour the schema could not vet fully
        raise ToolError(f"tool misconfigured: {exc}", kind="behavior_error") from None


def _run(behavior: Behavior, args: dict[str, Any], state: State, *, trusted: bool) -> Any:
    ctx: dict[str, Any] = {**_HELPERS, "args": _Args(args), "state": state}
    for req in behavior.require:
        _require(req, ctx, state)
    op = behavior.operation
    result: Any = None
    if op is not None:
        result = _IMPLEMENTATIONS[op](behavior, ctx, state, trusted)
    if behavior.respond is not None:
        ctx["result"] = result
        result = render(behavior.respond, ctx)
    return result


class _Args(dict[str, Any]):
    """Call arguments; a missing optional argument reads as undefined, so `default()` works.
    No instance attributes: the templates read its keys as a dict's, without the sandbox's
    attribute lookup first."""

    __slots__ = ()


def render(value: Any, ctx: dict[str, Any]) -> Any:
    """A behaviour's value rendered in ``ctx``; a template error is the tool's error."""
    try:
        return value_renderer(value)(ctx)
    except TemplateError as exc:
        raise ToolError(f"tool misconfigured: {exc.message}", kind="behavior_error") from None


def _collection(state: State, name: str, *, create: bool = False) -> Collection:
    """A list of records or an object keyed by id (see :mod:`taskkit.sim.collections`)."""
    coll = state.get(name)
    if coll is None:
        if not create:
            return []
        coll = state[name] = []
    if not colls.is_collection(coll):
        raise ToolError(
            f"tool misconfigured: state {name!r} is not a collection", kind="behavior_error"
        )
    return coll


def _targets(behavior: Behavior, ctx: dict[str, Any], coll: Collection, what: str) -> list[Key]:
    if behavior.id is not None:
        rid = render(behavior.id, ctx)
        key = colls.locate(coll, rid)
        if key is None:
            msg = render(behavior.error, ctx) if behavior.error else f"no {what} with id {rid!r}"
            raise ToolError(str(msg), kind="not_found")
        return [key]
    return [key for key, _ in colls.find(coll, render(behavior.where, ctx))]


_FALSY_TEXT = frozenset({"", "false", "0", "no", "none", "null"})


def truthy(value: Any) -> bool:
    """A check that renders to text (it mixed braces and words) is read as a boolean word."""
    if isinstance(value, str):
        return value.strip().casefold() not in _FALSY_TEXT
    return bool(value)


def check_source(check: str) -> str:
    """A ``require.check`` is an expression; written with braces, it is a template already."""
    return check if "{{" in check else "{{ " + check + " }}"


def _require(req: Require, ctx: dict[str, Any], state: State) -> None:
    if req.check is not None:
        ok = truthy(render(check_source(req.check), ctx))
    else:
        spec = render(req.exists if req.exists is not None else req.absent, ctx)
        coll = _collection(state, str(spec.get("collection")))
        if "id" in spec:
            found = colls.locate(coll, spec["id"]) is not None
        else:
            found = bool(colls.find(coll, spec.get("where")))
        ok = found if req.exists is not None else not found
    if not ok:
        raise ToolError(str(render(req.error, ctx)), kind="precondition")


def project(rec: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """The record, or only ``fields`` of it (a dotted field keeps its nesting)."""
    if not fields:
        return dict(rec)
    picked = {name: v for name in fields if (v := get_path(rec, name)) is not MISSING}
    return _changed({}, picked)


def _changed(rec: dict[str, Any], changes: Any) -> dict[str, Any]:
    """A new record: ``rec`` with each (dotted) field of ``changes`` set; ``rec`` stays as it
    is (it may be shared with the task's initial state)."""
    if not isinstance(changes, dict):
        raise TypeError(f"`set` must render to an object, got {changes!r}")
    out = dict(rec)
    for name, value in changes.items():
        if "." in name:
            out = set_path(out, name, value)
        else:
            out[name] = value
    return out


Query = Behavior | Step
"""A behaviour or a step: both read with the same options (``where``, ``sort``, ...)."""


def select_rows(q: Query, ctx: dict[str, Any], coll: Collection) -> list[dict[str, Any]]:
    """The records of ``coll`` matching ``q.where``, sorted, limited and projected."""
    rows = [rec for _, rec in colls.find(coll, render(q.where, ctx))]
    rows = sort_records(rows, q.sort)
    if q.limit is not None:
        limit = render(q.limit, ctx)
        try:
            rows = rows[: max(0, int(limit))]
        except (TypeError, ValueError):
            raise ToolError(f"limit must be a number, got {limit!r}") from None
    return [project(r, q.fields) for r in rows]


def _select(b: Behavior, ctx: dict[str, Any], state: State, trusted: bool) -> Any:
    assert b.select is not None
    return select_rows(b, ctx, _collection(state, b.select))


def _get(b: Behavior, ctx: dict[str, Any], state: State, trusted: bool) -> Any:
    assert b.get is not None
    coll = _collection(state, b.get)
    (key,) = _targets(b, ctx, coll, b.get.rstrip("s"))
    if not b.fields:  # see returns_stored_record
        return colls.at(coll, key)
    return project(colls.at(coll, key), b.fields)


def returns_stored_record(behavior: Behavior | None) -> bool:
    """Whether a successful call of ``behavior`` returns a record exactly as the state holds
    it (the object itself, not a copy): a lone ``get`` of whole records. Records are never
    changed in place, so the caller may keep what it derives from one (its JSON text) for as
    long as it holds the record, and must not change it."""
    return (
        behavior is not None
        and behavior.operation == "get"
        and not behavior.fields
        and behavior.respond is None
    )


def _insert(b: Behavior, ctx: dict[str, Any], state: State, trusted: bool) -> Any:
    assert b.insert is not None and b.record is not None
    coll = _collection(state, b.insert, create=True)
    record = dict(render(b.record, ctx))
    rid = record.get("id")
    if rid is None:
        prefix = b.id_prefix if b.id_prefix is not None else f"{b.insert}-"
        rid = colls.new_id(coll, prefix)
        record.pop("id", None)  # a keyed record needs none; a listed one gets it first
    elif colls.locate(coll, rid) is not None:
        raise ToolError(f"{rid!r} already exists", kind="conflict")
    key = colls.put(coll, rid, record)
    return {"id": rid, **colls.at(coll, key)}


def _update(b: Behavior, ctx: dict[str, Any], state: State, trusted: bool) -> Any:
    assert b.update is not None and b.set is not None
    coll = _collection(state, b.update)
    targets = _targets(b, ctx, coll, b.update.rstrip("s"))
    changes = render(b.set, ctx)
    for key in targets:
        colls.store(coll, key, _changed(colls.at(coll, key), changes))
    updated = [dict(colls.at(coll, key)) for key in targets]
    return updated[0] if b.id is not None else {"updated": len(updated), "records": updated}


def _delete(b: Behavior, ctx: dict[str, Any], state: State, trusted: bool) -> Any:
    assert b.delete is not None
    coll = _collection(state, b.delete)
    targets = _targets(b, ctx, coll, b.delete.rstrip("s"))
    ids = [colls.record_id(coll, key, colls.at(coll, key)) for key in targets]
    colls.remove_keys(coll, targets)
    return {"deleted": ids[0]} if b.id is not None else {"deleted": ids}


def _count(b: Behavior, ctx: dict[str, Any], state: State, trusted: bool) -> Any:
    assert b.count is not None
    return {"count": len(colls.find(_collection(state, b.count), render(b.where, ctx)))}


def _aggregate(b: Behavior, ctx: dict[str, Any], state: State, trusted: bool) -> Any:
    assert b.aggregate is not None
    rows = [rec for _, rec in colls.find(_collection(state, b.aggregate), render(b.where, ctx))]
    return {"value": aggregate_rows(b, rows)}


def aggregate_rows(q: Query, rows: list[dict[str, Any]]) -> float | int | None:
    """``q.op`` of ``q.field`` over ``rows`` (numbers only; ``None`` over none)."""
    if q.op == "count":
        return len(rows)
    found = (get_path(r, q.field or "") for r in rows)
    values = [v for v in found if isinstance(v, int | float) and not isinstance(v, bool)]
    if not values:
        return None
    if q.op == "sum":
        return sum(values)
    if q.op == "avg":
        return round(sum(values) / len(values), 6)
    if q.op == "min":
        return min(values)
    return max(values)


def _steps(b: Behavior, ctx: dict[str, Any], state: State, trusted: bool) -> Any:
    from .steps import run_steps  # noqa: PLC0415  # steps build on this module

    return run_steps(b, ctx, state)


def _handler(b: Behavior, ctx: dict[str, Any], state: State, trusted: bool) -> Any:
    assert b.handler is not None
    if not trusted:
        raise HandlerRefused(
            f"Python handler {b.handler!r} refused: the pack is not trusted (pass --trust PACK)"
        )
    try:  # a module gone since lint looked, or one that fails to import
        fn = load_handler(b.handler, handler_root())
    except Exception as exc:
        raise ToolError(
            f"tool misconfigured: handler {b.handler!r} cannot be loaded: "
            f"{type(exc).__name__}: {exc}",
            kind="behavior_error",
        ) from None
    try:
        return fn(args=dict(ctx["args"]), state=state)
    except ToolError:
        raise
    except Exception as exc:  # a handler bug is the tool failing, not the simulator
        raise ToolError(f"{type(exc).__name__}: {exc}", kind="handler_error") from None
    finally:
        colls.forget_all(state)  # it may have changed collections in place


Implementation = Callable[[Behavior, dict[str, Any], State, bool], Any]
"""``impl(behavior, context, state, trusted)``: run one call; mutate ``state`` only where
the operation's table entry says it may (the episode copies exactly that first)."""

_IMPLEMENTATIONS: dict[str, Implementation] = {
    "select": _select,
    "get": _get,
    "insert": _insert,
    "update": _update,
    "delete": _delete,
    "count": _count,
    "aggregate": _aggregate,
    "steps": _steps,  # writes through collections.put and paths.set_path: records copied
    "handler": _handler,
}
"""One implementation per entry of :data:`taskkit.models.operations.OPERATIONS`."""

_COPYING: set[str] = set(_IMPLEMENTATIONS) - {"handler"}
"""Operations that never change a record in place (they write through
:mod:`taskkit.sim.collections` and :mod:`taskkit.sim.paths`): before one writes, the episode
copies the container only, not every record in it."""


def register_operation(
    name: str, implementation: Implementation, *, copies_records: bool = False
) -> None:
    """Register the implementation of an operation declared in the table
    (:func:`taskkit.models.operations.declare_operation`): what it writes is the table's
    to say, so an operation can only run once the episode knows what to copy first.

    ``copies_records``: the implementation never changes a record (or anything in one) in
    place, only replaces records in their container; the episode then copies containers
    shallowly. Otherwise it deep-copies what the operation touches before each call."""
    if name not in OPERATIONS:
        raise ValueError(f"operation {name!r} is not declared (declare_operation first)")
    if name in _IMPLEMENTATIONS:
        raise ValueError(f"operation {name!r} has an implementation already")
    _IMPLEMENTATIONS[name] = implementation
    if copies_records:
        _COPYING.add(name)


def copies_records(operation: str | None) -> bool:
    """Whether ``operation`` leaves records as they are (see :func:`register_operation`)."""
    return operation is None or operation in _COPYING


def implementations() -> frozenset[str]:
    """The operations the simulator can run (a test holds this equal to the table)."""
    return frozenset(_IMPLEMENTATIONS)
