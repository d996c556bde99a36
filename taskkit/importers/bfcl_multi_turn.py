"""BFCL multi-turn question files (``BFCL_v3_multi_turn_base.json`` and kin) -> multi-turn
tasks with a scripted user.

A question file holds one JSON object a line: ``id``, ``question`` (a list of turns, each
a list of user messages), ``initial_config`` (the state of BFCL's Python API classes),
``involved_classes`` and, in some distributions, ``function`` (the docs offered). Without
``function``, the docs of each involved class are read from BFCL's own layout beside the
file: ``multi_turn_func_doc/<class file>.json``, one function doc a line. The answer key
(``possible_answer/<name>`` or ``<stem>.possible_answer.json``) gives, per question, one
list of call strings per turn (``"cd(folder='document')"``).

Each answered question becomes one task: its first turn the user command, its later turns
scripted user replies (turn N+1 answers the agent's message once turn N's calls are made),
its calls the gold
conversation, every function a tool that logs its calls (BFCL's classes are Python code
taskkit does not run), so ``state: matches_gold`` compares the agent's calls with the gold
ones, in order -- stricter than BFCL's state-based checker, and said so in the notes.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import jsonschema

from . import ImportResult, SourceError, read_json_lines
from ._dialogue import Round, dialogue_task
from ._names import Namer, doc_name
from .bfcl import FunctionTools, toolset_and_answers

__all__ = ["FUNC_DOC_FILES", "load", "name", "parse_call", "title"]

name = "bfcl_multi_turn"
title = "BFCL multi-turn"

FUNC_DOC_FILES = {
    "GorillaFileSystem": "gorilla_file_system.json",
    "MathAPI": "math_api.json",
    "MessageAPI": "message_api.json",
    "TwitterAPI": "posting_api.json",
    "TicketAPI": "ticket_api.json",
    "TradingBot": "trading_bot.json",
    "TravelAPI": "travel_booking.json",
    "VehicleControlAPI": "vehicle_control.json",
}
"""BFCL's API class -> its docs in ``multi_turn_func_doc/`` (BFCL's own table)."""

_DOC_DIR = "multi_turn_func_doc"
_MAX_CALL_CHARS = 20_000
_REPLY = "Done. What else can I do for you?"
_ANSWER = "Done."


def load(path: Path) -> ImportResult:
    """Read a BFCL multi-turn question file, its answer key and its classes' docs."""
    notes: list[str] = []
    toolset = Namer("toolset", notes, what="file stem").claim(path.stem)
    tools: list[dict[str, Any]] = []
    catalogue = _Catalogue(path, toolset, tools, notes)
    questions = []
    for line, record in read_json_lines(path, notes):
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise SourceError(f"line {line}: expected an object with a string 'id'")
        questions.append((record, catalogue.offered(record, line)))
    result, answers = toolset_and_answers(
        path, toolset, tools, notes, source=title, about=" (BFCL's classes are not simulated)"
    )
    if answers is None:
        return result
    schemas = {tool["name"]: tool["parameters"] for tool in tools}
    docs = Namer("doc", notes, what="task")
    seen: set[str] = set()
    for record, offered in questions:
        qid = record["id"]
        try:
            if qid in seen:
                raise _Skip("an earlier question has the same id")
            seen.add(qid)
            rounds = _rounds(record, answers.get(qid), offered, schemas, toolset)
        except _Skip as why:
            notes.append(f"{qid}: not made a task: {why}")
            continue
        doc = docs.claim(doc_name(f"{path.stem}.{qid}"))
        used = list(dict.fromkeys(ref for r in rounds for ref, _ in r.calls))
        if not used:
            notes.append(f"{qid}: not made a task: the gold conversation makes no call")
            continue
        task, content = dialogue_task(
            doc,
            rounds,
            tools=used,
            title=f"BFCL {qid}: {len(rounds)} turns",
            description=f"Question {qid} of BFCL's {path.name}: the user asks for one thing "
            "at a time; the final state must log exactly the gold calls, in order.",
            goal=_goal(rounds),
            tags=["bfcl", "multi_turn", path.stem.lower()],
            entry_extra={"config": record.get("initial_config") or {}},
        )
        offered_refs = [f"{toolset}.{t}" for t in offered.values()]
        task["distractors"] = [ref for ref in dict.fromkeys(offered_refs) if ref not in used]
        result.tasks.append(task)
        result.contents.append(content)
    if result.tasks:
        notes.append(
            "every function logs its calls and the tasks compare the log with the gold calls, "
            "in order: stricter than BFCL's checker, which compares the classes' states; "
            "'initial_config' is kept in each task's content entry ('config'), not simulated"
        )
    return result


class _Skip(Exception):
    """Why a question does not become a task (a note, not an error)."""


class _Catalogue:
    """The functions a question offers, as tools of the file's toolset, each doc once."""

    def __init__(self, path: Path, toolset: str, tools: list[dict[str, Any]], notes: list[str]):
        self.path, self.toolset, self.notes = path, toolset, notes
        self.functions = FunctionTools(tools, notes)
        self.class_docs: dict[str, list[Any]] = {}

    def offered(self, record: dict[str, Any], line: int) -> dict[str, str]:
        """BFCL function name -> tool name, for the functions ``record`` offers."""
        functions = record.get("function")
        if functions is None:
            functions = [f for c in self._classes(record, line) for f in self._docs_of(c)]
        return self.functions.offer(functions, line)

    def _classes(self, record: dict[str, Any], line: int) -> list[str]:
        classes = record.get("involved_classes")
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise SourceError(
                f"line {line}: no 'function' docs and no 'involved_classes' list to find them"
            )
        return classes

    def _docs_of(self, cls: str) -> list[Any]:
        if cls not in self.class_docs:
            file = FUNC_DOC_FILES.get(cls)
            if file is None:
                known = ", ".join(FUNC_DOC_FILES)
                raise SourceError(f"unknown BFCL class {cls!r} (known: {known})")
            doc_path = self.path.parent / _DOC_DIR / file
            if not doc_path.is_file():
                raise SourceError(
                    f"the docs of {cls} are not at {_DOC_DIR}/{file} beside {self.path.name} "
                    "(BFCL's layout), and the questions carry no 'function' list"
                )
            try:
                self.class_docs[cls] = [doc for _, doc in read_json_lines(doc_path, self.notes)]
            except SourceError as exc:
                raise SourceError(f"{_DOC_DIR}/{file}: {exc}") from None
        return self.class_docs[cls]


def _rounds(
    record: dict[str, Any],
    gold: Any,
    offered: dict[str, str],
    schemas: dict[str, dict[str, Any]],
    toolset: str,
) -> list[Round]:
    if "missed_function" in record:
        raise _Skip("functions are added between turns (a miss-function question)")
    turns = record.get("question")
    if not isinstance(turns, list) or not turns:
        raise _Skip("'question' is not a list of turns")
    if gold is None:
        raise _Skip("no answer in the answer key")
    if not isinstance(gold, list) or len(gold) != len(turns):
        raise _Skip(f"the answer has {_len(gold)} turns, the question {len(turns)}")
    rounds: list[Round] = []
    for number, (turn, calls) in enumerate(zip(turns, gold, strict=True), start=1):
        text = _turn_text(turn)
        if text is None:
            raise _Skip(f"turn {number} is not a list of user messages")
        if not isinstance(calls, list) or not all(isinstance(c, str) for c in calls):
            raise _Skip(f"the answer of turn {number} is not a list of call strings")
        parsed = []
        for call in calls:
            function, args = _gold_call(call, offered, schemas, number)
            parsed.append((f"{toolset}.{offered[function]}", args))
        rounds.append(Round(text, parsed, _REPLY))
    return [*rounds[:-1], Round(rounds[-1].user, rounds[-1].calls, _ANSWER)]


def _len(value: Any) -> str:
    return str(len(value)) if isinstance(value, list) else "no"


def _turn_text(turn: Any) -> str | None:
    if not isinstance(turn, list) or not turn:
        return None
    texts = []
    for message in turn:
        if not (isinstance(message, dict) and message.get("role") == "user"):
            return None
        if not isinstance(message.get("content"), str) or not message["content"].strip():
            return None
        texts.append(message["content"])
    return "\n".join(texts)


def _gold_call(
    text: str, offered: dict[str, str], schemas: dict[str, dict[str, Any]], turn: int
) -> tuple[str, dict[str, Any]]:
    try:
        function, positional, keywords = parse_call(text)
    except ValueError as exc:
        raise _Skip(f"turn {turn}: gold call {_cut(text)} unreadable: {exc}") from None
    if function not in offered:
        raise _Skip(f"turn {turn}: gold function {function!r} is not among those offered")
    schema = schemas[offered[function]]
    order = list(schema.get("properties") or {})
    if len(positional) > len(order):
        raise _Skip(f"turn {turn}: {_cut(text)} has more arguments than {function} declares")
    args = dict(zip(order, positional, strict=False))
    for key, value in keywords.items():
        if key in args:
            raise _Skip(f"turn {turn}: {_cut(text)} gives {key!r} twice")
        args[key] = value
    error = next(jsonschema.Draft202012Validator(schema).iter_errors(args), None)
    if error is not None:
        raise _Skip(f"turn {turn}: gold call {_cut(text)} invalid: {error.message}")
    return function, args


def parse_call(text: str) -> tuple[str, list[Any], dict[str, Any]]:
    """``"f(1, x='a')"`` -> ``("f", [1], {"x": "a"})``: BFCL's gold call strings, read as
    Python literals (never evaluated). Raises ``ValueError`` on anything else."""
    if len(text) > _MAX_CALL_CHARS:
        raise ValueError(f"longer than {_MAX_CALL_CHARS} characters")
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise ValueError(f"not a call ({type(exc).__name__})") from None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ValueError("not a call of a plain function name")
    try:
        positional = [_json_value(ast.literal_eval(arg)) for arg in node.args]
        keywords = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise ValueError("'**' arguments")
            keywords[kw.arg] = _json_value(ast.literal_eval(kw.value))
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError) as exc:
        raise ValueError(f"an argument is not a JSON-like literal ({exc})") from None
    return node.func.id, positional, keywords


def _json_value(value: Any) -> Any:
    """A Python literal as the JSON value it stands for (a tuple is a list); a set, bytes,
    a complex number or a non-finite float has none."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_value(v) for k, v in value.items()}
    raise ValueError(f"{type(value).__name__} {value!r:.40} has no JSON form")


def _cut(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _goal(rounds: list[Round]) -> str:
    steps = " ".join(f"({i}) {r.user}" for i, r in enumerate(rounds, start=1))
    return f"Have the assistant do these, one request at a time, in this order: {steps}"
