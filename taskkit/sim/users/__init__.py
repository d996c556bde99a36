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


def _model(task: CompiledTask, options: dict[str, Any]) -> SimulatedUser:
    from .model import create  # noqa: PLC0415 - keeps the openai client optional

    return create(task, options)


USERS: dict[str, UserFactory] = {"scripted": _scripted, "model": _model}
"""Kind -> factory of its users (``model``: a model-backed user)."""


def make_user(task: CompiledTask, kind: str = "scripted", **options: Any) -> SimulatedUser:
    """A user of ``kind`` for ``task``; raises ``KeyError`` naming the kinds known."""
    if kind not in USERS:
        raise KeyError(f"unknown user kind {kind!r} (one of {', '.join(sorted(USERS))})")
    return USERS[kind](task, options)
