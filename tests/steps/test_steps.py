"""Multi-step behaviours, as the agent and the state see them: one YAML case per kind of
step (cases.yaml), then all-or-nothing, native types, the episode's copy-on-write and
hostile input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from taskkit.models import Behavior, CompiledTask, ToolEnv
from taskkit.models.operations import STEPS, step_option_names
from taskkit.models.toolset import Step
from taskkit.sim import steps
from taskkit.sim.behaviors import ToolError, run_behavior
from taskkit.sim.episode import Episode

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text())


def _run(behavior: dict[str, Any], args: dict[str, Any], state: dict[str, Any]) -> Any:
    return run_behavior(Behavior.model_validate(behavior), args, state)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    state = copy.deepcopy(case["state"])
    before = copy.deepcopy(case["state"])
    if "error" in case:
        with pytest.raises(ToolError) as caught:
            _run(case["behavior"], case["args"], state)
        assert [caught.value.kind, caught.value.message] == case["error"]
        assert state == before  # a failing call changes nothing
    else:
        observation = _run(case["behavior"], case["args"], state)
        assert observation == case["observation"]
        assert state == case.get("state_after", before)


def test_every_step_kind_has_an_implementation_and_no_more() -> None:
    assert steps.step_implementations() == set(STEPS)


def test_every_step_kind_and_option_is_a_step_field() -> None:
    fields = {"as" if f == "as_" else f for f in Step.model_fields}
    assert set(STEPS) | step_option_names() == fields


@pytest.mark.parametrize("kind", sorted(STEPS))
def test_the_step_validator_follows_the_table(kind: str) -> None:
    spec = STEPS[kind]
    sample = {"let": {"x": 1}, "require": "true", "each": [], "values": {}, "record": {}}
    sample |= {"steps": [], "op": "sum", "as": "x", "field": "f"}
    given = {kind: sample.get(kind, "things")}
    for option in sorted(spec.required):
        given[option] = sample.get(option, "x")
    if kind == "aggregate":  # the one rule the table does not state, as for behaviours
        given["field"] = "f"
    Step.model_validate(given)
    stray = sorted(step_option_names() - spec.options - {kind})
    if stray:
        with pytest.raises(ValidationError, match="cannot be used with"):
            Step.model_validate({**given, stray[0]: "x"})
    for option in sorted(spec.required):
        with pytest.raises(ValidationError, match=f"needs.*{option!r}"):
            Step.model_validate({k: v for k, v in given.items() if k != option})


def test_steps_exclude_single_operations_and_a_step_has_one_kind() -> None:
    with pytest.raises(ValidationError, match="one operation"):
        Behavior.model_validate({"steps": [], "select": "homes"})
    with pytest.raises(ValidationError, match="exactly one of"):
        Behavior.model_validate({"steps": [{"get": "a", "set": "b", "id": 1}]})
    with pytest.raises(ValidationError, match="every template sees"):
        Behavior.model_validate({"steps": [{"let": {"args": 1}}]})


def test_touched_is_every_collection_a_write_step_names_nested_ones_too() -> None:
    behavior = Behavior.model_validate(
        {
            "steps": [
                {"get": "flights", "id": 1, "as": "f"},
                {"set": "users", "id": 1, "values": {"a": 1}},
                {"each": [1], "as": "x", "steps": [{"insert": "ledger", "record": {}}]},
            ]
        }
    )
    assert behavior.touched == {"users", "ledger"}
    assert Behavior.model_validate({"steps": [{"count": "x"}]}).touched == frozenset()
    assert Behavior.model_validate({"select": "x"}).touched == frozenset()
    assert Behavior.model_validate({"update": "x", "id": 1, "set": {}}).touched == {"x"}
    assert Behavior.model_validate({"handler": "m:f"}).touched == {"*"}


TRANSFER = {
    "steps": [
        {"get": "accounts", "id": "{{ args.src }}", "as": "src"},
        {
            "increment": "accounts",
            "id": "{{ args.src }}",
            "path": "balance",
            "by": "{{ 0 - args.amount }}",
        },
        {"insert": "ledger", "record": {"amount": "{{ args.amount }}"}},
        {
            "increment": "accounts",
            "id": "{{ args.dst }}",
            "path": "balance",
            "by": "{{ args.amount }}",
            "error": "Error: no account {{ args.dst }}",
        },
    ]
}


def test_a_failing_late_step_leaves_every_collection_as_it_was() -> None:
    state = {"accounts": [{"id": "a", "balance": 10}], "ledger": []}
    before = copy.deepcopy(state)
    with pytest.raises(ToolError, match="no account zz"):
        _run(TRANSFER, {"src": "a", "dst": "zz", "amount": 3}, state)
    assert state == before
    _run(TRANSFER, {"src": "a", "dst": "a", "amount": 3}, state)
    assert state["accounts"] == [{"id": "a", "balance": 10}]
    assert state["ledger"] == [{"id": "ledger-1", "amount": 3}]


def test_writes_never_change_records_shared_with_the_caller() -> None:
    shared = {"id": "a", "balance": 10, "meta": {"tags": ["x"]}}
    state = {"accounts": [shared]}
    _run(
        {
            "steps": [
                {"set": "accounts", "id": "a", "values": {"meta.by": "agent"}},
                {"append": "accounts", "id": "a", "path": "meta.tags", "value": "y"},
                {"increment": "accounts", "id": "a", "path": "balance", "by": 1},
            ]
        },
        {},
        state,
    )
    assert shared == {"id": "a", "balance": 10, "meta": {"tags": ["x"]}}
    assert state["accounts"] == [
        {"id": "a", "balance": 11, "meta": {"tags": ["x", "y"], "by": "agent"}}
    ]


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("{{ calc('a + b', a=1, b=2) }}", 3),
        ("{{ calc('a + b', a=1, b=2.5) }}", 3.5),
        ("{{ calc('7 // 2') }}", 3),
        ("{{ calc('-(2 ** 10) % 7') }}", 5),
        ("{{ round(2.675, 2) }}", 2.67),
        ("{{ round(3.5) }}", 4),
        ("{{ sum([1, 2, 3]) }}", 6),
        ("{{ sum([]) }}", 0),
        ("{{ min([3, 1, 2]) }}", 1),
        ("{{ max(3, 9) }}", 9),
        ("{{ abs(-4) }}", 4),
        ("{{ len({'a': 1}) }}", 1),
        ("{{ merge({'a': 1}, {'b': 2}) }}", {"a": 1, "b": 2}),
        ("{{ omit({'a': 1, 'b': 2}, 'a') }}", {"b": 2}),
        ("{{ add_days('2024-02-28', 2) }}", "2024-03-01"),
        ("{{ days_between('2024-05-01', '2024-05-15') }}", 14),
        ("{{ keys({'a': 1}) }}", ["a"]),
        ("{{ values({'a': 1}) }}", [1]),
        ("{{ items({'a': 1}) }}", [["a", 1]]),
        ("{{ zip([1, 2, 3], [4, 5]) }}", [[1, 4], [2, 5]]),
    ],
)
def test_helpers_return_native_values(template: str, value: Any) -> None:
    result = _run({"steps": [{"let": {"v": template}}], "respond": "{{ v }}"}, {}, {})
    assert result == value and type(result) is type(value)


def test_helpers_take_numbers_past_the_sandbox_s_argument_limit() -> None:
    behavior = {"respond": "{{ calc('a * 2', a=args.n) }}"}
    assert _run(behavior, {"n": 2_000_000_000}, {}) == 4_000_000_000
    with pytest.raises(ToolError, match="too large"):
        _run(behavior, {"n": 10**1300}, {})


def test_helpers_are_available_to_single_operation_behaviours_too() -> None:
    assert _run({"respond": "{{ calc('x * 2', x=args.n) }}"}, {"n": 4}, {}) == 8


@pytest.mark.parametrize(
    "template",
    [
        "{{ calc('9**9**9') }}",
        "{{ calc('2 ** 5000') }}",
        "{{ calc('a * a', a=10 ** 300 * 1.0) }}",
        "{{ calc('1 / 0') }}",
        "{{ calc('a.__class__', a=1) }}",
        "{{ calc('__import__(\"os\")') }}",
        "{{ calc('x[0]', x=1) }}",
        "{{ calc('y + 1') }}",
        "{{ calc('a + 1', a='1') }}",
        "{{ calc('a + 1', a=true) }}",
        "{{ calc(3) }}",
        "{{ calc('(' * 400 + '1' + ')' * 400) }}",
        "{{ calc('1+' * 2000 + '1') }}",
        "{{ sum(['a']) }}",
        "{{ sum(5) }}",
        "{{ round('1.5') }}",
        "{{ round(1.5, 1000) }}",
        "{{ min([]) }}",
        "{{ max([1, 'a']) }}",
        "{{ add_days('tomorrow', 1) }}",
        "{{ add_days('9999-12-31', 1) }}",
        "{{ days_between(1, 2) }}",
        "{{ merge([1], {}) }}",
        "{{ keys(none) }}",
        "{{ len(5) }}",
    ],
)
def test_helper_misuse_is_a_behaviour_error_never_a_crash(template: str) -> None:
    with pytest.raises(ToolError) as caught:
        _run({"steps": [{"let": {"v": template}}]}, {}, {})
    assert caught.value.kind == "behavior_error"
    assert caught.value.message.startswith("tool misconfigured: step 1 (let): ")


@pytest.mark.parametrize(
    ("step", "args"),
    [
        ({"each": "{{ args.n }}", "as": "x", "steps": [{"let": {"y": 1}}]}, {"n": 5}),
        ({"increment": "c", "id": "a", "path": "n", "by": "{{ args.n }}"}, {"n": "5"}),
        ({"increment": "c", "id": "a", "path": "n", "by": "{{ args.n }}"}, {"n": True}),
        ({"increment": "c", "id": "a", "path": "name", "by": 1}, {}),
        ({"increment": "c", "id": "a", "path": "n", "by": "{{ args.n }}"}, {"n": 1e308}),
        ({"append": "c", "id": "a", "path": "name", "value": 1}, {}),
        ({"set": "c", "id": "a", "values": {"name.first": 1}}, {}),
        ({"set": "c", "id": "a", "values": {"{{ args.p }}": 1}}, {"p": "a" * 5000}),
        ({"set": "c", "id": "a", "values": {".": 1}}, {}),
        ({"delete": "c", "id": "a", "path": "{{ args.p }}"}, {"p": ".".join(["x"] * 100)}),
        ({"insert": "c", "record": "{{ args.n }}"}, {"n": 1}),
        ({"get": "name", "id": "a"}, {}),
    ],
)
def test_hostile_or_mistyped_values_are_behaviour_errors(
    step: dict[str, Any], args: dict[str, Any]
) -> None:
    state = {"c": [{"id": "a", "n": 1e308, "name": "Ada"}], "name": "not a collection"}
    before = copy.deepcopy(state)
    if step.get("record") == "{{ args.n }}":  # the model refuses a non-object record
        with pytest.raises(ValidationError):
            Behavior.model_validate({"steps": [step]})
        return
    with pytest.raises(ToolError) as caught:
        _run({"steps": [step]}, args, state)
    assert caught.value.kind == "behavior_error", caught.value.message
    assert state == before


def test_a_loop_that_would_run_too_many_steps_stops() -> None:
    inner = {"each": "{{ range(1000) | list }}", "as": "y", "steps": [{"let": {"z": 1}}]}
    outer = {"each": "{{ range(1000) | list }}", "as": "x", "steps": [inner]}
    with pytest.raises(ToolError, match="more than"):
        _run({"steps": [outer]}, {}, {})


def test_loops_nested_as_deep_as_the_model_allows_run_or_fail_cleanly() -> None:
    step: dict[str, Any] = {"insert": "c", "record": {"x": 1}}
    for _ in range(250):
        step = {"each": [1], "as": "i", "steps": [step]}
    behavior = Behavior.model_validate({"steps": [step]})
    state: dict[str, Any] = {}
    try:
        run_behavior(behavior, {}, state)
        assert state == {"c": [{"id": "c-1", "x": 1}]}
    except ToolError as exc:  # a deep stack already: refused, and nothing written
        assert exc.kind == "behavior_error" and state == {}
    with pytest.raises(ValidationError):  # deeper than that is a schema error
        Behavior.model_validate({"steps": [_nest(400)]})


def _nest(depth: int) -> dict[str, Any]:
    step: dict[str, Any] = {"let": {"x": 1}}
    for _ in range(depth):
        step = {"each": [1], "as": "i", "steps": [step]}
    return step


def test_deeply_nested_values_are_written_and_read_without_crashing() -> None:
    deep: Any = 1
    for _ in range(200):
        deep = {"k": deep}
    state = {"c": [{"id": "a"}]}
    result = _run(
        {"steps": [{"set": "c", "id": "a", "values": {"v": "{{ args.deep }}"}, "as": "r"}]},
        {"deep": deep},
        state,
    )
    assert result["v"] == deep


def _task(behavior: dict[str, Any], initial: dict[str, Any]) -> CompiledTask:
    env = ToolEnv(
        name="move",
        ref="bank.move",
        effect="write",
        parameters={"type": "object", "properties": {"amount": {"type": "integer"}}},
        behavior=Behavior.model_validate(behavior),
    )
    return CompiledTask.model_validate(
        {
            "id": "t/move@1#e",
            "pack": "t",
            "pack_version": "1.0.0",
            "task": "move",
            "task_version": 1,
            "entry": "e",
            "category": "data",
            "difficulty": "easy",
            "source": {},
            "user_command": "move 3",
            "tools": [],
            "environment": [env],
            "initial_state": initial,
            "max_turns": 3,
            "action_checks": [],
            "final": {
                "gold_actions": [],
                "expect": {"state": "ignore", "answer": {"contains": ["done"]}},
                "gold_state": initial,
                "gold_observations": [],
            },
            "content_hash": "0",
        }
    )


def test_an_episode_never_changes_the_task_s_initial_state_through_steps() -> None:
    initial = {"accounts": {"a": {"balance": 10}, "b": {"balance": 0}}, "ledger": []}
    frozen = json.dumps(initial, sort_keys=True)
    behavior = {
        "steps": [
            {"increment": "accounts", "id": "a", "path": "balance", "by": "{{ 0 - args.amount }}"},
            {"increment": "accounts", "id": "b", "path": "balance", "by": "{{ args.amount }}"},
            {"append": "ledger", "id": "x", "path": "p", "value": 1, "when": "false"},
            {"insert": "ledger", "record": {"amount": "{{ args.amount }}"}},
        ]
    }
    task = _task(behavior, initial)
    episode = Episode(task, "openai")
    call = {
        "id": "c1",
        "type": "function",
        "function": {"name": "move", "arguments": '{"amount": 3}'},
    }
    episode.step({"role": "assistant", "content": None, "tool_calls": [call]})
    assert episode.state["accounts"] == {"a": {"balance": 7}, "b": {"balance": 3}}
    assert episode.state["ledger"] == [{"id": "ledger-1", "amount": 3}]
    assert json.dumps(task.initial_state, sort_keys=True) == frozen


def test_the_worked_example_in_the_docs_does_what_the_docs_say() -> None:
    text = (Path(__file__).parents[2] / "docs" / "authoring.md").read_text()
    block = text.split("A worked example, a transfer", 1)[1].split("```yaml\n", 1)[1]
    (tool,) = yaml.safe_load(block.split("```", 1)[0])
    behavior = Behavior.model_validate(tool["behavior"])
    state = {"accounts": [{"id": "chk", "balance": 100}, {"id": "sav", "balance": 0}]}
    before = copy.deepcopy(state)
    with pytest.raises(ToolError, match="holds only 100"):
        run_behavior(behavior, {"from": "chk", "to": "sav", "amount": 400}, state)
    assert state == before
    result = run_behavior(behavior, {"from": "chk", "to": "sav", "amount": 40}, state)
    assert result == {"balance": 59.6, "fee": 0.4}
    assert state["accounts"] == [
        {"id": "chk", "balance": 59.6, "ledger": [{"to": "sav", "amount": 40, "fee": 0.4}]},
        {"id": "sav", "balance": 40},
    ]


@pytest.mark.parametrize(
    "state",
    [
        {"c": [{"id": "a"}, {"id": "b", "n": 1}, {"id": "c"}]},
        {"c": {"a": {}, "b": {"n": 1}, "c": {}}},
        # large enough to be indexed (collections.SCAN_BELOW)
        {"c": [{"id": "a"}, {"id": "b", "n": 1}, {"id": "c"}, *({"id": i} for i in range(64))]},
        {"c": {"a": {}, "b": {"n": 1}, "c": {}, **{str(i): {} for i in range(64)}}},
    ],
    ids=["list", "keyed", "indexed-list", "indexed-keyed"],
)
def test_every_kind_of_write_is_undone_in_order_when_a_later_step_fails(
    state: dict[str, Any],
) -> None:
    for rid in ("a", "b", "c"):  # build the indexes first, as earlier calls would
        _run({"steps": [{"get": "c", "id": rid}]}, {}, state)
    before = copy.deepcopy(state)
    failing = {
        "steps": [
            {"delete": "c", "id": "a"},
            {"set": "c", "id": "b", "values": {"n": 2, "m.k": 1}},
            {"increment": "c", "id": "b", "path": "n", "by": 1},
            {"append": "c", "id": "c", "path": "log", "value": 1},
            {"insert": "c", "id": "d", "record": {"x": 1}},
            {"insert": "new_collection", "record": {"x": 1}},
            {"delete": "c", "id": "b", "path": "n"},
            {"require": "false", "error": "Error: no"},
        ]
    }
    with pytest.raises(ToolError, match="Error: no"):
        _run(failing, {}, state)
    assert state == before
    assert json.dumps(state) == json.dumps(before)  # the order of records and keys too
    # and the collections' id indexes agree with what was put back
    got = _run({"steps": [{"get": "c", "id": "b", "as": "r"}], "respond": "{{ r.n }}"}, {}, state)
    assert got == 1
    for rid in ("a", "c"):
        assert _run({"steps": [{"get": "c", "id": rid}]}, {}, state) is not None
    with pytest.raises(ToolError, match="no c with id 'd'"):
        _run({"steps": [{"get": "c", "id": "d"}]}, {}, state)


def test_a_compiled_task_with_steps_loads_back_and_replays(tmp_path: Path) -> None:
    # A compiled task writes every field of a step (absent ones as null); reading it back
    # must see the one kind each step was given, and run as the source did.
    from click.testing import CliRunner

    from taskkit.agents import ReplayAgent
    from taskkit.cli.main import cli
    from taskkit.compiler import load_compiled
    from taskkit.runs.episodes import run_episode

    example = Path(__file__).parents[1] / "examples" / "valid" / "steps-buy"
    out = tmp_path / "tasks.jsonl"
    result = CliRunner().invoke(cli, ["compile", str(example), "-o", str(out)])
    assert result.exit_code == 0, result.output
    tasks = load_compiled(out)
    assert tasks and any(
        env.behavior is not None and env.behavior.steps for t in tasks for env in t.environment
    )
    for task in tasks:
        episode = run_episode(task, ReplayAgent(), "openai")
        assert episode.final is not None and episode.final.score == 1, task.id
