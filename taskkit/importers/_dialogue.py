"""A recorded dialogue (user messages; the agent's calls and replies) -> a multi-turn task.

Multi-turn corpora (BFCL's multi-turn categories, ToolTalk) record a conversation: the
user says something, the agent makes calls and answers, the user says the next thing. As a
taskkit task, the first user message is the ``user_command``; each later one becomes a
scripted user turn fired by the agent's message once the round before it is done (its last
call made: ``when: {after_call: ...}``; after a round without calls, ``reply: N``);
the agent's calls and messages, in order, are the gold conversation, its last message the
gold answer; the user stops when the agent's last message gets no scripted reply.

Every text and argument lives in the task's one-entry content dataset and is referenced
from the task by template, so source text that looks like Jinja (``{{``) stays text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Round", "dialogue_task"]


@dataclass(frozen=True)
class Round:
    """One round of a dialogue: what the user said, then the agent's calls and reply."""

    user: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """``(toolset.tool, arguments)`` in the order the agent made them."""
    reply: str = ""
    """What the agent said to the user after its calls."""


def dialogue_task(
    doc: str,
    rounds: list[Round],
    *,
    tools: list[str],
    title: str,
    description: str,
    goal: str,
    tags: list[str],
    system_prompt: str | None = None,
    initial_state: dict[str, Any] | None = None,
    entry_extra: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The task and its one-entry content dataset for ``rounds`` (at least one)."""
    if not rounds:
        raise ValueError("a dialogue needs at least one round")
    entry: dict[str, Any] = {
        "id": "dialogue",
        "goal": goal,
        "turns": [r.user for r in rounds],
        "replies": [r.reply for r in rounds],
        "calls": [[args for _, args in r.calls] for r in rounds],
        **(entry_extra or {}),
    }
    gold: list[dict[str, Any]] = []
    for i, r in enumerate(rounds):
        for j, (ref, args) in enumerate(r.calls):
            gold.append({"tool": ref, "args": {p: _ref(i, j, p) for p in args}})
        if i < len(rounds) - 1:  # the last reply is the answer
            gold.append({"say": f"{{{{ replies[{i}] }}}}"})
    turns = [
        {"id": f"turn_{i + 1}", "when": _when(rounds[i - 1], i), "say": f"{{{{ turns[{i}] }}}}"}
        for i in range(1, len(rounds))
    ]
    calls = sum(len(r.calls) for r in rounds)
    task: dict[str, Any] = {
        "kind": "task",
        "schema_version": 1,
        "id": doc,
        "version": 1,
        "title": title,
        "description": description,
        "category": "tools",
        "difficulty": "hard" if len(rounds) > 2 else "medium",
        "tools": tools,
        "content": doc,
        "user_command": "{{ turns[0] }}",
        "user": {"goal": "{{ goal }}", "turns": turns, "otherwise": "stop"},
        "initial_state": {"calls": [], **(initial_state or {})},
        "max_turns": min(100, calls + 2 * len(rounds) + 2),
        "final": {
            "gold_actions": gold,
            "answer": f"{{{{ replies[{len(rounds) - 1}] }}}}",
            "expect": {"state": "matches_gold"},
        },
        "tags": tags,
    }
    if system_prompt is not None:
        task["system_prompt"] = system_prompt
    content = {
        "kind": "content",
        "schema_version": 1,
        "name": doc,
        "description": f"The recorded dialogue of {doc}: the user's messages ('turns'), the "
        "agent's replies and the arguments of its calls, round by round.",
        "fields": {
            "type": "object",
            "properties": {
                "goal": {"type": "string"},
                "turns": _strings(len(rounds)),
                "replies": _strings(len(rounds)),
                "calls": {
                    "type": "array",
                    "prefixItems": [_calls(r) for r in rounds],
                    "minItems": len(rounds),
                },
                **{key: _schema_of(value) for key, value in (entry_extra or {}).items()},
            },
            "required": ["goal", "turns", "replies", "calls"],
        },
        "entries": [entry],
    }
    return task, content


def _when(before: Round, i: int) -> dict[str, Any]:
    """The trigger of the user's next message: the agent's message once the last call of
    the round before it is made (an answer before the work is done then gets no reply: the
    user stops, and the state shows what is missing); after a round without calls, the
    agent's ``i``-th message."""
    if before.calls:
        return {"after_call": {"tool": before.calls[-1][0]}}
    return {"reply": i}


def _strings(n: int) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "minItems": n}


def _calls(r: Round) -> dict[str, Any]:
    """A round's call arguments: as many calls, each with the parameters the task reads."""
    return {
        "type": "array",
        "prefixItems": [
            {"type": "object", "required": list(args)} if args else {"type": "object"}
            for _, args in r.calls
        ],
        "minItems": len(r.calls),
    }


def _ref(i: int, j: int, param: str) -> str:
    """The template of argument ``param`` of call ``j`` of round ``i``: a subscript, which
    reads any key (one named ``items``, or with spaces) as the key."""
    return f"{{{{ calls[{i}][{j}][{json.dumps(param)}] }}}}"


def _schema_of(value: Any) -> dict[str, Any]:
    """The field schema of an extra entry value (the source's own data, kept as it is)."""
    for kind, name in ((str, "string"), (dict, "object"), (list, "array")):
        if isinstance(value, kind):
            return {"type": name}
    return {}
