"""Checks on the agent's final answer, after normalisation."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from ..models import AnswerCheck
from ..saferegex import TooLong, compile_safe

__all__ = ["check_answer", "normalise", "numbers_in"]

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


def check_answer(check: AnswerCheck, answer: str | None) -> list[str]:
    """Reasons the answer fails ``check`` (empty: it passes)."""
    if answer is not None and not isinstance(answer, str):
        answer = str(answer)
    if answer is None or not answer.strip():
        return ["no final answer"]
    text = normalise(answer)
    reasons = []
    for want in check.contains:
        if normalise(str(want)) not in text:
            reasons.append(f"answer does not mention {want!r}")
    for banned in check.not_contains:
        if normalise(str(banned)) in text:
            reasons.append(f"answer mentions {banned!r}")
    if check.equals is not None and normalise(str(check.equals)) != text:
        reasons.append(f"answer is not {check.equals!r}")
    if check.regex is not None:
        reasons.extend(_regex(check.regex, answer))
    if check.number is not None:
        reasons.extend(
            _number(check.number.value, check.number.tolerance, check.number.rel_tolerance, answer)
        )
    return reasons


def _regex(pattern: str, answer: str) -> list[str]:
    """The answer against an author's regex, in bounded time (RE2, or a length cap for a
    pattern RE2 cannot run: see :mod:`taskkit.saferegex`)."""
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
