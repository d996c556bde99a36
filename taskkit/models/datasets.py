"""Rows of the exported training data, in the conversational shapes Hugging Face TRL reads:
SFT rows (``messages`` + ``tools``) and DPO rows (``prompt`` / ``chosen`` / ``rejected``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["DpoRow", "Message", "SftRow"]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Function(_Row):
    name: str
    arguments: dict[str, Any] | str | list[Any] | float | bool | None
    """Arguments as an object (TRL's tool-calling format) or, with ``--arguments string``, a
    JSON string. A rejected call keeps what the model wrote when it is not an object: text
    that is not JSON, or another JSON value."""


class ToolCallOut(_Row):
    type: Literal["function"]
    function: Function


class Message(_Row):
    role: Literal["system", "user", "assistant", "tool"]
    content: str
    tool_calls: list[ToolCallOut] | None = None
    name: str | None = None
    """For ``tool`` messages: the tool that answered."""


class SftRow(_Row):
    """One passing episode."""

    messages: list[Message]
    tools: list[dict[str, Any]]
    task_id: str


class DpoRow(_Row):
    """One step-level preference: a passing over a failing response to the same prompt."""

    prompt: list[Message]
    chosen: list[Message]
    rejected: list[Message]
    tools: list[dict[str, Any]]
    task_id: str
    step: int
    rejected_error_types: list[str]
    """Why the rejected response failed (its verifier or evaluator error types)."""
    chosen_temperature: float
    rejected_temperature: float
