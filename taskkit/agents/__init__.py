"""Built-in agents, one module each, and how to name one on the command line.

An agent is named by a built-in's name (:data:`AGENTS`), an installed distribution's entry
point in the group ``taskkit.agents`` (its object an :data:`AgentFactory`, loaded only when
named), or ``module:function`` for any Python callable.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from ..models import CompiledTask
from ..sim.users import USERS as SIM_USERS
from ..sim.users import SimulatedUser, UserFactory
from . import mutant, noop, replay
from .base import (
    Agent,
    AgentFactory,
    AgentOptions,
    AgentView,
    AsyncAgent,
    ClosableAgent,
    PooledAgent,
    ServerAgent,
)
from .mutant import MutantAgent
from .noop import NoopAgent
from .replay import ReplayAgent

__all__ = [
    "AGENTS",
    "ENTRY_POINT_GROUP",
    "USERS",
    "Agent",
    "AgentFactory",
    "AgentOptions",
    "AgentView",
    "AsyncAgent",
    "CallableAgent",
    "ClosableAgent",
    "MutantAgent",
    "NoopAgent",
    "PooledAgent",
    "ReplayAgent",
    "ServerAgent",
    "installed_agents",
    "make_agent",
]

ENTRY_POINT_GROUP = "taskkit.agents"


def _openai(options: AgentOptions) -> Agent:
    from .openai_agent import create  # noqa: PLC0415 - keeps the openai client optional

    return create(options)


AGENTS: dict[str, AgentFactory] = {
    "replay": replay.create,
    "noop": noop.create,
    "mutant": mutant.create,
    "openai": _openai,
}
"""The built-in agents; a name here wins over an installed agent of the same name."""


def _model_user(task: CompiledTask, options: dict[str, Any]) -> SimulatedUser:
    from .user_model import create  # noqa: PLC0415 - keeps the openai client optional

    return create(task, options)


USERS: dict[str, UserFactory] = {**SIM_USERS, "model": _model_user}
"""The simulated users a run can choose (``--user``): the simulator's own (``scripted``)
and ``model``, a model-backed user that reaches its server through the agents' client."""


def installed_agents() -> dict[str, EntryPoint]:
    """Agents installed distributions declare (group ``taskkit.agents``), not loaded.
    Read at each call: a distribution installed since is seen."""
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return {name: ep for name, ep in sorted(found.items()) if name not in AGENTS}


class CallableAgent:
    """Wraps ``fn(view) -> response`` (e.g. ``mymodule:my_agent`` on the command line)."""

    def __init__(self, fn: Callable[[AgentView], Any], name: str = "callable") -> None:
        self.fn, self.name = fn, name

    def act(self, view: AgentView) -> Any:
        return self.fn(view)


def make_agent(spec: str, options: AgentOptions | None = None, **fields: Any) -> Agent:
    """The agent ``spec`` names, made from ``options`` (``fields`` replace some of them):
    a built-in, an installed one, or ``module:function`` (a class is instantiated, a
    function wrapped)."""
    options = replace(options or AgentOptions(), **fields)
    if spec in AGENTS:
        return AGENTS[spec](options)
    installed = installed_agents()
    if spec in installed:
        factory: AgentFactory = installed[spec].load()
        agent = factory(options)
        if not isinstance(agent, Agent):
            raise TypeError(
                f"agent {spec!r} ({installed[spec].value}) made {type(agent).__name__}, "
                "not an agent (a name and an act method)"
            )
        return agent
    if ":" in spec:
        module, _, attr = spec.partition(":")
        target = getattr(importlib.import_module(module), attr)
        if isinstance(target, type):
            return target()  # type: ignore[no-any-return]
        return CallableAgent(target, name=spec)
    known = [*AGENTS, *installed]
    raise ValueError(f"unknown agent {spec!r}; one of {', '.join(known)} or module:function")
