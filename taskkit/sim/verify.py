"""The syntax verification engine: every tool call is checked before it runs.

Checks, in order, each failure a stable error type with a message fit to send back to the
agent: ``unparseable`` (arguments are not JSON), ``args_not_object``, ``unknown_tool`` (with
the nearest name), then the schema classes of :mod:`taskkit.jsonvalidate`:
``missing_required``, ``unexpected_parameter``, ``type_error``, ``nested_type_error``,
``enum_error``, ``format_error``, ``range_error``.

Cost does not grow with the number of tools: one dict look-up, and one validator compiled
the first time a tool is called (shared by every episode with the same schema).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..jsonvalidate import ERROR_KINDS, Check, Validator, compile_trusted, describe
from .nearest import NearestNames

__all__ = ["ERROR_TYPES", "ToolCall", "Verdict", "Verifier"]

ERROR_TYPES = ("unparseable", "args_not_object", "unknown_tool", *ERROR_KINDS)
"""Every verification error type, in the order the checks run."""


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A call as the agent wrote it: ``arguments`` may still be a JSON string."""

    name: str
    arguments: Any
    id: str | None = None


class Verdict(NamedTuple):
    """A verification result (a tuple: it is made once per call, on the hot path)."""

    ok: bool
    name: str
    args: dict[str, Any] | None = None
    error_type: str | None = None
    message: str = ""


class _Unparseable(str):
    """Why the arguments text is not JSON (a type of its own, so no JSON value is one)."""

    __slots__ = ()


_TRUNCATED = _Unparseable("the object is not closed (was the output cut off?)")


def _parse_arguments(text: str) -> Any:
    """The arguments as JSON, or an :class:`_Unparseable` reason.

    A model cut off by its token limit leaves an object without its closing brace, the
    commonest malformed call. That is caught without the decoder: its error path (the
    exception and its line/column bookkeeping) costs more than verifying a good call.
    """
    body = text.strip()
    if not body:
        return {}
    if body[0] == "{" and body[-1] != "}":
        return _TRUNCATED
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        return _Unparseable(exc.msg)


# The good call's verdict skips NamedTuple's Python-level __new__ (and its defaults).
_new_tuple = tuple.__new__

_BY_TEXT: dict[str, Validator] = {}
"""Validators by canonical schema text: tasks with the same tool share one."""
_BY_ID: dict[int, tuple[Mapping[str, Any], Validator]] = {}
"""The same, by identity: episodes of one compiled task skip even the canonical dump."""


def shared_validator(schema: Mapping[str, Any]) -> Validator:
    """The compiled validator of ``schema``, shared by every user of the same schema."""
    hit = _BY_ID.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    key = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    validator = _BY_TEXT.get(key)
    if validator is None:
        validator = _BY_TEXT[key] = compile_trusted(schema)
    _BY_ID[id(schema)] = (schema, validator)  # holding `schema` keeps its id from being reused
    return validator


class Verifier:
    """Verifies calls against a fixed set of tools (name -> parameters schema)."""

    __slots__ = ("_checks", "_nearest", "_schemas")

    def __init__(
        self, tools: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]]
    ) -> None:
        self._schemas: dict[str, Mapping[str, Any]] = dict(tools)
        self._checks: dict[str, Check] = {}  # compiled on a tool's first call
        self._nearest: NearestNames | None = None

    def verify(self, call: ToolCall) -> Verdict:
        name, args = call.name, call.arguments
        if type(args) is not dict:
            if type(args) is str:
                args = _parse_arguments(args)
                if type(args) is _Unparseable:
                    return Verdict(
                        False, name, None, "unparseable", f"arguments are not valid JSON: {args}"
                    )
            if not isinstance(args, dict):
                return Verdict(
                    False,
                    name,
                    None,
                    "args_not_object",
                    f"arguments must be a JSON object, got {type(args).__name__}",
                )
        check = self._checks.get(name)
        if check is None:
            schema = self._schemas.get(name)
            if schema is None:
                if self._nearest is None:
                    self._nearest = NearestNames(self._schemas)
                near = self._nearest.nearest(name)
                hint = f"; did you mean {near!r}?" if near else ""
                return Verdict(False, name, args, "unknown_tool", f"unknown tool {name!r}{hint}")
            check = self._checks[name] = shared_validator(schema).first_error
        err = check(args)
        if err is None:
            return _new_tuple(Verdict, (True, name, args, None, ""))
        return _new_tuple(Verdict, (False, name, args, err.kind, f"{name}: {describe(err)}"))
