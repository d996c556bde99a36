"""BFCL (Berkeley Function Calling Leaderboard) question files -> a toolset, tasks, content.

A question file holds one JSON object a line: ``id``, ``question`` (turns of messages) and
``function`` (the docs offered, in BFCL's type dialect). Its answer key, one line per
question with ``ground_truth: [{function: {param: [accepted values]}}]``, is read from
``<stem>.possible_answer.json`` beside it (or ``possible_answer/<name>``, BFCL's own layout).

Every distinct function definition becomes one tool of a toolset named after the file. With
an answer key, questions whose gold is a single call are grouped by the function called, and
each group becomes a content dataset (``id``, ``question``, ``args``: the gold arguments) and
a task whose final state must record exactly the gold call.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from . import ImportResult, SourceError, read_json_lines
from ._names import Namer, doc_name
from ._schema import bfcl_schema, simulated_tool

__all__ = [
    "answer_file",
    "convert_function",
    "gold_arguments",
    "load",
    "name",
    "read_answers",
    "title",
    "toolset_and_answers",
]

name = "bfcl"
title = "BFCL"

_ANSWERS_SUFFIX = ".possible_answer.json"
_JINJA_WORDS = frozenset({"and", "or", "not", "in", "is", "if", "else", "true", "false", "none"})


@dataclass(frozen=True, slots=True)
class _Question:
    id: str
    text: str | None
    offered: dict[str, str]
    """BFCL function name -> taskkit tool name, for the functions this question offers."""


def load(path: Path) -> ImportResult:
    """Read a BFCL question file (and its answer key, when it is beside it)."""
    if path.name.endswith(_ANSWERS_SUFFIX):
        sibling = path.with_name(path.name.removesuffix(_ANSWERS_SUFFIX) + ".json")
        if not sibling.is_file():
            raise SourceError(f"an answer key without its questions file {sibling.name!r}")
        note = f"{path.name}: answer key of {sibling.name}, read together with it"
        return ImportResult(notes=[note], source=title)
    notes: list[str] = []
    toolset = Namer("toolset", notes, what="file stem").claim(path.stem)
    tools: list[dict[str, Any]] = []
    questions = _read_questions(path, tools, notes)
    result, answers = toolset_and_answers(path, toolset, tools, notes, source=title)
    if answers is None:
        return result
    schemas = {tool["name"]: tool["parameters"] for tool in tools}
    groups = _group(questions, answers, schemas, notes)
    docs = Namer("doc", notes, what="task")
    for tool, entries in groups.items():
        doc = docs.claim(doc_name(f"{path.stem}.{tool}"))
        task, content = _task(
            path, doc, ref=f"{toolset}.{tool}", group=entries, parameters=schemas[tool], notes=notes
        )
        result.tasks.append(task)
        result.contents.append(content)
    return result


def toolset_and_answers(
    path: Path,
    toolset: str,
    tools: list[dict[str, Any]],
    notes: list[str],
    *,
    source: str,
    about: str = "",
) -> tuple[ImportResult, dict[str, Any] | None]:
    """The result holding the file's one toolset (its tasks still to add), and the answer
    key beside the file (None, noted, when there is none: tool docs only)."""
    result = ImportResult(
        toolsets=[
            {
                "kind": "toolset",
                "schema_version": 1,
                "name": toolset,
                "description": f"Functions of BFCL's {path.name}. Each call is logged in "
                f"the 'calls' collection and echoed back{about}.",
                "tools": tools,
            }
        ],
        notes=notes,
        source=source,
    )
    answers_path = answer_file(path)
    if answers_path is None:
        notes.append(f"no answer key beside {path.name}: tool docs only, no tasks")
        return result, None
    return result, read_answers(answers_path, notes)


def answer_file(path: Path) -> Path | None:
    """The answer key of a question file, if it is where BFCL or our corpora keep it."""
    for candidate in (
        path.with_name(path.stem + _ANSWERS_SUFFIX),
        path.parent / "possible_answer" / path.name,
    ):
        if candidate.is_file():
            return candidate
    return None


# --- questions and tools ----------------------------------------------------------------


def _read_questions(path: Path, tools: list[dict[str, Any]], notes: list[str]) -> list[_Question]:
    functions = FunctionTools(tools, notes)
    questions: list[_Question] = []
    for line, record in read_json_lines(path, notes):
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise SourceError(f"line {line}: expected an object with a string 'id'")
        offered = functions.offer(record.get("function"), line, question=record["id"])
        questions.append(_Question(record["id"], _question_text(record.get("question")), offered))
    return questions


class FunctionTools:
    """The functions BFCL questions offer, as the tools of one toolset (``tools``): each
    distinct doc (its name and converted schema) once, under a name of its own. Shared by
    the single-turn and multi-turn importers."""

    def __init__(self, tools: list[dict[str, Any]], notes: list[str]) -> None:
        self.tools, self.notes = tools, notes
        self._names = Namer("tool", notes, what="function")
        self._seen: dict[tuple[str, str], str] = {}  # (BFCL name, converted doc) -> tool name
        self._first: dict[str, str] = {}  # BFCL name -> id of the question that defined it first

    def offer(self, functions: Any, line: int, *, question: str | None = None) -> dict[str, str]:
        """BFCL function name -> tool name, for the functions one question (on ``line``)
        offers. ``question``, its id, says in the note which questions define a name
        unalike, when given."""
        if not isinstance(functions, list) or not all(_is_function(f) for f in functions):
            raise SourceError(f"line {line}: 'function' must be a list of {{name, parameters}}")
        offered: dict[str, str] = {}
        for function in functions:
            doc_notes: list[str] = []
            try:
                tool = convert_function(function, doc_notes)
            except SourceError as exc:
                raise SourceError(f"line {line}: {exc}") from None
            original = function["name"]
            # Canonical JSON: docs that differ only in key order are one tool.
            key = (original, json.dumps(tool, sort_keys=True))
            if key not in self._seen:
                why = ""
                if question is not None:
                    if original in self._first:
                        why = f"{question} defines it unlike {self._first[original]} did"
                    self._first.setdefault(original, question)
                self._seen[key] = self._names.claim(original, why=why)
                self.tools.append(simulated_tool(self._seen[key], effect="write", **tool))
                self.notes.extend(doc_notes)
            offered[original] = self._seen[key]
        return offered


def _is_function(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("name"), str)


def convert_function(function: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    where = function["name"]
    parameters = bfcl_schema(function.get("parameters") or {"type": "dict"}, where, notes)
    if parameters.get("type", "object") != "object":
        raise SourceError(f"{where}: parameters must be of type 'dict'")
    parameters = {"type": "object", **parameters, "properties": parameters.get("properties", {})}
    # BFCL's checker rejects parameters a function does not declare.
    parameters.setdefault("additionalProperties", False)
    try:
        jsonschema.Draft202012Validator.check_schema(parameters)
    except jsonschema.exceptions.SchemaError as exc:
        raise SourceError(f"{where}: parameters are not valid JSON Schema: {exc.message}") from None
    return {"description": str(function.get("description") or ""), "parameters": parameters}


def _question_text(question: Any) -> str | None:
    """The user's request, when the question is a single user message (else None)."""
    if isinstance(question, str):
        return question
    if isinstance(question, list) and len(question) == 1 and isinstance(question[0], list):
        question = question[0]  # one turn
    if (
        isinstance(question, list)
        and len(question) == 1
        and isinstance(question[0], dict)
        and question[0].get("role") == "user"
        and isinstance(question[0].get("content"), str)
    ):
        return str(question[0]["content"])
    return None


# --- answers and tasks ------------------------------------------------------------------


def read_answers(path: Path, notes: list[str]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    try:
        records = read_json_lines(path, notes)
    except SourceError as exc:
        raise SourceError(f"{path.name}: {exc}") from None
    for line, record in records:
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise SourceError(f"{path.name}: line {line}: expected an object with a string 'id'")
        answers[record["id"]] = record.get("ground_truth")
    return answers


def _group(
    questions: list[_Question],
    answers: dict[str, Any],
    schemas: dict[str, dict[str, Any]],
    notes: list[str],
) -> dict[str, list[tuple[dict[str, Any], set[str], list[str]]]]:
    """Tool name -> its questions as (entry, parameters BFCL lets vary, other tools offered)."""
    groups: dict[str, list[tuple[dict[str, Any], set[str], list[str]]]] = {}
    multi_valued = 0
    ids: set[str] = set()
    for q in questions:
        gold: Any = answers.get(q.id)
        skip = "an earlier question has the same id" if q.id in ids else _why_skip(q, gold)
        ids.add(q.id)
        if skip:
            notes.append(f"{q.id}: not made a task entry: {skip}")
            continue
        call: dict[str, Any] = gold[0]
        ((function, accepted),) = call.items()
        tool = q.offered[function]
        args, loose, several = gold_arguments(accepted, schemas[tool])
        error = next(jsonschema.Draft202012Validator(schemas[tool]).iter_errors(args), None)
        if error is not None:
            notes.append(f"{q.id}: not made a task entry: gold call invalid: {error.message}")
            continue
        multi_valued += several
        entry = {"id": q.id, "question": q.text, "args": args}
        others = [t for t in q.offered.values() if t != tool]
        groups.setdefault(tool, []).append((entry, loose, others))
    if multi_valued:
        notes.append(
            f"{multi_valued} gold arguments accept several values; the tasks take BFCL's first, "
            "so they are stricter than BFCL's checker there"
        )
    return groups


def _why_skip(q: _Question, gold: Any) -> str:
    if gold is None:
        return "no answer in the answer key"
    if q.text is None:
        return "the question is not a single user message"
    if not isinstance(gold, list) or len(gold) != 1:
        n = len(gold) if isinstance(gold, list) else "no"
        return f"the gold answer is {n} calls; only single-call answers become tasks"
    call = gold[0]
    if not isinstance(call, dict) or len(call) != 1:
        return "the gold call is not one {function: arguments} object"
    ((function, accepted),) = call.items()
    if function not in q.offered:
        return f"the gold function {function!r} is not among the functions offered"
    if not isinstance(accepted, dict) or not all(isinstance(v, list) for v in accepted.values()):
        return "the gold arguments are not {param: [accepted values]}"
    return ""


def gold_arguments(
    accepted: dict[str, Any], schema: dict[str, Any]
) -> tuple[dict[str, Any], set[str], int]:
    """The gold call's arguments from BFCL's ``{param: [accepted values]}``.

    Each parameter takes its first accepted value; one whose accepted values include ``""``
    may be omitted and is left out -- unless the function requires it, since BFCL's checker
    then rejects the omission, so its first other value is taken. Nested objects (and lists
    of them) hold accepted-value lists too, as in BFCL's checker. Returns the arguments, the
    top-level parameters BFCL lets the model omit, and how many values had alternatives.
    """
    args: dict[str, Any] = {}
    loose: set[str] = set()
    several = 0
    required = set(schema.get("required") or ())
    properties = schema.get("properties") or {}
    for param, values in accepted.items():
        choices = [v for v in values if v != ""]
        if "" in values and param not in required:
            loose.add(param)
            continue
        if not choices:
            continue
        several += len(choices) > 1
        args[param] = _nested(choices[0], properties.get(param) or {})
    return args, loose, several


def _nested(value: Any, schema: dict[str, Any]) -> Any:
    if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
        return gold_arguments(value, schema)[0]
    if isinstance(value, list):
        raw = schema.get("items")
        items: dict[str, Any] = raw if isinstance(raw, dict) else {}
        return [_nested(v, items) if isinstance(v, dict) else v for v in value]
    return value


def _task(
    path: Path,
    doc: str,
    *,
    ref: str,
    group: list[tuple[dict[str, Any], set[str], list[str]]],
    parameters: dict[str, Any],
    notes: list[str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    toolset, tool = ref.split(".", 1)
    entries = [entry for entry, _, _ in group]
    present = [set(e["args"]) for e in entries]
    everywhere = set.intersection(*present)
    loose = set().union(*(lo for _, lo, _ in group), *present) - everywhere
    order = list(parameters.get("properties") or {})
    gold_args = {p: f"{{{{ {_arg_expr(p)} }}}}" for p in order if p in everywhere}
    ignored = [p for p in order if p in loose]
    if ignored:
        notes.append(
            f"{doc}: {', '.join(map(repr, ignored))} left out of the gold call and the state "
            "check (BFCL lets the model omit them, or not every question gives them)"
        )
    distractors = list(dict.fromkeys(f"{toolset}.{t}" for _, _, others in group for t in others))
    checks: list[dict[str, Any]] = []
    if gold_args:
        checks.append({"check": "arg_values", "tool": ref, "args": gold_args})
    if distractors:
        checks.append({"check": "forbidden_tools", "tools": distractors})
    expect: dict[str, Any] = {"state": "matches_gold"}
    if ignored:
        expect["ignore"] = [f"calls.*.args.{p}" for p in ignored]
    category = re.sub(r"^BFCL_v\d+_", "", path.stem)
    task = {
        "kind": "task",
        "schema_version": 1,
        "id": doc,
        "version": 1,
        "title": f"BFCL {category}: call {tool}",
        "description": f"Questions of BFCL's {path.name} whose answer is one call of {tool}. "
        "The final state must record exactly the gold call (BFCL's first accepted values).",
        "category": "tools",
        "difficulty": "medium" if distractors else "easy",
        "tools": [ref],
        "distractors": distractors,
        "content": doc,
        "user_command": "{{ question }}",
        "initial_state": {"calls": []},
        "max_turns": 4,
        "action_checks": checks,
        "final": {"gold_actions": [{"tool": ref, "args": gold_args}], "expect": expect},
        "tags": ["bfcl", category],
    }
    content = {
        "kind": "content",
        "schema_version": 1,
        "name": doc,
        "description": f"BFCL {category} questions answered by one call of {tool}; 'args' is "
        "the gold call's arguments.",
        "fields": {
            "type": "object",
            "properties": {
                "question": {"type": "string"},
                "args": copy.deepcopy(parameters),
            },
            "required": ["question", "args"],
            "additionalProperties": False,
        },
        "entries": entries,
    }
    return task, content


def _arg_expr(param: str) -> str:
    """``args.name`` where Jinja reads it as the key, else ``args["name"]`` (a dict method
    name such as ``items`` or a Jinja keyword would not be the argument)."""
    if re.fullmatch(r"[A-Za-z_]\w*", param) and param not in _JINJA_WORDS and param not in dir({}):
        return f"args.{param}"
    return f"args[{json.dumps(param)}]"
