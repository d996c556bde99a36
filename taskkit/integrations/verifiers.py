"""taskkit tasks as a Prime Intellect ``verifiers`` environment (verifiers 0.4, ``verifiers.v1``).

verifiers builds an environment from a *taskset* named by id: an installed module exporting
one ``Taskset`` subclass (and, optionally, the ``Harness`` its rollouts default to). taskkit's
is the top-level module ``taskkit_verifiers`` (id ``taskkit-verifiers``)::

    vf-eval taskkit-verifiers --env.taskset.library '["out/tasks.jsonl"]' ...

or, from Python::

    from taskkit.integrations.verifiers import load_environment
    env = load_environment(library=["out/tasks.jsonl"], packs=["home"], split="train")

Each task of the (selected) library is one verifiers task: its prompt is taskkit's system
prompt and user command, its tools are served per rollout by :class:`TaskkitToolset` (an MCP
server, verifiers' tool contract) whose every call runs through taskkit's verifier and
simulated tools (a verification failure or a tool error is the returned text, never an
exception), and its reward (``taskkit``) is taskkit's final evaluator. The reward is scored
from the rollout's transcript: every assistant turn of the trace is replayed as one step of a
fresh :class:`~taskkit.sim.episode.Episode` (the simulation is deterministic), so it equals
:func:`taskkit.runs.episodes.run_episode`'s final score for the same turns whatever the tool server
saw. The step scores' mean is the ``taskkit_steps`` metric; the whole verdict is in the
trace's ``info["taskkit"]``.

Only native tool calling fits verifiers' harnesses (the model's calls reach the MCP server
as calls, not text), so ``format`` must be a format that offers tools natively (``openai``).
Bad input fails at setup with a clear exception: a library holding no task, a selection
that keeps none (an unknown task id), an untrusted pack's handler, a text format.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

import verifiers.v1 as vf  # type: ignore[import-not-found, import-untyped]
from mcp.server.mcpserver.tools import Tool as MCPTool  # type: ignore[import-not-found]
from verifiers.v1.harnesses.null import NullHarness  # type: ignore[import-not-found, import-untyped]

from ..compiler import Selection, compile_paths, load_compiled
from ..compiler.select import select
from ..handlers import trust as trusting
from ..models import CompiledTask
from ..sim.episode import Episode
from ..sim.formats import get_format
from .trl import TaskEnvironment, call_tool

__all__ = [
    "TASKSET_ID",
    "TaskkitData",
    "TaskkitHarness",
    "TaskkitTask",
    "TaskkitTaskConfig",
    "TaskkitTaskset",
    "TaskkitTasksetConfig",
    "TaskkitToolset",
    "TaskkitToolsetConfig",
    "load_environment",
    "score_transcript",
]

TASKSET_ID = "taskkit-verifiers"
"""The taskset id verifiers imports (as the module ``taskkit_verifiers``)."""


class TaskkitData(vf.TaskData):  # type: ignore[misc]
    """One task's wire data: the prompt, and the compiled task itself, so that a tool
    server (perhaps in a sandbox) needs nothing but the task it is handed."""

    compiled: dict[str, Any]


class TaskkitToolsetConfig(vf.ToolsetConfig):  # type: ignore[misc]
    seed: int = 0
    """Run seed of the tasks' injected tool faults (``taskkit run --seed``)."""
    trust: list[str] = []
    """Packs whose Python handlers may run (resolved by the taskset at setup)."""


class TaskkitTaskConfig(vf.TaskConfig):  # type: ignore[misc]
    tools: TaskkitToolsetConfig = TaskkitToolsetConfig()


class TaskkitTasksetConfig(vf.TasksetConfig):  # type: ignore[misc]
    """Where the tasks come from and which to take (the options of ``taskkit compile``)."""

    id: str = TASKSET_ID
    library: list[str] = []
    """Compiled JSONL files, or library folders to compile (lint included)."""
    format: str = "openai"
    trust: list[str] | None = None
    """Packs whose Python handlers may run (``None``: the user's trust file)."""
    packs: list[str] = []
    categories: list[str] = []
    tasks: list[str] = []
    """Globs over task ids or ``pack/task`` (compile's ``--task``)."""
    limit: int | None = None
    split: Literal["train", "test"] | None = None
    test_fraction: float = 0.2
    split_by: Literal["task", "entry"] = "task"
    split_seed: int = 0
    task: TaskkitTaskConfig = TaskkitTaskConfig()

    def selection(self) -> Selection:
        return Selection(
            packs=tuple(self.packs),
            categories=tuple(self.categories),
            tasks=tuple(self.tasks),
            limit=self.limit,
            split=self.split,
            test_fraction=self.test_fraction,
            split_by=self.split_by,
            seed=self.split_seed,
        )


class _VerbatimTool(MCPTool):  # type: ignore[misc]
    """An MCP tool that hands the model's arguments to taskkit as they came: MCP's own check
    against a function signature would coerce or drop what taskkit's verifier must judge
    (an unexpected parameter, a wrong type), and its error text would differ."""

    async def run(
        self, arguments: dict[str, Any], context: Any, convert_result: bool = False
    ) -> Any:
        result = await self.fn(arguments)
        return self.fn_metadata.convert_result(result) if convert_result else result


class TaskkitToolset(vf.Toolset[TaskkitToolsetConfig]):  # type: ignore[misc]
    """One rollout's tools: the task's offered tools, each call one turn of the episode.

    Run as a server with ``python -m taskkit.integrations.verifiers`` (verifiers launches it
    so); :meth:`setup_task` starts the episode and :meth:`register` offers its tools."""

    TOOL_PREFIX = None  # the task's own tool names, as taskkit scores them

    def __init__(self, config: TaskkitToolsetConfig) -> None:
        super().__init__(config)
        self.environment = TaskEnvironment()

    async def setup_task(self, task: Any) -> None:
        data = task.data if isinstance(task, vf.Task) else task
        compiled = CompiledTask.model_validate(data.compiled)
        self.environment.episode = Episode(
            compiled, "openai", run_seed=self.config.seed, trust=self.config.trust
        )

    def call(self, name: str, arguments: Any) -> str:
        """Run one call of the model's as one turn; the text the model sees next."""
        return call_tool(self.environment, name, arguments)

    def register(self, mcp: Any) -> None:
        episode = self.environment.episode
        if episode is None:
            raise RuntimeError("the taskkit tool server has no task: setup_task() comes first")
        for tool in episode.task.tools:
            fn = tool["function"]
            mcp._tool_manager._tools[fn["name"]] = self._tool(
                fn["name"], fn.get("description") or "", fn.get("parameters") or {}
            )

    def _tool(self, name: str, description: str, parameters: dict[str, Any]) -> Any:
        async def invoke(arguments: dict[str, Any]) -> str:
            return self.call(name, arguments)

        tool = _VerbatimTool.from_function(
            self._with_state(invoke), name=name, description=description or name
        )
        tool.parameters = parameters  # what the model is offered: the task's own schema
        return tool


class TaskkitTask(vf.Task[TaskkitData, vf.State, TaskkitTaskConfig]):  # type: ignore[misc]
    """A compiled task: its tools per rollout, its final evaluator as the reward."""

    @classmethod
    def toolsets(cls, config: TaskkitTaskConfig) -> list[Any]:
        return [TaskkitToolset(config.tools)]

    @property
    def key(self) -> str:
        return str(self.data.id)  # task ids are unique in a library, and durable

    def compiled(self) -> CompiledTask:
        return CompiledTask.model_validate(self.data.compiled)

    _replayed: tuple[str, Episode] | None = None

    def replay(self, trace: Any) -> Episode:
        """The rollout re-scored by taskkit, its record in ``trace.info["taskkit"]`` (the
        last one is kept: the reward and the metric of a trace share it)."""
        if self._replayed is not None and self._replayed[0] == trace.id:
            return self._replayed[1]
        tools = self.config.tools
        episode = score_transcript(
            self.compiled(), trace.messages, seed=tools.seed, trust=tools.trust
        )
        trace.info["taskkit"] = episode.record()
        self._replayed = (trace.id, episode)
        return episode

    # verifiers awaits every reward and metric
    @vf.reward  # type: ignore[misc, untyped-decorator]
    async def taskkit(self, trace: Any) -> float:
        """taskkit's final evaluator on the rollout (0 or 1)."""
        final = self.replay(trace).final
        return float(final.score) if final is not None else 0.0

    @vf.metric  # type: ignore[misc, untyped-decorator]
    async def taskkit_steps(self, trace: Any) -> float:
        """The mean of the rollout's step scores (1: every call verified, no action check
        failed)."""
        scores = self.replay(trace).action_scores
        return sum(scores) / len(scores) if scores else 0.0


class TaskkitTaskset(vf.Taskset[TaskkitTask, TaskkitTasksetConfig]):  # type: ignore[misc]
    """The tasks of a compiled library (or a selection of it)."""

    def __init__(self, config: TaskkitTasksetConfig) -> None:
        # The trust is resolved here, once, into the tool servers' config: a task offering an
        # untrusted pack's handler is refused at setup, never in the middle of training.
        trust = trusting.resolve_trust(config.trust)
        task_config = config.task.model_copy(
            update={"tools": config.task.tools.model_copy(update={"trust": sorted(trust)})}
        )
        super().__init__(config.model_copy(update={"task": task_config}))
        self.tasks = _load_library(config.library, config.selection(), trust)
        trusting.check_trust(self.tasks, trust)
        fmt = get_format(config.format)
        if fmt.render(self.tasks[0], []).tools is None:
            raise ValueError(
                f"format {config.format!r} writes tool calls as text; verifiers' harnesses "
                "call tools natively, so use 'openai'"
            )
        self.format = fmt

    def load(self) -> Iterator[TaskkitTask]:
        for task in self.tasks:
            messages = self.format.render(task, []).messages
            system = next((m["content"] for m in messages if m["role"] == "system"), None)
            yield TaskkitTask(
                TaskkitData(
                    id=task.id,
                    name=f"{task.pack}/{task.task}",
                    prompt=task.user_command,
                    system_prompt=system,
                    compiled=task.model_dump(mode="json"),
                ),
                self.config.task,
            )


class TaskkitHarness(NullHarness):  # type: ignore[misc]
    """The harness taskkit's rollouts default to: verifiers' chat loop with MCP tools (its
    default, ``bash``, would hand the model a shell instead of the task's tools)."""


def _load_library(
    paths: Sequence[str], selection: Selection, trust: Iterable[str]
) -> list[CompiledTask]:
    if not paths:
        raise ValueError("no library: give compiled JSONL files or library folders")
    if all(str(p).endswith(".jsonl") for p in paths):
        tasks = select([t for p in paths for t in load_compiled(p)], selection)
    else:
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise ValueError(f"library path {missing[0]!r} does not exist")
        result = compile_paths(paths, selection=selection, trust=trust)
        if not result.ok:
            first = result.diagnostics[0].text() if result.diagnostics else "compile failed"
            raise ValueError(f"the library does not compile: {first}")
        tasks = result.tasks
    if not tasks:
        raise ValueError(
            f"no task in {', '.join(map(repr, paths))} matches the selection "
            "(check the task ids, packs and categories)"
        )
    return tasks


def _response(message: Any) -> dict[str, Any]:
    """A verifiers assistant message as taskkit's ``openai`` response."""
    calls = message.tool_calls or []
    return {
        "role": "assistant",
        "content": message.content,
        **(
            {
                "tool_calls": [
                    {
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments},
                    }
                    for call in calls
                ]
            }
            if calls
            else {}
        ),
    }


def score_transcript(
    task: CompiledTask,
    messages: Iterable[Any],
    *,
    seed: int = 0,
    trust: Iterable[str] | None = None,
) -> Episode:
    """Replay a rollout's assistant turns (verifiers messages) as the steps of a fresh
    episode of ``task`` and return it, finished: a turn with calls is a step, a turn
    without is the final answer, and a rollout that stopped before answering ends
    without one (as at the turn limit, it scores 0)."""
    episode = Episode(task, "openai", run_seed=seed, trust=trust)
    for message in messages:
        if episode.done:
            break
        if isinstance(message, vf.AssistantMessage):
            episode.advance(_response(message))
    if not episode.done:
        episode.finish(None)
    return episode


def load_environment(
    library: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    format: str = "openai",
    seed: int = 0,
    trust: Iterable[str] | None = None,
    packs: Iterable[str] = (),
    categories: Iterable[str] = (),
    tasks: Iterable[str] = (),
    limit: int | None = None,
    split: Literal["train", "test"] | None = None,
    test_fraction: float = 0.2,
    split_by: Literal["task", "entry"] = "task",
    split_seed: int = 0,
) -> Any:
    """A verifiers environment (``vf.Env``) over the tasks of ``library`` that the
    selection keeps (the options of ``taskkit compile``: ``tasks`` are id globs)."""
    paths = [library] if isinstance(library, str | os.PathLike) else list(library)
    taskset = TaskkitTasksetConfig(
        library=[os.fspath(p) for p in paths],
        format=format,
        trust=None if trust is None else sorted(trust),
        packs=list(packs),
        categories=list(categories),
        tasks=list(tasks),
        limit=limit,
        split=split,
        test_fraction=test_fraction,
        split_by=split_by,
        split_seed=split_seed,
        task=TaskkitTaskConfig(tools=TaskkitToolsetConfig(seed=seed)),
    )
    return vf.load_environment(vf.SingleAgentEnvConfig(taskset=taskset))


if __name__ == "__main__":  # how verifiers starts a rollout's tool server
    TaskkitToolset.run()
