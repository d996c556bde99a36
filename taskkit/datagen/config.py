"""The settings of a ``generate`` run, apart from the code that plays it: a resume with
nothing to do compares them with the run's without loading the simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..runs.user_choice import UserChoice
from .messages import ARGUMENTS, Arguments

__all__ = ["ExploreConfig", "GenerateConfig"]


@dataclass(frozen=True)
class ExploreConfig:
    samples: int = 7
    t_min: float = 0.0
    t_max: float = 1.0
    policy: Literal["first", "random"] = "first"
    """Which passing sample the episode continues with: the first (lowest temperature) or a
    seeded random one."""
    seed: int = 0
    format: str = "openai"
    faults: bool = True
    trust: tuple[str, ...] = ()
    """Packs whose Python handlers may run (decided by the caller, not stored in run.json)."""
    arguments: Arguments = "object"
    """How the exported rows write tool-call arguments (JSON objects or JSON strings)."""
    user: UserChoice = field(default_factory=UserChoice)
    """Who answers the agent in tasks with a user block; every sample's fork of the
    episode forks its user, so each reacts to that sample alone."""

    def __post_init__(self) -> None:
        if self.arguments not in ARGUMENTS:
            raise ValueError(f"unknown arguments {self.arguments!r}; one of {', '.join(ARGUMENTS)}")


@dataclass(frozen=True)
class GenerateConfig:
    explore: ExploreConfig = field(default_factory=ExploreConfig)
    concurrency: int = 8
    agent: str = "mutant"
