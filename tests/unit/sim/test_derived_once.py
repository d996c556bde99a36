"""What a step or a behaviour derives from its fields (its kind, its operation, the
collections it writes) is derived once and remembered: it is asked on every call. The
remembered answer is always the one deriving it afresh gives, for every model its own."""

from __future__ import annotations

import gc
from pathlib import Path

import yaml

from taskkit.models import Behavior
from taskkit.models.toolset import Step

AIRLINE_TOOLS = Path(__file__).parents[3] / "task_library" / "airline" / "tools" / "airline.yaml"
STEP_CASES = Path(__file__).parents[2] / "steps" / "cases.yaml"


def _behaviors() -> list[Behavior]:
    tools = yaml.safe_load(AIRLINE_TOOLS.read_text())["tools"]
    cases = yaml.safe_load(STEP_CASES.read_text())
    found = [t["behavior"] for t in tools if t.get("behavior")]
    found += [c["behavior"] for c in cases]
    return [Behavior.model_validate(b) for b in found]


def _steps(steps: list[Step] | None) -> list[Step]:
    out = []
    for step in steps or ():
        out.append(step)
        out.extend(_steps(step.steps))
    return out


def test_remembered_answers_are_the_derived_ones_asked_twice() -> None:
    for behavior in _behaviors():
        for _ in range(2):
            assert behavior.operation == behavior._find_operation()
            assert behavior.touched == behavior._find_touched()
        for step in _steps(behavior.steps):
            for _ in range(2):
                assert step.kind == step._find_kind()
                assert step.touched == step._find_touched()


def test_each_model_has_its_own_answer_and_equality_is_unchanged() -> None:
    writes = Behavior.model_validate({"steps": [{"set": "users", "id": "u1", "values": {}}]})
    reads = Behavior.model_validate({"steps": [{"get": "users", "id": "u1"}]})
    assert (writes.touched, reads.touched) == ({"users"}, frozenset())
    assert writes.steps is not None and reads.steps is not None
    assert (writes.steps[0].kind, reads.steps[0].kind) == ("set", "get")
    again = Behavior.model_validate({"steps": [{"set": "users", "id": "u1", "values": {}}]})
    assert again == writes  # asking did not change what the model compares equal to


def test_a_copy_with_other_fields_derives_afresh() -> None:
    reads = Behavior.model_validate({"get": "users", "id": "u1"})
    assert (reads.operation, reads.touched) == ("get", frozenset())
    writes = reads.model_copy(update={"get": None, "update": "users", "set": {"a": 1}})
    assert (writes.operation, writes.touched) == ("update", {"users"})
    assert (reads.operation, reads.touched) == ("get", frozenset())
    step = Step.model_validate({"get": "users", "id": "u1"})
    assert step.kind == "get"
    assert step.model_copy(update={"get": None, "count": "users"}, deep=True).kind == "count"


def test_a_new_model_never_gets_a_gone_ones_answer() -> None:
    """A new model may reuse a collected one's id: it still derives its own answers."""
    for n in range(200):
        name = f"c{n}"
        step = Step.model_validate({"set": name, "id": "x", "values": {}})
        assert step.touched == {name}
        del step
        gc.collect(0)
        other = Step.model_validate({"get": name, "id": "x"})
        assert (other.kind, other.touched) == ("get", frozenset())
