"""A scripted user's turn whose trigger can never fire: ``after_call`` of a tool the task
does not offer (neither in ``tools`` nor in ``distractors``), a trigger on the agent's words
(``asks``, ``asks_regex``, ``confirm``) that no gold message (``say``) meets, or a ``reply:
N`` past the gold conversation's messages. The turn is dead along the gold path: a phrase
misspelt, a tool renamed, or a question the gold conversation forgot to ask. Phrases are
looked for in the gold messages as written (their templates unrendered).

Bad::

    turns:
      - id: give_size
        when: {asks: [what size]}
        say: Size {{ hidden.size }}.
    final:
      gold_actions:
        - say: Which item would you like?
Good::

        when: {asks: [what size, which size]}
    ...
        - say: Which size would you like?
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...diagnostics import Diagnostic, Severity
from ...models import Task
from ...models.user import CONFIRM_PHRASES, Trigger
from ...rule_ids import USER_TRIGGER_UNREACHABLE
from ...sim.users.scripted import said
from ...text.saferegex import TooLong, compile_safe
from ..context import LintContext
from ..scope import Scope

ID = USER_TRIGGER_UNREACHABLE
NAME = "user-trigger-unreachable"
SEVERITY = Severity.WARNING
READS: Scope = "document"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task, user in ctx.user_tasks():
        messages = [m.say for m in task.final.messages]
        for i, turn in enumerate(user.turns):
            why = _never(turn.when, task, messages)
            if why is not None:
                yield ld.at(
                    ("user", "turns", i, "when", turn.when.kind),
                    ID,
                    f"turn {turn.id!r} can never fire: {why}",
                    hint=_HINTS[turn.when.kind],
                )


_HINTS = {
    "after_call": "offer the tool (in tools or distractors), or name one the task offers",
    "asks": "put one of its phrases in the gold message that should get this reply",
    "asks_regex": "make the regex match the gold message that should get this reply",
    "confirm": "ask for confirmation in the gold conversation before the write",
    "reply": "count the agent's messages to the user: the gold conversation sends fewer",
}


def _never(when: Trigger, task: Task, messages: list[str]) -> str | None:
    """Why ``when`` never fires along ``task``'s gold conversation, or None."""
    if when.after_call is not None:
        if when.after_call.tool not in {*task.tools, *task.distractors}:
            return f"the task does not offer {when.after_call.tool!r}"
        return None
    if when.asks is not None:
        if not any(said(tuple(when.asks), m) for m in messages):
            return f"no gold message mentions {_listed(when.asks)}"
        return None
    if when.asks_regex is not None:
        if not any(_search(when.asks_regex, m) for m in messages):
            return "no gold message matches its regex"
        return None
    if when.confirm is not None:
        phrases = CONFIRM_PHRASES if when.confirm is True else tuple(when.confirm)
        if not any(said(phrases, m) for m in messages):
            return "no gold message asks for confirmation"
        return None
    sent = len(messages) + (task.final.answer is not None)  # the answer goes to the user too
    if when.reply is not None and when.reply > sent:
        return f"the gold conversation sends the user {sent} message(s)"
    return None


def _search(pattern: str, text: str) -> bool:
    try:
        return compile_safe(pattern).search(text)
    except TooLong:
        return False
    except re.error:
        return True  # not this rule's finding: the pattern is invalid, not unmatched


def _listed(phrases: list[str]) -> str:
    shown = " or ".join(repr(p) for p in phrases[:4])
    return shown + (" or ..." if len(phrases) > 4 else "")
