"""``openai``: native tool calling. Tools go in the request's ``tools``; the agent answers
with ``tool_calls`` (arguments as JSON strings) or, for the final answer, with plain
``content`` and no tool calls. A response with no tool calls and no text (empty or all
whitespace ``content``, or an empty string) is an empty final answer: it ends the episode."""

from __future__ import annotations

import json
from typing import Any

from ...models import CompiledTask
from ..limits import DEFAULT_LIMITS, Limits, check_name
from ..verify import ToolCall
from .base import (
    AgentInput,
    Exchange,
    Parsed,
    Response,
    default_system_prompt,
    json_kind,
    over_limit,
    response_text,
    screen,
    too_many_calls,
)

name = "openai"


def _call_id(turn: int, index: int) -> str:
    return f"call_{turn}_{index}"


def render(task: CompiledTask, history: list[Exchange]) -> AgentInput:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": default_system_prompt(task)},
        {"role": "user", "content": task.user_command},
    ]
    for turn, ex in enumerate(history):
        if ex.parsed.error is not None or not ex.parsed.calls:
            text = response_text(ex.response)
            messages.append({"role": "assistant", "content": text})
            messages.extend({"role": "user", "content": obs} for obs in ex.observations)
            if ex.user is not None:
                messages.append({"role": "user", "content": ex.user})
            continue
        # Our own ids: unique across the conversation whatever the agent sent.
        ids = [_call_id(turn, i) for i in range(len(ex.parsed.calls))]
        messages.append(
            {
                "role": "assistant",
                "content": ex.parsed.thought,
                "tool_calls": [
                    {
                        "id": cid,
                        "type": "function",
                        "function": {
                            "name": c.name,
                            "arguments": c.arguments
                            if isinstance(c.arguments, str)
                            else json.dumps(c.arguments, ensure_ascii=False),
                        },
                    }
                    for cid, c in zip(ids, ex.parsed.calls, strict=True)
                ],
            }
        )
        messages.extend(
            {"role": "tool", "tool_call_id": cid, "content": obs}
            for cid, obs in zip(ids, ex.observations, strict=False)
        )
    return AgentInput(messages, tools=task.tools)


def parse(response: Response, limits: Limits = DEFAULT_LIMITS) -> Parsed:
    if type(response) is dict:
        plain = _parse_plain(response, limits)
        if plain is not None:
            return plain
    return parse_general(response, limits)


def _parse_plain(message: dict[str, Any], limits: Limits) -> Parsed | None:
    """The parse of the usual message with tool calls, in one pass: ``content`` text or
    null, ``tool_calls`` a short list of ``{"id", "type", "function": {"name",
    "arguments"}}`` objects of ASCII strings, within the size limits. ``None`` for any other
    message: :func:`parse_general` parses it (and gives the same result for these; a
    differential test holds them together). Screening then parsing walked the message twice,
    a tenth of a cheap step."""
    read = _ascii_fields(message, "content", "tool_calls", list, nulls=True)
    if read is None:
        return None
    chars, content, raw_calls = read
    if not raw_calls or len(raw_calls) > limits.calls:
        return None
    calls = []
    name_chars = limits.name_chars
    for raw in raw_calls:
        if type(raw) is not dict:
            return None
        read = _ascii_fields(raw, "id", "function", dict, nulls=False)
        if read is None:
            return None
        n, call_id, fn = read
        chars += n
        if fn is None:
            return None
        for leaf in fn.values():
            if type(leaf) is not str or not leaf.isascii():
                return None
            chars += len(leaf)
        fname = fn.get("name")
        if fname is None or len(fname) > name_chars:
            return None
        if call_id is not None and len(call_id) > name_chars:
            call_id = None
        calls.append(ToolCall(fname, fn.get("arguments", "{}"), call_id))
    if chars > limits.response_chars:
        return None
    return Parsed(calls, None, content)


def _ascii_fields(
    obj: dict[str, Any], text_key: str, inner_key: str, inner_type: type, *, nulls: bool
) -> tuple[int, str | None, Any] | None:
    """One pass over a message (or one of its calls) of the usual shape: the characters of
    its string values (ASCII only), the string at ``text_key``, and the ``inner_type`` value
    at ``inner_key``. ``None`` at anything else (a null is allowed where ``nulls``)."""
    chars = 0
    text = inner = None
    for key, value in obj.items():
        if type(value) is str:
            if not value.isascii():
                return None
            chars += len(value)
            if key == text_key:
                text = value
        elif key == inner_key and type(value) is inner_type:
            inner = value
        elif value is not None or not nulls:
            return None
    return chars, text, inner


def parse_general(response: Response, limits: Limits = DEFAULT_LIMITS) -> Parsed:
    """:func:`parse` of any response: screened (:func:`~taskkit.sim.formats.base.screen`),
    then read."""
    if isinstance(response, str):
        refused = screen(response, limits)
        if refused is not None:
            return refused
        return Parsed(answer=response if response.strip() else "")
    if not isinstance(response, dict):
        return Parsed(error=f"a response must be a message object, got {json_kind(response)}")
    refused = screen(response, limits)
    if refused is not None:
        return refused
    raw_calls = response.get("tool_calls")
    content = response.get("content")
    if content is not None and not isinstance(content, str):
        return Parsed(error=f'"content" must be a string or null, got {json_kind(content)}')
    if raw_calls is None or raw_calls == []:
        # no calls and no text: an empty final answer, which ends the episode
        return Parsed(answer=content if isinstance(content, str) and content.strip() else "")
    if not isinstance(raw_calls, list):
        return Parsed(error=f'"tool_calls" must be an array, got {json_kind(raw_calls)}')
    refused = too_many_calls(len(raw_calls), limits)
    if refused is not None:
        return refused
    calls = []
    for i, raw in enumerate(raw_calls):
        fn = raw.get("function") if isinstance(raw, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            return Parsed(error=f"tool_calls[{i}] lacks function.name")
        problem = check_name(fn["name"], limits)
        if problem is not None:
            return over_limit(f"tool_calls[{i}]: {problem}")
        call_id = raw.get("id")
        calls.append(
            ToolCall(
                fn["name"],
                fn.get("arguments", "{}"),
                call_id if isinstance(call_id, str) and len(call_id) <= limits.name_chars else None,
            )
        )
    return Parsed(calls=calls, thought=content)


def write(
    *, calls: list[ToolCall] | None = None, answer: str | None = None, thought: str | None = None
) -> Response:
    if not calls:
        return {"role": "assistant", "content": answer or ""}
    return {
        "role": "assistant",
        "content": thought,
        "tool_calls": [
            {
                "id": c.id or f"call_{i}",
                "type": "function",
                "function": {
                    "name": c.name,
                    "arguments": c.arguments
                    if isinstance(c.arguments, str)
                    else json.dumps(c.arguments, ensure_ascii=False),
                },
            }
            for i, c in enumerate(calls)
        ],
    }
