"""The simulator on the bundled library: gold passes, doing nothing fails, and every kind
of mistake is caught by the evaluator it belongs to, with its error type."""

from __future__ import annotations

import json

import pytest

from taskkit.agents import MutantAgent, NoopAgent, ReplayAgent
from taskkit.agents.mutant import ALL_CLASSES, applicable, caught_by
from taskkit.runs.episodes import run_episode
from taskkit.sim.episode import Episode
from taskkit.sim.formats import FORMATS
from taskkit.sim.verify import ToolCall
from tests.conftest import LIBRARY


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_replay_scores_one_everywhere(compiled_library, fmt):
    for task in compiled_library:
        episode = run_episode(task, ReplayAgent(), fmt)
        assert episode.final is not None and episode.final.score == 1, (
            task.id,
            episode.final.explain(),
        )
        assert set(episode.action_scores) == {1}, task.id


def test_noop_scores_zero_on_every_task_that_asks_for_work(compiled_library):
    allowed = _noop_allowed()
    for task in compiled_library:
        assert task.final.gold_actions or task.final.expect.answer
        episode = run_episode(task, NoopAgent())
        assert episode.final is not None
        # a task that declares testing: {allow: [noop_passes], reason} is the exception
        assert episode.final.score == (1 if f"{task.pack}/{task.task}" in allowed else 0), task.id


def _noop_allowed() -> set[str]:
    """The tasks of the bundled library that declare ``allow: [noop_passes]``."""
    from taskkit.library import load_library
    from taskkit.models import Task

    return {
        f"{ld.pack}/{ld.model.id}"
        for ld in load_library(LIBRARY).tasks
        if isinstance(ld.model, Task)
        and ld.model.testing is not None
        and "noop_passes" in ld.model.testing.allow
    }


def test_every_mutation_class_is_caught_with_its_error_type(compiled_library):
    seen: set[str] = set()
    allowed = _noop_allowed()
    for task in compiled_library:
        first = task.final.gold_actions[0]
        call = ToolCall(first.tool, dict(first.args))
        for mutation in applicable(task, call, expect_error=first.expect_error):
            if mutation == "premature_answer" and f"{task.pack}/{task.task}" in allowed:
                continue  # answering at once is doing nothing, which the task allows
            episode = run_episode(task, MutantAgent(force=mutation))
            errors = {e["type"] for s in episode.record()["steps"] for e in s["errors"]}
            errors |= {f.type for f in episode.final.findings} if episode.final else set()
            assert errors & caught_by(mutation), (task.id, mutation, errors)
            assert episode.final is not None
            seen.add(mutation)
    assert seen == set(ALL_CLASSES) - {"wrong_value"} or seen == set(ALL_CLASSES)


def test_wrong_value_on_a_write_fails_the_final_evaluator(compiled_library):
    task = next(t for t in compiled_library if t.task == "cancel_viewing")
    episode = run_episode(task, MutantAgent(force="wrong_value"), faults=False)
    assert episode.final is not None and episode.final.score == 0
    assert {f.type for f in episode.final.findings} & {"state_mismatch", "diff_assertion"}
    assert "state vs gold" in episode.final.explain()


def test_mutant_at_temperature_mixes_passing_and_failing(compiled_library):
    scores = [
        run_episode(t, MutantAgent(), seed=s, temperature=1.0).final.score
        for t in [t for t in compiled_library if f"{t.pack}/{t.task}" not in _noop_allowed()][:10]
        for s in range(3)
    ]
    assert 0 < sum(scores) < len(scores)


def test_episode_is_gym_like_and_recorded_as_json(compiled_library):
    task = next(t for t in compiled_library if t.task == "book_cheapest_viewing")
    episode = Episode(task, "openai")
    first = episode.reset()
    assert first.messages[-1]["content"] == task.user_command
    bad = episode.step(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "search_home", "arguments": "{}"},
                }
            ],
        }
    )
    assert (bad.score, bad.done) == (0, False)
    assert bad.info["step"]["errors"][0]["type"] == "unknown_tool"
    assert "search_homes" in bad.info["step"]["errors"][0]["message"]  # the nearest name
    assert bad.observation.messages[-1]["role"] == "tool"
    done = episode.step("Sorry, I give up.")
    assert done.done and done.info["final"]["score"] == 0
    json.dumps(episode.record())


def test_turn_limit_ends_the_episode(compiled_library):
    task = compiled_library[0]
    episode = Episode(task, "openai")
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "nope", "arguments": "{}"}}
        ],
    }
    while not episode.done:
        episode.step(call)
    assert len(episode.steps) == task.max_turns
    assert episode.final is not None and episode.final.findings[0].type == "max_turns"


def test_injected_faults_are_deterministic_and_observed(compiled_library):
    task = next(t for t in compiled_library if t.faults is not None)
    runs = [run_episode(task, ReplayAgent(), seed=s).record() for s in range(12)]
    again = [run_episode(task, ReplayAgent(), seed=s).record() for s in range(12)]
    assert runs == again
    faulted = [
        c
        for r in runs
        for s in r["steps"]
        for c in s["calls"]
        if (c["error_type"] or "").startswith("fault:")
    ]
    assert faulted, "a 25% fault rate over 12 seeds should hit at least once"
    assert all(r["task_score"] == 1 for r in runs)  # replay retries, and a retry is not a repeat


def test_tool_errors_are_observations_not_exceptions(compiled_library):
    task = next(t for t in compiled_library if t.task == "book_cheapest_viewing")
    episode = Episode(task, "openai", faults=False)
    step = episode.step(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c",
                    "type": "function",
                    "function": {
                        "name": "schedule_viewing",
                        "arguments": json.dumps({"home_id": "h-0", "date": "2026-12-01"}),
                    },
                }
            ],
        }
    )
    call = step.info["step"]["calls"][0]
    assert call["error_type"] == "precondition" and "no home with id h-0" in call["observation"]


def test_episodes_never_change_the_task_they_run(compiled_library):
    """Episodes share the task's initial state until they write (copy-on-write): running
    every task's gold actions, in an episode and in a fork of it, leaves every task as it
    was, so the next run of the same task still passes."""
    before = [json.dumps(t.initial_state, sort_keys=True) for t in compiled_library]
    for task in compiled_library:
        episode = Episode(task, faults=False)
        fork = episode.fork()
        for action in task.final.gold_actions:
            call = {"id": "c", "type": "function"}
            call["function"] = {"name": action.tool, "arguments": json.dumps(action.args)}
            for ep in (episode, fork):
                ep.step({"role": "assistant", "content": None, "tool_calls": [call]})
    assert [json.dumps(t.initial_state, sort_keys=True) for t in compiled_library] == before
    for task in compiled_library:
        assert run_episode(task, ReplayAgent()).final.score == 1, task.id


def test_advance_is_step_without_the_observation(compiled_library):
    """`advance` (what data generation uses) scores exactly as `step` does."""
    task = next(t for t in compiled_library if t.task == "book_cheapest_viewing")
    stepped, advanced = Episode(task), Episode(task)
    for response in (
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "x", "arguments": "{}"}}
            ],
        },
        "Sorry, I give up.",
    ):
        result = stepped.step(response)
        record = advanced.advance(response)
        assert result.info["step"] == record.as_json()
        assert (result.score, result.done) == (record.score, advanced.done)
    assert advanced.final_json() == stepped.final_json() == result.info["final"]
    assert advanced.record() == stepped.record()
