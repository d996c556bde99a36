"""Importers: every shared corpus file comes in as valid documents, and the small fixtures
pin each source's shape, the name rules, writing a pack and the ``taskkit import`` command."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from taskkit.cli.import_cmd import import_
from taskkit.importers import (
    IMPORTERS,
    ImportResult,
    SourceError,
    export_openai_tools,
    merge_results,
    write_result,
)
from taskkit.importers._names import DOC_NAME, TOOL_NAME, TOOLSET_NAME, Namer
from taskkit.io.yamlio import load_yaml_file
from taskkit.models import Content, Pack, Task, Toolset

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _find_corpora() -> Path | None:
    # The repo is /work/main with shared/ at /work/shared; CI clones the repo to another
    # folder with a copy of shared/ beside it.
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "shared", here.parents[2].parent / "shared"):
        if (candidate / "corpora").is_dir():
            return candidate / "corpora"
    return None


CORPORA = _find_corpora()
needs_corpora = pytest.mark.skipif(
    CORPORA is None, reason="shared/corpora not found beside the repository"
)


def _corpus_files(source: str, pattern: str) -> list[Path]:
    if CORPORA is None:
        return []
    return sorted((CORPORA / source).glob(pattern))


TOOLBENCH_FILES = _corpus_files("toolbench", "*.json")
BFCL_FILES = [p for p in _corpus_files("bfcl", "*.json") if ".possible_answer" not in p.name]
CORPUS_FILES = [("toolbench", p) for p in TOOLBENCH_FILES] + [("bfcl", p) for p in BFCL_FILES]


@functools.cache
def _load(source: str, path: Path) -> ImportResult:
    """Each corpus file is read once per session; tests only read the result."""
    return IMPORTERS[source].load(path)


def _ids(items: list[Any]) -> list[str]:
    return [item[1].name if isinstance(item, tuple) else item.name for item in items]


# --- checks every produced document must pass ------------------------------------------


def _check_documents(result: ImportResult) -> None:
    for ts in result.toolsets:
        Toolset.model_validate(ts)
        for tool in ts["tools"]:
            assert TOOL_NAME.match(tool["name"])
            jsonschema.Draft202012Validator.check_schema(tool["parameters"])
            _check_required_declared(tool["parameters"], tool["name"])
    for task in result.tasks:
        Task.model_validate(task)
    for content in result.contents:
        Content.model_validate(content)
        validator = jsonschema.Draft202012Validator(content["fields"])
        for entry in content["entries"]:
            # Entry ids are the dataset's own keys, not template fields.
            errors = list(validator.iter_errors({k: v for k, v in entry.items() if k != "id"}))
            assert not errors, (content["name"], entry["id"], errors[0].message)


def _check_required_declared(schema: Any, where: str) -> None:
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties") or {}
    for name in schema.get("required") or ():
        assert name in properties, f"{where}: required {name!r} has no property"
    for name, sub in properties.items():
        _check_required_declared(sub, f"{where}.{name}")
    _check_required_declared(schema.get("items"), f"{where}[]")


# --- the shared corpora -------------------------------------------------------------------


@needs_corpora
@pytest.mark.parametrize(("source", "path"), CORPUS_FILES, ids=_ids(CORPUS_FILES))
def test_corpus_file_imports_as_valid_documents(source: str, path: Path) -> None:
    result = _load(source, path)
    assert result.toolsets
    _check_documents(result)
    tool_names = [t["name"] for ts in result.toolsets for t in ts["tools"]]
    assert len(tool_names) == len(set(tool_names))
    assert all(TOOLSET_NAME.match(ts["name"]) for ts in result.toolsets)
    assert all(DOC_NAME.match(doc) for doc in [t["id"] for t in result.tasks])


@needs_corpora
@pytest.mark.parametrize("path", TOOLBENCH_FILES, ids=_ids(TOOLBENCH_FILES))
def test_toolbench_gives_toolsets_only(path: Path) -> None:
    queries = json.loads(path.read_text(encoding="utf-8"))
    result = _load("toolbench", path)
    apis = {(a["tool_name"], a["api_name"]) for q in queries for a in q["api_list"]}
    assert sum(len(ts["tools"]) for ts in result.toolsets) == len(apis)
    assert len(result.toolsets) == len({tool for tool, _ in apis})
    assert not result.tasks
    assert not result.contents
    assert any("no gold calls" in n for n in result.notes)
    for ts in result.toolsets:
        for tool in ts["tools"]:
            assert tool["name"].endswith("_for_" + ts["name"])
            assert tool["effect"] == "read"
            # An echo of the call, not made-up data.
            assert tool["behavior"] == {
                "respond": {"status": "ok", "tool": tool["name"], "arguments": "{{ args }}"}
            }
            assert tool["parameters"]["additionalProperties"] is False


@needs_corpora
def test_toolbench_types_and_defaults() -> None:
    assert CORPORA is not None
    result = _load("toolbench", CORPORA / "toolbench" / "G3_query.json")
    tools = {t["name"]: t for ts in result.toolsets for t in ts["tools"]}
    news = tools["newssearch_for_web_search"]["parameters"]["properties"]
    assert news["pageSize"] == {
        "type": "number",
        "description": "The number of items per page. The maximum value is 50.",
        "examples": [10],  # RapidAPI's "10", as a number; required, so an example
    }
    assert news["safeSearch"]["default"] is False  # optional: a real default
    assert "default" not in news["fromPublishedDate"]  # the text 'null' is no default
    assert any("fromPublishedDate: default 'null' dropped" in n for n in result.notes)
    scores = tools["v4_sports_sport_scores_for_live_sports_odds"]["parameters"]
    assert scores["properties"]["daysFrom"]["default"] == 3
    assert scores["required"] == ["sport"]


@needs_corpora
def test_toolbench_files_merge_into_one_pack() -> None:
    results = [_load("toolbench", p) for p in TOOLBENCH_FILES]
    merged = merge_results(results)
    names = [ts["name"] for ts in merged.toolsets]
    assert len(names) == len(set(names))
    assert "squake" in names  # in G1 and G2: united, not duplicated
    every = {
        (a["tool_name"], a["api_name"])
        for p in TOOLBENCH_FILES
        for q in json.loads(p.read_text(encoding="utf-8"))
        for a in q["api_list"]
    }
    assert sum(len(ts["tools"]) for ts in merged.toolsets) == len(every)
    _check_documents(merged)


def _accepted_first(accepted: dict[str, list[Any]], schema: dict[str, Any]) -> dict[str, Any]:
    """BFCL's gold call, worked out independently of the importer: the first accepted value
    of each parameter, leaving out those whose accepted values include "" -- except that a
    parameter the function requires cannot be left out (BFCL's checker rejects that), so it
    takes its first other value. Nested objects hold accepted-value lists too."""
    required = set(schema.get("required") or ())
    out: dict[str, Any] = {}
    for param, values in accepted.items():
        if "" in values and param not in required:
            continue
        value = next(v for v in values if v != "")
        out[param] = _resolve(value, (schema.get("properties") or {}).get(param) or {})
    return out


def _resolve(value: Any, schema: dict[str, Any]) -> Any:
    if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
        return _accepted_first(value, schema)
    if isinstance(value, list):
        items = schema.get("items") or {}
        return [_resolve(v, items) if isinstance(v, dict) else v for v in value]
    return value


@needs_corpora
@pytest.mark.parametrize("path", BFCL_FILES, ids=_ids(BFCL_FILES))
def test_bfcl_gold_calls_validate_against_their_tools(path: Path) -> None:
    result = _load("bfcl", path)
    answers_path = path.with_name(path.stem + ".possible_answer.json")
    answers = {
        rec["id"]: rec["ground_truth"]
        for rec in map(json.loads, answers_path.read_text(encoding="utf-8").splitlines())
    }
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    (toolset,) = result.toolsets
    tools = {t["name"]: t for t in toolset["tools"]}
    tasks = {t["content"]: t for t in result.tasks}
    seen = 0
    for content in result.contents:
        task = tasks[content["name"]]
        (gold,) = task["final"]["gold_actions"]
        tool = tools[gold["tool"].split(".", 1)[1]]
        validator = jsonschema.Draft202012Validator(tool["parameters"])
        for entry in content["entries"]:
            ((function, accepted),) = answers[entry["id"]][0].items()
            expected = _accepted_first(accepted, tool["parameters"])
            assert entry["args"] == expected, entry["id"]
            assert not list(validator.iter_errors(expected)), entry["id"]
            assert tool["name"] == function.replace(".", "_") or tool["name"].startswith(
                function.replace(".", "_") + "_"
            )
            seen += 1
    skipped = [n for n in result.notes if "not made a task entry" in n]
    assert seen + len(skipped) == len(questions)
    assert seen >= 0.9 * len(questions)


@needs_corpora
def test_bfcl_names_types_and_tasks() -> None:
    assert CORPORA is not None
    result = _load("bfcl", CORPORA / "bfcl" / "BFCL_v4_simple_python.json")
    (toolset,) = result.toolsets
    assert toolset["name"] == "bfcl_v4_simple_python"
    tools = {t["name"]: t for t in toolset["tools"]}
    assert "math_factorial" in tools
    assert any("'math.factorial' renamed 'math_factorial'" in n for n in result.notes)
    coord = tools["calculate_distance"]["parameters"]["properties"]["coord1"]
    assert coord["type"] == "array"  # BFCL tuple
    assert coord["items"] == {"type": "number"}  # BFCL float
    data = tools["random_forest_train"]["parameters"]["properties"]["data"]
    assert "type" not in data  # BFCL any
    task = next(t for t in result.tasks if t["id"] == "bfcl_v4_simple_python.math_factorial")
    assert task["user_command"] == "{{ question }}"
    assert task["final"]["gold_actions"] == [
        {"tool": "bfcl_v4_simple_python.math_factorial", "args": {"number": "{{ args.number }}"}}
    ]
    assert task["final"]["expect"] == {"state": "matches_gold"}
    content = next(c for c in result.contents if c["name"] == task["content"])
    assert content["entries"][0] == {
        "id": "simple_python_1",
        "question": "Calculate the factorial of 5 using math functions.",
        "args": {"number": 5},
    }
    # 'unit' may be omitted in BFCL: left out of the gold call and of the state check.
    area = next(
        t for t in result.tasks if t["id"] == "bfcl_v4_simple_python.calculate_triangle_area"
    )
    assert area["final"]["expect"]["ignore"] == ["calls.*.args.unit"]
    assert set(area["final"]["gold_actions"][0]["args"]) == {"base", "height"}


@needs_corpora
@pytest.mark.parametrize("path", BFCL_FILES, ids=_ids(BFCL_FILES))
def test_bfcl_toolsets_round_trip_through_openai(path: Path, tmp_path: Path) -> None:
    (toolset,) = _load("bfcl", path).toolsets
    exported = export_openai_tools(toolset)
    file = tmp_path / f"{toolset['name']}.json"
    file.write_text(json.dumps(exported), encoding="utf-8")
    (again,) = IMPORTERS["openai"].load(file).toolsets
    assert export_openai_tools(again) == exported


@needs_corpora
def test_imported_bfcl_pack_lints_compiles_and_is_not_vacuous(tmp_path: Path) -> None:
    from taskkit.compiler import compile_paths
    from taskkit.sim.evaluate import final_for_task

    assert CORPORA is not None
    src = tmp_path / "src"
    src.mkdir()
    for name in ("BFCL_v4_multiple.json", "BFCL_v4_multiple.possible_answer.json"):
        lines = (CORPORA / "bfcl" / name).read_text(encoding="utf-8").splitlines()[:25]
        (src / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = IMPORTERS["bfcl"].load(src / "BFCL_v4_multiple.json")
    write_result(result, tmp_path / "bfcl", pack_name="bfcl")
    compiled = compile_paths([tmp_path / "bfcl"])
    assert compiled.ok, [d.text() for d in compiled.diagnostics]
    assert len(compiled.tasks) == 25  # the gold replay met every task's expectation
    for task in compiled.tasks:
        nothing_done = final_for_task(task, task.initial_state, "done")
        assert nothing_done.score == 0, task.id


# --- OpenAI tools -------------------------------------------------------------------------


def test_openai_tools_round_trip_exactly() -> None:
    path = FIXTURES / "openai_tools.json"
    result = IMPORTERS["openai"].load(path)
    _check_documents(result)
    (toolset,) = result.toolsets
    assert toolset["name"] == "openai_tools"
    assert export_openai_tools(toolset) == json.loads(path.read_text(encoding="utf-8"))
    assert export_openai_tools(Toolset.model_validate(toolset)) == export_openai_tools(toolset)


def test_openai_request_body_quirks() -> None:
    result = IMPORTERS["openai"].load(FIXTURES / "openai_request.json")
    _check_documents(result)
    tools = {t["name"]: t for t in result.toolsets[0]["tools"]}
    assert list(tools) == ["calendar_create_event", "calendar_create_event_2", "ping"]
    first = tools["calendar_create_event"]["parameters"]
    assert "$schema" not in first
    assert first["properties"]["attendees"] == {}  # required but undeclared
    assert tools["ping"]["description"] == ""
    notes = "\n".join(result.notes)
    for expected in (
        "'calendar.create_event' renamed 'calendar_create_event'",
        "'calendar_create_event' renamed 'calendar_create_event_2'",
        "'strict' dropped",
        "'code_interpreter' is not a function tool",
        "required 'attendees' had no property",
        "ping: no description",
    ):
        assert expected in notes


# --- MCP ------------------------------------------------------------------------------------


def test_mcp_tools_list() -> None:
    result = IMPORTERS["mcp"].load(FIXTURES / "mcp_tools_list.json")
    _check_documents(result)
    (toolset,) = result.toolsets
    assert toolset["name"] == "mcp_tools_list"
    tools = {t["name"]: t for t in toolset["tools"]}
    assert {name: t["effect"] for name, t in tools.items()} == {
        "read_file": "read",
        "write_file": "write",
        "git_delete-branch": "write",
        "list_files": "read",
    }
    assert tools["read_file"]["returns"]["required"] == ["content"]
    assert "$schema" not in tools["read_file"]["parameters"]
    assert tools["write_file"]["behavior"]["insert"] == "calls"  # writes log their call
    assert tools["list_files"]["description"] == "List files"
    notes = "\n".join(result.notes)
    assert "nextCursor" in notes
    assert "'git/delete-branch' renamed 'git_delete-branch'" in notes
    assert "annotations.openWorldHint" in notes


def test_mcp_bare_result(tmp_path: Path) -> None:
    body = json.loads((FIXTURES / "mcp_tools_list.json").read_text(encoding="utf-8"))
    path = tmp_path / "server.json"
    path.write_text(json.dumps(body["result"]), encoding="utf-8")
    assert IMPORTERS["mcp"].load(path).toolsets[0]["tools"]


# --- unusable input -------------------------------------------------------------------------


BAD_INPUTS = [
    ("openai", "not json"),
    ("openai", '{"tools": 3}'),
    ("openai", "[3]"),
    ("openai", '[{"type": "function", "function": {"description": "no name"}}]'),
    ("openai", '[{"type": "function", "function": {"name": "f", "parameters": []}}]'),
    ("openai", '[{"type": "function", "function": {"name": "f", "parameters": {"type": 7}}}]'),
    ("openai", '[{"name": "f", "parameters": {"type": "string"}}]'),
    ("mcp", "[]"),
    ("mcp", '{"tools": [{"description": "nameless"}]}'),
    ("mcp", '{"tools": [{"name": "f", "inputSchema": {"required": "x"}}]}'),
    ("mcp", '{"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "nope"}}'),
    ("toolbench", "{}"),
    ("toolbench", "[1]"),
    ("toolbench", '[{"api_list": [{"tool_name": "t"}]}]'),
    (
        "toolbench",
        '[{"api_list": [{"tool_name": "t", "api_name": "a", "required_parameters": 1}]}]',
    ),
    ("bfcl", "[1, 2]\n"),
    ("bfcl", '{"id": 1}\n'),
    ("bfcl", '{"id": "q", "function": [{"description": "nameless"}]}\n'),
    ("bfcl", '{"id": "q", "function": [{"name": "f", "parameters": {"type": "string"}}]}\n'),
    ("bfcl", '{"id": "q", "function": []}\n{oops\n'),
    ("bfcl_multi_turn", '{"id": "q", "question": [[]]}\n'),
    ("bfcl_multi_turn", '{"id": "q", "involved_classes": ["NoSuchAPI"]}\n'),
    ("bfcl_multi_turn", '{"id": "q", "involved_classes": ["MathAPI"]}\n'),
    ("tooltalk", "[1, 2]"),
    ("tooltalk", '{"conversation": [{"role": "assistant", "text": "hi"}]}'),
    ("tooltalk", '{"conversation": [{"role": "user", "text": 3}]}'),
    (
        "tooltalk",
        '{"conversation": [{"role": "user", "text": "a"}, {"role": "assistant", '
        '"text": "b", "apis": [{"request": {"parameters": {}}}]}]}',
    ),
]


@pytest.mark.parametrize(("source", "text"), BAD_INPUTS)
def test_unusable_input_is_a_source_error(source: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError):
        IMPORTERS[source].load(path)


@pytest.mark.parametrize("source", sorted(IMPORTERS))
def test_missing_file_is_a_source_error(source: str, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        IMPORTERS[source].load(tmp_path / "missing.json")


def test_bfcl_without_answers_gives_tools_only(tmp_path: Path) -> None:
    path = tmp_path / "BFCL_v4_irrelevance.json"
    question = {
        "id": "irrelevance_0",
        "question": [[{"role": "user", "content": "Hi"}]],
        "function": [{"name": "a.b", "description": "d", "parameters": {"type": "dict"}}],
    }
    path.write_text(json.dumps(question) + "\n", encoding="utf-8")
    result = IMPORTERS["bfcl"].load(path)
    assert [t["name"] for t in result.toolsets[0]["tools"]] == ["a_b"]
    assert not result.tasks
    assert any("no answer key" in n for n in result.notes)


def test_bfcl_multi_call_answers_are_skipped_with_a_note(tmp_path: Path) -> None:
    fn = {
        "name": "f",
        "description": "d",
        "parameters": {"type": "dict", "properties": {"x": {"type": "integer"}}},
    }
    lines = [
        {"id": "q0", "question": [[{"role": "user", "content": "once"}]], "function": [fn]},
        {"id": "q1", "question": [[{"role": "user", "content": "twice"}]], "function": [fn]},
    ]
    answers = [
        {"id": "q0", "ground_truth": [{"f": {"x": [1]}}]},
        {"id": "q1", "ground_truth": [{"f": {"x": [1]}}, {"f": {"x": [2]}}]},
    ]
    (tmp_path / "b.json").write_text("\n".join(map(json.dumps, lines)), encoding="utf-8")
    (tmp_path / "b.possible_answer.json").write_text(
        "\n".join(map(json.dumps, answers)), encoding="utf-8"
    )
    result = IMPORTERS["bfcl"].load(tmp_path / "b.json")
    assert [e["id"] for c in result.contents for e in c["entries"]] == ["q0"]
    assert any(
        n.startswith("q1: not made a task entry: the gold answer is 2 calls") for n in result.notes
    )


# --- multi-turn dialogues: BFCL multi-turn, ToolTalk -----------------------------------------

BFCL_MULTI = FIXTURES / "bfcl_multi_turn" / "BFCL_v3_multi_turn_base.json"
TOOLTALK = sorted((FIXTURES / "tooltalk").glob("*.json"))


def test_bfcl_multi_turn_questions_become_conversations() -> None:
    result = IMPORTERS["bfcl_multi_turn"].load(BFCL_MULTI)
    _check_documents(result)
    (toolset,) = result.toolsets
    # Every function of the involved classes, read from BFCL's multi_turn_func_doc/.
    assert [t["name"] for t in toolset["tools"]] == [
        "cd",
        "ls",
        "mkdir",
        "add",
        "mean",
        "round_number",
    ]
    assert [t["id"] for t in result.tasks] == [
        "bfcl_v3_multi_turn_base.multi_turn_base_0",
        "bfcl_v3_multi_turn_base.multi_turn_base_1",
    ]
    assert any(
        n.startswith("multi_turn_base_2: not made a task: turn 1: gold call") for n in result.notes
    )
    assert (
        "multi_turn_base_3: not made a task: the answer has 1 turns, the question 2" in result.notes
    )
    first = result.tasks[0]
    assert first["user_command"] == "{{ turns[0] }}"
    # The user's next message answers the agent's message once the round's last call is made.
    assert first["user"]["turns"] == [
        {
            "id": "turn_2",
            "when": {"after_call": {"tool": "bfcl_v3_multi_turn_base.mkdir"}},
            "say": "{{ turns[1] }}",
        },
        {
            "id": "turn_3",
            "when": {"after_call": {"tool": "bfcl_v3_multi_turn_base.ls"}},
            "say": "{{ turns[2] }}",
        },
    ]
    assert [a.get("tool", "say").split(".")[-1] for a in first["final"]["gold_actions"]] == [
        "cd",
        "mkdir",
        "say",
        "ls",
        "say",
        "add",
    ]
    assert first["distractors"] == [
        "bfcl_v3_multi_turn_base.mean",
        "bfcl_v3_multi_turn_base.round_number",
    ]
    (entry,) = result.contents[0]["entries"]
    assert entry["turns"][2].endswith("{{ not a template }}")  # data, never rendered
    assert entry["calls"] == [
        [{"folder": "docs"}, {"dir_name": "temp"}],
        [{"a": True}],
        [{"a": 3, "b": 4.5}],
    ]
    # A positional argument takes the parameter of its position.
    assert result.contents[1]["entries"][0]["calls"][0] == [{"numbers": [1, 2, 4]}]


def test_tooltalk_dialogues_become_conversations() -> None:
    easy, two_turns = (IMPORTERS["tooltalk"].load(p) for p in TOOLTALK)
    for result in (easy, two_turns):
        _check_documents(result)
    (task,) = easy.tasks
    assert task["user"]["turns"] == []  # one round: the closing "thanks" is dropped
    assert any(n.startswith("closing user message dropped") for n in easy.notes)
    (task,) = two_turns.tasks
    (toolset,) = two_turns.toolsets
    effects = {t["name"]: t["effect"] for t in toolset["tools"]}
    assert effects == {"FindAlarms": "read", "DeleteAlarm": "write", "AddReminder": "write"}
    assert toolset["tools"][0]["parameters"]["required"] == [
        "session_token",
        "start_range",
        "end_range",
    ]
    assert task["user"]["turns"] == [
        {
            "id": "turn_2",
            "when": {"after_call": {"tool": "tooltalk_alarm-reminder-findalarms-0.FindAlarms"}},
            "say": "{{ turns[1] }}",
        }
    ]
    gold = [a.get("tool", "say").split(".")[-1] for a in task["final"]["gold_actions"]]
    assert gold == ["FindAlarms", "say", "DeleteAlarm", "AddReminder"]  # not the call that raised
    assert any("DeleteAlarm raised in the recording" in n for n in two_turns.notes)
    (entry,) = two_turns.contents[0]["entries"]
    assert "{{ mom }}" in entry["turns"][1] and "aa11-bb22" in entry["system"]


@pytest.mark.parametrize(
    ("source", "paths"), [("bfcl_multi_turn", [BFCL_MULTI]), ("tooltalk", TOOLTALK)]
)
def test_imported_dialogues_compile_replay_and_fail_without_the_conversation(
    source: str, paths: list[Path], tmp_path: Path
) -> None:
    from taskkit.agents import make_agent
    from taskkit.compiler import compile_paths
    from taskkit.runs.episodes import run_episode

    merged = merge_results([IMPORTERS[source].load(p) for p in paths])
    write_result(merged, tmp_path / "pack", pack_name="dialogues")
    compiled = compile_paths([tmp_path / "pack"])
    assert compiled.ok, [d.text() for d in compiled.diagnostics]
    assert len(compiled.tasks) == len(merged.tasks)
    for task in compiled.tasks:
        assert task.user is not None
        assert len(task.final.gold_messages) == len(task.user.turns)
        gold = run_episode(task, make_agent("replay"))
        assert gold.final is not None and gold.final.score == 1, task.id
        assert gold.ended_by == "user_stop"
        noop = run_episode(task, make_agent("noop"))
        assert noop.final is None or noop.final.score == 0, task.id


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("cd(folder='docs')", ("cd", [], {"folder": "docs"})),
        ("sort('a.txt')", ("sort", ["a.txt"], {})),
        ("f(x=(1, 2), y={'k': [None, True]})", ("f", [], {"x": [1, 2], "y": {"k": [None, True]}})),
        ("mean([3,16,62])", ("mean", [[3, 16, 62]], {})),
    ],
)
def test_bfcl_call_strings_are_read_as_literals(text: str, parsed: Any) -> None:
    from taskkit.importers.bfcl_multi_turn import parse_call

    assert parse_call(text) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "f(x=y)",
        "a.b(1)",
        "f(**k)",
        "f({1, 2})",
        "f(1e999)",
        "cd(folder='x'",
        "f(" * 5000,
        "not a call",
    ],
)
def test_bfcl_call_strings_that_are_not_literal_calls_are_refused(text: str) -> None:
    from taskkit.importers.bfcl_multi_turn import parse_call

    with pytest.raises(ValueError):
        parse_call(text)


# --- names ----------------------------------------------------------------------------------


WEIRD = ["math.factorial", "9lives", "", "---", "Ünïcode näme", "a" * 200, "x..y--z", "_ok-Name"]


@pytest.mark.parametrize("raw", WEIRD)
def test_names_are_always_valid(raw: str) -> None:
    for shape, pattern, longest in (
        ("tool", TOOL_NAME, 64),
        ("toolset", TOOLSET_NAME, 64),
        ("doc", DOC_NAME, 80),
    ):
        namer = Namer(shape, [], what="thing")
        names = [namer.claim(raw) for _ in range(12)]  # collisions: suffixes
        assert len(set(names)) == 12
        assert all(pattern.match(n) and len(n) <= longest for n in names), names


def test_renames_are_noted_and_deterministic() -> None:
    def run() -> tuple[list[str], list[str]]:
        notes: list[str] = []
        namer = Namer("tool", notes, what="function")
        return [namer.claim(n) for n in ("math.factorial", "math_factorial", "ok")], notes

    names, notes = run()
    assert names == ["math_factorial", "math_factorial_2", "ok"]
    assert len(notes) == 2
    assert run() == (names, notes)


# --- writing a pack ---------------------------------------------------------------------------


def _sample() -> ImportResult:
    openai = IMPORTERS["openai"].load(FIXTURES / "openai_tools.json")
    mcp = IMPORTERS["mcp"].load(FIXTURES / "mcp_tools_list.json")
    return merge_results([openai, mcp])


def test_write_result_writes_a_complete_deterministic_pack(tmp_path: Path) -> None:
    written = write_result(_sample(), tmp_path / "a", pack_name="sample")
    assert [p.relative_to(tmp_path / "a").as_posix() for p in written] == [
        "pack.yaml",
        "tools/mcp_tools_list.yaml",
        "tools/openai_tools.yaml",
    ]
    pack_text = written[0].read_text(encoding="utf-8")
    assert pack_text.startswith("# yaml-language-server: $schema=")
    (doc,) = load_yaml_file(written[0]).documents
    pack = Pack.model_validate(doc.data)
    assert (pack.name, pack.version, pack.license) == ("sample", "0.1.0", "Apache-2.0")
    assert "inherited" in pack.description
    for path in written[1:]:
        (doc,) = load_yaml_file(path).documents
        Toolset.model_validate(doc.data)
    again = write_result(_sample(), tmp_path / "b", pack_name="sample")
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in again]
    leftovers = [p for p in (tmp_path / "a").rglob("*") if p.name.startswith(".")]
    assert not leftovers


def test_write_result_refuses_an_invalid_document(tmp_path: Path) -> None:
    broken = ImportResult(toolsets=[{"kind": "toolset", "name": "Bad Name", "tools": []}])
    with pytest.raises(ValueError, match="invalid toolset document"):
        write_result(broken, tmp_path, pack_name="p")
    assert not any(tmp_path.iterdir())


def test_write_result_refuses_two_documents_of_one_name(tmp_path: Path) -> None:
    result = IMPORTERS["openai"].load(FIXTURES / "openai_tools.json")
    twice = ImportResult(toolsets=result.toolsets * 2)
    with pytest.raises(ValueError, match="merge_results"):
        write_result(twice, tmp_path, pack_name="p")
    write_result(merge_results([result, result]), tmp_path, pack_name="p")  # united: fine


def test_merge_renames_a_clashing_toolset_and_its_references() -> None:
    def result(description: str) -> ImportResult:
        tool = {"name": "t", "description": description}
        return ImportResult(
            toolsets=[{"kind": "toolset", "schema_version": 1, "name": "s", "tools": [tool]}],
            tasks=[
                {
                    "kind": "task",
                    "id": "job",
                    "version": 1,
                    "category": "tools",
                    "difficulty": "easy",
                    "tools": ["s.t"],
                    "content": "data",
                    "user_command": description,
                    "final": {"gold_actions": [{"tool": "s.t"}]},
                }
            ],
            contents=[{"kind": "content", "name": "data", "fields": {}, "entries": []}],
        )

    merged = merge_results([result("one"), result("two")])
    assert [ts["name"] for ts in merged.toolsets] == ["s", "s_2"]
    second = merged.tasks[1]
    assert second["id"] == "job_2"
    assert second["tools"] == ["s_2.t"]
    assert second["final"]["gold_actions"] == [{"tool": "s_2.t"}]
    assert second["content"] == "data"  # identical dataset: kept once
    assert len(merged.contents) == 1
    assert any("'s' renamed 's_2'" in n for n in merged.notes)


# --- the command ------------------------------------------------------------------------------


def test_cli_imports_files_into_a_pack(tmp_path: Path) -> None:
    out = tmp_path / "my-pack"
    runner = CliRunner()
    args = ["openai", str(FIXTURES / "openai_tools.json"), str(FIXTURES / "openai_request.json")]
    result = runner.invoke(import_, [*args, "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{FIXTURES / 'openai_tools.json'}: 1 toolset (3 tools)" in result.stdout
    assert "note: " in result.stdout
    assert (out / "pack.yaml").is_file()
    assert sorted(p.name for p in (out / "tools").iterdir()) == [
        "openai_request.yaml",
        "openai_tools.yaml",
    ]
    (doc,) = load_yaml_file(out / "pack.yaml").documents
    assert doc.data["name"] == "my-pack"


@pytest.mark.parametrize("text", ["{not json", "[1, 2]"])
def test_cli_bad_file_exits_2_without_traceback(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        import_, ["openai", str(bad), "-o", str(tmp_path / "out")], catch_exceptions=False
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_cli_unknown_source_and_missing_file_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(import_, ["nope", "x.json", "-o", str(tmp_path)])
    assert unknown.exit_code == 2
    missing = runner.invoke(
        import_, ["mcp", str(tmp_path / "missing.json"), "-o", str(tmp_path / "o")]
    )
    assert missing.exit_code == 2
    assert "cannot read file" in missing.stderr
    assert "Traceback" not in missing.output


@needs_corpora
def test_cli_bfcl_with_answer_files_in_the_glob(tmp_path: Path) -> None:
    assert CORPORA is not None
    src = tmp_path / "src"
    src.mkdir()
    for path in (CORPORA / "bfcl").glob("*.json"):  # the first lines: writing is the slow part
        lines = path.read_text(encoding="utf-8").splitlines()[:30]
        (src / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = sorted(str(p) for p in src.glob("*.json"))
    result = CliRunner().invoke(
        import_,
        ["bfcl", *files, "-o", str(tmp_path / "out"), "--pack", "bfcl"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "answer key of" in result.stdout
    entries = [
        e["id"]
        for path in (tmp_path / "out" / "content").iterdir()
        for e in load_yaml_file(path).documents[0].data["entries"]
    ]
    assert len(entries) == len(set(entries)) == 60  # every question of both files
    tasks = list((tmp_path / "out" / "tasks").iterdir())
    assert len(tasks) == len(list((tmp_path / "out" / "content").iterdir()))  # one dataset each
