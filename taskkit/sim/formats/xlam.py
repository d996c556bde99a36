"""``xlam``: Salesforce xLAM's prompt layout and JSON output.

**Input.** Two messages. The system message is the task's system prompt (or the default
one). The user message is the whole prompt, rebuilt every turn as xLAM does: the blocks
``[BEGIN OF TASK INSTRUCTION]``, ``[BEGIN OF AVAILABLE TOOLS]``, ``[BEGIN OF FORMAT
INSTRUCTION]`` and ``[BEGIN OF QUERY]`` (each closed by the matching ``[END OF ...]`` line
and separated by a blank line), then, once the agent has acted, a ``[BEGIN OF HISTORY
STEPS]`` block. No native ``tools`` are sent.

- *Available tools* is a JSON list of ``{"name", "description", "parameters"}`` where
  ``parameters`` is the map of parameter name to property schema (xLAM's shape: the
  ``properties`` of the JSON Schema, not the schema itself). Required parameters carry
  ``"required": true`` (as BFCL's xLAM-style prompts do) so that the map loses nothing the
  agent needs; a parameter whose schema already has a ``required`` key (an object with its
  own required list) keeps it and gets no flag.
- *History steps* is a JSON list with one object per earlier turn:
  ``{"step_id": 1, "thought": ..., "tool_calls": [{"name", "arguments"}, ...],
  "next_observation": ..., "user_input": ""}``. ``next_observation`` is the observation
  text of the call, or a list of them (in call order) when the turn made several calls.
  For a turn that could not be parsed, ``thought`` is the raw response and
  ``next_observation`` the error sent back.

The instruction texts are taskkit's wording of xLAM's; the block markers, tool shape and
history keys are xLAM's own.

**Output.** Exactly one JSON object, optionally inside one Markdown code fence (three
backticks, with or without a language tag); surrounding whitespace is ignored, any other
text is an error. Keys:

- ``thought``: a string (or absent / ``null``); an empty thought parses as ``None``.
- ``tool_calls``: a list (absent or ``null`` means ``[]``) of
  ``{"name": str, "arguments": ...}``. ``arguments`` defaults
  to ``{}`` when absent and is passed through unchanged otherwise (a JSON string is parsed
  by the verifier; a non-object is reported by it as ``args_not_object``).
- ``final_answer``: a string; present only when ``tool_calls`` is empty.

A non-empty ``tool_calls`` list is a step of tool calls. ``"tool_calls": []`` with a
``final_answer`` string is the final answer. xLAM's own convention of putting the answer
in ``thought`` is *not* accepted: a response with no tool calls and no ``final_answer`` is
an error, so that a thought is never mistaken for an answer. Both ``tool_calls`` and
``final_answer`` at once is an error too, as is any other key. An empty (or all-whitespace)
response is an empty final answer, as ``"final_answer": ""`` is: it ends the episode.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...models import CompiledTask
from ...runtime.memo import IdentityMemo
from ...schema.validate import quote
from ..limits import DEFAULT_LIMITS, LimitExceeded, Limits, load_json
from ..verify import ToolCall
from .base import (
    AgentInput,
    Exchange,
    Parsed,
    Response,
    call_from_object,
    default_system_prompt,
    json_kind,
    over_limit,
    per_task_text,
    response_text,
    text_to_parse,
    too_many_calls,
)

name = "xlam"

TASK_INSTRUCTION = (
    "Based on the query, the available tools and the history of earlier steps, generate "
    "the next step as an AI assistant: call one or more tools, or give the final answer "
    "once you have everything it needs."
)

FORMAT_INSTRUCTION = """\
The output MUST be a single JSON object in the format below, and NO other text may be \
included. Make sure every argument has the type its parameter requires.
To call tools, list the calls in "tool_calls":
```
{"thought": "the thought process, or an empty string", "tool_calls": [{"name": "api_name1", \
"arguments": {"argument1": "value1", "argument2": "value2"}}]}
```
To give the final answer, make "tool_calls" an empty list "[]" and put the answer for the \
user in "final_answer":
```
{"thought": "the thought process, or an empty string", "tool_calls": [], \
"final_answer": "the answer to the query"}
```"""

_KEYS = frozenset({"thought", "tool_calls", "final_answer"})
_FENCE = re.compile(r"\A```[A-Za-z]*[ \t]*\n(?P<body>.*?)\n?```\Z", re.DOTALL)


def _xlam_tool(tool: dict[str, Any]) -> dict[str, Any]:
    fn = tool.get("function", tool)
    schema = fn.get("parameters") or {}
    required = set(schema.get("required") or ())
    params = {
        pname: {**prop, "required": True} if pname in required and _flaggable(prop) else prop
        for pname, prop in (schema.get("properties") or {}).items()
    }
    return {"name": fn["name"], "description": fn.get("description", ""), "parameters": params}


def _flaggable(prop: Any) -> bool:
    # an object-typed parameter keeps its own "required" list rather than the flag
    return isinstance(prop, dict) and "required" not in prop


def _step(index: int, ex: Exchange) -> dict[str, Any]:
    # an unparseable turn shows what was written, next to the error it got back
    thought = response_text(ex.response) if ex.parsed.error is not None else ex.parsed.thought or ""
    obs: str | list[str] = ex.observations[0] if len(ex.observations) == 1 else ex.observations
    if not ex.observations:
        obs = ""
    step: dict[str, Any] = {
        "step_id": index + 1,
        "thought": thought,
        "tool_calls": [{"name": c.name, "arguments": c.arguments} for c in ex.parsed.calls],
        "next_observation": obs,
        "user_input": ex.user or "",
    }
    if ex.user is not None:  # the message the user answered, as the agent wrote it
        step["final_answer"] = ex.parsed.answer or ""
    return step


def _head(task: CompiledTask) -> str:
    """The user message up to the history: the instructions, the tools and the query."""
    tools = [_xlam_tool(t) for t in task.tools]
    return (
        f"[BEGIN OF TASK INSTRUCTION]\n{TASK_INSTRUCTION}\n[END OF TASK INSTRUCTION]\n\n"
        f"[BEGIN OF AVAILABLE TOOLS]\n{json.dumps(tools, ensure_ascii=False)}\n"
        "[END OF AVAILABLE TOOLS]\n\n"
        f"[BEGIN OF FORMAT INSTRUCTION]\n{FORMAT_INSTRUCTION}\n[END OF FORMAT INSTRUCTION]\n\n"
        f"[BEGIN OF QUERY]\n{task.user_command}\n[END OF QUERY]\n\n"
    )


_STEP_TEXTS: IdentityMemo[str] = IdentityMemo(1024)
"""Each history step's JSON text, by its exchange and its position: every turn's prompt
shows all the steps before it, and writing them all again each turn made a turn cost more
the longer the episode (84 µs at 20 turns, 9 now). Exchanges never change."""
_KEPT_STEP_CHARS = 16_384
"""The longest step text kept: a text outlives its exchange until it is pushed out, and
a tool's observation may be large, so the memo holds 16 MiB at the most."""


def _step_text(index: int, ex: Exchange) -> str:
    text = _STEP_TEXTS.get(ex, index)
    if text is None:
        text = json.dumps(_step(index, ex), ensure_ascii=False)
        if len(text) <= _KEPT_STEP_CHARS:
            _STEP_TEXTS.put(ex, text, index)
    return text


def render(task: CompiledTask, history: list[Exchange]) -> AgentInput:
    prompt = per_task_text(task, (name, "user message head"), lambda: _head(task))
    if history:
        # json.dumps of the list, a step at a time (its separators are ", " and ": ")
        steps = ", ".join([_step_text(i, ex) for i, ex in enumerate(history)])
        prompt += f"\n[BEGIN OF HISTORY STEPS]\n[{steps}]\n[END OF HISTORY STEPS]\n"
    return AgentInput(
        [
            {"role": "system", "content": default_system_prompt(task)},
            {"role": "user", "content": prompt},
        ]
    )


def _load(text: str, limits: Limits) -> Any:
    """The JSON value of ``text`` (whitespace and one code fence allowed around it)."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced["body"].strip()
    try:
        value, end = load_json(body, limits, what="the response", prefix=True)
    except json.JSONDecodeError as exc:
        raise ValueError(_decode_error(body, exc)) from None
    rest = body[end:].strip()
    if rest:
        raise ValueError(f"unexpected text after the JSON object: {_clip(rest)}")
    return value


def _decode_error(body: str, exc: json.JSONDecodeError) -> str:
    start = body.find("{")
    if start > 0 and not body.startswith(("[", '"')):
        return f"unexpected text before the JSON object: {_clip(body[:start])}"
    return f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def _clip(text: str, limit: int = 60) -> str:
    return quote(text, limit)


def parse(response: Response, limits: Limits = DEFAULT_LIMITS) -> Parsed:
    text = text_to_parse(response, limits, "xlam format; reply with JSON text")
    if isinstance(text, Parsed):
        return text
    try:
        data = _load(text, limits)
    except LimitExceeded as exc:
        return over_limit(str(exc))
    except ValueError as exc:
        return Parsed(error=str(exc))
    if not isinstance(data, dict):
        return Parsed(error=f"the response must be a JSON object, got {json_kind(data)}")
    extra = sorted(set(data) - _KEYS)
    if extra:
        return Parsed(
            error=f'unexpected key {quote(extra[0])}; use "thought", "tool_calls" and '
            '"final_answer"'
        )
    thought = data.get("thought")
    if thought is not None and not isinstance(thought, str):
        return Parsed(error=f'"thought" must be a string, got {json_kind(thought)}')
    raw_calls = data.get("tool_calls", [])
    if raw_calls is None:
        raw_calls = []
    if not isinstance(raw_calls, list):
        return Parsed(error=f'"tool_calls" must be an array, got {json_kind(raw_calls)}')
    refused = too_many_calls(len(raw_calls), limits)
    if refused is not None:
        return refused
    thought = thought or None
    answer = data.get("final_answer")
    if raw_calls:
        if answer is not None:
            return Parsed(error="give either tool calls or a final answer, not both")
        calls = []
        for i, raw in enumerate(raw_calls):
            call = call_from_object(raw, f"tool_calls[{i}]", limits)
            if isinstance(call, Parsed):
                return call
            calls.append(call)
        return Parsed(calls=calls, thought=thought)
    if answer is None:
        return Parsed(
            error='no tool calls and no "final_answer"; to answer, reply with '
            '{"thought": "...", "tool_calls": [], "final_answer": "..."}'
        )
    if not isinstance(answer, str):
        return Parsed(error=f'"final_answer" must be a string, got {json_kind(answer)}')
    return Parsed(answer=answer, thought=thought)


def write(
    *, calls: list[ToolCall] | None = None, answer: str | None = None, thought: str | None = None
) -> Response:
    body: dict[str, Any] = {"thought": thought or ""}
    if calls:
        body["tool_calls"] = [{"name": c.name, "arguments": c.arguments} for c in calls]
    else:
        body["tool_calls"] = []
        body["final_answer"] = answer or ""
    return json.dumps(body, ensure_ascii=False)
