"""The intermediate action evaluator (0/1 per step) and the final task evaluator (0/1 per
episode). Both are programmatic: no model judges anything."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models import CompiledTask, Expect
from ..models.checks import (
    ArgValues,
    CallBudget,
    ConfirmBeforeWrite,
    ForbiddenText,
    ForbiddenTools,
    NoRepeatedCalls,
    Order,
    ReadOnly,
)
from ..models.records import FindingEntry
from ..text.saferegex import TooLong, compile_safe
from .answers import NO_ANSWER, check_answer
from .diff import StateDiff, diff_states, states_equal, strip_ignored
from .fastinit import fast_init
from .records import norm

__all__ = [
    "Call",
    "FinalVerdict",
    "Finding",
    "evaluate_action",
    "evaluate_final",
    "evaluate_message",
    "hidden_not_asked",
]


@dataclass(frozen=True, slots=True)
class Finding:
    """Why a step or an episode scored 0: a stable error type and a readable reason."""

    type: str
    message: str
    where: tuple[str | int, ...] = field(default=(), compare=False)
    """For final findings: the path of the failing check inside ``expect``."""

    def as_json(self) -> FindingEntry:
        return {"type": self.type, "message": self.message}


@fast_init
@dataclass(frozen=True)
class Call:
    """An executed (syntactically valid) tool call, as the action checks see it."""

    tool: str
    args: dict[str, Any]
    effect: str = "read"
    faulted: bool = False
    """The call met an injected fault (a retry of it is not a repeat)."""
    ok: bool = True
    """The call succeeded (a tool error or a fault: it failed)."""


def _same_args(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a == b or (a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return _same_args(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(norm(a) == norm(b))


def evaluate_action(
    task: CompiledTask, call: Call, history: Sequence[Call], *, confirmed: bool = False
) -> list[Finding]:
    """Findings of the task's action checks for ``call``, given the calls before it;
    ``confirmed``: the user has confirmed (a ``confirm`` turn fired) before it."""
    found: list[Finding] = []
    for check in task.action_checks:
        if isinstance(check, NoRepeatedCalls):
            if any(
                h.tool == call.tool and not h.faulted and _same_args(h.args, call.args)
                for h in history
            ):
                found.append(
                    Finding("repeated_call", f"{call.tool} was already called with these arguments")
                )
        elif isinstance(check, CallBudget):
            if len(history) + 1 > check.max:
                found.append(Finding("over_budget", f"more than {check.max} tool calls"))
        elif isinstance(check, ForbiddenTools):
            if call.tool in check.tools:
                found.append(
                    Finding("forbidden_tool", f"{call.tool} must not be used for this task")
                )
        elif isinstance(check, ReadOnly):
            if call.effect == "write":
                found.append(
                    Finding("unwanted_write", f"{call.tool} changes state; this task only reads")
                )
        elif isinstance(check, ArgValues):
            if call.tool == check.tool:
                for name, want in check.args.items():
                    if name not in call.args or not _same(call.args[name], want):
                        got = call.args.get(name, "<missing>")
                        found.append(
                            Finding(
                                "wrong_arg_value",
                                f"{call.tool}.{name} is {got!r}, expected {want!r}",
                            )
                        )
        elif (
            isinstance(check, Order)
            and call.tool == check.then
            and not any(h.tool == check.first for h in history)
        ):
            found.append(Finding("out_of_order", f"{check.first} must come before {check.then}"))
        elif isinstance(check, ConfirmBeforeWrite) and call.effect == "write" and not confirmed:
            found.append(
                Finding(
                    "write_without_confirmation",
                    f"{call.tool} changes state before the user confirmed",
                )
            )
    return found


def evaluate_message(task: CompiledTask, text: str) -> list[Finding]:
    """Findings of the task's ``forbidden_text`` checks on one assistant message."""
    found: list[Finding] = []
    folded: str | None = None
    for check in task.action_checks:
        if not isinstance(check, ForbiddenText):
            continue
        folded = text.casefold() if folded is None else folded
        said = [s for s in check.contains if s.casefold() in folded]
        if said:
            found.append(Finding("forbidden_disclosure", f"the message says {said[0]!r}"))
        elif check.regex is not None and _matches(check.regex, text):
            found.append(Finding("forbidden_disclosure", f"the message matches {check.regex!r}"))
    return found


def _matches(pattern: str, text: str) -> bool:
    try:
        return compile_safe(pattern).search(text)
    except TooLong:
        return True  # too long to clear of what it must not say: not cleared
    except (re.error, RecursionError, OverflowError):
        return False  # an invalid pattern (lint reports it) forbids nothing


@fast_init
@dataclass(frozen=True)
class FinalVerdict:
    score: int
    findings: list[Finding] = field(default_factory=list)
    diff: StateDiff = field(default_factory=StateDiff)
    """Differences of the final state from the gold state (after ignores)."""

    def explain(self) -> str:
        lines = [f.message for f in self.findings]
        if self.diff:
            lines.append("state vs gold:\n" + self.diff.summary())
        return "\n".join(lines)


def evaluate_final(
    expect: Expect,
    *,
    initial_state: dict[str, Any],
    gold_state: dict[str, Any],
    final_state: dict[str, Any],
    answer: str | None,
    messages: Sequence[str | None] = (),
) -> FinalVerdict:
    """Score an episode's end: state against gold, diff assertions, answer checks.

    ``messages``: the assistant's messages, for an answer check with ``scope: any``."""
    findings: list[Finding] = []
    diff = StateDiff()
    if expect.state == "matches_gold":
        final = strip_ignored(final_state, expect.ignore)
        gold = strip_ignored(gold_state, expect.ignore)
        if not states_equal(final, gold, expect.types):
            diff = diff_states(gold, final, expect.types)
            findings.append(
                Finding("state_mismatch", "the final state differs from the gold state", ("state",))
            )
    if expect.diff:
        changes = diff_states(initial_state, final_state, expect.types)
        for i, a in enumerate(expect.diff):
            counts = changes.counts(a.collection)
            for what in ("added", "removed", "changed"):
                want = getattr(a, what)
                if want is not None and counts[what] != int(want):
                    findings.append(
                        Finding(
                            "diff_assertion",
                            f"{a.collection}: {counts[what]} records {what}, expected {want}",
                            ("diff", i),
                        )
                    )
    if expect.answer is not None:
        for reason in check_answer(expect.answer, answer, messages):
            kind = "no_answer" if reason in NO_ANSWER else "wrong_answer"
            findings.append(Finding(kind, reason, ("answer",)))
    return FinalVerdict(0 if findings else 1, findings, diff)


def hidden_not_asked(task: CompiledTask, revealed: Collection[str]) -> list[Finding]:
    """A ``hidden_not_asked`` finding for each fact the gold conversation needs (``needs``)
    that no reply of the user revealed: the agent went on without asking."""
    needs = task.user.needs if task.user is not None else []
    return [
        Finding("hidden_not_asked", f"the agent never asked the user for {fact!r}", ("user",))
        for fact in needs
        if fact not in revealed
    ]


def final_for_task(
    task: CompiledTask,
    final_state: dict[str, Any],
    answer: str | None,
    messages: Sequence[str | None] = (),
    revealed: Collection[str] | None = None,
) -> FinalVerdict:
    """The final evaluation of an episode of ``task``; ``revealed``: with a user, the hidden
    facts its replies revealed (``None``: not a conversation, nothing to check)."""
    verdict = _final(task, final_state, answer, messages)
    if revealed is None:
        return verdict
    missed = hidden_not_asked(task, revealed)
    if not missed:
        return verdict
    return FinalVerdict(0, [*verdict.findings, *missed], verdict.diff)


def _final(
    task: CompiledTask,
    final_state: dict[str, Any],
    answer: str | None,
    messages: Sequence[str | None] = (),
) -> FinalVerdict:
    return evaluate_final(
        task.final.expect,
        initial_state=task.initial_state,
        gold_state=task.final.gold_state,
        final_state=final_state,
        answer=answer,
        messages=messages,
    )
