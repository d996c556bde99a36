"""Checks on the agent's final answer (or any of its messages), after normalisation."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from ..models import AnswerCheck
from ..models.checks import StripStep
from ..text.normalisations import apply_steps
from ..text.saferegex import TooLong, compile_safe

__all__ = ["NO_ANSWER", "check_answer", "normalise", "normaliser", "numbers_in"]

NO_ANSWER = frozenset({"no final answer", "no assistant message"})
"""The reasons that mean nothing was said (a ``no_answer`` finding, not a wrong answer)."""

_SPACES = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
# A sign counts only at the start of a token: "2027-02-21" holds 2027, 2, 21, not -2 and -21.
_NUMBER = re.compile(r"(?:(?<![\w.])[-+])?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def normalise(text: str) -> str:
    """Case-folded, NFKC, single spaces, no thousands separators or edge punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _THOUSANDS.sub("", text)
    return _SPACES.sub(" ", text).strip().strip(".,;:!?\"'`")


def numbers_in(text: str) -> list[float]:
    return [float(m) for m in _NUMBER.findall(_THOUSANDS.sub("", text))]


def normaliser(check: AnswerCheck) -> Callable[[str], str]:
    """The check's declared normalisation, or the default :func:`normalise`."""
    if check.normalize is None:
        return normalise
    steps = [s.strip if isinstance(s, StripStep) else s for s in check.normalize]
    return lambda text: apply_steps(text, steps)


def check_answer(
    check: AnswerCheck, answer: str | None, messages: Sequence[str | None] = ()
) -> list[str]:
    """Reasons the answer fails ``check`` (empty: it passes).

    ``messages``: the assistant's messages of the episode, for ``scope: any`` (the final
    answer is one of them whether listed or not)."""
    if answer is not None and not isinstance(answer, str):
        answer = str(answer)
    final = check.scope == "final"
    texts = [answer] if final else [*messages, answer]
    said = [t if isinstance(t, str) else str(t) for t in texts if t is not None]
    said = [t for t in said if t.strip()]
    if not said:
        return ["no final answer" if final else "no assistant message"]
    norm = normaliser(check)
    texts_n = [norm(t) for t in said]
    reasons = []
    for want in check.contains:
        if not any(norm(str(want)) in t for t in texts_n):
            reasons.append(
                f"answer does not mention {want!r}" if final else f"no message mentions {want!r}"
            )
    for banned in check.not_contains:
        if any(norm(str(banned)) in t for t in texts_n):
            reasons.append(f"{'answer' if final else 'a message'} mentions {banned!r}")
    if check.equals is not None and norm(str(check.equals)) not in texts_n:
        reasons.append(
            f"answer is not {check.equals!r}" if final else f"no message is {check.equals!r}"
        )
    if check.regex is not None:
        reasons.extend(_first_passing([_regex(check.regex, t) for t in said]))
    if check.number is not None:
        num = check.number
        reasons.extend(
            _first_passing([_number(num.value, num.tolerance, num.rel_tolerance, t) for t in said])
        )
    return reasons


def _first_passing(results: list[list[str]]) -> list[str]:
    """No reasons when some text passes, else the reasons of the last one."""
    return [] if any(not r for r in results) else results[-1]


def _regex(pattern: str, answer: str) -> list[str]:
    """The answer against an author's regex, in bounded time (RE2, or a length cap for a
    pattern RE2 cannot run: see :mod:`taskkit.text.saferegex`)."""
    try:
        if compile_safe(pattern, ignore_case=True).search(answer):
            return []
    except re.error as exc:  # lint reports it; a compiled file made by hand may still hold it
        return [f"the task's answer regex /{pattern}/ is invalid: {exc}"]
    except TooLong as exc:
        return [f"answer could not be checked: {exc}"]
    return [f"answer does not match /{pattern}/"]


def _number(value: Any, tol: float, rel: float, answer: str) -> list[str]:
    try:
        want = float(value)
    except (TypeError, ValueError):
        return [f"expected number {value!r} is not a number"]
    for got in numbers_in(answer):
        if math.isclose(got, want, abs_tol=tol, rel_tol=rel):
            return []
    return [f"answer has no number within tolerance of {want:g}"]
