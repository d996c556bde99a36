"""taskkit tasks as TRL environments: the tools TRL reads off the classes are the tasks'
tools, every call goes through taskkit, rollouts are isolated, and the reward equals
run_episode's final score on the bundled library."""

from __future__ import annotations

import contextlib
import inspect
import json
from typing import Any

import pytest

from taskkit.agents.mutant import MutantAgent
from taskkit.agents.noop import NoopAgent
from taskkit.agents.replay import ReplayAgent
from taskkit.integrations.trl import (
    TaskEnvironment,
    TaskEnvironments,
    call_tool,
    final_answer,
    finish,
)
from taskkit.models import CompiledTask
from taskkit.runs.episodes import run_episode
from taskkit.sim.episode import Episode

transformers = pytest.importorskip("transformers", reason="the rl extra is not installed")


def _methods(env: TaskEnvironment) -> dict[str, Any]:
    """The tools as TRL finds them: public functions of the class, less reset/get_reward."""
    return {
        name: getattr(env, name)
        for name, _ in inspect.getmembers(type(env), predicate=inspect.isfunction)
        if name not in ("reset", "get_reward") and not name.startswith("_")
    }


@pytest.fixture(scope="module")
def envs(compiled_library: list[CompiledTask]) -> TaskEnvironments:
    return TaskEnvironments(compiled_library)


def _first_with_writes(tasks: list[CompiledTask]) -> CompiledTask:
    return next(t for t in tasks if t.final.gold_state != t.initial_state)


def test_trl_reads_each_task_s_tools_off_its_environment_class(
    envs: TaskEnvironments, compiled_library: list[CompiledTask]
) -> None:
    get_json_schema = transformers.utils.get_json_schema
    seen: set[str] = set()
    for task in envs.tasks.values():
        cls = envs.environment_factory[_row(envs, task)["environment"]]
        if cls.__name__ in seen:
            continue
        seen.add(cls.__name__)
        offered = {t["function"]["name"]: t["function"] for t in task.tools}
        methods = _methods(cls())
        assert set(methods) == set(offered)  # and nothing else is offered
        for name, fn in offered.items():
            schema = get_json_schema(methods[name])["function"]
            params = fn.get("parameters") or {}
            assert schema["name"] == name
            assert set(schema["parameters"]["properties"]) == set(params.get("properties", {}))
            assert set(schema["parameters"].get("required", [])) == set(params.get("required", []))
            for pname, sub in params.get("properties", {}).items():
                if "enum" in sub:
                    assert schema["parameters"]["properties"][pname]["enum"] == sub["enum"]
    assert len(seen) == len(envs.environment_factory)


def _row(envs: TaskEnvironments, task: CompiledTask) -> dict[str, Any]:
    return next(r for r in envs.rows() if r["task_id"] == task.id)


def test_rows_carry_the_prompt_the_task_id_and_the_environment(
    envs: TaskEnvironments, compiled_library: list[CompiledTask]
) -> None:
    task = compiled_library[0]
    row = _row(envs, task)
    assert row["prompt"][-1] == {"role": "user", "content": task.user_command}
    assert row["prompt"][0]["role"] == "system"
    assert row["environment"] in envs.environment_factory


def test_rollouts_are_isolated(envs: TaskEnvironments, compiled_library: list[CompiledTask]):
    task = _first_with_writes(compiled_library)
    cls = envs.environment_factory[_row(envs, task)["environment"]]
    first, second = cls(), cls()
    first.reset(**_row(envs, task))
    second.reset(**_row(envs, task))
    for action in task.final.gold_actions:
        getattr(first, action.tool)(**action.args)
    assert first.episode is not None and second.episode is not None
    assert first.episode.state != second.episode.state  # one rollout's writes only
    assert second.episode.state == task.initial_state
    first.reset(**_row(envs, task))  # a reused instance starts afresh
    assert first.episode.state == task.initial_state


def test_bad_calls_come_back_as_text_never_as_exceptions(
    envs: TaskEnvironments, compiled_library: list[CompiledTask]
) -> None:
    task = compiled_library[0]
    env = envs.environment_factory[_row(envs, task)["environment"]]()
    env.reset(**_row(envs, task))
    tool = task.tools[0]["function"]["name"]
    assert "unexpected" in getattr(env, tool)(no_such_argument=1).lower()
    assert "keyword arguments only" in getattr(env, tool)(1, 2)
    unknown = call_tool(env, tool + "x", {})
    assert "unknown tool" in unknown and f'"{tool}"' in unknown  # with the nearest name
    assert "not valid JSON" in call_tool(env, tool, '{"a": ')


def test_a_reset_for_a_task_that_does_not_exist_is_a_clear_error(envs: TaskEnvironments):
    env = next(iter(envs.environment_factory.values()))()
    with pytest.raises(KeyError, match="no task 'nope'"):
        env.reset(task_id="nope", prompt=[])
    assert call_tool(env, "anything", {}) == "error: the environment was not reset"


def test_a_tool_named_like_the_environment_s_own_methods_is_refused(
    compiled_library: list[CompiledTask],
) -> None:
    task = compiled_library[0]
    renamed = task.model_copy(
        update={
            "tools": [{**task.tools[0], "function": {**task.tools[0]["function"], "name": "reset"}}]
        }
    )
    with pytest.raises(ValueError, match="clashes"):
        TaskEnvironments([renamed])


def test_step_weight_blends_the_step_scores(compiled_library: list[CompiledTask]) -> None:
    task = next(t for t in compiled_library if len(t.final.gold_actions) >= 2)
    envs = TaskEnvironments([task], step_weight=0.5)
    env = envs.environment_factory[_row(envs, task)["environment"]]()
    env.reset(**_row(envs, task))
    first = task.final.gold_actions[0]
    getattr(env, first.tool)(**first.args)
    call_tool(env, "no_such_tool", {})  # a failing step
    # the final evaluator fails (the gold is unfinished): 0.5 * 0 + 0.5 * mean([1, 0])
    assert envs.reward(["done"], [env]) == [pytest.approx(0.25)]


def test_final_answer_is_the_last_assistant_text() -> None:
    assert final_answer("The answer is 4") == "The answer is 4"
    assert final_answer([{"role": "assistant", "content": "hi"}]) == "hi"
    tool_turn = {"role": "assistant", "content": "", "tool_calls": [{"function": {}}]}
    assert final_answer([tool_turn]) is None
    assert final_answer([{"role": "assistant", "content": "  "}]) is None


# -- the same verdicts as run_episode ------------------------------------------------------


def _replay_through(env: TaskEnvironment, episode: Episode) -> str | None:
    """Feed an episode's transcript to a TRL environment as TRL would: each tool call as a
    method call (or, for what no method can take, the environment's ``call``); the final
    answer is what the completion ends with."""
    for step in episode.steps:
        for call in step.parsed.calls:
            args = call.arguments
            if isinstance(args, str):
                with contextlib.suppress(ValueError):
                    args = json.loads(args)
            method = getattr(env, call.name, None) if call.name in _methods(env) else None
            if method is not None and isinstance(args, dict):
                method(**args)
            else:
                call_tool(env, call.name, args)
        if step.parsed.error is not None:  # TRL would see text, not a call: a turn either way
            call_tool(env, "", step.parsed.error)
    return episode.answer


@pytest.mark.parametrize("agent", [ReplayAgent(), NoopAgent(), MutantAgent()], ids=str)
@pytest.mark.parametrize("mode", ["completion", "environment"])
def test_the_reward_equals_run_episode_s_final_score(
    compiled_library: list[CompiledTask], agent: Any, mode: str
) -> None:
    envs = TaskEnvironments(compiled_library, reward=mode, seed=3)  # type: ignore[arg-type]
    instances: dict[str, TaskEnvironment] = {}
    differ = []
    for task in envs.tasks.values():
        reference = run_episode(task, agent, "openai", seed=3)
        row = _row_fast(envs, task)
        env = instances.setdefault(
            row["environment"], envs.environment_factory[row["environment"]]()
        )
        env.reset(**row)
        answer = _replay_through(env, reference)
        if mode == "completion":
            completion = [{"role": "assistant", "content": answer}] if answer else []
            (reward,) = envs.reward([completion], [env])
        else:
            finish(env, answer)
            reward = env.get_reward()  # type: ignore[attr-defined]
        assert reference.final is not None
        if reward != reference.final.score:
            differ.append(task.id)
    assert differ == []


def test_tasks_with_a_simulated_user_are_left_out_and_listed(
    compiled_library: list[CompiledTask],
) -> None:
    """TRL's tool loop cannot carry a user's replies: those tasks are named, not played
    wrongly, and a selection of only such tasks is refused with that reason."""
    envs = TaskEnvironments(compiled_library)
    conversations = sorted(t.id for t in compiled_library if t.user is not None)
    assert conversations and envs.conversations == conversations
    assert not set(conversations) & set(envs.tasks)
    with pytest.raises(ValueError, match="with a simulated user left out"):
        TaskEnvironments([t for t in compiled_library if t.user is not None][:3])


def _row_fast(envs: TaskEnvironments, task: CompiledTask) -> dict[str, Any]:
    return {"task_id": task.id, "environment": envs._env_of[task.id], "prompt": []}


def _with_handler(task: CompiledTask, pack: str) -> CompiledTask:
    env = task.environment[0]
    assert env.behavior is not None
    handler = env.behavior.model_validate({"handler": "os:getcwd"})
    handled = env.model_copy(update={"behavior": handler, "pack": pack})
    return task.model_copy(update={"environment": [handled, *task.environment[1:]]})


def test_a_task_with_an_untrusted_handler_is_refused_at_setup(
    compiled_library: list[CompiledTask],
) -> None:
    from taskkit.handlers.trust import UntrustedHandlers

    task = _with_handler(compiled_library[0], "other")
    with pytest.raises(UntrustedHandlers, match="--trust other"):
        TaskEnvironments([task], trust=[task.pack])  # the task's pack is not the declaring one
    TaskEnvironments([task], trust=["other"])  # the declaring pack, trusted by the caller
