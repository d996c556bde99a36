"""The scripted user: the task's own turns, tried in order; deterministic, no model."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ...models import CompiledTask
from ...models.user import CONFIRM_PHRASES, CompiledTrigger, CompiledTurn, CompiledUser
from ...text.saferegex import TooLong, compile_safe
from .base import SimulatedUser, UserReply, UserView

__all__ = ["ScriptedUser", "matches", "said"]

STOP = "stop"
"""``otherwise: stop``: no turn fires, so the user is done."""


@lru_cache(maxsize=4096)
def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # Authored phrases, escaped: a literal alternation, linear on whatever the agent wrote.
    alternatives = "|".join(re.escape(p.strip()) for p in phrases if p.strip())
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def said(phrases: tuple[str, ...], text: str) -> bool:
    """Whether any of ``phrases`` occurs in ``text`` (case-insensitive, on word boundaries)."""
    return bool(phrases) and _phrases(phrases).search(text) is not None


def matches(trigger: CompiledTrigger, view: UserView, since: int) -> bool:
    """Whether ``trigger`` fires on the agent's message in ``view``; ``since``: how many of
    ``view.calls`` were made before the user's previous reply."""
    if trigger.asks is not None:
        return said(tuple(trigger.asks), view.message)
    if trigger.asks_regex is not None:
        try:
            return compile_safe(trigger.asks_regex).search(view.message)
        except (TooLong, re.error, RecursionError, OverflowError):
            return False  # an invalid pattern (lint's TK error) never matches
    if trigger.reply is not None:
        return view.replies == trigger.reply
    if trigger.after_call is not None:
        want = trigger.after_call
        return any(c.tool == want.tool and c.ok == want.ok for c in view.calls[since:])
    if trigger.confirm is not None:
        phrases = CONFIRM_PHRASES if trigger.confirm is True else tuple(trigger.confirm)
        return said(phrases, view.message)
    return False


class ScriptedUser:
    """Answers with the first turn whose trigger matches (and that has not fired, if
    ``once``); with none, ``otherwise``. Past ``max_replies`` replies it stops."""

    kind = "scripted"

    def __init__(self, task: CompiledTask) -> None:
        if task.user is None:
            raise ValueError(f"task {task.id} has no user block")
        self.user: CompiledUser = task.user
        self.fired: set[str] = set()
        self.replies = 0
        """Replies said so far (a stop without words is none)."""
        self._since = 0

    def reply(self, view: UserView) -> UserReply:
        since, self._since = self._since, len(view.calls)
        user = self.user
        if user.max_replies is not None and self.replies >= user.max_replies:
            return UserReply(None, stop=True)
        turn = self._turn(view, since)
        if turn is None:
            if user.otherwise == STOP:
                return UserReply(None, stop=True)
            self.replies += 1
            return UserReply(user.otherwise)
        self.fired.add(turn.id)
        self.replies += 1
        return UserReply(turn.say, stop=turn.stop, turn=turn.id, reveals=tuple(turn.reveals))

    def _turn(self, view: UserView, since: int) -> CompiledTurn | None:
        for turn in self.user.turns:
            if turn.once and turn.id in self.fired:
                continue
            if matches(turn.when, view, since):
                return turn
        return None

    def fork(self) -> SimulatedUser:
        other = ScriptedUser.__new__(ScriptedUser)
        other.user, other.fired = self.user, set(self.fired)
        other.replies, other._since = self.replies, self._since
        return other

    def settings(self) -> dict[str, Any]:
        return {"kind": self.kind}
