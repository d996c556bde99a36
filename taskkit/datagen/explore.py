"""One explored episode: at every step, k samples at spread temperatures, each verified,
executed and scored on its own copy of the state; the episode continues along a passing one.

A sample *passes* when its step scores 1 (it parsed, every call verified, no action check
failed) and, if it ends the episode (a final answer, or the last turn), the final task
evaluator scores 1 too. A sample that is valid but takes another path than the gold one
passes: only a failed evaluator makes a sample a rejected one.
"""

from __future__ import annotations

import asyncio
import inspect
import random
from collections.abc import Awaitable, Callable
from typing import Any

from ..agents import Agent, AgentView, AsyncAgent
from ..models import CompiledTask
from ..models.records import ExploredRecord, ExploredStep, SampleEntry
from ..sim.episode import Episode
from ..sim.formats import Response, get_format
from ..sim.formats.base import default_system_prompt
from ..sim.patch import make_patch
from .config import ExploreConfig

__all__ = ["ExploreConfig", "explore_episode", "temperatures"]


def temperatures(config: ExploreConfig) -> list[float]:
    k = config.samples
    if k == 1:
        return [config.t_min]
    step = (config.t_max - config.t_min) / (k - 1)
    return [round(config.t_min + i * step, 4) for i in range(k)]


ActAsync = Callable[[AgentView], Awaitable[Response]]
"""An :class:`AsyncAgent`'s ``act_async``, looked up once an episode, not once a step: a
protocol ``isinstance`` that fails costs ~50 us on Python 3.11 (a loaded 2-core machine)."""


async def _act(agent: Agent, act_async: ActAsync | None, view: AgentView) -> Response:
    if act_async is not None:
        return await act_async(view)
    response = agent.act(view)
    if inspect.isawaitable(response):
        return await response  # type: ignore[no-any-return]
    return response


async def _limited(
    agent: Agent, act_async: ActAsync | None, view: AgentView, requests: asyncio.Semaphore | None
) -> Response:
    if requests is None:
        return await _act(agent, act_async, view)
    async with requests:
        return await _act(agent, act_async, view)


async def _respond(
    agent: Agent,
    act_async: ActAsync | None,
    views: list[AgentView],
    requests: asyncio.Semaphore | None,
) -> list[Response]:
    """The agent's response to each view: concurrently for a server agent, in turn (no
    task per sample, which is most of the cost with a fast agent) for an in-process one."""
    if requests is None and act_async is None:
        responses = [agent.act(v) for v in views]
        if not any(inspect.isawaitable(r) for r in responses):
            return responses
        return list(await asyncio.gather(*(_resolved(r) for r in responses)))
    return list(await asyncio.gather(*(_limited(agent, act_async, v, requests) for v in views)))


async def _resolved(response: Any) -> Response:
    if inspect.isawaitable(response):
        return await response  # type: ignore[no-any-return]
    return response  # type: ignore[no-any-return]


def _sample_json(ep: Episode, temperature: float, index: int) -> SampleEntry:
    step = ep.steps[-1]
    final = ep.final_json() if ep.done else None
    passed = step.score == 1 and (final is None or final["score"] == 1)
    return {
        "index": index,
        "temperature": temperature,
        "passed": passed,
        "step": step.as_json(),
        "ends_episode": ep.done,
        "final": final,
    }


async def explore_episode(
    task: CompiledTask,
    agent: Agent,
    config: ExploreConfig,
    *,
    requests: asyncio.Semaphore | None = None,
) -> ExploredRecord:
    """Explore one task; return its trajectory record (JSON-ready). ``requests`` bounds the
    agent calls in flight across every episode that shares it."""
    fmt = get_format(config.format)
    user = config.user.make(task, seed=config.seed)
    waits_on_user = user is not None and user.kind != "scripted"
    episode = Episode(
        task, fmt, run_seed=config.seed, faults=config.faults, trust=config.trust, user=user
    )
    temps = temperatures(config)
    choose = random.Random(f"choose|{config.seed}|{task.id}")
    act_async = agent.act_async if isinstance(agent, AsyncAgent) else None
    steps: list[ExploredStep] = []
    while not episode.done:
        observation = episode.observe()
        forks = [episode.fork() for _ in temps]
        views = [
            AgentView(
                task,
                fmt,
                observation,
                episode.steps,
                t,
                random.Random(f"{config.seed}|{task.id}|{len(steps)}|{i}"),
            )
            for i, t in enumerate(temps)
        ]
        responses = await _respond(agent, act_async, views, requests)
        if waits_on_user:
            # Each sample's user asks its server: in threads, so the samples' requests
            # (and other episodes) are in flight together, not one after another.
            await asyncio.gather(
                *(asyncio.to_thread(f.advance, r) for f, r in zip(forks, responses, strict=True))
            )
        else:
            for fork, response in zip(forks, responses, strict=True):
                fork.advance(response)
        samples = [_sample_json(fork, temps[i], i) for i, fork in enumerate(forks)]
        passing = [i for i, s in enumerate(samples) if s["passed"]]
        if passing:
            pick = passing[0] if config.policy == "first" else choose.choice(passing)
        else:
            pick = 0  # nothing passed: go on with the most conservative sample
        episode = forks[pick]
        steps.append({"index": len(steps), "samples": samples, "chosen": pick})
    # The chosen path's steps were serialised as samples already: reused, not rebuilt.
    chosen_steps = [st["samples"][st["chosen"]]["step"] for st in steps]
    task_score = episode.final.score if episode.final else 0
    action_scores = [int(s["passed"]) for st in steps for s in st["samples"]]
    return {
        "task_id": task.id,
        "head": [
            {"role": "system", "content": default_system_prompt(task)},
            {"role": "user", "content": task.user_command},
        ],
        "tools": task.tools,
        "pack": task.pack,
        "category": task.category,
        "task": task.task,
        "format": config.format,
        "arguments": config.arguments,
        "seed": config.seed,
        "steps": steps,
        "chosen_steps": chosen_steps,
        "answer": episode.answer,
        "ended_by": episode.ended_by,
        "user": None if user is None else user.settings(),
        "final": episode.final_json(),
        "final_state_patch": make_patch(task.initial_state, episode.state),
        "action_scores": action_scores,
        "task_score": task_score,
        "passed": task_score == 1 and all(s["samples"][s["chosen"]]["passed"] for s in steps),
    }
