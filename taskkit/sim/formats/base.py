"""What a response format is: how a compiled task and its history become the agent's
input, how the agent's response is parsed into tool calls or a final answer, and how a
built-in agent writes a response in the format."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ...models import CompiledTask
from ...schema.validate import quote
from ..fastinit import fast_init
from ..limits import DEFAULT_LIMITS, Limits, check_name, check_text, check_value
from ..pertask import per_task
from ..verify import ToolCall

__all__ = [
    "AgentInput",
    "Exchange",
    "Parsed",
    "Response",
    "ResponseFormat",
    "default_system_prompt",
    "json_kind",
    "over_limit",
    "screen",
    "too_many_calls",
]

Response = str | dict[str, Any]
"""What an agent returns: text, or an OpenAI-style assistant message
(``{"content": ..., "tool_calls": [...]}``)."""


@fast_init
@dataclass(frozen=True)
class AgentInput:
    """Chat messages (and, for native tool calling, the OpenAI ``tools`` list)."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None = None

    def as_json(self) -> dict[str, Any]:
        return {"messages": self.messages, "tools": self.tools}


@fast_init
@dataclass(frozen=True)
class Parsed:
    """A parsed response: tool calls, or a final answer, or why it could not be parsed."""

    calls: list[ToolCall] = field(default_factory=list)
    answer: str | None = None
    thought: str | None = None
    error: str | None = None
    error_type: str = "unparseable"
    """With ``error``: ``unparseable``, or ``limit_exceeded`` for a response over one of the
    :mod:`~taskkit.sim.limits` (too long, too deep, a lone surrogate, too many calls)."""


@fast_init
@dataclass(frozen=True)
class Exchange:
    """One turn of history: the agent's response and the observation text for each call
    (or the error message sent back when the response was unusable)."""

    response: Response
    parsed: Parsed
    observations: list[str]
    user: str | None = None
    """The simulated user's reply to this turn's message (a multi-turn task): rendered as
    a user message after it."""


class ResponseFormat(Protocol):
    name: str

    def render(self, task: CompiledTask, history: list[Exchange]) -> AgentInput: ...

    def parse(self, response: Response, limits: Limits = DEFAULT_LIMITS) -> Parsed: ...

    def write(
        self,
        *,
        calls: list[ToolCall] | None = None,
        answer: str | None = None,
        thought: str | None = None,
    ) -> Response: ...


def per_task_text(task: CompiledTask, key: Hashable, build: Callable[[], str]) -> str:
    """A prompt's text that depends on the task only (its tools, its command), built once per
    task object and shared by every turn of its episodes: the tools' JSON was most of a
    hermes, react or xlam observation (75-100 µs a turn, for a step of 15-100). A compiled
    task is frozen: a changed one is another object, with texts of its own."""
    if not hasattr(type(task), "__weakref__"):  # a stand-in object: nothing to hold it by
        return build()
    return per_task(task, key, build)


def response_text(response: Response) -> str:
    """What the agent wrote: the text, or a message's ``content`` ("" when it has none)."""
    if isinstance(response, str):
        return response
    content = response.get("content") if isinstance(response, dict) else None
    return content if isinstance(content, str) else ""


def text_to_parse(response: Response, limits: Limits, native_calls: str) -> str | Parsed:
    """The text a format that reads calls from the text (hermes, react, xlam) parses, or
    the step's verdict without parsing: native ``tool_calls`` with no text (``native_calls``
    says what to write instead), a response the screen refuses, or an empty final answer
    (which ends the episode)."""
    if (
        isinstance(response, dict)
        and response.get("tool_calls")
        and not response_text(response).strip()
    ):
        return Parsed(error=f"native tool_calls are not part of the {native_calls}")
    refused = screen(response, limits)
    if refused is not None:
        return refused
    text = response_text(response)
    return text if text.strip() else Parsed(answer="")


def default_system_prompt(task: CompiledTask) -> str:
    return task.system_prompt or (
        "You are a helpful assistant that completes the user's request by calling the tools "
        "provided. Call tools until you have what you need, then give the final answer."
    )


def over_limit(reason: str) -> Parsed:
    """The parse of a response over a limit: a ``limit_exceeded`` step, never a crash."""
    return Parsed(error=reason, error_type="limit_exceeded")


def screen(response: Any, limits: Limits) -> Parsed | None:
    """The checks every format makes before parsing: a response is text or a message
    object (a dict) with JSON values only, within the size, depth, string, number and
    Unicode limits. ``None`` when it may be parsed; else the step's error."""
    if isinstance(response, str):
        problem = check_text(response, limits)
        return None if problem is None else over_limit(problem)
    if not isinstance(response, dict):
        return Parsed(
            error=f"a response must be text or a message object, got {json_kind(response)}"
        )
    if _plain_message(response, limits):
        return None
    # A message's own envelope (tool_calls / [i] / function / arguments) is 4 levels, and
    # its strings include the arguments' JSON text, which the verifier reads under the
    # string limit: here only the response's size bounds them.
    problem = check_value(response, _envelope_limits(limits), slack=4)
    return None if problem is None else over_limit(f"the response {problem}")


def _plain_message(message: dict[str, Any], limits: Limits) -> bool:
    """Whether ``message`` is surely within the limits: the usual assistant message, whose
    values are strings without surrogates or null, and ``tool_calls`` a short list of
    ``{"function": {...}}`` objects of the same. The general walk costs a few microseconds a
    step (a few percent of one); this costs a fraction, and anything else takes the walk."""
    chars = 0
    for value in message.values():
        if type(value) is str:
            chars += len(value)
            if not value.isascii():
                return False
        elif type(value) is list:
            if len(value) > limits.calls:
                return False
            for call in value:
                if type(call) is not dict:
                    return False
                for part in call.values():
                    if type(part) is dict:
                        for leaf in part.values():
                            if type(leaf) is not str or not leaf.isascii():
                                return False
                            chars += len(leaf)
                    elif type(part) is str and part.isascii():
                        chars += len(part)
                    else:
                        return False
        elif value is not None:
            return False
    return chars <= limits.response_chars


@functools.lru_cache(maxsize=64)
def _envelope_limits(limits: Limits) -> Limits:
    return dataclasses.replace(limits, string_chars=limits.response_chars)


def json_kind(value: Any) -> str:
    """A value's type in JSON's words (``array``, ``null``), for messages to the agent."""
    names = {list: "array", dict: "object", str: "string", int: "integer", float: "number",
             bool: "boolean"}  # fmt: skip
    return "null" if value is None else names.get(type(value), type(value).__name__)


_CALL_KEYS = frozenset({"name", "arguments"})


def call_from_object(raw: Any, where: str, limits: Limits = DEFAULT_LIMITS) -> ToolCall | Parsed:
    """A ``{"name", "arguments"}`` object (xlam's and hermes's call shape) as a ToolCall, or
    the step's error. Arguments pass through as given: the verifier judges them."""
    if not isinstance(raw, dict):
        return Parsed(
            error=f'{where} must be an object with "name" and "arguments", got {json_kind(raw)}'
        )
    extra = sorted(set(raw) - _CALL_KEYS)
    if extra:
        return Parsed(
            error=f'{where} has unexpected key {quote(extra[0])}; use "name" and "arguments"'
        )
    fname = raw.get("name")
    if not isinstance(fname, str) or not fname.strip():
        return Parsed(error=f'{where} lacks a "name" string')
    problem = check_name(fname, limits)
    if problem is not None:
        return over_limit(f"{where}: {problem}")
    return ToolCall(fname, raw.get("arguments", {}))


def too_many_calls(count: int, limits: Limits) -> Parsed | None:
    """The error for a response with more calls than the limit, or ``None``."""
    if count <= limits.calls:
        return None
    return over_limit(f"{count:,} tool calls in one response; the limit is {limits.calls}")
