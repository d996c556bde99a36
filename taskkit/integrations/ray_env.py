"""taskkit episodes as a Ray actor, for RL trainers built on Ray (verl, OpenRLHF, NeMo RL,
SkyRL): their rollout workers hold environments as actors and call them between the model's
turns. Any number of episodes live in one actor at once, each named by the id ``reset``
returns::

    import ray
    from taskkit.integrations.ray_env import EnvironmentActor

    Env = ray.remote(EnvironmentActor)              # or environment_actor(num_cpus=0.5)
    env = Env.remote("out/tasks.jsonl")             # compiled JSONL, or compiled tasks
    first = ray.get(env.reset.remote("shop/restock", seed=0))
    # {"episode": "shop/restock#0", "task_id": ..., "observation": {"messages", "tools"}}
    reply = model.chat(first["observation"])        # the trainer's own inference engine
    result = ray.get(env.step.remote(first["episode"], reply))
    # {"observation": {...}, "reward": 1.0, "done": False, "info": {"step": {...}}}
    ray.get(env.score.remote(first["episode"]))     # task score, action scores, the record

A response is what the episode's format takes (for ``openai``: an assistant message, or
the text of a final answer), or a whole chat completion as an OpenAI-compatible server
returns it. The reward is the step's score (0/1) and, on the step that ends the episode,
the final task evaluator's score, as in the Gymnasium environment (:mod:`.gym`). This
module imports nothing of Ray: the class is a plain one, made an actor by the caller.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Sequence
from typing import Any

from ..agents.openai_agent import completion_to_response
from ..handlers import trust as trusting
from ..models import CompiledTask
from ..sim.episode import Episode
from ..sim.formats import Response, get_format

__all__ = ["EnvironmentActor", "environment_actor"]


class EnvironmentActor:
    """The episode API (reset / step / score) over one compiled library; see the module."""

    def __init__(
        self,
        library: str | os.PathLike[str] | Sequence[CompiledTask],
        *,
        format: str = "openai",
        trust: Iterable[str] | None = None,
        faults: bool = True,
    ) -> None:
        if isinstance(library, str | os.PathLike):
            from ..compiler import load_compiled  # noqa: PLC0415 - only for a path

            library = list(load_compiled(library))
        self.tasks = {t.id: t for t in library}
        if not self.tasks:
            raise ValueError("the library holds no compiled task")
        self.trust = trusting.resolve_trust(trust)
        trusting.check_trust(list(self.tasks.values()), self.trust)  # refused here, not later
        self.format = get_format(format)
        self.faults = faults
        self.episodes: dict[str, Episode] = {}
        self._ids = itertools.count()

    def task_ids(self) -> list[str]:
        return list(self.tasks)

    def reset(self, task_id: str, *, seed: int = 0) -> dict[str, Any]:
        """A new episode of ``task_id``: its id and first observation."""
        task = self.tasks.get(task_id)
        if task is None:
            raise ValueError(f"no task {task_id!r} in the library")
        episode_id = f"{task_id}#{next(self._ids)}"
        self.episodes[episode_id] = episode = Episode(
            task, self.format, run_seed=seed, trust=self.trust, faults=self.faults
        )
        return {
            "episode": episode_id,
            "task_id": task_id,
            "observation": episode.observe().as_json(),
        }

    def step(self, episode_id: str, response: Any) -> dict[str, Any]:
        """Play one response; the next observation, the reward and whether it is over."""
        episode = self._episode(episode_id)
        if episode.done:
            raise ValueError(f"episode {episode_id!r} is over; reset() starts another")
        step = episode.advance(_response(episode, response))
        info: dict[str, Any] = {"step": step.as_json()}
        reward = float(step.score)
        if episode.done:
            info["final"] = episode.final_json()
            reward = float(episode.final.score if episode.final else 0)
        return {
            "observation": episode.observe().as_json(),
            "reward": reward,
            "done": episode.done,
            "info": info,
        }

    def score(self, episode_id: str) -> dict[str, Any]:
        """Where the episode stands: its scores so far and its whole record."""
        episode = self._episode(episode_id)
        return {
            "done": episode.done,
            "task_score": episode.final.score if episode.final else 0,
            "action_scores": episode.action_scores,
            "record": episode.record(),
        }

    def close(self, episode_id: str) -> None:
        """Forget an episode (its state is freed)."""
        self.episodes.pop(episode_id, None)

    def _episode(self, episode_id: str) -> Episode:
        episode = self.episodes.get(episode_id)
        if episode is None:
            raise ValueError(f"no episode {episode_id!r} in this environment; reset() first")
        return episode


def _response(episode: Episode, response: Any) -> Response:
    if isinstance(response, dict) and "choices" in response:  # a whole chat completion
        # native tool calls when the format offers tools, as the openai agent reads them
        return completion_to_response(response, native=bool(episode.observe().tools))
    return response  # type: ignore[no-any-return]


def environment_actor(**options: Any) -> Any:
    """:class:`EnvironmentActor` as a Ray actor class, with Ray's ``options`` (num_cpus,
    max_concurrency, ...)."""
    from ..executors.ray import import_ray  # noqa: PLC0415 - Ray only when asked for

    actor = import_ray().remote(EnvironmentActor)
    return actor.options(**options) if options else actor
