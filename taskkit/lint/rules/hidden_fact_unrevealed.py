"""A hidden fact the gold path needs that the gold conversation never gets revealed: its
value (rendered for the dataset's first entry) is an argument of a gold call, or is in the
gold answer, yet no turn ``reveals`` it, or the turn that does is never fired by the gold
messages (the scripted user is run against them, as the compiler does to compute
``user.needs``). The gold agent then uses a fact it was never told: the task rewards
guessing, and an agent that asks cannot pass it.

Bad (nothing reveals ``qty``)::

    hidden: {item: "{{ item }}", qty: "{{ qty }}"}
    turns:
      - {id: give_item, when: {asks: [which item]}, say: "The {{ hidden.item }}.", reveals: [item]}
Good::

      - id: give_item
        when: {asks: [which item]}
        say: "{{ hidden.qty }} of the {{ hidden.item }}."
        reveals: [item, qty]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ...models import (
    CompiledAction,
    CompiledFinal,
    CompiledGoldMessage,
    CompiledTask,
    CompiledUser,
    GoldMessage,
    Task,
)
from ...models.user import CompiledTurn
from ...rule_ids import HIDDEN_FACT_UNREVEALED
from ...sim.users.gold import play_gold
from ...templates.environment import TemplateError, render_value
from ...templates.render import entry_context
from ..context import LintContext
from ..scope import Scope

__all__ = ["ID", "NAME", "READS", "SEVERITY", "check", "used_facts"]

ID = HIDDEN_FACT_UNREVEALED
NAME = "hidden-fact-unrevealed"
SEVERITY = Severity.ERROR
READS: Scope = "index"

MIN_IN_TEXT = 3
"""A fact shorter than this counts as used only as a whole argument value, not inside the
answer or a longer string (``2`` is in too many texts)."""


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    for ld, task in ctx.tasks():
        if task.user is None or not task.user.hidden:
            continue
        content = ctx.content_of(ld, task)
        entries = ctx.lib.entries(content[0]) if content is not None else []
        if not entries:
            continue
        try:
            gold = _gold_path(task, entry_context(entries[0].data))
            needs = set(play_gold(gold.task).needs)
        except (TemplateError, re.error):
            continue  # a template that fails (TK302; --deep: TK701), a trigger's invalid regex
        used = used_facts(gold.hidden, gold.args, gold.answer)
        for fact, where in used.items():
            if fact in needs:
                continue
            turns = [i for i, t in enumerate(task.user.turns) if fact in t.reveals]
            said = f"hidden fact {fact!r} is used by {where} (entry {entries[0].id!r})"
            if not turns:
                yield ld.at(
                    ("user", "hidden", fact),
                    ID,
                    f"{said}, but no turn reveals it",
                    hint="list it in the `reveals:` of the turn that tells it",
                    key=True,
                )
                continue
            names = ", ".join(repr(task.user.turns[i].id) for i in turns)
            yield ld.at(
                ("user", "turns", turns[0], "when"),
                ID,
                f"{said}, but the gold messages never fire the turn that reveals it ({names})",
                hint="ask for it in a gold message (- say: ...) before the call that uses it, "
                "in words the turn's trigger matches",
                key=True,
            )


@dataclass(frozen=True)
class _GoldPath:
    """A task's gold conversation rendered for one entry, as compile would."""

    task: CompiledTask
    """Only what :func:`play_gold` reads is set."""
    hidden: dict[str, str]
    args: list[Any]
    answer: str | None


def _gold_path(task: Task, context: dict[str, Any]) -> _GoldPath:
    """Raises :class:`TemplateError` when a template of the user or the gold fails."""
    user = task.user
    assert user is not None
    hidden = {f: str(render_value(t, context)) for f, t in user.hidden.items()}
    talk = {**context, "hidden": hidden}
    turns = [
        CompiledTurn.model_validate(
            {**t.model_dump(mode="json", exclude_none=True), "say": str(render_value(t.say, talk))}
        )
        for t in user.turns
    ]
    actions: list[CompiledAction] = []
    messages: list[CompiledGoldMessage] = []
    for step in task.final.gold_actions:
        if isinstance(step, GoldMessage):
            text = str(render_value(step.say, talk))
            messages.append(CompiledGoldMessage(before=len(actions), text=text))
        else:  # tool names stay as written, as after_call triggers name them
            args = render_value(step.args, context)
            actions.append(
                CompiledAction.model_construct(
                    tool=step.tool, args=args, expect_error=step.expect_error
                )
            )
    answer = None if task.final.answer is None else str(render_value(task.final.answer, context))
    compiled_user = CompiledUser(
        goal="",
        hidden=hidden,
        turns=turns,
        otherwise=str(render_value(user.otherwise, talk)),
        max_replies=user.max_replies,
    )
    # only what play_gold reads: a stand-in, not a task anyone runs
    final: dict[str, Any] = {"gold_actions": actions, "gold_answer": answer}
    final["gold_messages"] = messages
    stub: dict[str, Any] = {
        "id": task.id,
        "user_command": str(render_value(task.user_command, context)),
        "environment": [],
        "user": compiled_user,
        "final": CompiledFinal.model_construct(**final),
    }
    return _GoldPath(
        CompiledTask.model_construct(**stub), hidden, [a.args for a in actions], answer
    )


def used_facts(hidden: dict[str, str], args: list[Any], answer: str | None) -> dict[str, str]:
    """Each fact of ``hidden`` (id -> rendered value) that a gold call's arguments (``args``,
    in call order) or the gold ``answer`` holds -> where ("gold call N", "the gold answer")."""
    found: dict[str, str] = {}
    for fact, raw in hidden.items():
        value = raw.strip()
        if not value:
            continue
        for n, call_args in enumerate(args, start=1):
            if _holds(call_args, value):
                found[fact] = f"gold call {n}"
                break
        else:
            if answer is not None and _in_text(value, answer):
                found[fact] = "the gold answer"
    return found


def _holds(value: Any, fact: str) -> bool:
    if isinstance(value, dict):
        return any(_holds(v, fact) for v in value.values())
    if isinstance(value, list):
        return any(_holds(v, fact) for v in value)
    if value is None:
        return False
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = value if isinstance(value, str) else str(value)
    return text.strip().casefold() == fact.casefold() or (
        isinstance(value, str) and _in_text(fact, value)
    )


def _in_text(fact: str, text: str) -> bool:
    if len(fact) < MIN_IN_TEXT:
        return False
    return re.search(rf"(?<!\w){re.escape(fact)}(?!\w)", text, re.IGNORECASE) is not None
