"""What an executor is: where a run's episodes are played (forked workers on this machine,
or actors on a Ray cluster), each exactly once, with every result handed back to the
driver, which alone writes the outputs."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from ..agents import Agent
from ..models import CompiledTask

__all__ = ["Emit", "Executor", "ExecutorUnavailable", "Job", "Play", "settle_heap", "settled_heap"]

R = TypeVar("R")

Job = tuple[CompiledTask, int]
"""An episode to play: a task and which repeat of it."""

Play = Callable[[Job, Agent, asyncio.Semaphore | None], Awaitable[Any]]
"""One episode: ``await play(job, agent, requests)`` returns what the driver keeps of it
(``requests`` bounds a server agent's requests in flight, when it holds no pool of its own).
A play that crosses a process boundary must pickle: a module-level function, or a
``functools.partial`` of one over plain values."""

Emit = Callable[[Any], None]


class ExecutorUnavailable(RuntimeError):
    """Where the episodes should be played cannot be reached (a cluster's address)."""


class Executor(Protocol):
    """Plays jobs somewhere and hands each result to ``emit`` in the calling process."""

    @property
    def name(self) -> str:
        """The executor's key in :data:`~taskkit.executors.EXECUTORS`."""
        ...

    def episodes(
        self,
        jobs: Sequence[Job],
        play: Play,
        agent: Agent,
        *,
        concurrency: int | None,
        emit: Emit,
    ) -> None:
        """Play every one of ``jobs`` once, in any order; ``emit`` each result as it
        arrives. ``concurrency`` bounds the requests in flight of a server agent (an
        ``AsyncAgent``) across all workers; ``None`` says the play calls the agent
        synchronously (``run``), so each worker plays one episode at a time, as it does for
        an in-process agent. An exception a play raises (a server that cannot be reached)
        ends the run here."""
        ...


YOUNG = 20_000
"""Objects allocated (net) between two collections of the youngest generation while
episodes are played, against Python's 700: an episode's objects are nearly all freed by
reference counting, so at 700 the collector ran hundreds of times a run to find nothing,
for a tenth of the client's CPU against a server (see benchmarks/README.md)."""


def settle_heap() -> Callable[[], None]:
    """Set the cyclic garbage collector for playing episodes in this process; return
    what sets it back.

    What the process holds now (the compiled tasks, the modules) is frozen, out of the
    collector's walks: an episode leaves objects that live long enough to reach the oldest
    generation, so full collections come back throughout a run, and each walked every
    object of the library (two of them took as much CPU as a fifth of the requests of a run
    against a server). Frozen objects are still freed by reference counting; a cycle among
    them waits until they are thawed. The youngest generation is collected every
    :data:`YOUNG` objects. Nothing is frozen when something else froze already (thawing
    would thaw theirs)."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(YOUNG, threshold[0]), *threshold[1:])
    froze = not gc.get_freeze_count()
    if froze:
        gc.freeze()

    def restore() -> None:
        if froze:
            gc.unfreeze()
        gc.set_threshold(*threshold)

    return restore


@contextlib.contextmanager
def settled_heap() -> Iterator[None]:
    """:func:`settle_heap` for the length of the block (entered before forking workers:
    they inherit it)."""
    restore = settle_heap()
    try:
        yield
    finally:
        restore()
