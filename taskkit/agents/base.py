"""What an agent is: anything that, given the episode so far, returns a response.

The contract, in protocols (checked by ``isinstance``, never by probing attributes):

- :class:`Agent`: ``name`` and ``act(view)``; every agent.
- :class:`AsyncAgent`: also ``act_async(view)``: an agent that waits on a server, whose
  episodes run concurrently in an event loop.
- :class:`PooledAgent`: also ``limit_in_flight(n)`` and ``aclose()``: it holds its own
  connections, sized by ``--concurrency`` and closed when the loop ends.
- :class:`ClosableAgent`: ``close()``, called when a run ends.
- :class:`ServerAgent`: ``model`` and ``base_url``, recorded in a run's settings.

Every agent is made by an :data:`AgentFactory` from one :class:`AgentOptions`, whatever
registered it (``taskkit.agents.AGENTS``, the ``taskkit.agents`` entry point group).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..models import CompiledTask
from ..sim.episode import StepRecord
from ..sim.formats import AgentInput, Response, ResponseFormat

__all__ = [
    "Agent",
    "AgentFactory",
    "AgentOptions",
    "AgentView",
    "AsyncAgent",
    "ClosableAgent",
    "PooledAgent",
    "ServerAgent",
    "gold_progress",
]


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


@runtime_checkable
class ClosableAgent(Agent, Protocol):
    """An agent holding resources (a server agent's connections) until ``close()``."""

    def close(self) -> None: ...


@runtime_checkable
class ServerAgent(Agent, Protocol):
    """An agent answering through a model server: the settings of a run record which."""

    model: str
    base_url: str


@dataclass(frozen=True)
class AgentOptions:
    """What the command line says about reaching an agent (``--model``, ``--base-url``,
    ``--timeout``, ``--retries``), handed to every agent factory alike; each agent reads
    what applies to it (the built-in offline ones, nothing)."""

    model: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    """Seconds for one response; ``None``: the agent's own default."""
    max_retries: int = 4
    note: Callable[[str], None] | None = field(default=None, compare=False)
    """Where a factory tells the user what it chose for them (the model a server lists)."""


AgentFactory = Callable[[AgentOptions], Agent]
"""Makes an agent from the options: a built-in's ``create``, an entry point's object."""


def gold_progress(steps: list[StepRecord]) -> int:
    """How many gold actions are done: calls that verified and were not hit by a fault
    (an expected tool error counts as done)."""
    done = 0
    for step in steps:
        for call in step.calls:
            if call.verified and not (call.error_type or "").startswith("fault:"):
                done += 1
    return done
