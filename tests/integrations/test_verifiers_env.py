"""taskkit tasks as a verifiers (0.4, ``verifiers.v1``) environment: loaded by taskset id as
verifiers loads any, tools served through a real MCP server whose calls go through taskkit,
and a rubric (the ``taskkit`` reward) equal to run_episode's final score on the bundled
library, for replay, noop and mutant transcripts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from taskkit.agents.mutant import MutantAgent
from taskkit.agents.noop import NoopAgent
from taskkit.agents.replay import ReplayAgent
from taskkit.compiler import write_compiled
from taskkit.models import CompiledTask
from taskkit.runs.episodes import run_episode
from taskkit.sim.episode import Episode

vf = pytest.importorskip("verifiers.v1", reason="the rl extra is not installed")

from mcp.server.mcpserver import MCPServer  # noqa: E402 - needs verifiers (its mcp)

from taskkit.integrations.verifiers import (  # noqa: E402 - needs verifiers
    TASKSET_ID,
    TaskkitHarness,
    TaskkitTask,
    TaskkitTaskset,
    TaskkitToolset,
    load_environment,
)


@pytest.fixture(scope="module")
def library_file(compiled_library: list[CompiledTask], tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("verifiers") / "tasks.jsonl"
    write_compiled(compiled_library, path)
    return path


@pytest.fixture(scope="module")
def env(library_file: Path) -> Any:
    return load_environment(library_file, seed=3)


@pytest.fixture(scope="module")
def small_file(compiled_library: list[CompiledTask], tmp_path_factory: Any) -> Path:
    """A few tasks of each pack, some writing state (loading the whole library is slow)."""
    kept: dict[str, list[CompiledTask]] = {}
    for task in compiled_library:
        if len(kept.setdefault(task.pack, [])) < 3 and (
            not kept[task.pack] or task.final.gold_state != task.initial_state
        ):
            kept[task.pack].append(task)
    path = tmp_path_factory.mktemp("verifiers") / "small.jsonl"
    write_compiled([t for ts in kept.values() for t in ts], path)
    return path


@pytest.fixture(scope="module")
def small(small_file: Path) -> Any:
    return load_environment(small_file, seed=3)


def _trace(task: TaskkitTask, messages: list[Any]) -> Any:
    """A rollout's trace as verifiers records it: one chain of message nodes, the
    assistant's sampled."""
    nodes = [
        vf.MessageNode(
            parent=i - 1 if i else None,
            message=m,
            sampled=isinstance(m, vf.AssistantMessage),
        )
        for i, m in enumerate(messages)
    ]
    return vf.Trace(
        task=vf.TraceTask(type=type(task).__name__, data=task.data, key=task.key, hash=task.hash),
        agent=vf.AgentInfo(config=vf.AgentConfig()),
        nodes=nodes,
    )


def _prompt(task: TaskkitTask) -> list[Any]:
    return [
        vf.SystemMessage(content=task.data.system_prompt),
        vf.UserMessage(content=task.data.prompt),
    ]


async def _score(task: TaskkitTask, messages: list[Any]) -> Any:
    trace = _trace(task, messages)
    await task.score(trace)
    return trace


def _tasks(env: Any) -> dict[str, TaskkitTask]:
    return {t.data.id: t for t in env.taskset}


def test_verifiers_loads_the_taskset_by_id_with_taskkit_s_harness(small_file: Path) -> None:
    """The environment verifiers builds from the id alone (as vf-eval does) is taskkit's,
    and its rollouts default to the MCP chat loop, not a shell."""
    config = vf.resolve_env_config(
        {"taskset": {"id": TASKSET_ID, "library": [str(small_file)], "packs": ["home"]}}
    )
    env = vf.load_environment(config)
    assert isinstance(env.taskset, TaskkitTaskset)
    assert isinstance(env._harnesses["agent"], TaskkitHarness)
    tasks = list(env.taskset)
    assert tasks and all(t.data.id.startswith("home/") for t in tasks)


def test_the_selection_options_select_as_compile_does(
    small_file: Path, compiled_library: list[CompiledTask]
) -> None:
    from taskkit.compiler import Selection, load_compiled
    from taskkit.compiler.select import select

    tasks = load_compiled(small_file)
    first = tasks[0]
    env = load_environment(small_file, tasks=[first.task], limit=2)
    assert [t.data.id for t in env.taskset] == [t.id for t in tasks if t.task == first.task][:2]
    env = load_environment(small_file, packs=[first.pack], categories=[first.category])
    wanted = select(tasks, Selection(packs=(first.pack,), categories=(first.category,)))
    assert wanted
    assert [t.data.id for t in env.taskset] == [t.id for t in wanted]


def test_a_scripted_rollout_through_the_mcp_server_scores_as_taskkit_does(small: Any) -> None:
    """The gold actions, called as a harness calls them (MCP ``call_tool`` on the server the
    toolset registers), see taskkit's observations, and the rubric gives run_episode's 1."""
    task = next(
        t
        for t in small.taskset
        if t.compiled().final.gold_state != t.compiled().initial_state  # it must write
    )
    compiled = task.compiled()
    reference = run_episode(compiled, ReplayAgent(), "openai", seed=3)
    assert reference.final is not None and reference.final.score == 1

    async def rollout() -> Any:
        toolset = TaskkitToolset(task.config.tools)
        await toolset.setup_task(task.data)
        server = MCPServer("taskkit")
        toolset.register(server)
        offered = {t.name: t.input_schema for t in await server.list_tools()}
        assert offered == {
            t["function"]["name"]: t["function"]["parameters"] for t in compiled.tools
        }
        messages = _prompt(task)
        for i, step in enumerate(reference.steps[:-1]):
            (call,) = step.parsed.calls
            args = call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments)
            result = await server.call_tool(call.name, json.loads(args))
            text = result.content[0].text
            assert text == reference.history[i].observations[0]
            messages += [
                vf.AssistantMessage(
                    tool_calls=[vf.ToolCall(id=f"c{i}", name=call.name, arguments=args)]
                ),
                vf.ToolMessage(tool_call_id=f"c{i}", content=text),
            ]
        messages.append(vf.AssistantMessage(content=reference.answer))
        return await _score(task, messages)

    trace = asyncio.run(rollout())
    assert trace.rewards["taskkit"].score == 1.0
    scores = reference.action_scores  # (a step that met an injected fault scores 0)
    assert trace.metrics["taskkit_steps"] == sum(scores) / len(scores)
    assert trace.info["taskkit"]["final"]["score"] == 1


def test_bad_calls_come_back_as_text_never_as_exceptions(small: Any) -> None:
    task = next(iter(small.taskset))
    tool = task.compiled().tools[0]["function"]["name"]

    async def calls() -> list[str]:
        toolset = TaskkitToolset(task.config.tools)
        await toolset.setup_task(task.data)
        server = MCPServer("taskkit")
        toolset.register(server)
        out = []
        for args in ({"no_such_parameter": 1}, {"x": float("nan")}):
            result = await server.call_tool(tool, args)
            out.append(result.content[0].text)
        out.append(toolset.call("no_such_tool", {}))  # a name no method has
        out.append(toolset.call(tool, ["not", "an", "object"]))
        return out

    texts = asyncio.run(calls())
    assert texts[0].startswith("error") and "no_such_parameter" in texts[0]
    assert "NaN" in texts[1]
    assert texts[2] == 'error: unknown tool "no_such_tool"'
    assert texts[3].startswith("error: arguments must be a JSON object")


def test_a_rollout_that_stops_on_a_call_scores_0(small: Any) -> None:
    task = next(t for t in small.taskset if t.compiled().final.gold_actions)
    gold = task.compiled().final.gold_actions[0]
    call = vf.ToolCall(id="c0", name=gold.tool, arguments=json.dumps(dict(gold.args)))
    trace = asyncio.run(_score(task, [*_prompt(task), vf.AssistantMessage(tool_calls=[call])]))
    assert trace.rewards["taskkit"].score == 0.0
    errors = [e["type"] for e in trace.info["taskkit"]["final"]["errors"]]
    assert "no_answer" in errors


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tasks": ["no-such-task"]}, "matches the selection"),
        ({"format": "hermes"}, "writes tool calls as text"),
        ({"format": "nope"}, "unknown response format 'nope'"),
    ],
)
def test_bad_setup_is_a_clear_exception(small_file: Path, options: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_environment(small_file, **options)


def test_a_missing_library_is_a_clear_exception(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        load_environment(tmp_path / "nowhere")


def test_a_task_with_an_untrusted_handler_is_refused_at_setup(
    compiled_library: list[CompiledTask], tmp_path: Path
) -> None:
    from taskkit.handlers.trust import UntrustedHandlers

    task = compiled_library[0]
    env0 = task.environment[0]
    assert env0.behavior is not None
    handled = env0.model_copy(
        update={"behavior": env0.behavior.model_validate({"handler": "os:getcwd"}), "pack": "x"}
    )
    path = tmp_path / "handled.jsonl"
    write_compiled(
        [task.model_copy(update={"environment": [handled, *task.environment[1:]]})], path
    )
    with pytest.raises(UntrustedHandlers, match="--trust x"):
        load_environment(path, trust=[task.pack])
    load_environment(path, trust=["x"])


# -- the same verdicts as run_episode ------------------------------------------------------


def _messages(episode: Episode) -> list[Any]:
    """An episode's transcript as verifiers records a rollout: each response an assistant
    message (calls with their raw argument text), each observation a tool message."""
    out: list[Any] = []
    for n, exchange in enumerate(episode.history):
        response = exchange.response
        if isinstance(response, str):
            out.append(vf.AssistantMessage(content=response))
            continue
        calls = [
            vf.ToolCall(
                id=f"c{n}_{i}",
                name=str(c["function"]["name"]),
                arguments=a if isinstance(a := c["function"]["arguments"], str) else json.dumps(a),
            )
            for i, c in enumerate(response.get("tool_calls") or [])
        ]
        out.append(vf.AssistantMessage(content=response.get("content"), tool_calls=calls or None))
        out += [
            vf.ToolMessage(tool_call_id=call.id, content=text)
            for call, text in zip(calls, exchange.observations, strict=False)
        ]
    return out


@pytest.mark.parametrize("agent", [ReplayAgent(), NoopAgent(), MutantAgent()], ids=lambda a: a.name)
def test_the_rubric_equals_run_episode_s_final_score(
    env: Any, agent: Any, compiled_library: list[CompiledTask]
) -> None:
    tasks = _tasks(env)
    assert len(tasks) == len(compiled_library)  # every episode of the bundled library

    async def score_all() -> list[str]:
        differ = []
        for task in tasks.values():
            reference = run_episode(task.compiled(), agent, "openai", seed=3)
            trace = await _score(task, [*_prompt(task), *_messages(reference)])
            assert reference.final is not None
            if trace.rewards["taskkit"].score != reference.final.score:
                differ.append(task.data.id)
        return differ

    assert asyncio.run(score_all()) == []
