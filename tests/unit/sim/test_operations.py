"""Behaviour operations are declared once (taskkit/models/operations.py): every reader of
the table agrees with it, and an operation added through the public path can never change
a compiled task's shared initial state."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from one_tool import one_tool_task
from pydantic import create_model

from taskkit.agents.mutant import MutantAgent
from taskkit.models import Behavior, CompiledTask
from taskkit.models.operations import (
    OPERATIONS,
    WHERE_OPERATORS,
    Operation,
    declare_operation,
    option_names,
)
from taskkit.runs.episodes import run_episode
from taskkit.sim import behaviors
from taskkit.sim.episode import Episode
from taskkit.sim.records import OPERATORS


def _digest(state: Any) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def test_every_declared_operation_has_an_implementation_and_no_more() -> None:
    assert behaviors.implementations() == set(OPERATIONS)


def test_every_declared_operation_and_option_is_a_behaviour_field() -> None:
    fields = set(Behavior.model_fields)
    assert set(OPERATIONS) <= fields
    assert option_names() <= fields
    # Anything else a behaviour holds is neither an operation nor an option.
    assert fields - set(OPERATIONS) - option_names() == {"require", "respond"}


def test_every_where_operator_is_implemented_and_no_more() -> None:
    assert set(OPERATORS) == WHERE_OPERATORS


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_the_behaviour_validator_follows_the_table(name: str) -> None:
    op = OPERATIONS[name]
    given: dict[str, Any] = {name: [] if op.touches == "steps" else "things"}
    for option in sorted(op.required):
        given[option] = {"op": "sum", "record": {}, "set": {}}.get(option, "x")
    if op.one_of:
        given[sorted(op.one_of)[0]] = "x"
    if name == "aggregate":
        given["field"] = "price"
    Behavior.model_validate(given)  # what the table allows passes
    stray = sorted(option_names() - op.options)
    if stray:
        with pytest.raises(ValueError, match="cannot be used with"):
            Behavior.model_validate({**given, stray[0]: "x"})
    for option in sorted(op.required):
        with pytest.raises(ValueError, match=f"needs {option!r}"):
            Behavior.model_validate({k: v for k, v in given.items() if k != option})


# -- a throw-away operation, added the way a plug-in would --------------------------------


def _upsert(b: Any, ctx: dict[str, Any], state: dict[str, Any], trusted: bool) -> Any:
    """Insert or replace the record with the call's id, in place (as a careless
    implementation would: the episode must have copied the collection first)."""
    coll = state.setdefault(b.upsert, [])
    record = {"id": ctx["args"]["id"], "value": ctx["args"]["value"]}
    for rec in coll:
        if rec.get("id") == record["id"]:
            rec.update(record)  # mutates the record object itself
            return record
    coll.append(record)
    return record


@pytest.fixture
def upsert() -> Iterator[type[Behavior]]:
    declare_operation(
        Operation("upsert", "insert or replace a record", writes="yes", options=frozenset())
    )
    behaviors.register_operation("upsert", _upsert)
    try:
        yield create_model("UpsertBehavior", __base__=Behavior, upsert=(str | None, None))
    finally:
        del OPERATIONS["upsert"]
        del behaviors._IMPLEMENTATIONS["upsert"]


def _task_with(behavior: Behavior) -> CompiledTask:
    params = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "value": {"type": "integer"}},
        "required": ["id", "value"],
    }
    initial = {"things": [{"id": "a", "value": 1}], "other": [{"id": "z"}]}
    return one_tool_task("upsert", behavior, params, initial)


def test_a_registered_operation_never_changes_the_shared_initial_state(
    upsert: type[Behavior],
) -> None:
    task = _task_with(upsert.model_validate({"upsert": "things"}))
    before = _digest(task.initial_state)
    episode = Episode(task, "openai")
    call = {"role": "assistant", "content": None, "tool_calls": [_call("a", 2)]}
    result = episode.step(call)
    assert result.info["step"]["calls"][0]["error_type"] is None
    assert episode.state["things"] == [{"id": "a", "value": 2}]
    assert _digest(task.initial_state) == before
    # A fork writes on its own copy too.
    fork = episode.fork()
    fork.step({"role": "assistant", "content": None, "tool_calls": [_call("a", 3)]})
    assert episode.state["things"] == [{"id": "a", "value": 2}]
    assert _digest(task.initial_state) == before


def test_the_operation_must_be_declared_before_it_is_registered() -> None:
    with pytest.raises(ValueError, match="not declared"):
        behaviors.register_operation("never_declared", _upsert)


def test_an_operation_is_declared_once() -> None:
    with pytest.raises(ValueError, match="declared already"):
        declare_operation(Operation("select", "again", writes="no"))


def _call(rid: str, value: int) -> dict[str, Any]:
    return {
        "id": "c1",
        "type": "function",
        "function": {"name": "upsert", "arguments": json.dumps({"id": rid, "value": value})},
    }


def test_no_episode_of_the_bundled_library_changes_a_task_s_initial_state(
    compiled_library: list[CompiledTask],
) -> None:
    agent = MutantAgent()
    changed = []
    for task in compiled_library:
        before = _digest(task.initial_state)
        run_episode(task, agent, "openai", seed=1)
        if _digest(task.initial_state) != before:
            changed.append(task.id)
    assert changed == []
