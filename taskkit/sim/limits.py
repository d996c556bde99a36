"""Limits on what a model may send, and the JSON reader that enforces them.

The model is untrusted input. Everything it sends passes these limits before a parser or a
validator spends more than linear time on it, and a response over a limit is a step
verdict (error type ``limit_exceeded``) with a message the agent can act on, never an
exception:

========================  ==========  ====================================================
limit                     default     what it bounds
========================  ==========  ====================================================
``response_chars``        1,048,576   characters in one response (text, or a message's
                                      content plus every call's name and arguments)
``depth``                 64          nesting of arrays and objects in JSON the model wrote
``number_chars``          100         digits in one JSON number
``string_chars``          262,144     characters in one JSON string
``name_chars``            256         characters in a tool name
``calls``                 64          tool calls in one response
========================  ==========  ====================================================

Numbers must be finite: ``NaN``, ``Infinity`` and literals that overflow a double
(``1e400``) are refused, so no non-JSON value reaches a tool or an observation. Strings
must be valid Unicode: a lone surrogate (``"\\ud800"``) is refused.

:func:`load_json` reads JSON text under these limits at the cost of ``json.loads`` for
ordinary text: a few C-speed screens (length, bracket count, one regex) decide whether the
careful, still linear, path is needed at all.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from ..runtime.memo import Memo

__all__ = [
    "DEFAULT_LIMITS",
    "LimitExceeded",
    "Limits",
    "check_name",
    "check_text",
    "check_value",
    "load_json",
    "recordable",
]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one model response may hold (see the module docs for the defaults' table)."""

    response_chars: int = 1_048_576
    depth: int = 64
    number_chars: int = 100
    string_chars: int = 262_144
    name_chars: int = 256
    calls: int = 64


DEFAULT_LIMITS = Limits()


class LimitExceeded(ValueError):
    """What a response broke, worded for the agent (a ``limit_exceeded`` verdict)."""


class _BadConstant(Exception):
    pass


def _refuse_constant(name: str) -> Any:
    raise _BadConstant(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if value - value != 0.0:  # inf - inf is nan, and nan is not equal to 0
        raise _BadConstant(text if len(text) <= 20 else text[:17] + "...")
    return value


# NaN and Infinity are not JSON, though Python's reader takes them, and a literal such as
# 1e400 reads as infinity: both refused while reading (the float hook runs for float
# literals only, which tool arguments seldom hold).
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)

# Only text with a long digit run (a long number, or digits in a string) or an escaped
# surrogate (maybe a lone one) needs the careful path; both screens run at C speed, and the
# digit-run search is a bounded-length match, so linear in the text.
_DIGIT_RUN: Memo[int, re.Pattern[str]] = Memo(16)  # by the limit: a run uses one or two


def _digit_run(limits: Limits) -> re.Pattern[str]:
    pattern = _DIGIT_RUN.get(limits.number_chars)
    if pattern is None:
        pattern = _DIGIT_RUN.put(
            limits.number_chars, re.compile(f"[0-9]{{{limits.number_chars + 1}}}")
        )
    return pattern


_NOT_DIGITS = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)


def _digit_run_in(text: str, limits: Limits) -> bool:
    """Whether ``text`` holds a run of more than ``limits.number_chars`` ASCII digits. ASCII
    text with no more digits than that in all holds none: counting them (a byte table, at
    C speed) costs a tenth of the search, which a long argument such as a summary paid on
    every call."""
    if text.isascii() and len(text.encode().translate(None, _NOT_DIGITS)) <= limits.number_chars:
        return False
    return _digit_run(limits).search(text) is not None


_RAW_SURROGATE = re.compile("[\ud800-\udfff]")


def load_json(
    text: str, limits: Limits = DEFAULT_LIMITS, *, what: str = "the JSON", prefix: bool = False
) -> Any:
    """The JSON value of ``text`` (surrounding whitespace allowed), within ``limits``;
    with ``prefix``, ``(value, end)`` for the first value and where it ends (text may
    follow it).

    Raises :class:`json.JSONDecodeError` for text that is not JSON and
    :class:`LimitExceeded` for JSON over a limit; nothing else.
    """
    if len(text) > limits.response_chars:
        raise LimitExceeded(
            f"{what} is {len(text):,} characters; the limit is {limits.response_chars:,}"
        )
    careful = (
        text.count("[") + text.count("{") > limits.depth
        or len(text) > limits.string_chars
        or "\\u" in text
        or (len(text) > limits.number_chars and _digit_run_in(text, limits))
        or (not text.isascii() and _RAW_SURROGATE.search(text) is not None)
    )
    try:
        # the regex only when there is space to skip: the usual text has none
        start = _skip_space(text) if text[:1] in _JSON_SPACE else 0
        value, end = _DECODER.raw_decode(text, start)
    except _BadConstant as exc:
        raise LimitExceeded(
            f"{what} holds {exc.args[0]}, which is not a finite JSON number; "
            "send numbers within the range of a double"
        ) from None
    except RecursionError:  # the C reader stops at ~1,000 levels, in linear time
        raise LimitExceeded(f"{what} nests deeper than {limits.depth} levels") from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        # int() refusing a number of thousands of digits
        raise LimitExceeded(
            f"{what} holds a number longer than {limits.number_chars} digits"
        ) from None
    if careful:
        problem = check_value(value, limits)
        if problem is not None:
            raise LimitExceeded(f"{what} {problem}")
    if prefix:
        return value, end
    if end != len(text):
        end = _skip_space(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def _skip_space(text: str, start: int = 0) -> int:
    return _SPACE.match(text, start).end()  # type: ignore[union-attr]  # always matches


_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_SPACE = frozenset(" \t\n\r")


def check_text(
    text: str, limits: Limits = DEFAULT_LIMITS, *, what: str = "the response"
) -> str | None:
    """Why ``text`` (a whole response) is over a limit, as a sentence; ``None`` if fine."""
    if len(text) > limits.response_chars:
        return f"{what} is {len(text):,} characters; the limit is {limits.response_chars:,}"
    if not text.isascii() and _RAW_SURROGATE.search(text) is not None:
        return f"{what} holds a lone surrogate (not valid Unicode); send UTF-8 text"
    return None


def check_name(name: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why a tool name is over a limit, as a sentence; ``None`` if fine."""
    if len(name) > limits.name_chars:
        return f"the tool name is {len(name):,} characters; the limit is {limits.name_chars:,}"
    if not name.isascii() and _RAW_SURROGATE.search(name) is not None:
        return "the tool name holds a lone surrogate (not valid Unicode)"
    return None


def check_value(value: Any, limits: Limits = DEFAULT_LIMITS, *, slack: int = 0) -> str | None:
    """Why ``value`` (parsed JSON, or a Python value a callable agent returned) breaks a
    limit or is not JSON at all, as the end of a sentence (``"nests deeper than ..."``);
    ``None`` when it is fine. ``slack`` levels of nesting are allowed beyond the depth limit
    (a message's own envelope around the arguments). Iterative, so no depth makes it
    recurse, and linear in the size of ``value``."""
    stack: list[tuple[Any, int]] = [(value, -slack)]
    chars = 0
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is str:
            chars += len(item)
            if len(item) > limits.string_chars:
                return (
                    f"holds a string of {len(item):,} characters; "
                    f"the limit is {limits.string_chars:,}"
                )
            if chars > limits.response_chars:
                return f"is over {limits.response_chars:,} characters"
            if not item.isascii() and _RAW_SURROGATE.search(item) is not None:
                return "holds a lone surrogate (not valid Unicode); send UTF-8 text"
        elif kind is float:
            if not math.isfinite(item):
                return (
                    f"holds {_constant(item)}, which is not a finite JSON number; "
                    "send numbers within the range of a double"
                )
        elif kind is int:
            if item.bit_length() > 3 * limits.number_chars and abs(item) >= _ten_to(
                limits.number_chars
            ):  # the bit length first: the common int is far below and costs nothing more
                return f"holds a number longer than {limits.number_chars} digits"
        elif kind is dict or kind is list:
            if depth >= limits.depth:
                return f"nests deeper than {limits.depth} levels"
            if kind is dict:
                for key in item:
                    if type(key) is not str:
                        return f"has an object key that is not a string: {type(key).__name__}"
                    stack.append((key, depth))
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)
        elif kind is not bool and item is not None:
            return f"holds a {kind.__name__}, which is not a JSON value"
    return None


def recordable(response: Any, limits: Limits = DEFAULT_LIMITS) -> Any:
    """What to keep of a response that failed to parse, so the trajectory and the next
    prompt can be written as JSON: text as sent (lone surrogates replaced by U+FFFD, cut at
    the size limit); a message object as sent when it holds JSON only, else its content
    with a note; anything else as a short description."""
    if isinstance(response, str):
        if not response.isascii() and _RAW_SURROGATE.search(response) is not None:
            response = _RAW_SURROGATE.sub("\ufffd", response)
        if len(response) > limits.response_chars:
            cut = len(response)
            response = response[: limits.response_chars] + f"[... cut: {cut:,} characters]"
        return response
    if isinstance(response, dict):
        envelope = dataclasses.replace(limits, string_chars=limits.response_chars)
        problem = check_value(response, envelope, slack=4)
        if problem is None:
            return response
        content = response.get("content")
        return {
            "role": "assistant",
            "content": recordable(content, limits) if isinstance(content, str) else None,
            "unrecorded": f"the message {problem}",
        }
    return f"(a {type(response).__name__}, not a response)"


_POWERS: Memo[int, int] = Memo(64)


def _ten_to(n: int) -> int:
    power = _POWERS.get(n)
    if power is None:
        power = _POWERS.put(n, 10**n)
    return power


def _constant(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
