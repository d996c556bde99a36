"""The Gymnasium environment: passes Gymnasium's env checker, a gold replay gets reward 1 at
termination, and its final reward equals run_episode's on the bundled library."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from taskkit.agents import AgentView
from taskkit.agents.mutant import MutantAgent
from taskkit.agents.noop import NoopAgent
from taskkit.agents.replay import ReplayAgent
from taskkit.compiler import write_compiled
from taskkit.models import CompiledTask
from taskkit.runs.episodes import run_episode

gymnasium = pytest.importorskip("gymnasium", reason="the rl extra is not installed")

from taskkit.integrations.gym import ENV_ID, TaskEnv  # noqa: E402 - needs gymnasium


def _as_action(response: Any) -> str:
    return response if isinstance(response, str) else json.dumps(response)


def test_the_env_passes_gymnasium_s_checker(compiled_library: list[CompiledTask]) -> None:
    from gymnasium.utils.env_checker import check_env

    env = TaskEnv(compiled_library[:20])
    check_env(env, skip_render_check=True)


def test_make_by_id_from_a_compiled_file(
    compiled_library: list[CompiledTask], tmp_path: Path
) -> None:
    path = tmp_path / "tasks.jsonl"
    write_compiled(compiled_library[:3], path)
    env = gymnasium.make(f"taskkit.integrations.gym:{ENV_ID}", library=str(path))
    observation, info = env.reset(seed=1)
    assert info["task_id"] in {t.id for t in compiled_library[:3]}
    assert json.loads(observation)["messages"][-1]["role"] == "user"
    env.close()


@pytest.mark.parametrize("fmt", ["openai", "xlam", "hermes", "react"])
def test_a_gold_replay_gets_reward_1_at_termination(
    compiled_library: list[CompiledTask], fmt: str
) -> None:
    task = next(t for t in compiled_library if len(t.final.gold_actions) >= 2)
    env = TaskEnv([task], format=fmt)
    env.reset(seed=0)
    agent = ReplayAgent()
    terminated = truncated = False
    rewards = []
    while not (terminated or truncated):
        assert env.episode is not None
        view = AgentView(
            task, env.format, env.episode.observe(), env.episode.steps, 0.0, random.Random(0)
        )
        _, reward, terminated, truncated, info = env.step(_as_action(agent.act(view)))
        rewards.append(reward)
    assert terminated and not truncated
    assert rewards[-1] == 1.0
    assert info["final"]["score"] == 1


def test_running_out_of_turns_truncates(compiled_library: list[CompiledTask]) -> None:
    task = next(t for t in compiled_library if t.final.gold_actions)
    env = TaskEnv([task])
    env.reset(seed=0)
    tool = task.tools[0]["function"]["name"]
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": tool + "_nope", "arguments": "{}"}}
        ],
    }
    done = False
    steps = 0
    while not done:
        _, reward, terminated, truncated, info = env.step(json.dumps(call))
        steps += 1
        done = terminated or truncated
    assert truncated and not terminated and steps == task.max_turns
    assert reward == 0.0 and info["step"]["calls"][0]["error_type"] == "unknown_tool"


def test_unknown_task_and_stepping_a_finished_episode_are_clear_errors(
    compiled_library: list[CompiledTask],
) -> None:
    with pytest.raises(ValueError, match="no task 'nope'"):
        TaskEnv(compiled_library[:2], task="nope")
    env = TaskEnv(compiled_library[:1])
    env.reset()
    env.step("I am done.")
    with pytest.raises(RuntimeError, match="call reset"):
        env.step("again")


@pytest.mark.parametrize("agent", [ReplayAgent(), NoopAgent(), MutantAgent()], ids=lambda a: a.name)
def test_the_final_reward_equals_run_episode_s(
    compiled_library: list[CompiledTask], agent: Any
) -> None:
    env = TaskEnv(compiled_library)
    differ = []
    for task in compiled_library:
        reference = run_episode(task, agent, "openai", seed=5)
        env.reset(seed=5, options={"task": task.id})
        reward = None
        for step in reference.steps:
            _, reward, terminated, truncated, _ = env.step(_as_action(step.response))
        assert reference.final is not None and (terminated or truncated)
        if reward != reference.final.score:
            differ.append(task.id)
    assert differ == []


def test_an_untrusted_handler_is_refused_when_the_env_is_made(
    compiled_library: list[CompiledTask],
) -> None:
    from taskkit.handlers.trust import UntrustedHandlers

    task = compiled_library[0]
    env0 = task.environment[0]
    assert env0.behavior is not None
    handled = env0.model_copy(
        update={"behavior": env0.behavior.model_validate({"handler": "os:getcwd"}), "pack": "b"}
    )
    forged = task.model_copy(update={"environment": [handled, *task.environment[1:]]})
    with pytest.raises(UntrustedHandlers):
        TaskEnv([forged], trust=[task.pack])
