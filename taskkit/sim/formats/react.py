"""``react``: ToolBench's ReAct format (Thought / Action / Action Input).

**Input.** The system message is the task's system prompt, ToolBench-style instructions
for the Thought / Action / Action Input loop, and the offered tools as a JSON list of
``{"name", "description", "parameters"}`` (full JSON Schema ``parameters``) ending with
ToolBench's ``Finish`` function. The user message is the task's command followed by
``Begin!``.

**History.** Each earlier response goes back as an ``assistant`` message with the text the
agent wrote, and its observation as a ``user`` message ``Observation: <text>`` (ToolBench
uses a ``function`` role; ``user`` works with every chat server). The error sent back for
an unparseable response is an observation too.

**Output.** One action per response::

    Thought: <reasoning, optional, may span lines>
    Action: <tool name>
    Action Input: <JSON, may span lines>

Line prefixes are matched at the start of a line, with any surrounding spaces.
The thought is the text before the ``Action:`` line without its ``Thought:`` prefix
(``None`` if empty). The Action Input is one JSON value, optionally in a Markdown code
fence; nothing may follow it (in particular not a made-up ``Observation:``). An empty
Action Input means ``{}``. The value is passed through as the call's arguments, so a JSON
string or a non-object reaches the verifier as written.

The final answer is ToolBench's ``Finish`` call::

    Action: Finish
    Action Input: {"return_type": "give_answer", "final_answer": "<answer>"}

``{"return_type": "give_up_and_restart"}`` ends the episode with the final answer ``""``
(taskkit episodes do not restart, so giving up is an empty answer, which the answer checks
score as no answer); so is an empty (or all-whitespace) response. A missing ``Action:`` or ``Action Input:`` line, more than one action,
an empty tool name, invalid JSON, text after the JSON, and a ``Finish`` input that is not an
object with a known ``return_type`` (and a ``final_answer`` string for ``give_answer``) are
errors. ``write`` refuses more than one call.

The instruction text is taskkit's wording of ToolBench's; the line prefixes, the ``Finish``
function and its ``return_type`` values are ToolBench's own.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...models import CompiledTask
from ...schema.validate import quote
from ..limits import DEFAULT_LIMITS, LimitExceeded, Limits, check_name, load_json
from ..verify import ToolCall
from .base import (
    AgentInput,
    Exchange,
    Parsed,
    Response,
    default_system_prompt,
    json_kind,
    over_limit,
    per_task_text,
    response_text,
    text_to_parse,
)

name = "react"

FINISH = "Finish"

FINISH_TOOL: dict[str, Any] = {
    "name": FINISH,
    "description": (
        "Call this function to end the task. When you have a result that answers the task, "
        'give it with return_type "give_answer" and the answer in final_answer: it is the '
        "only part the user will see, so make it complete. If you cannot go on with the task, "
        'use return_type "give_up_and_restart". You must always call this function at the '
        "end of your attempt."
    ),
    "parameters": {
        "type": "object",
        "properties": {
            "return_type": {"type": "string", "enum": ["give_answer", "give_up_and_restart"]},
            "final_answer": {
                "type": "string",
                "description": "The answer for the user; required when return_type is "
                '"give_answer".',
            },
        },
        "required": ["return_type"],
    },
}

INSTRUCTION = """\
You can use many tools (functions) to do the following task.
At each step, give your thought about the current state and what to do next, then call one \
function to carry out the step. Your output must follow this format:
Thought: <your reasoning>
Action: <the function name>
Action Input: <the arguments, as a JSON object>
After the call you receive its result as "Observation: ...", and you are in a new state. \
Analyse it and decide what to do next. After some (Thought, Action) steps you can complete \
the task and give the final answer.
Remember:
1. Always call the "Finish" function at the end of the task, with \
Action Input: {{"return_type": "give_answer", "final_answer": "<the answer for the user>"}}. \
The final answer must contain everything the user needs. If you cannot handle the task, call \
Finish with {{"return_type": "give_up_and_restart"}}.
2. Keep each thought short, at most five sentences.
3. Call exactly one function per response, and use only the function names listed below.
You have access to the following functions:
{tools}"""

# The name is the rest of the line, stripped in Python: a lazy `.*?` before `[ \t]*$`
# backtracked quadratically on a line of trailing spaces.
_ACTION = re.compile(r"^[ \t]*Action[ \t]*:(?P<name>[^\n]*)", re.MULTILINE)
_INPUT = re.compile(r"^[ \t]*Action[ \t]+Input[ \t]*:", re.MULTILINE)
_THOUGHT = re.compile(r"\A\s*Thought[ \t]*:", re.IGNORECASE)
_FENCE = re.compile(r"\A```[A-Za-z]*[ \t]*\n(?P<body>.*?)\n?```\Z", re.DOTALL)
_RETURN_TYPES = ("give_answer", "give_up_and_restart")


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    fn = tool.get("function", tool)
    return {
        "name": fn["name"],
        "description": fn.get("description", ""),
        "parameters": fn.get("parameters") or {"type": "object", "properties": {}},
    }


def system_prompt(task: CompiledTask) -> str:
    return per_task_text(task, (name, "system prompt"), lambda: _system_prompt(task))


def _system_prompt(task: CompiledTask) -> str:
    tools = [*(_tool(t) for t in task.tools), FINISH_TOOL]
    body = INSTRUCTION.format(tools=json.dumps(tools, ensure_ascii=False))
    return f"{default_system_prompt(task)}\n\n{body}"


def render(task: CompiledTask, history: list[Exchange]) -> AgentInput:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system_prompt(task)},
        {"role": "user", "content": f"{task.user_command}\nBegin!"},
    ]
    for ex in history:
        messages.append({"role": "assistant", "content": response_text(ex.response)})
        messages.extend(
            {"role": "user", "content": f"Observation: {obs}"} for obs in ex.observations
        )
        if ex.user is not None:  # the user speaking, not a tool: no "Observation:"
            messages.append({"role": "user", "content": ex.user})
    return AgentInput(messages)


def _clip(text: str, limit: int = 60) -> str:
    return quote(text, limit)


def _action_input(raw: str, limits: Limits) -> Any:
    body = raw.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced["body"].strip()
    if not body:
        return {}
    try:
        value, end = load_json(body, limits, what="the Action Input", prefix=True)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"Action Input is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    rest = body[end:].strip()
    if rest:
        raise ValueError(
            f"unexpected text after the Action Input JSON: {_clip(rest)}; "
            "stop after the Action Input"
        )
    return value


def parse(response: Response, limits: Limits = DEFAULT_LIMITS) -> Parsed:
    text = text_to_parse(
        response, limits, "react format; write Thought / Action / Action Input text"
    )
    if isinstance(text, Parsed):
        return text
    actions = list(_ACTION.finditer(text))
    if not actions:
        return Parsed(
            error="missing 'Action:' line; reply with Thought: ... / Action: <tool "
            "name> / Action Input: {...}, or Action: Finish to answer"
        )
    if len(actions) > 1:
        return Parsed(error=f"{len(actions)} 'Action:' lines; give one action per response")
    action = actions[0]
    tool = action["name"].strip(" \t\r")
    if not tool:
        return Parsed(error="the 'Action:' line has no tool name")
    problem = check_name(tool, limits)
    if problem is not None:
        return over_limit(problem)
    inputs = list(_INPUT.finditer(text, action.end()))
    if not inputs:
        return Parsed(error=f"missing 'Action Input:' line after 'Action: {tool}'")
    between = text[action.end() : inputs[0].start()].strip()
    if between:
        return Parsed(
            error=f"unexpected text between 'Action:' and 'Action Input:': {_clip(between)}"
        )
    if len(inputs) > 1 or _INPUT.search(text, 0, action.start()):
        return Parsed(error="more than one 'Action Input:' line; give one action per response")
    try:
        args = _action_input(text[inputs[0].end() :], limits)
    except LimitExceeded as exc:
        return over_limit(str(exc))
    except ValueError as exc:
        return Parsed(error=str(exc))
    thought = _THOUGHT.sub("", text[: action.start()], count=1).strip() or None
    if tool == FINISH:
        return _finish(args, thought, limits)
    return Parsed(calls=[ToolCall(tool, args)], thought=thought)


def _finish(args: Any, thought: str | None, limits: Limits) -> Parsed:
    if isinstance(args, str):
        try:
            args = load_json(args, limits, what="the Finish input")
        except LimitExceeded as exc:
            return over_limit(str(exc))
        except json.JSONDecodeError:
            pass
    if not isinstance(args, dict):
        return Parsed(
            error='Finish needs an object like {"return_type": "give_answer", '
            '"final_answer": "..."}'
        )
    kind = args.get("return_type")
    if kind == "give_up_and_restart":
        return Parsed(answer="", thought=thought)
    if kind != "give_answer":
        return Parsed(
            error=f"Finish return_type must be one of {', '.join(_RETURN_TYPES)}; "
            f"got {quote(kind) if isinstance(kind, str) else json_kind(kind)}"
        )
    answer = args.get("final_answer")
    if not isinstance(answer, str):
        return Parsed(error='Finish with "give_answer" needs a "final_answer" string')
    return Parsed(answer=answer, thought=thought)


def write(
    *, calls: list[ToolCall] | None = None, answer: str | None = None, thought: str | None = None
) -> Response:
    if calls and len(calls) > 1:
        raise ValueError("the react format carries one action per response")
    if calls:
        tool, args = calls[0].name, calls[0].arguments
    else:
        tool, args = FINISH, {"return_type": "give_answer", "final_answer": answer or ""}
    head = f"Thought: {thought}" if thought else "Thought:"
    return f"{head}\nAction: {tool}\nAction Input: {json.dumps(args, ensure_ascii=False)}"
