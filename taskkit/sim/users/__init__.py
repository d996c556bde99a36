"""Simulated users: who answers the agent's messages in a multi-turn task.

A task with a ``user`` block is a conversation: each agent message without tool calls goes to
the user, whose :class:`UserReply` is the agent's next observation (or, with ``stop``, the end
of the episode). :data:`USERS` maps a kind to the factory of its users; ``scripted`` (the
task's own turns, deterministic, no model) is the default.
"""

from __future__ import annotations

from typing import Any

from ...models import CompiledTask
from .base import SimulatedUser, UserFactory, UserReply, UserView
from .scripted import ScriptedUser

__all__ = [
    "USERS",
    "ScriptedUser",
    "SimulatedUser",
    "UserFactory",
    "UserReply",
    "UserView",
    "make_user",
]


def _scripted(task: CompiledTask, options: dict[str, Any]) -> SimulatedUser:
    return ScriptedUser(task)


USERS: dict[str, UserFactory] = {"scripted": _scripted}
"""Kind -> factory of the users the simulator itself makes. A run chooses among
:data:`taskkit.agents.USERS`, which adds the users that reach a model server through the
agents' client (``model``), a layer above the simulator."""


def make_user(
    task: CompiledTask,
    kind: str = "scripted",
    users: dict[str, UserFactory] | None = None,
    **options: Any,
) -> SimulatedUser:
    """A user of ``kind`` for ``task``, from ``users`` (default :data:`USERS`); raises
    ``KeyError`` naming the kinds known."""
    users = USERS if users is None else users
    if kind not in users:
        raise KeyError(f"unknown user kind {kind!r} (one of {', '.join(sorted(users))})")
    return users[kind](task, options)
