"""The simulated user's contract: what it sees, what it says, what it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ...models import CompiledTask
from ...models.records import UserEntry
from ..evaluate import Call

__all__ = ["SimulatedUser", "UserFactory", "UserReply", "UserView"]


@dataclass(frozen=True)
class UserReply:
    text: str | None
    """What the user says; ``None`` only with ``stop``: the user says nothing more."""
    stop: bool = False
    """The user ends the conversation (after saying ``text``, if any)."""
    turn: str | None = None
    """The scripted turn that fired."""
    reveals: tuple[str, ...] = ()
    """The hidden facts this reply discloses."""

    def as_json(self) -> UserEntry:
        return {
            "text": self.text,
            "turn": self.turn,
            "reveals": list(self.reveals),
            "stop": self.stop,
        }


@dataclass(frozen=True)
class UserView:
    """What a user sees when the agent speaks to it."""

    task: CompiledTask
    message: str
    """The agent's message it answers."""
    transcript: tuple[tuple[str, str], ...]
    """``("user" | "assistant", text)`` so far, the user command first (``message`` last)."""
    calls: tuple[Call, ...]
    """The calls executed so far."""
    replies: int
    """How many agent messages to the user so far, this one included."""


@runtime_checkable
class SimulatedUser(Protocol):
    kind: str
    """``scripted``, ``model``, ..."""

    def reply(self, view: UserView) -> UserReply: ...

    def fork(self) -> SimulatedUser:
        """An independent copy at this point (for the k samples of data generation)."""
        ...

    def settings(self) -> dict[str, Any]:
        """What a trajectory records of this user (its ``user`` key)."""
        ...


UserFactory = Callable[[CompiledTask, dict[str, Any]], SimulatedUser]
"""``(task, options) -> user``: options are the kind's own (a model user's endpoint...)."""
