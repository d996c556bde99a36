"""taskkit tasks as environments for TRL's ``GRPOTrainer(environment_factory=...)``.

TRL reads an environment's tools off its class (public methods with type hints and Google
docstrings), calls ``reset(**row)`` with the dataset row of each rollout, runs the model's
tool calls as method calls, and scores the rollout with reward functions, which receive the
rollouts' ``environments``. So::

    from taskkit.integrations.trl import TaskEnvironments

    envs = TaskEnvironments(tasks)              # compiled tasks (a selection of a library)
    trainer = GRPOTrainer(
        model,
        train_dataset=envs.train_dataset(),     # prompt, task_id, environment
        environment_factory=envs.environment_factory,
        reward_funcs=envs.reward_funcs,
        ...
    )

Every distinct set of offered tools gets an environment class of its own (TRL's dictionary
form of ``environment_factory``, chosen per row by ``environment``), so a rollout is offered
exactly its task's tools. Every call goes through taskkit's verifier and simulated tools: a
verification failure or a tool error is the returned string, never an exception. One
environment instance serves one rollout at a time; ``reset`` starts a fresh episode.

The reward is taskkit's final evaluator (0 or 1), optionally blended with the step scores::

    reward = (1 - step_weight) * final + step_weight * mean(step scores)

With ``reward="completion"`` (the default), :meth:`TaskEnvironments.reward` reads each
rollout's final answer from its completion (TRL gives the environment no text), ends the
episode with it and scores it: the only way answer checks can be scored. With
``reward="environment"``, the classes define TRL's ``get_reward()`` instead, which scores the
state and whatever answer was given to :func:`finish` (tasks that check the
answer then score 0 without one). Each call counts one turn against the task's
``max_turns``; ``trust`` names the packs whose Python handlers may run (``None``: the user's
trust file), and a task offering another pack's handler is refused at construction; ``seed``
is the run seed of the tasks' seeded tool faults, as in ``taskkit run --seed``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

from ..handlers import trust as trusting
from ..models import CompiledTask
from ..models.records import TrajectoryRecord
from ..sim.episode import Episode
from ..sim.formats.base import default_system_prompt
from .tools import tool_function

__all__ = ["TaskEnvironment", "TaskEnvironments", "call_tool", "final_answer", "finish"]

RewardMode = Literal["completion", "environment"]


class TaskEnvironment:
    """One rollout's environment: the task chosen by ``reset`` and its episode.

    Subclasses made by :class:`TaskEnvironments` add one method per offered tool."""

    tasks: Mapping[str, CompiledTask] = {}
    step_weight: float = 0.0
    seed: int = 0
    trust: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.episode: Episode | None = None

    def reset(self, task_id: str | None = None, **row: Any) -> None:
        """Start the episode of ``task_id`` (a column of the dataset row). The prompt is in
        the row already, so nothing is added to it."""
        task = self.tasks.get(str(task_id)) if task_id is not None else None
        if task is None:
            known = ", ".join(sorted(self.tasks)[:3])
            raise KeyError(
                f"no task {task_id!r} in this environment (e.g. {known}); "
                "the dataset row's task_id must name a task the environments were built with"
            )
        self.episode = Episode(task, "openai", run_seed=self.seed, trust=self.trust)

    # Everything but reset, get_reward and the tools is private: TRL offers the model every
    # public function of the class as a tool. The module's call_tool and finish reach these.

    def _call(self, name: str, arguments: Any) -> str:
        episode = self.episode
        if episode is None:
            return "error: the environment was not reset"
        if episode.done:
            if episode.ended_by and episode.ended_by.startswith("terminal:"):
                return f"error: the episode is over ({episode.ended_by[9:]} ended it)"
            return "error: the episode is over (the turn limit is reached)"
        response = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_0",
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
            ],
        }
        step = episode.advance(response)
        if step.calls:
            return step.calls[0].observation
        return "; ".join(f.message for f in step.findings) or "error: the call could not be run"

    def _finish(self, answer: str | None = None) -> float:
        if self.episode is None:
            return 0.0
        final = self.episode.finish(answer)
        steps = self.episode.action_scores
        if not self.step_weight or not steps:
            return float(final.score)
        mean = sum(steps) / len(steps)
        return (1 - self.step_weight) * final.score + self.step_weight * mean

    @property
    def verdict(self) -> TrajectoryRecord | None:
        """The episode's whole record (every call, verdict and the final diff), for logging."""
        return None if self.episode is None else self.episode.record()


def call_tool(env: TaskEnvironment, name: str, arguments: Any) -> str:
    """Run one tool call in ``env`` as one turn of its episode; what the model sees next.

    The tool methods do this; a rollout loop does it directly for a call it could not map to
    a method (a name that is no tool, arguments that are not an object): the verifier's
    verdict comes back as the text, never an exception."""
    return env._call(name, arguments)


def finish(env: TaskEnvironment, answer: str | None = None) -> float:
    """End ``env``'s episode with ``answer`` (the model's final text, or none) and return the
    reward: the final evaluator's score, blended with the step scores by ``step_weight``."""
    return env._finish(answer)


_RESERVED = frozenset(
    {"reset", "get_reward", "verdict", "episode", "tasks", "step_weight", "seed", "trust"}
)
"""Names of the environment's own members: a tool of one of these names cannot be offered."""


def _get_reward(self: TaskEnvironment) -> float:
    """TRL's per-rollout reward: the episode scored as it stands."""
    return self._finish(None if self.episode is None else self.episode.answer)


def final_answer(completion: Any) -> str | None:
    """The model's final answer in a TRL completion: the content of its last assistant
    message that makes no tool call (conversational), or the text itself (standard)."""
    if isinstance(completion, str):
        return completion if completion.strip() else None
    if isinstance(completion, Sequence):
        for message in reversed(completion):
            if isinstance(message, Mapping) and message.get("role") == "assistant":
                if message.get("tool_calls"):
                    return None  # it stopped on a call: no answer
                content = message.get("content")
                if isinstance(content, list):  # multimodal parts
                    content = "".join(
                        str(p.get("text", "")) for p in content if isinstance(p, Mapping)
                    )
                return content if isinstance(content, str) and content.strip() else None
    return None


class TaskEnvironments:
    """The environments, dataset and reward of a selection of compiled tasks."""

    def __init__(
        self,
        tasks: Iterable[CompiledTask],
        *,
        step_weight: float = 0.0,
        reward: RewardMode = "completion",
        seed: int = 0,
        trust: Iterable[str] | None = None,
    ) -> None:
        if not 0.0 <= step_weight <= 1.0:
            raise ValueError(f"step_weight must be within [0, 1], got {step_weight}")
        given = list(tasks)
        self.conversations = sorted(t.id for t in given if t.user is not None)
        """Tasks with a simulated user, left out: TRL's tool loop ends at the model's first
        message without a call, so the user's replies would have nowhere to go (the Gym
        environment and ``generate`` play them)."""
        self.tasks = {t.id: t for t in given if t.user is None}
        if not self.tasks:
            left = f" ({len(self.conversations)} with a simulated user left out)"
            raise ValueError(
                "no tasks: the environments need at least one compiled task"
                + (left if self.conversations else "")
            )
        self.step_weight = step_weight
        self.mode: RewardMode = reward
        self.seed = seed
        # Trust is the caller's, checked once here: a task offering an untrusted pack's
        # handler is refused at setup, never in the middle of training.
        self.trust = trusting.resolve_trust(trust)
        trusting.check_trust(self.tasks.values(), self.trust)
        self._env_of: dict[str, str] = {}
        self._classes: dict[str, type[TaskEnvironment]] = {}
        for task in self.tasks.values():
            key = _toolset_key(task)
            self._env_of[task.id] = key
            if key not in self._classes:
                self._classes[key] = self._environment_class(key, task)

    def _environment_class(self, key: str, task: CompiledTask) -> type[TaskEnvironment]:
        def invoke(self: TaskEnvironment, name: str, arguments: dict[str, Any]) -> str:
            return self._call(name, arguments)

        members: dict[str, Any] = {
            "tasks": self.tasks,
            "step_weight": self.step_weight,
            "seed": self.seed,
            "trust": self.trust,
            "__doc__": f"taskkit tools: {', '.join(e.name for e in task.environment)}",
        }
        for tool in task.tools:
            fn = tool["function"]
            if fn["name"] in ("reset", "get_reward", "finish", "verdict") or fn["name"].startswith(
                "_"
            ):
                raise ValueError(
                    f"task {task.id}: tool {fn['name']!r} clashes with the environment's own "
                    "methods; TRL could not offer it"
                )
            try:
                members[fn["name"]] = tool_function(
                    fn["name"], fn.get("description", ""), fn.get("parameters") or {}, invoke
                )
            except ValueError as exc:
                raise ValueError(f"task {task.id}: tool {fn['name']!r}: {exc}") from None
        if self.mode == "environment":
            members["get_reward"] = _get_reward
        return type(f"TaskEnvironment_{key}", (TaskEnvironment,), members)

    @property
    def environment_factory(self) -> dict[str, Callable[[], TaskEnvironment]]:
        """TRL's dictionary form: environment name -> a factory of fresh instances."""
        return dict(self._classes)

    @property
    def reward_funcs(self) -> list[Callable[..., list[float]]]:
        """What to pass as ``reward_funcs``: :meth:`reward`, or nothing when the
        environments score themselves (``reward="environment"``)."""
        return [self.reward] if self.mode == "completion" else []

    def reward(
        self, completions: Sequence[Any], environments: Sequence[TaskEnvironment], **_: Any
    ) -> list[float]:
        """TRL reward function: each rollout ended with its completion's final answer."""
        return [
            env._finish(final_answer(c)) for c, env in zip(completions, environments, strict=True)
        ]

    reward.__name__ = "taskkit"  # the column TRL logs it under

    def rows(self) -> list[dict[str, Any]]:
        """One training row per task: ``prompt`` (system and user messages), ``task_id``,
        and ``environment`` (which environment class offers its tools)."""
        return [
            {
                "prompt": [
                    {"role": "system", "content": default_system_prompt(task)},
                    {"role": "user", "content": task.user_command},
                ],
                "task_id": task.id,
                "environment": self._env_of[task.id],
            }
            for task in self.tasks.values()
        ]

    def train_dataset(self) -> Any:
        """:meth:`rows` as a Hugging Face ``datasets.Dataset``."""
        from datasets import Dataset  # type: ignore[import-not-found]  # noqa: PLC0415 - the rl extra

        return Dataset.from_list(self.rows())


def _toolset_key(task: CompiledTask) -> str:
    """A name for the set of tools a task offers (same tools, same environment class)."""
    digest = hashlib.blake2b(
        json.dumps(task.tools, sort_keys=True).encode(), digest_size=6
    ).hexdigest()
    return f"tools_{digest}"
