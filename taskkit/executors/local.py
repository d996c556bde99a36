"""``local``: this machine's cores, in forked workers (the default; needs nothing else).

Episodes are played in taskkit's one fork pool (:func:`taskkit.runtime.parallel.in_workers`, lint's
too): workers pull job indices from a shared counter (the tasks themselves are inherited
through fork: a compiled task costs more to pickle and rebuild than to explore with a fast
agent) and send finished episodes back on one pipe each, so stopping never waits on a pipe.

Agents that talk to a server (``act_async``) play as many episodes concurrently as
``concurrency`` allows, in one event loop, or in one per forked worker when the limit is
more than one loop keeps up with (:data:`PER_LOOP`); in-process agents are CPU-bound and
play in one forked worker per core.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..agents import Agent
from ..agents.base import AsyncAgent, PooledAgent
from ..runtime.parallel import Work, WorkerDied, cores, in_workers, workers
from .base import Emit, Job, Play, settled_heap

__all__ = ["PER_LOOP", "LocalExecutor", "WorkerDied"]


def _died(how: str) -> str:
    return f"a generate worker died ({how}); finished episodes are kept, rerun to resume"


# -- in-process agents: CPU-bound, one worker per core -------------------------------------


def _in_turn(jobs: Sequence[Job], agent: Agent, play: Play) -> Work:
    def work(take: Callable[[], int], emit: Emit) -> None:
        loop = asyncio.new_event_loop()  # one for the worker's life, not one per episode
        try:
            while (i := take()) < len(jobs):
                emit(loop.run_until_complete(play(jobs[i], agent, None)))
        finally:
            loop.close()

    return work


def _forked(jobs: Sequence[Job], agent: Agent, play: Play, n: int | None, emit: Emit) -> None:
    # episodes are heavier than files: fewer make a worker worth it
    n = workers(len(jobs) * 4) if n is None else min(n, len(jobs))
    work = _in_turn(jobs, agent, play)
    if n <= 1:
        work(itertools.count().__next__, emit)
    else:
        in_workers([work] * n, emit, died=_died)


# -- agents with act_async: concurrent episodes, one event loop per worker ---------------

PER_LOOP = 8
"""Requests in flight one event loop keeps up with against a fast server. The client's own
work is 1-3 ms a request (building it, parsing the reply, scoring the step), so above this
a single loop starts to delay replies, and the concurrency is split over forked workers."""


async def concurrently(
    jobs: Sequence[Job],
    agent: Agent,
    play: Play,
    *,
    concurrency: int,
    take: Callable[[], int],
    emit: Emit,
) -> None:
    """Play ``jobs[take()]`` until ``take`` runs past the end, ``concurrency`` requests
    in flight at most."""
    # The concurrency bounds the requests in flight: on the wire when the agent can hold
    # its own connections to it (see OpenAIAgent.limit_in_flight), else around each call.
    requests: asyncio.Semaphore | None = None
    if isinstance(agent, PooledAgent):
        agent.limit_in_flight(concurrency)
    else:
        requests = asyncio.Semaphore(concurrency)

    async def slot() -> None:
        while (i := take()) < len(jobs):
            emit(await play(jobs[i], agent, requests))

    # Twice as many episodes as requests are open, so that while one scores a reply
    # another one's request is ready to take the free slot.
    slots = [asyncio.ensure_future(slot()) for _ in range(2 * concurrency)]
    try:
        await asyncio.gather(*slots)
    finally:
        for pending in slots:
            pending.cancel()
        if isinstance(agent, PooledAgent):
            await agent.aclose()


def _concurrently(jobs: Sequence[Job], agent: Agent, play: Play, concurrency: int) -> Work:
    def work(take: Callable[[], int], emit: Emit) -> None:
        asyncio.run(concurrently(jobs, agent, play, concurrency=concurrency, take=take, emit=emit))

    return work


def shares(concurrency: int, n: int) -> list[int]:
    """``concurrency`` split over ``n`` workers as evenly as it goes."""
    return [concurrency // n + (i < concurrency % n) for i in range(n)]


def _concurrent_forked(
    jobs: Sequence[Job], agent: Agent, play: Play, *, concurrency: int, n: int | None, emit: Emit
) -> None:
    # Waiting on a server costs no CPU, so even a few episodes are worth a second loop.
    wanted = -(-concurrency // PER_LOOP) if n is None else n
    n = min(cores() if n is None else n, len(jobs), wanted, concurrency)
    if n <= 1:
        _concurrently(jobs, agent, play, concurrency)(itertools.count().__next__, emit)
        return
    in_workers(
        [_concurrently(jobs, agent, play, c) for c in shares(concurrency, n)], emit, died=_died
    )


@dataclass(frozen=True)
class LocalExecutor:
    """Forked workers on this machine: one per core for an in-process agent, one event loop
    per :data:`PER_LOOP` requests for a server agent (``workers`` overrides either)."""

    workers: int | None = None
    name: str = "local"

    def episodes(
        self,
        jobs: Sequence[Job],
        play: Play,
        agent: Agent,
        *,
        concurrency: int | None,
        emit: Emit,
    ) -> None:
        if not jobs:
            return
        with settled_heap():  # before the forks: the workers inherit it
            if concurrency is not None and isinstance(agent, AsyncAgent):
                _concurrent_forked(
                    jobs, agent, play, concurrency=concurrency, n=self.workers, emit=emit
                )
            else:
                _forked(jobs, agent, play, self.workers, emit)
