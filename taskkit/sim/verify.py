"""The syntax verification engine: every tool call is checked before it runs.

Checks, in order, each failure a stable error type with a message fit to send back to the
agent: ``limit_exceeded`` (a tool name or arguments over a :mod:`~taskkit.sim.limits`
limit), ``unparseable`` (arguments are not JSON), ``args_not_object``, ``unknown_tool``
(with the nearest name), ``schema_error`` (the tool's own schema cannot be checked: a
broken pack, never the agent's fault), then the schema classes of
:mod:`taskkit.schema.validate`: ``missing_required``, ``unexpected_parameter``,
``type_error``, ``nested_type_error``, ``enum_error``, ``format_error``, ``range_error``.

Cost does not grow with the number of tools: one dict look-up, and one validator compiled
the first time a tool is called (shared by every episode with the same schema). The
nearest-name index of an unknown tool is built once per distinct toolset and shared by
every verifier offering it. Every memo table here is bounded (least recently used goes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..runtime.memo import IdentityMemo, Memo
from ..schema.validate import ERROR_KINDS, Check, Validator, compile_trusted, describe, quote
from ..text.nearest import NearestNames
from .limits import DEFAULT_LIMITS, LimitExceeded, Limits, check_name, load_json
from .pertask import per_task

__all__ = [
    "ERROR_TYPES",
    "ToolCall",
    "Verdict",
    "Verifier",
    "shared_validator",
    "shared_verifier",
]

ERROR_TYPES = (
    "limit_exceeded",
    "unparseable",
    "args_not_object",
    "unknown_tool",
    "schema_error",
    *ERROR_KINDS,
)
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


_TRUNCATED = "the object is not closed (was the output cut off?)"


def _parse_arguments(text: str, limits: Limits) -> tuple[Any, str | None, str | None]:
    """``(value, error type, reason)``: the arguments as JSON, or why they are not.

    A model cut off by its token limit leaves an object without its closing brace, the
    commonest malformed call. That is caught without the decoder: its error path (the
    exception and its line/column bookkeeping) costs more than verifying a good call.
    """
    body = text.strip()
    if not body:
        return {}, None, None
    if body[0] == "{" and body[-1] != "}":
        return None, "unparseable", _TRUNCATED
    try:
        return load_json(body, limits, what="the arguments"), None, None
    except json.JSONDecodeError as exc:
        return None, "unparseable", exc.msg
    except LimitExceeded as exc:
        return None, "limit_exceeded", str(exc)


# The good call's verdict skips NamedTuple's Python-level __new__ (and its defaults).
_new_tuple = tuple.__new__

_BY_TEXT: Memo[str, Validator] = Memo(2048)
"""Validators by canonical schema text: tasks with the same tool share one."""
_BY_ID: IdentityMemo[Validator] = IdentityMemo(2048)
"""The same, by identity: episodes of one compiled task skip even the canonical dump.
Holding the schema keeps its id from being reused while the entry lives."""
_NEAREST: Memo[frozenset[str], NearestNames] = Memo(64)
"""Nearest-name indexes by toolset: built on the toolset's first unknown name."""


def shared_validator(schema: Mapping[str, Any]) -> Validator:
    """The compiled validator of ``schema``, shared by every user of the same schema.

    Raises what compiling raises for a schema that is not valid JSON Schema (the
    verifier turns that into a ``schema_error`` verdict)."""
    hit = _BY_ID.get(schema)
    if hit is not None:
        return hit
    key = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    validator = _BY_TEXT.get(key)
    if validator is None:
        validator = _BY_TEXT.put(key, compile_trusted(schema))
    _BY_ID.put(schema, validator)
    return validator


def shared_nearest(names: Iterable[str]) -> NearestNames:
    """The nearest-name index of a toolset, built once per distinct set of names."""
    key = frozenset(names)
    index = _NEAREST.get(key)
    if index is None:
        index = _NEAREST.put(key, NearestNames(key))
    return index


def shared_verifier(task: Any, limits: Limits = DEFAULT_LIMITS) -> Verifier:
    """The verifier of a compiled task's tools (``task.environment``: objects with ``name``
    and ``parameters``), shared by every episode of that task object: an episode then
    costs nothing per tool offered. ``task`` must accept weak references (pydantic models
    do). It lives as long as the task (see :mod:`~taskkit.sim.pertask`)."""
    return per_task(
        task,
        ("verifier", limits),
        lambda: Verifier(((t.name, t.parameters) for t in task.environment), limits=limits),
    )


class Verifier:
    """Verifies calls against a fixed set of tools (name -> parameters schema)."""

    __slots__ = ("_checks", "_limits", "_nearest", "_schemas")

    def __init__(
        self,
        tools: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]],
        *,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._schemas: dict[str, Mapping[str, Any]] = dict(tools)
        self._checks: dict[str, Check] = {}  # compiled on a tool's first call
        self._nearest: NearestNames | None = None
        self._limits = limits

    def verify(self, call: ToolCall) -> Verdict:
        name, args = call.name, call.arguments
        if type(args) is not dict:
            if type(args) is str:
                args, kind, reason = _parse_arguments(args, self._limits)
                if kind is not None:
                    if kind == "unparseable":
                        reason = f"arguments are not valid JSON: {reason}"
                    return Verdict(False, name, None, kind, str(reason))
            if not isinstance(args, dict):
                return Verdict(
                    False,
                    name,
                    None,
                    "args_not_object",
                    f"arguments must be a JSON object, got {_json_type(args)}",
                )
        check = self._checks.get(name)
        if check is None:
            return self._first_call(name, args)
        try:  # inline, not _judge: one frame less on every call
            err = check(args)
        except Exception as exc:
            return self._broken(name, args, exc)
        if err is None:
            return _new_tuple(Verdict, (True, name, args, None, ""))
        return _new_tuple(Verdict, (False, name, args, err.kind, f"{name}: {describe(err)}"))

    def _first_call(self, name: str, args: dict[str, Any]) -> Verdict:
        """A tool not called before through this verifier: unknown, or compile its check."""
        schema = self._schemas.get(name)
        if schema is None:
            problem = check_name(name, self._limits)
            if problem is not None:
                return Verdict(False, name[:64], args, "limit_exceeded", problem)
            if self._nearest is None:
                self._nearest = shared_nearest(self._schemas)
            near = self._nearest.nearest(name)
            hint = f"; did you mean {quote(near)}?" if near else ""
            return Verdict(False, name, args, "unknown_tool", f"unknown tool {quote(name)}{hint}")
        try:
            check = shared_validator(schema).first_error
        except Exception as exc:  # a broken pack's schema: the run goes on, the step says why
            return _schema_error(name, args, exc)
        self._checks[name] = check
        return self._judge(name, args, check)

    def _broken(self, name: str, args: dict[str, Any], exc: Exception) -> Verdict:
        """A check that raised: arguments too deep for it (Python values passed straight
        to :meth:`verify`), or a schema it cannot apply (a bound of the wrong type)."""
        if isinstance(exc, RecursionError):
            return Verdict(
                False,
                name,
                None,
                "limit_exceeded",
                f"the arguments nest deeper than {self._limits.depth} levels",
            )
        return _schema_error(name, args, exc)

    def _judge(self, name: str, args: dict[str, Any], check: Check) -> Verdict:
        try:
            err = check(args)
        except Exception as exc:
            return self._broken(name, args, exc)
        if err is None:
            return _new_tuple(Verdict, (True, name, args, None, ""))
        return _new_tuple(Verdict, (False, name, args, err.kind, f"{name}: {describe(err)}"))


def _schema_error(name: str, args: dict[str, Any], exc: Exception) -> Verdict:
    detail = str(exc)
    detail = detail if len(detail) <= 120 else detail[:117] + "..."
    return Verdict(
        False,
        name,
        args,
        "schema_error",
        f"{name}: the tool's parameters schema cannot be checked ({type(exc).__name__}: "
        f"{detail}); the task is at fault, not the call",
    )


_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
               dict: "object", type(None): "null"}  # fmt: skip


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value)) or type(value).__name__
