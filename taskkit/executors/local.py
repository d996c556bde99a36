"""``local``: this machine's cores, in forked workers (the default; needs nothing else).

Workers pull job indices from a shared counter (the tasks themselves are inherited through
fork: a compiled task costs more to pickle and rebuild than to explore with a fast agent)
and send finished episodes back on one pipe each. There is no task queue to feed, so
stopping never waits on a pipe: multiprocessing.Pool's terminate() can hang for good when
its feeder thread is blocked on a full task pipe and the workers are gone (a Ctrl-C did).

Agents that talk to a server (``act_async``) play as many episodes concurrently as
``concurrency`` allows, in one event loop, or in one per forked worker when the limit is
more than one loop keeps up with (:data:`PER_LOOP`); in-process agents are CPU-bound and
play in one forked worker per core.
"""

from __future__ import annotations

import asyncio
import ctypes
import itertools
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, NamedTuple, cast

from ..agents import Agent
from ..agents.base import AsyncAgent, PooledAgent
from ..parallel import cores, workers
from .base import Emit, Job, Play, settled_heap

__all__ = ["PER_LOOP", "LocalExecutor", "WorkerDied"]


class WorkerDied(RuntimeError):
    """A worker ended without a word (killed, or out of memory)."""


Work = Callable[[Callable[[], int], Emit], None]
"""What a worker does: ``work(take, emit)`` plays ``jobs[take()]`` until ``take``
passes the end, handing each finished episode to ``emit``."""


class _Failed(NamedTuple):
    """A worker's exception, sent to the parent to raise."""

    error: BaseException


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives the trip to the parent, else its text in a RuntimeError (the
    queue pickles in a background thread, where a failure would be lost silently)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies, whatever this process is
    doing then (an agent call that blocks for good included). Linux only; elsewhere the
    worker notices between episodes (``take``) or when its next send fails."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl: the checks remain
        pass


def _worker(
    work: Work, next_index: Any, conn: Connection, parent: int, theirs: list[Connection]
) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    # Only the parent may hold the reading ends: when it dies, a send fails at once
    # (EPIPE) instead of filling a pipe that nobody reads and waiting forever.
    for reader in theirs:
        reader.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the worker

    def take() -> int:
        if os.getppid() != parent:
            os._exit(1)  # the parent is gone (killed): stop instead of working for nobody
        with next_index.get_lock():
            i: int = next_index.value
            next_index.value = i + 1
        return i

    def send(item: Any) -> None:
        try:
            conn.send(item)
        except OSError:  # the parent is gone
            os._exit(1)

    try:
        work(take, send)
    except BaseException as exc:
        send(_Failed(_picklable(exc)))
    send(None)  # this worker is done
    conn.close()


def _in_workers(works: Sequence[Work], emit: Emit) -> None:
    """Run each of ``works`` in a forked process, sharing one job counter; ``emit`` every
    episode in the order they finish. A worker's exception is raised here."""
    ctx = multiprocessing.get_context("fork")
    next_index = ctx.Value("q", 0)
    readers: dict[Connection, Any] = {}
    procs: list[Any] = []
    try:
        for work in works:
            reader, writer = ctx.Pipe(duplex=False)  # one each: a worker never blocks another
            proc = ctx.Process(
                target=_worker,
                args=(work, next_index, writer, os.getpid(), [*readers, reader]),
                daemon=True,
            )
            proc.start()
            writer.close()  # the worker's alone, so its exit is the reader's end of file
            readers[reader] = proc
            procs.append(proc)
        while readers:
            ready = wait(list(readers), timeout=1.0)
            if not ready and any(p.exitcode not in (None, 0) for p in procs):
                raise WorkerDied(_died(procs))
            for conn in ready:
                reader = cast(Connection, conn)  # wait() returns what it was given
                try:
                    item = reader.recv()
                except EOFError:
                    readers[reader].join(timeout=1.0)
                    raise WorkerDied(_died(procs)) from None
                if item is None:
                    del readers[reader]
                elif isinstance(item, _Failed):
                    raise item.error
                else:
                    emit(item)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join()


def _died(procs: list[Any]) -> str:
    codes = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
    how = (
        ", ".join(f"signal {signal.Signals(-c).name}" if c < 0 else f"exit {c}" for c in codes)
        or "no exit status"
    )
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
        _in_workers([work] * n, emit)


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
    _in_workers([_concurrently(jobs, agent, play, c) for c in shares(concurrency, n)], emit)


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
