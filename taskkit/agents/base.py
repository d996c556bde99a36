"""What an agent is: anything that, given the episode so far, returns a response."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..models import CompiledTask
from ..sim.episode import StepRecord
from ..sim.formats import AgentInput, Response, ResponseFormat

__all__ = ["Agent", "AgentView", "AsyncAgent", "PooledAgent", "gold_progress"]


@dataclass(frozen=True)
class AgentView:
    """Everything an agent may look at for its next response."""

    task: CompiledTask
    format: ResponseFormat
    input: AgentInput
    steps: list[StepRecord]
    temperature: float
    rng: random.Random


@runtime_checkable
class Agent(Protocol):
    name: str

    def act(self, view: AgentView) -> Response: ...


@runtime_checkable
class AsyncAgent(Agent, Protocol):
    """An agent that waits on something else (a server): many of its episodes run
    concurrently in an event loop instead of one per core."""

    async def act_async(self, view: AgentView) -> Response: ...


@runtime_checkable
class PooledAgent(AsyncAgent, Protocol):
    """An async agent holding its own connections: ``--concurrency`` sizes its pool, and
    the pool is closed when the loop ends."""

    def limit_in_flight(self, n: int) -> None: ...

    async def aclose(self) -> None: ...


def gold_progress(steps: list[StepRecord]) -> int:
    """How many gold actions are done: calls that verified and were not hit by a fault
    (an expected tool error counts as done)."""
    done = 0
    for step in steps:
        for call in step.calls:
            if call.verified and not (call.error_type or "").startswith("fault:"):
                done += 1
    return done
