"""What a response format is: how a compiled task and its history become the agent's
input, how the agent's response is parsed into tool calls or a final answer, and how a
built-in agent writes a response in the format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ...models import CompiledTask
from ..verify import ToolCall

__all__ = [
    "AgentInput",
    "Exchange",
    "Parsed",
    "Response",
    "ResponseFormat",
    "default_system_prompt",
]

Response = str | dict[str, Any]
"""What an agent returns: text, or an OpenAI-style assistant message
(``{"content": ..., "tool_calls": [...]}``)."""


@dataclass(frozen=True)
class AgentInput:
    """Chat messages (and, for native tool calling, the OpenAI ``tools`` list)."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None = None

    def as_json(self) -> dict[str, Any]:
        return {"messages": self.messages, "tools": self.tools}


@dataclass(frozen=True)
class Parsed:
    """A parsed response: tool calls, or a final answer, or why it could not be parsed."""

    calls: list[ToolCall] = field(default_factory=list)
    answer: str | None = None
    thought: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Exchange:
    """One turn of history: the agent's response and the observation text for each call
    (or the error message sent back when the response was unusable)."""

    response: Response
    parsed: Parsed
    observations: list[str]


class ResponseFormat(Protocol):
    name: str

    def render(self, task: CompiledTask, history: list[Exchange]) -> AgentInput: ...

    def parse(self, response: Response) -> Parsed: ...

    def write(
        self,
        *,
        calls: list[ToolCall] | None = None,
        answer: str | None = None,
        thought: str | None = None,
    ) -> Response: ...


def default_system_prompt(task: CompiledTask) -> str:
    return task.system_prompt or (
        "You are a helpful assistant that completes the user's request by calling the tools "
        "provided. Call tools until you have what you need, then give the final answer."
    )


_CALL_KEYS = frozenset({"name", "arguments"})


def call_from_object(raw: Any, where: str) -> ToolCall | str:
    """A ``{"name", "arguments"}`` object (xlam's and hermes's call shape) as a ToolCall, or
    why it is not one. Arguments pass through as given: the verifier judges them."""
    if not isinstance(raw, dict):
        return f"{where} must be an object with 'name' and 'arguments', got {type(raw).__name__}"
    extra = sorted(set(raw) - _CALL_KEYS)
    if extra:
        return f"{where} has unexpected key {extra[0]!r}; use 'name' and 'arguments'"
    fname = raw.get("name")
    if not isinstance(fname, str) or not fname.strip():
        return f"{where} lacks a 'name' string"
    return ToolCall(fname, raw.get("arguments", {}))
