"""A Gymnasium environment over taskkit episodes: ``taskkit/Task-v0``.

Text in, text out::

    import gymnasium
    env = gymnasium.make(
        "taskkit.integrations.gym:taskkit/Task-v0",   # imports this module, then makes the env
        library="out/tasks.jsonl",                     # compiled JSONL, or compiled tasks
        task=None,                                     # a task id; None: reset(seed=) picks one
        format="openai",
        trust=None,                                    # packs whose handlers may run
    )
    observation, info = env.reset(seed=0)
    observation, reward, terminated, truncated, info = env.step(response_text)

The observation is the agent's input as JSON text (``{"messages": [...], "tools": [...]}``,
as the response format renders it); the action is the model's response text (for ``openai``,
an assistant message as JSON, or plain text for a final answer). The reward is the step's
score (0/1) and, on the step that ends the episode, the final task evaluator's score.
``terminated``: the agent answered; ``truncated``: ``max_turns`` ran out first. ``info``
holds the step's record (every call and verdict) and, at the end, the final verdict.
"""

from __future__ import annotations

import json
import os
import string
from collections.abc import Iterable, Sequence
from typing import Any

import gymnasium  # type: ignore[import-not-found]
from gymnasium import spaces  # type: ignore[import-not-found]

from ..handlers import trust as trusting
from ..models import CompiledTask
from ..sim.episode import Episode
from ..sim.formats import Response, get_format

__all__ = ["ENV_ID", "MAX_TEXT", "TaskEnv"]

ENV_ID = "taskkit/Task-v0"
MAX_TEXT = 1 << 24
"""The longest observation or action, in characters."""


class _AnyText(spaces.Text):  # type: ignore[misc]
    """Any string up to ``max_length``: an agent's input and a model's response use every
    character (Gymnasium's Text admits a fixed charset only, which is what it samples)."""

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and len(x) <= self.max_length


class TaskEnv(gymnasium.Env):  # type: ignore[misc]
    """One compiled task per episode; see the module docstring."""

    metadata: dict[str, Any] = {"render_modes": ["ansi"]}

    def __init__(
        self,
        library: str | os.PathLike[str] | Sequence[CompiledTask],
        task: str | None = None,
        format: str = "openai",
        render_mode: str | None = None,
        trust: Iterable[str] | None = None,
    ) -> None:
        self.tasks = _load(library)
        if not self.tasks:
            raise ValueError("the library holds no compiled task")
        self._by_id = {t.id: t for t in self.tasks}
        if task is not None and task not in self._by_id:
            raise ValueError(f"no task {task!r} in the library")
        self.task_id = task
        self.trust = trusting.resolve_trust(trust)
        trusting.check_trust(self.tasks, self.trust)  # refused at setup, not mid-episode
        self.format = get_format(format)
        self.render_mode = render_mode
        charset = string.printable
        self.observation_space = _AnyText(MAX_TEXT, min_length=0, charset=charset)
        self.action_space = _AnyText(MAX_TEXT, min_length=0, charset=charset)
        self.episode: Episode | None = None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        super().reset(seed=seed)
        wanted = (options or {}).get("task") or self.task_id
        if wanted is not None:
            task = self._by_id.get(wanted)
            if task is None:
                raise ValueError(f"no task {wanted!r} in the library")
        else:
            task = self.tasks[int(self.np_random.integers(len(self.tasks)))]
        self.episode = Episode(task, self.format, run_seed=seed or 0, trust=self.trust)
        return self._observe(), {"task_id": task.id}

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        episode = self.episode
        if episode is None or episode.done:
            raise RuntimeError("the episode is over; call reset()")
        step = episode.advance(_response(action, self.format.name))
        info: dict[str, Any] = {"task_id": episode.task.id, "step": step.as_json()}
        reward = float(step.score)
        terminated = truncated = False
        if episode.done:
            info["final"] = episode.final_json()
            reward = float(episode.final.score if episode.final else 0)
            terminated = episode.answer is not None
            truncated = not terminated
        return self._observe(), reward, terminated, truncated, info

    def render(self) -> str | None:
        if self.render_mode == "ansi":
            return self._observe()
        return None

    def _observe(self) -> str:
        assert self.episode is not None
        return json.dumps(self.episode.observe().as_json(), ensure_ascii=False)


def _response(action: Any, fmt: str) -> Response:
    """The action as the format's response: for ``openai``, a JSON assistant message is a
    message (tool calls), anything else is the text of a final answer."""
    if not isinstance(action, str):
        return str(action)
    if fmt == "openai" and action.lstrip().startswith("{"):
        try:
            message = json.loads(action)
        except ValueError:
            return action
        if isinstance(message, dict) and ("tool_calls" in message or "content" in message):
            return message
    return action


def _load(library: str | os.PathLike[str] | Sequence[CompiledTask]) -> list[CompiledTask]:
    if isinstance(library, str | os.PathLike):
        from ..compiler import load_compiled  # noqa: PLC0415 - only for a path

        return list(load_compiled(library))
    return list(library)


def register() -> None:
    """Register :data:`ENV_ID` with Gymnasium (done on import; idempotent)."""
    if ENV_ID not in gymnasium.registry:
        gymnasium.register(ENV_ID, entry_point=f"{__name__}:TaskEnv")


register()
