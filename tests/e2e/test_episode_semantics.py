"""How an episode ends and how its end is judged: terminal tools, declared answer
normalisation and scope, and the strictness of state equality, on a small pack
(``tests/examples/valid/terminal-tool-and-declared-answers``) through the public API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taskkit.agents import NoopAgent, ReplayAgent
from taskkit.compiler import compile_paths
from taskkit.datagen import ExploreConfig, GenerateConfig, generate
from taskkit.models import AnswerCheck, CompiledTask
from taskkit.runs.episodes import run_episode
from taskkit.sim.answers import check_answer
from taskkit.sim.diff import diff_states, states_equal
from taskkit.sim.episode import Episode
from taskkit.sim.formats import FORMATS

PACK = (
    Path(__file__).resolve().parents[1]
    / "examples"
    / "valid"
    / "terminal-tool-and-declared-answers"
)


@pytest.fixture(scope="module")
def tasks() -> list[CompiledTask]:
    result = compile_paths([PACK])
    assert result.ok, [d.text() for d in result.diagnostics]
    return result.tasks


def _call(name: str, **args: object) -> dict[str, object]:
    return {"type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


def _calls(*calls: dict[str, object], content: str | None = None) -> dict[str, object]:
    return {"role": "assistant", "content": content, "tool_calls": list(calls)}


# -- terminal tools ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_gold_ending_with_a_terminal_tool_scores_one_in_every_format(tasks, fmt):
    for task in tasks:
        episode = run_episode(task, ReplayAgent(), fmt)
        assert episode.final is not None and episode.final.score == 1, episode.final.explain()
        assert episode.ended_by == "terminal:transfer_to_human"
        assert episode.record()["ended_by"] == "terminal:transfer_to_human"
        assert episode.answer is None  # it ended on the call, not on an answer


def test_doing_nothing_scores_zero(tasks):
    for task in tasks:
        episode = run_episode(task, NoopAgent())
        assert episode.final is not None and episode.final.score == 0
        assert episode.ended_by == "answer"


def test_a_terminal_call_ends_the_episode_and_the_calls_after_it_do_not_run(tasks):
    task = tasks[0]
    account = task.initial_state["accounts"][0]["id"]
    episode = Episode(task, "openai")
    result = episode.step(
        _calls(
            _call("transfer_to_human", summary="over to you"),
            _call("refund", account_id=account, balance=5),
        )
    )
    assert result.done and result.info["ended_by"] == "terminal:transfer_to_human"
    assert [c.name for c in episode.steps[0].calls] == ["transfer_to_human"]
    assert episode.state == task.initial_state  # the refund after it never ran
    assert episode.final is not None and episode.final.score == 0
    assert {f.type for f in episode.final.findings} == {"state_mismatch", "no_answer"}


def test_a_failed_terminal_call_does_not_end_the_episode(tasks):
    episode = Episode(tasks[0], "openai")
    result = episode.step(_calls(_call("transfer_to_human")))  # summary is required
    assert not result.done and episode.ended_by is None


def test_the_sft_row_ends_with_the_terminal_calls_observation(tasks, tmp_path):
    generate(tasks, ReplayAgent(), tmp_path, GenerateConfig(explore=ExploreConfig(samples=1)))
    rows = [json.loads(x) for x in (tmp_path / "sft.jsonl").read_text().splitlines()]
    assert len(rows) == len(tasks)
    for row in rows:
        last = row["messages"][-1]
        assert last == {"role": "tool", "name": "transfer_to_human", "content": last["content"]}
        assert "Transfer successful" in last["content"]
    for record in map(json.loads, (tmp_path / "trajectories.jsonl").read_text().splitlines()):
        assert record["ended_by"] == "terminal:transfer_to_human"


def test_running_out_of_turns_is_recorded_as_such(tasks):
    task = tasks[0].model_copy(update={"max_turns": 1})
    account = task.initial_state["accounts"][0]["id"]
    episode = Episode(task, "openai")
    episode.step(_calls(_call("get_account", account_id=account)))
    assert episode.done and episode.ended_by == "max_turns"
    assert episode.final is not None and "max_turns" in {f.type for f in episode.final.findings}


EMPTY = ["", "  \n\t", {"role": "assistant", "content": None}, {"content": " ", "tool_calls": []}]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("response", EMPTY, ids=["empty", "spaces", "null-content", "no-calls"])
def test_an_empty_response_is_an_empty_final_answer_in_every_format(tasks, fmt, response):
    if fmt != "openai" and isinstance(response, dict) and "tool_calls" in response:
        response = {"content": response["content"]}  # text formats read the content
    episode = Episode(tasks[0], fmt)
    result = episode.step(response)
    assert result.done and episode.ended_by == "empty_answer"
    assert episode.steps[0].score == 1  # ending is not a malformed step
    assert episode.final is not None and episode.final.score == 0
    assert {f.type for f in episode.final.findings} == {"state_mismatch", "no_answer"}


# -- answer scope and normalisation -----------------------------------------------------------


def _play(task: CompiledTask, *, balance: object, said: str | None) -> Episode:
    account = task.initial_state["accounts"][0]["id"]
    episode = Episode(task, "openai")
    episode.step(_calls(_call("get_account", account_id=account)))
    episode.step(_calls(_call("refund", account_id=account, balance=balance), content=said))
    episode.step(_calls(_call("transfer_to_human", summary="done")))
    return episode


def test_scope_any_reads_what_the_agent_said_before_the_terminal_call(tasks):
    task = tasks[0]  # ada: balance set to 2500
    passed = _play(task, balance=2500, said="Setting it to 2,500 now.")
    assert passed.final is not None and passed.final.score == 1, passed.final.explain()
    silent = _play(task, balance=2500, said=None)
    assert silent.final is not None and silent.final.score == 0
    assert [f.type for f in silent.final.findings] == ["no_answer"]
    wrong = _play(task, balance=2500, said="Setting it to 2,400 now.")
    assert wrong.final is not None
    assert [f.message for f in wrong.final.findings] == ["no message mentions '2500'"]


@pytest.mark.parametrize(
    ("check", "answer", "passes"),
    [
        # the default: NFKC, case-folded, thousands separators and edge punctuation removed
        ({"equals": "Total: 1234"}, "total: 1,234.", True),
        # declared: exactly these steps, in order, and nothing else
        ({"contains": ["1234"], "normalize": [{"strip": [","]}]}, "It is 1,2,3,4", True),
        ({"equals": "OK", "normalize": ["raw"]}, "ok", False),
        ({"equals": "OK", "normalize": ["lower"]}, "ok", True),
        ({"equals": "a b", "normalize": ["collapse_whitespace"]}, "  a \n  b ", True),
        ({"equals": "a b", "normalize": ["lower"]}, "a  b", False),
        ({"contains": ["fi 12"], "normalize": ["nfkc"]}, "\ufb01 \uff11\uff12", True),
        ({"contains": ["fi 12"], "normalize": ["raw"]}, "\ufb01 \uff11\uff12", False),
    ],
)
def test_declared_normalisation(check, answer, passes):
    assert (check_answer(AnswerCheck.model_validate(check), answer) == []) is passes


def test_scope_any_needs_each_string_in_some_message_and_bans_it_from_all():
    check = AnswerCheck.model_validate(
        {"contains": ["paris", "rome"], "not_contains": ["london"], "scope": "any"}
    )
    assert check_answer(check, "Rome too.", ["Paris first."]) == []
    assert check_answer(check, "Rome too.", ["Paris, not London."]) == [
        "a message mentions 'london'"
    ]
    assert check_answer(check, None, ["Paris and Rome."]) == []
    assert check_answer(check, None, []) == ["no assistant message"]
    final = AnswerCheck.model_validate({"contains": ["paris"]})
    assert check_answer(final, "Rome.", ["Paris."]) == ["answer does not mention 'paris'"]


@pytest.mark.parametrize(
    "check",
    [
        {"contains": ["x"], "normalize": ["upper"]},
        {"contains": ["x"], "normalize": ["raw", "lower"]},
        {"contains": ["x"], "normalize": [{"strip": []}]},
        {"contains": ["x"], "scope": "all"},
    ],
)
def test_an_unknown_or_contradictory_normalisation_is_refused(check):
    with pytest.raises(ValueError):
        AnswerCheck.model_validate(check)


# -- state equality ---------------------------------------------------------------------------


def test_types_strict_tells_an_int_from_a_float(tasks):
    task = tasks[0]
    as_float = _play(task, balance=2500.0, said="2500")
    assert as_float.final is not None and as_float.final.score == 0
    assert [f.type for f in as_float.final.findings] == ["state_mismatch"]
    (changed,) = as_float.final.diff["accounts"]["changed"]
    assert (changed["before"]["balance"], changed["after"]["balance"]) == (2500, 2500.0)
    expect = task.final.expect.model_copy(update={"types": "json"})
    lenient = task.model_copy(update={"final": task.final.model_copy(update={"expect": expect})})
    assert _play(lenient, balance=2500.0, said="2500").final.score == 1  # type: ignore[union-attr]


@pytest.mark.parametrize("types", ["json", "strict"])
def test_a_boolean_never_equals_a_number(types):
    assert not states_equal({"s": [{"id": 1, "on": True}]}, {"s": [{"id": 1, "on": 1}]}, types)
    assert not states_equal({"flag": {"on": False}}, {"flag": {"on": 0}}, types)
    assert states_equal({"s": [{"on": True}, {"on": 2}]}, {"s": [{"on": 2}, {"on": True}]}, types)


def test_json_types_equate_one_and_one_point_zero_anywhere():
    a = {"s": [{"id": "x", "n": [1, {"m": 2}]}], "k": {"a": {"v": 3}}}
    b = {"s": [{"id": "x", "n": [1.0, {"m": 2.0}]}], "k": {"a": {"v": 3.0}}}
    assert states_equal(a, b, "json")
    assert not states_equal(a, b, "strict")


def test_a_diff_of_an_object_keyed_by_id_is_per_record():
    before = {"users": {"u1": {"name": "Ada"}, "u2": {"name": "Bo"}}}
    after = {"users": {"u1": {"name": "Ada L."}, "u3": {"name": "Cy"}}}
    diff = diff_states(before, after)
    assert diff["users"] == {
        "added": [{"id": "u3", "name": "Cy"}],
        "removed": [{"id": "u2", "name": "Bo"}],
        "changed": [{"id": "u1", "before": {"name": "Ada"}, "after": {"name": "Ada L."}}],
    }
    assert diff.counts("users") == {"added": 1, "removed": 1, "changed": 1}
    assert "~ users[u1]" in diff.summary()


@pytest.mark.parametrize("types", ["json", "strict"])
def test_key_order_never_matters_and_types_still_do(types):
    a = {"s": [{"id": "x", "on": True, "n": 1}], "k": {"u": {"a": 1, "b": [True]}}}
    b = {"s": [{"n": 1, "on": True, "id": "x"}], "k": {"u": {"b": [True], "a": 1}}}
    assert states_equal(a, b, types)
    b["k"]["u"]["b"] = [1]  # equal by Python's ==, and key order differs too
    assert not states_equal(a, b, types)
    assert diff_states(a, b, types)["k"]["changed"][0]["id"] == "u"
