"""Trajectory steps as chat messages in the conversational shape Hugging Face TRL reads:
assistant ``tool_calls`` with ``arguments`` as objects, ``tool`` messages with the results."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["assistant_message", "step_messages"]


def assistant_message(step: dict[str, Any]) -> dict[str, Any]:
    """The assistant turn of one scored step (a step of a trajectory record)."""
    calls = step.get("calls") or []
    if calls and all(isinstance(c.get("arguments"), dict) for c in calls):
        return {
            "role": "assistant",
            "content": step.get("thought") or "",
            "tool_calls": [
                {"type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
                for c in calls
            ],
        }
    if step.get("answer") is not None:
        return {"role": "assistant", "content": step["answer"]}
    response = step.get("response")
    # An unusable response is kept as the text the model produced, so it can be rejected.
    text = response if isinstance(response, str) else json.dumps(response, ensure_ascii=False)
    return {"role": "assistant", "content": text}


def step_messages(step: dict[str, Any]) -> list[dict[str, Any]]:
    """The assistant turn and the observations the environment sent back."""
    out = [assistant_message(step)]
    calls = step.get("calls") or []
    if "tool_calls" in out[0]:
        out.extend({"role": "tool", "name": c["name"], "content": c["observation"]} for c in calls)
    elif calls or step.get("errors"):
        feedback = "; ".join(e["message"] for e in step.get("errors", [])) or "invalid response"
        out.append({"role": "user", "content": f"error: {feedback}"})
    return out
