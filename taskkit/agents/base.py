"""What an agent is: anything that, given the episode so far, returns a response."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from ..models import CompiledTask
from ..sim.episode import StepRecord
from ..sim.formats import AgentInput, Response, ResponseFormat

__all__ = ["Agent", "AgentView", "gold_progress"]


@dataclass(frozen=True)
class AgentView:
    """Everything an agent may look at for its next response."""

    task: CompiledTask
    format: ResponseFormat
    input: AgentInput
    steps: list[StepRecord]
    temperature: float
    rng: random.Random


class Agent(Protocol):
    name: str

    def act(self, view: AgentView) -> Response: ...


def gold_progress(steps: list[StepRecord]) -> int:
    """How many gold actions are done: calls that verified and were not hit by a fault
    (an expected tool error counts as done)."""
    done = 0
    for step in steps:
        for call in step.calls:
            if call.verified and not (call.error_type or "").startswith("fault:"):
                done += 1
    return done
