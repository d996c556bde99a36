"""Running agents on compiled tasks: one episode, or many with results written as they end."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from .agents import Agent, AgentView
from .models import CompiledTask
from .sim.episode import Episode
from .sim.formats import ResponseFormat, get_format

__all__ = ["run_episode", "run_tasks"]


def run_episode(
    task: CompiledTask,
    agent: Agent,
    fmt: ResponseFormat | str = "openai",
    *,
    seed: int = 0,
    temperature: float = 0.0,
    faults: bool = True,
    trust: Iterable[str] | None = None,
) -> Episode:
    """Drive one episode to its end; agent exceptions propagate (they are the agent's bug).
    ``trust``: packs whose Python handlers may run (see :class:`Episode`)."""
    episode = Episode(task, fmt, run_seed=seed, faults=faults, trust=trust)
    rng = random.Random(f"{seed}|{task.id}")
    observation = episode.observe()
    while not episode.done:
        view = AgentView(task, episode.format, observation, episode.steps, temperature, rng)
        observation = episode.step(agent.act(view)).observation
    return episode


def run_tasks(
    tasks: Iterable[CompiledTask],
    agent: Agent,
    fmt: str = "openai",
    *,
    seed: int = 0,
    temperature: float = 0.0,
    faults: bool = True,
    out: IO[str] | None = None,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    trust: Iterable[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Run every task; yield each trajectory record (and append it to ``out`` as JSONL)."""
    format_ = get_format(fmt)
    for task in tasks:
        record = run_episode(
            task, agent, format_, seed=seed, temperature=temperature, faults=faults, trust=trust
        ).record()
        record["agent"] = agent.name
        if out is not None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        if on_done is not None:
            on_done(record)
        yield record
