"""``hermes``: Hermes / Qwen2.5 function calling with ``<tool_call>`` tags.

**Input.** The system message is the task's system prompt followed by a ``# Tools``
section: the offered tools inside ``<tools></tools>``, one JSON object per line in the
OpenAI shape ``{"type": "function", "function": {"name", "description", "parameters"}}``,
and the instruction to return each call as
``<tool_call>\\n{"name": <function-name>, "arguments": <args-json-object>}\\n</tool_call>``
(or to answer in plain text when no call is needed). The user message is the task's
command. No native ``tools`` are sent, so the server does not parse calls itself. The
instruction text is taskkit's wording of the Qwen2.5 template's; the tags and JSON shapes
are the template's own.

**History.** Each earlier response goes back as an ``assistant`` message with the text the
agent wrote. Each observation goes back as a ``{"role": "tool", "content": <observation>}``
message, one per call, in call order. The content is *not* wrapped in
``<tool_response></tool_response>`` here: the Qwen2.5 and Hermes 2 Pro / Hermes 3 chat
templates (in Hugging Face tokenizers, vLLM, Ollama, llama.cpp ``--jinja``) add those tags
around every ``tool`` message themselves, so wrapping here would double them. The error
sent back for an unparseable response is a ``user`` message.

**Output.** Text with one or more ``<tool_call>...</tool_call>`` blocks is a step of tool
calls, in order; each block holds one JSON object with a ``name`` string and
``arguments`` (defaulting to ``{}``; passed through unchanged, so a JSON string or a
non-object reaches the verifier as written). The text outside the blocks, stripped, is the
thought (``None`` if empty). Text with no tags at all is the final answer, verbatim. An
unclosed or stray tag, an empty block, invalid JSON in a block, a block that is not an
object, a missing ``name`` or any key besides ``name`` and ``arguments`` is an error. An
empty (or all-whitespace) response is an empty final answer: it ends the episode.
"""

from __future__ import annotations

import json
from typing import Any

from ...models import CompiledTask
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

name = "hermes"

_OPEN, _CLOSE = "<tool_call>", "</tool_call>"

TOOLS_INSTRUCTION = """\
# Tools

You may call one or more functions to help with the user's request.

The function signatures are given within <tools></tools> XML tags:
<tools>
{tools}
</tools>

For each function call, return a JSON object with the function name and arguments within \
<tool_call></tool_call> XML tags:
<tool_call>
{{"name": <function-name>, "arguments": <args-json-object>}}
</tool_call>

The results come back within <tool_response></tool_response> XML tags. When no more calls \
are needed, reply with the final answer as plain text, without any <tool_call> tag."""


def system_prompt(task: CompiledTask) -> str:
    return per_task_text(task, (name, "system prompt"), lambda: _system_prompt(task))


def _system_prompt(task: CompiledTask) -> str:
    tools = "\n".join(json.dumps(t, ensure_ascii=False) for t in task.tools)
    return f"{default_system_prompt(task)}\n\n{TOOLS_INSTRUCTION.format(tools=tools)}"


def render(task: CompiledTask, history: list[Exchange]) -> AgentInput:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system_prompt(task)},
        {"role": "user", "content": task.user_command},
    ]
    for ex in history:
        messages.append({"role": "assistant", "content": response_text(ex.response)})
        role = "tool" if ex.parsed.error is None and ex.parsed.calls else "user"
        messages.extend({"role": role, "content": obs} for obs in ex.observations)
        if ex.user is not None:
            messages.append({"role": "user", "content": ex.user})
    return AgentInput(messages)


def parse(response: Response, limits: Limits = DEFAULT_LIMITS) -> Parsed:
    text = text_to_parse(response, limits, "hermes format; write <tool_call> blocks in the text")
    if isinstance(text, Parsed):
        return text
    found = _blocks(text, limits)
    if isinstance(found, Parsed):
        return found
    bodies, outside = found
    if not bodies:
        return Parsed(answer=text)
    calls = []
    for i, body in enumerate(bodies):
        call = _call(i, body, limits)
        if isinstance(call, Parsed):
            return call
        calls.append(call)
    return Parsed(calls=calls, thought=outside.strip() or None)


def _blocks(text: str, limits: Limits) -> tuple[list[str], str] | Parsed:
    """The bodies of the ``<tool_call>`` blocks and the text outside them, or the error.

    One left-to-right pass with ``str.find`` (a lazy regex rescanned the rest of the text
    for every unclosed tag: quadratic), stopped once there are more blocks than the limit.
    """
    bodies: list[str] = []
    outside: list[str] = []
    pos = 0
    while True:
        start = text.find(_OPEN, pos)
        if start < 0:
            rest = text[pos:]
            if _CLOSE in rest:
                return Parsed(error=f"stray </tool_call> tag; {_WRAP}")
            outside.append(rest)
            return bodies, "\n".join(outside)
        before = text[pos:start]
        if _CLOSE in before:
            return Parsed(error=f"stray </tool_call> tag; {_WRAP}")
        outside.append(before)
        end = text.find(_CLOSE, start + len(_OPEN))
        if end < 0:
            return Parsed(error=f"unclosed <tool_call> tag; {_WRAP}")
        body = text[start + len(_OPEN) : end]
        if _OPEN in body:
            return Parsed(error=f"unclosed <tool_call> tag; {_WRAP}")
        bodies.append(body)
        refused = too_many_calls(len(bodies), limits)
        if refused is not None:
            return refused
        pos = end + len(_CLOSE)


_WRAP = "wrap each call as <tool_call>{...}</tool_call>"


def _call(index: int, body: str, limits: Limits) -> ToolCall | Parsed:
    where = f"<tool_call> block {index + 1}"
    if not body.strip():
        return Parsed(error=f"{where} is empty")
    try:
        data = load_json(body, limits, what=where)
    except json.JSONDecodeError as exc:
        return Parsed(
            error=f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        )
    except LimitExceeded as exc:
        return over_limit(str(exc))
    if not isinstance(data, dict):
        return Parsed(error=f"{where} must hold a JSON object, got {json_kind(data)}")
    return call_from_object(data, where, limits)


def write(
    *, calls: list[ToolCall] | None = None, answer: str | None = None, thought: str | None = None
) -> Response:
    if not calls:
        return answer or ""
    blocks = [
        f"{_OPEN}\n"
        + json.dumps({"name": c.name, "arguments": c.arguments}, ensure_ascii=False)
        + f"\n{_CLOSE}"
        for c in calls
    ]
    return "\n".join([thought, *blocks] if thought else blocks)
