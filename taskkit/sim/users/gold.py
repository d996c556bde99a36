"""The gold conversation played against the scripted user: what compile checks and keeps.

The gold messages go to a :class:`ScriptedUser` in order, with the gold calls made before
each (a call marked ``expect_error`` failed), then the gold answer. The facts the replies
reveal are what an agent must have asked for (``CompiledUser.needs``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...models import CompiledTask
from ..evaluate import Call
from .base import UserReply, UserView
from .scripted import ScriptedUser

__all__ = ["GoldTalk", "play_gold"]


@dataclass(frozen=True)
class GoldTalk:
    replies: tuple[UserReply, ...]
    """The user's reply to each gold message, in order."""
    closing: UserReply | None
    """Its reply to the gold answer (``None``: no answer goes to the user)."""

    @property
    def needs(self) -> list[str]:
        """The hidden facts the replies to the gold messages reveal, in order, each once."""
        return list(dict.fromkeys(f for r in self.replies for f in r.reveals))


def play_gold(task: CompiledTask, *, closing: bool = True) -> GoldTalk:
    """The scripted user's replies to ``task``'s gold conversation (``closing``: the gold
    answer is sent to it too)."""
    user = ScriptedUser(task)
    final = task.final
    envs = {e.name: e for e in task.environment}
    transcript: list[tuple[str, str]] = [("user", task.user_command)]
    calls: list[Call] = []
    replies: list[UserReply] = []

    def say(text: str) -> UserReply:
        transcript.append(("assistant", text))
        view = UserView(task, text, tuple(transcript), tuple(calls), len(replies) + 1)
        reply = user.reply(view)
        if reply.text is not None:
            transcript.append(("user", reply.text))
        return reply

    def call(i: int) -> None:
        action = final.gold_actions[i]
        env = envs.get(action.tool)
        effect = env.effect if env is not None else "read"
        calls.append(Call(action.tool, action.args, effect, ok=not action.expect_error))

    done = 0
    for message in final.gold_messages:
        while done < min(message.before, len(final.gold_actions)):
            call(done)
            done += 1
        replies.append(say(message.text))
    while done < len(final.gold_actions):
        call(done)
        done += 1
    last = envs.get(final.gold_actions[-1].tool) if final.gold_actions else None
    ends = final.gold_answer is not None and not (last is not None and last.terminal)
    end = say(final.gold_answer) if closing and ends and final.gold_answer is not None else None
    return GoldTalk(tuple(replies), end)
