"""ToolTalk dialogues (one conversation a JSON file) -> a toolset and a multi-turn task.

A ToolTalk file (microsoft/ToolTalk, ``data/easy/*.json``, ``data/tooltalk/*.json``) holds
``name``, ``user`` (the user's profile), ``metadata`` (``location``, ``timestamp``,
``session_token``, ``username``, given to the assistant), ``scenario`` and
``conversation``: turns ``{index, role: user|assistant, text}``, an assistant turn with
``apis``: ``[{request: {api_name, parameters}, response, exception}]``.

ToolTalk's API docs are Python code, not data, so each API called becomes a tool whose
parameters are inferred from the recorded calls (their JSON types; those every call gives
are required). A tool named like a query (``Get...``, ``Find...``, ``Search...``) reads;
any other writes and logs its calls, so the task's ``state: matches_gold`` compares the
agent's actions with the recorded ones. The first user message is the user command, each
later one a scripted reply to the agent's message before it (see ``_dialogue``); a closing user message that
no assistant turn answers is dropped, and a recorded call that raised is not gold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import ImportResult, SourceError, read_json
from ._dialogue import Round, dialogue_task
from ._names import Namer, doc_name, toolset_name
from ._schema import simulated_tool

__all__ = ["load", "name", "title"]

name = "tooltalk"
title = "ToolTalk"

_READ_PREFIXES = ("Current", "Find", "Forecast", "Get", "Historic", "List", "Query", "Search")
_READS = frozenset({"UserLogin"})  # returns a session token; changes nothing the user sees
_JSON_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "boolean"),  # before int: a bool is an int in Python
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def load(path: Path) -> ImportResult:
    """Read one ToolTalk conversation file."""
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("conversation"), list):
        raise SourceError("expected a ToolTalk conversation: an object with a 'conversation' list")
    notes: list[str] = []
    label = str(data.get("name") or path.stem)
    toolset = toolset_name(f"tooltalk_{label}")  # one toolset a file: no clash to rename
    rounds, calls = _rounds(data["conversation"], notes)
    tool_names = Namer("tool", notes, what="API")
    refs = {api: f"{toolset}.{tool_names.claim(api)}" for api in calls}
    tools = [
        simulated_tool(
            ref.split(".", 1)[1],
            f"ToolTalk API {api} (parameters inferred from the calls recorded in {path.name}).",
            _inferred(arguments),
            effect="read" if _reads(api) else "write",
        )
        for api, arguments in calls.items()
        for ref in [refs[api]]
    ]
    result = ImportResult(
        toolsets=[
            {
                "kind": "toolset",
                "schema_version": 1,
                "name": toolset,
                "description": f"The ToolTalk APIs called in {path.name}; a write logs its "
                "calls in 'calls', every call is echoed back (ToolTalk's databases are not "
                "simulated).",
                "tools": tools,
            }
        ],
        notes=notes,
        source=title,
    )
    if not rounds:
        notes.append(f"{path.name}: no user message answered by the assistant: no task")
        return result
    rounds = [Round(r.user, [(refs[a], args) for a, args in r.calls], r.reply) for r in rounds]
    if not any(r.calls for r in rounds):
        notes.append(f"{path.name}: the assistant makes no successful call: no task")
        return result
    doc = doc_name(f"tooltalk.{label}")
    task, content = dialogue_task(
        doc,
        rounds,
        tools=list(dict.fromkeys(ref for r in rounds for ref, _ in r.calls)),
        title=f"ToolTalk {label}",
        description=f"ToolTalk's {path.name} ({data.get('scenario') or 'no scenario'}): the "
        "recorded conversation, its later user messages as scripted replies.",
        goal=_goal(data),
        tags=["tooltalk", "multi_turn"],
        system_prompt="{{ system }}",
        entry_extra={"system": _system(data)},
    )
    result.tasks.append(task)
    result.contents.append(content)
    return result


def _rounds(
    conversation: list[Any], notes: list[str]
) -> tuple[list[Round], dict[str, list[dict[str, Any]]]]:
    """The dialogue's rounds (calls named by API) and every API's recorded arguments."""
    rounds: list[Round] = []
    calls: dict[str, list[dict[str, Any]]] = {}
    user: list[str] = []
    for position, turn in enumerate(conversation):
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
            raise SourceError(f"conversation[{position}]: expected a user or assistant turn")
        text = turn.get("text")
        if not isinstance(text, str):
            raise SourceError(f"conversation[{position}]: 'text' must be a string")
        if turn["role"] == "user":
            user.append(text)
            continue
        made = _api_calls(turn, position, notes)
        for api, args in made:
            calls.setdefault(api, []).append(args)
        if not user:  # a second assistant turn in a row continues the round
            if not rounds:
                raise SourceError(f"conversation[{position}]: the assistant speaks first")
            last = rounds.pop()
            rounds.append(Round(last.user, last.calls + made, f"{last.reply}\n{text}".strip()))
            continue
        rounds.append(Round("\n".join(user), made, text))
        user = []
    if user:
        notes.append(f"closing user message dropped (no assistant turn answers it): {user[-1]!r}")
    return rounds, calls


def _api_calls(
    turn: dict[str, Any], position: int, notes: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    apis = turn.get("apis") or []
    if not isinstance(apis, list):
        raise SourceError(f"conversation[{position}]: 'apis' must be a list")
    made = []
    for k, api in enumerate(apis):
        request = api.get("request") if isinstance(api, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("api_name"), str):
            raise SourceError(f"conversation[{position}].apis[{k}]: no request.api_name")
        params = request.get("parameters") or {}
        if not isinstance(params, dict):
            raise SourceError(f"conversation[{position}].apis[{k}]: parameters not an object")
        if api.get("exception") is not None:
            notes.append(
                f"conversation[{position}]: {request['api_name']} raised in the recording "
                f"({str(api['exception'])[:80]!r}); not a gold call"
            )
            continue
        made.append((request["api_name"], params))
    return made


def _reads(api: str) -> bool:
    return api in _READS or api.startswith(_READ_PREFIXES)


def _inferred(arguments: list[dict[str, Any]]) -> dict[str, Any]:
    """Parameters as the recorded calls show them: each one typed when every value agrees,
    required when every call gives it; undeclared ones stay allowed (ToolTalk's APIs have
    optional parameters no recording shows)."""
    kinds: dict[str, set[str | None]] = {}
    for args in arguments:
        for key, value in args.items():
            kinds.setdefault(key, set()).add(_json_type(value))
    properties: dict[str, dict[str, Any]] = {
        key: {"type": next(iter(seen))} if len(seen) == 1 and None not in seen else {}
        for key, seen in kinds.items()
    }
    required = [k for k in properties if all(k in args for args in arguments)]
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    return out


def _json_type(value: Any) -> str | None:
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return None


def _goal(data: dict[str, Any]) -> str:
    profile = _object(data.get("user"))
    facts = ", ".join(
        f"{k} {profile[k]}" for k in ("name", "username", "email", "phone") if profile.get(k)
    )
    scenario = str(data.get("scenario") or "Get help from the assistant")
    return f"{scenario}." + (f" You are {facts}." if facts else "")


def _system(data: dict[str, Any]) -> str:
    meta = _object(data.get("metadata"))
    known = [
        f"{label}: {meta[key]}"
        for key, label in (
            ("username", "the user's username"),
            ("session_token", "their session token"),
            ("location", "their location"),
            ("timestamp", "the current time"),
        )
        if meta.get(key)
    ]
    context = (" " + "; ".join(known) + ".") if known else ""
    return f"You are a helpful assistant with access to tools.{context}"


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
