"""Trajectory steps as chat messages in the conversational shape Hugging Face TRL reads:
assistant ``tool_calls``, ``tool`` messages with the results.

A sample the format parsed as tool calls is an assistant message with those ``tool_calls``
whatever the verifier then said of them (an unknown name, an unexpected parameter, a wrong
type, arguments that are not an object): a rejected sample must show the call the model
made, so that a preference pair teaches "don't call that", not "don't write JSON text".
Only a response that is not a tool call at all (an answer, or one the format could not
parse) is text, exactly as the model wrote it. ``trajectories.jsonl`` keeps the raw
response either way.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models.records import StepEntry


__all__ = [
    "ARGUMENTS",
    "Arguments",
    "assistant_message",
    "call_arguments",
    "response_text",
    "step_messages",
]

Arguments = Literal["object", "string"]
"""How tool-call arguments are written in rows: as JSON objects (TRL's tool-calling shape,
what most chat templates expect) or as JSON strings (the OpenAI wire shape, which
DeepSeek-V3's template concatenates as text)."""

ARGUMENTS: tuple[str, ...] = get_args(Arguments)


def call_arguments(raw: Any, arguments: Arguments = "object") -> Any:
    """A call's arguments as the row writes them.

    A string the model wrote stays that string where it cannot be an object: unparseable
    JSON, or JSON that is not an object, is the mistake the row must show. In ``string``
    mode a string is kept as written (not re-serialised) and anything else is dumped."""
    if arguments == "string":
        return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        return value if isinstance(value, dict) else raw
    return raw


def response_text(response: Any) -> str:
    """The text a response holds: itself, or an API message's ``content``."""
    if isinstance(response, str):
        return response
    if isinstance(response, dict) and isinstance(response.get("content"), str):
        return str(response["content"])
    return ""


def assistant_message(step: StepEntry, arguments: Arguments = "object") -> dict[str, Any]:
    """The assistant turn of one scored step (a step of a trajectory record)."""
    calls = step.get("calls") or []
    if calls:  # the format parsed tool calls: they stay calls, valid or not
        return {
            "role": "assistant",
            "content": step.get("thought") or "",
            "tool_calls": [
                {
                    "type": "function",
                    "function": {
                        "name": c["name"],
                        "arguments": call_arguments(c["arguments"], arguments),
                    },
                }
                for c in calls
            ],
        }
    if step.get("answer") is not None:
        return {"role": "assistant", "content": step["answer"]}
    return {"role": "assistant", "content": response_text(step.get("response"))}


def step_messages(step: StepEntry, arguments: Arguments = "object") -> list[dict[str, Any]]:
    """The assistant turn and the observations the environment sent back: a ``tool``
    message per call (an error text for a call that failed verification), a ``user``
    message with the error for a response that could not be parsed, or the simulated
    user's reply to a message to the user (none when the user stopped: nothing follows)."""
    out = [assistant_message(step, arguments)]
    calls = step.get("calls") or []
    if calls:
        out.extend({"role": "tool", "name": c["name"], "content": c["observation"]} for c in calls)
    elif step.get("errors"):
        feedback = "; ".join(e["message"] for e in step["errors"]) or "invalid response"
        out.append({"role": "user", "content": f"error: {feedback}"})
    user = step.get("user")
    if isinstance(user, dict) and isinstance(user.get("text"), str) and not user.get("stop"):
        out.append({"role": "user", "content": user["text"]})
    return out
