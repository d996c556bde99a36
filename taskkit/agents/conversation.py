"""Where an agent is in a task's gold conversation: the gold calls done and the gold
messages to the user said since the last of them, read off the episode's steps.

Agents that play the gold conversation (``replay``; with mistakes, ``mutant`` and the
property tests' one-mistake agent) use it to know what comes next: the messages still due
before the next gold call (:attr:`taskkit.models.CompiledFinal.gold_messages`), then that call.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import CompiledTask
from ..sim.episode import StepRecord
from ..sim.users.gold import play_gold
from .base import gold_progress

__all__ = ["confirmed_writes", "due_messages", "spoke"]


def spoke(step: StepRecord) -> bool:
    """The agent sent the user a message at ``step`` (text without tool calls)."""
    return not step.parsed.calls and step.parsed.error is None and step.parsed.answer is not None


def due_messages(task: CompiledTask, steps: Sequence[StepRecord]) -> tuple[int, list[str]]:
    """The index of the next gold call (``len(gold_actions)``: the answer is next) and the
    gold messages still to say before it."""
    done = said = 0
    for step in steps:
        made = gold_progress([step])
        if made:
            done, said = done + made, 0
        elif spoke(step):
            said += 1
    due = [m.text for m in task.final.gold_messages if m.before == done]
    return done, due[said:]


def confirmed_writes(task: CompiledTask) -> frozenset[int]:
    """The gold call (by index, none or one) that the gold conversation has the user
    confirm first: a write whose last gold message before it gets the scripted user's
    first ``confirm`` turn. (``confirm_before_write`` asks for a confirmation before every
    write, so the first confirmation covers every write after it: only skipping the first
    leaves a write unconfirmed.)"""
    if task.user is None:
        return frozenset()
    calls = task.final.gold_actions
    writes = {e.name for e in task.environment if e.effect == "write"}
    confirms = {t.id for t in task.user.turns if t.when.confirm is not None}
    messages = task.final.gold_messages
    replies = play_gold(task, closing=False).replies
    for k, (message, reply) in enumerate(zip(messages, replies, strict=True)):
        if reply.turn not in confirms:
            continue
        i = message.before
        last = k + 1 == len(messages) or messages[k + 1].before != i
        if last and i < len(calls) and calls[i].tool in writes:
            return frozenset({i})
        return frozenset()
    return frozenset()
