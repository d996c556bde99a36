"""Built-in agents, one module each, and how to name one on the command line."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from .base import Agent, AgentView
from .mutant import MutantAgent
from .noop import NoopAgent
from .replay import ReplayAgent

__all__ = ["AGENTS", "Agent", "AgentView", "CallableAgent", "make_agent"]

AGENTS: dict[str, Callable[..., Agent]] = {
    "replay": ReplayAgent,
    "noop": NoopAgent,
    "mutant": MutantAgent,
}


def _openai(**kwargs: Any) -> Agent:
    from .openai_agent import OpenAIAgent  # noqa: PLC0415 - keeps the openai client optional

    return OpenAIAgent(**kwargs)


AGENTS["openai"] = _openai


class CallableAgent:
    """Wraps ``fn(view) -> response`` (e.g. ``mymodule:my_agent`` on the command line)."""

    def __init__(self, fn: Callable[[AgentView], Any], name: str = "callable") -> None:
        self.fn, self.name = fn, name

    def act(self, view: AgentView) -> Any:
        return self.fn(view)


def make_agent(spec: str, **kwargs: Any) -> Agent:
    """A built-in agent by name, or ``module:function`` for any Python callable."""
    if spec in AGENTS:
        return AGENTS[spec](**kwargs)
    if ":" in spec:
        module, _, attr = spec.partition(":")
        target = getattr(importlib.import_module(module), attr)
        if isinstance(target, type):
            return target(**kwargs)  # type: ignore[no-any-return]
        return CallableAgent(target, name=spec)
    raise ValueError(f"unknown agent {spec!r}; one of {', '.join(AGENTS)} or module:function")
