"""``ray``: episodes played by a pool of actors on a Ray cluster (the ``ray`` extra).

What is sent where: the driver (the process running ``run`` or ``generate``) puts the
compiled tasks in Ray's object store once; every actor reads them from there when it
starts (never one pickled copy per episode), with the agent (or the factory that builds it
there: a server agent's connections do not travel) and the play, the function of one
episode. The driver then hands each actor batches of episodes, more than one at a time so
that it never waits for the next, and gets back each batch's results, which it alone
writes: the outputs, the resume index and the lock are the local executor's. A server
agent's actor plays its batches in the order they came, twice its share of requests in
episodes at once, and holds half as many again waiting, in small batches: one of them ends
(and the next is sent) every few episodes, while the request slots stay busy.

A server agent's ``concurrency`` is the bound for the whole cluster, split over the actors
as the local executor splits it over its event loops (one actor's share is its own
request-level bound). An actor that dies (its process killed, its node lost) loses only
its unfinished batches, which go back to the queue and are played elsewhere: a batch's
results arrive whole or not at all, so nothing is lost or written twice. Ctrl-C or any
failure in the driver kills the actors.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import os
import pickle
import socket
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..agents import Agent
from ..agents.base import AsyncAgent, PooledAgent
from ..models import CompiledTask
from .base import Emit, ExecutorUnavailable, Job, Play, settle_heap, settled_heap
from .local import WorkerDied, shares

__all__ = ["EpisodeActor", "RayExecutor", "import_ray"]

DEPTH = 2
"""Batches handed to an actor at once, at least: while it plays one, the next is already
there."""

HELD = 3
"""Episodes a server agent's actor holds, in shares of its requests in flight: twice its
share open (:class:`EpisodeActor`), one more share waiting for a free one."""

SLICES = 2
"""Batches a share of requests is cut into, for a server agent: a batch's results come back
when its last episode ends, so a small one comes back (and is replaced) soon after its
episodes start, and the episodes the actor holds never run low. (Quarters cost more round
trips than they saved: benchmarks/README.md.)"""

BATCHES_PER_ACTOR = 8
"""Batches an actor gets over a run, at least, when episodes are CPU-bound: few enough
that the round trips cost little, many enough that an actor lost costs little and the
last batches end together."""

MAX_BATCH = 32
"""Episodes in one CPU-bound batch at most (what a lost actor costs, at worst)."""


def import_ray() -> Any:
    """The ``ray`` module, or a message that says how to install it."""
    try:
        return importlib.import_module("ray")
    except ImportError as exc:
        raise RuntimeError(
            "the ray executor needs the ray extra: pip install 'taskkit-llm[ray]'"
        ) from exc


class EpisodeActor:
    """One worker of the pool (a Ray actor): the compiled tasks, read once from the object
    store (:meth:`load`), the agent and a share of the requests in flight; plays batches of
    episodes."""

    def __init__(
        self,
        play: Play,
        agent: Agent | Callable[[], Agent],
        *,
        build: bool,
        concurrency: int,
    ) -> None:
        self.tasks: list[CompiledTask] = []
        self.play = play
        self.agent: Agent = agent() if build else agent  # type: ignore[operator,assignment]
        self.requests: asyncio.Semaphore | None = None
        self.concurrent = concurrency > 0 and isinstance(self.agent, AsyncAgent)
        # Episodes under way at once, over every batch the actor holds: twice its share of
        # requests, as the local executor's slots (while one episode scores a reply,
        # another's request is ready for the freed slot). The semaphore is first come,
        # first served, so the batches are played in the order they came: the first ends
        # while the next one is still filling the slots, and the driver's reply (a new
        # batch) arrives before the actor runs dry. Started all at once, the episodes of
        # both batches would advance in step and end together, and the request slots
        # would empty at every batch boundary, waiting for the driver.
        self.open = asyncio.Semaphore(max(1, 2 * concurrency))
        if self.concurrent and isinstance(self.agent, PooledAgent):
            self.agent.limit_in_flight(concurrency)
        elif self.concurrent:
            self.requests = asyncio.Semaphore(concurrency)

    async def load(self, library: bytes) -> int:
        """Take the compiled tasks (pickled by the driver); return this actor's process."""
        # Millions of objects that all stay: built with the collector paused, then frozen
        # for the actor's life, as the local executor's workers are (settle_heap).
        gc.disable()
        try:
            self.tasks = pickle.loads(library)
        finally:
            settle_heap()
            gc.enable()
        return os.getpid()

    async def play_batch(self, batch: list[tuple[int, int]]) -> list[Any]:
        jobs = [(self.tasks[i], repeat) for i, repeat in batch]
        if not self.concurrent:  # CPU-bound, or called synchronously: one after the other
            return [await self.play(job, self.agent, None) for job in jobs]
        # The share of requests in flight (the semaphore, or the agent's own pool) bounds
        # the requests; ``open`` bounds the episodes, in the order they came.
        return list(await asyncio.gather(*(self._play_one(job) for job in jobs)))

    async def _play_one(self, job: Job) -> Any:
        async with self.open:
            return await self.play(job, self.agent, self.requests)

    async def close(self) -> None:
        if self.concurrent and isinstance(self.agent, PooledAgent):
            await self.agent.aclose()


@dataclass
class RayExecutor:
    """Actors on a Ray cluster: the one this process is connected to, ``address`` (or
    ``RAY_ADDRESS``), or else a local one started for the run and stopped after it.
    ``workers``: actors in the pool (default: the cluster's CPUs). ``agent_factory``
    builds the agent in each actor; without one the agent itself is sent (it must pickle)."""

    address: str | None = None
    workers: int | None = None
    agent_factory: Callable[[], Agent] | None = None
    batch_size: int | None = None
    name: str = "ray"
    pids: list[int] = field(default_factory=list, compare=False)
    """The processes of the actors that started, in the order they did (for operators and
    tests: the one to kill to see a lost worker's episodes played again)."""

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
        ray = import_ray()
        started = not ray.is_initialized()
        if started:
            _connect(ray, self.address)
        try:
            with settled_heap():
                _Pool(ray, self, jobs, play, agent, concurrency=concurrency).run(emit)
        finally:
            if started:
                ray.shutdown()


def _connect(ray: Any, address: str | None) -> None:
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address is not None:
        _check_reachable(address)
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address is None:
        options["include_dashboard"] = False  # a cluster of our own, for this run alone
    ray.init(address=address, **options)


def _check_reachable(address: str) -> None:
    """Fail at once on a ``host:port`` nobody listens on: Ray itself retries for minutes."""
    host, sep, port = address.rpartition(":")
    if not sep or "://" in address or not port.isdigit():
        return  # 'auto', a ray:// client address: Ray's to resolve
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise ExecutorUnavailable(
            f"no ray cluster at {address!r} ({exc.strerror or exc}); start one with "
            "`ray start --head`, or leave out --address for a local one"
        ) from None


class _Pool:
    """The actors of one run and the batches they play."""

    def __init__(
        self,
        ray: Any,
        executor: RayExecutor,
        jobs: Sequence[Job],
        play: Play,
        agent: Agent,
        *,
        concurrency: int | None,
    ) -> None:
        self.ray, self.executor = ray, executor
        self.lost: tuple[type[BaseException], ...] = tuple(
            getattr(ray.exceptions, name)
            for name in ("RayActorError", "WorkerCrashedError", "ObjectLostError")
            if hasattr(ray.exceptions, name)
        )
        # The tasks once, by position; a batch names them by index.
        tasks: list[CompiledTask] = []
        index: dict[int, int] = {}
        pairs: list[tuple[int, int]] = []
        for task, repeat in jobs:
            if id(task) not in index:
                index[id(task)] = len(tasks)
                tasks.append(task)
            pairs.append((index[id(task)], repeat))
        cpus = float(ray.cluster_resources().get("CPU", 1.0))
        n = executor.workers or max(1, int(cpus))
        n = min(n, len(pairs))
        if concurrency is not None and isinstance(agent, AsyncAgent):
            n = min(n, concurrency)
            self.shares = shares(concurrency, n)
        else:
            self.shares = [0] * n  # one episode at a time: no request bound to share
        waits = self.shares[0] > 0
        share = max(self.shares)
        size = executor.batch_size or _batch_size(len(pairs), n, share, waits)
        self.depth = max(DEPTH, -(-HELD * share // size)) if waits else DEPTH
        self.queue: deque[list[tuple[int, int]]] = deque(
            pairs[i : i + size] for i in range(0, len(pairs), size)
        )
        build = executor.agent_factory is not None
        try:
            agent_ref = ray.put(executor.agent_factory if build else agent)
        except Exception as exc:
            raise ValueError(
                f"agent {agent.name!r} cannot be sent to the ray workers "
                f"({type(exc).__name__}); pass an agent_factory that builds it there"
            ) from None
        # Fractions of a CPU when asked for more actors than the cluster has CPUs: an
        # actor that waits for a CPU forever would stall the run.
        actor = ray.remote(EpisodeActor).options(
            num_cpus=min(1.0, cpus / n), max_restarts=0, max_task_retries=0
        )
        self.start: Callable[[int], Any] = lambda slot: actor.remote(
            play, agent_ref, build=build, concurrency=self.shares[slot]
        )
        self.tasks = tasks
        self.library: Any = None
        self.spares = 2 * n + 2  # actors that may be lost before the run gives up
        self.actors: list[Any] = []
        self.generation: list[int] = []
        self.busy: list[int] = []
        self.starting: dict[Any, tuple[int, int]] = {}
        self.running: dict[Any, tuple[int, int, list[tuple[int, int]]]] = {}

    def run(self, emit: Emit) -> None:
        try:
            for slot in range(len(self.shares)):
                self.actors.append(None)
                self.generation.append(-1)
                self.busy.append(0)
                self._launch(slot)
            # While the actors' processes start (and import taskkit), the tasks are
            # pickled: plain pickle, into the object store as bytes, as Ray's own
            # serializer (cloudpickle) took 2.5x as long over them (4.6 s against 1.9 s
            # for 2,600 tasks).
            self.library = self.ray.put(pickle.dumps(self.tasks, pickle.HIGHEST_PROTOCOL))
            for slot, handle in enumerate(self.actors):
                self.starting[handle.load.remote(self.library)] = (slot, self.generation[slot])
            while self.queue or self.running:
                if not self.starting and not self.running:
                    raise WorkerDied("no ray worker is left to play the remaining episodes")
                ready, _ = self.ray.wait(
                    [*self.starting, *self.running], num_returns=1, timeout=1.0
                )
                for ref in ready:
                    if ref in self.starting:
                        self._started(ref)
                    else:
                        self._finished(ref, emit)
            self._close()
        finally:
            for handle in self.actors:  # Ctrl-C, a failure, or the end: none outlives the run
                if handle is not None:
                    self.ray.kill(handle, no_restart=True)

    def _close(self) -> None:
        """Let server agents close their connections (best effort: the run is done)."""
        try:
            self.ray.get([a.close.remote() for a in self.actors], timeout=30)
        except (*self.lost, self.ray.exceptions.GetTimeoutError):
            pass

    def _launch(self, slot: int) -> None:
        self.actors[slot] = handle = self.start(slot)
        self.generation[slot] += 1
        self.busy[slot] = 0
        if self.library is not None:  # a stand-in for a lost actor: the tasks are there
            self.starting[handle.load.remote(self.library)] = (slot, self.generation[slot])

    def _started(self, ref: Any) -> None:
        slot, generation = self.starting.pop(ref)
        try:
            self.executor.pids.append(self.ray.get(ref))
        except self.lost:
            self._lose(slot, generation)
            return
        self._feed(slot)

    def _finished(self, ref: Any, emit: Emit) -> None:
        slot, generation, batch = self.running.pop(ref)
        try:
            results = self.ray.get(ref)
        except self.lost:
            self.queue.appendleft(batch)  # played again, whole, by whoever is free
            self._lose(slot, generation)
            return
        except self.ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)  # what the play raised, as the play raised it
            raise (cause if isinstance(cause, BaseException) else exc) from None
        self.busy[slot] -= 1
        for result in results:
            emit(result)
        self._feed(slot)
        for other in range(len(self.actors)):  # a requeued batch finds an idle actor
            if self.busy[other] == 0 and not self._is_starting(other):
                self._feed(other)

    def _is_starting(self, slot: int) -> bool:
        return any(s == slot for s, _ in self.starting.values())

    def _feed(self, slot: int) -> None:
        while self.busy[slot] < self.depth and self.queue:
            batch = self.queue.popleft()
            ref = self.actors[slot].play_batch.remote(batch)
            self.running[ref] = (slot, self.generation[slot], batch)
            self.busy[slot] += 1

    def _lose(self, slot: int, generation: int) -> None:
        """The actor in ``slot`` is gone: start another in its place (once per loss)."""
        if generation != self.generation[slot]:
            return  # its other batch already told us
        self.ray.kill(self.actors[slot], no_restart=True)
        if self.spares <= 0:
            raise WorkerDied("ray workers keep dying; finished episodes are kept, rerun to resume")
        self.spares -= 1
        self._launch(slot)


def _batch_size(jobs: int, actors: int, share: int, waits: bool) -> int:
    if waits:
        # A batch as big as the slots it fills (twice the share: EpisodeActor.open) came
        # back only when its slowest episode ended, long after the others had freed their
        # slots, and the actor ran low on episodes between batches.
        return max(1, share // SLICES)
    return max(1, min(MAX_BATCH, jobs // (actors * BATCHES_PER_ACTOR)))
