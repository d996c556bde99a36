"""The text response formats (xlam, hermes, react): round trips over every bundled task,
malformed responses, rendering, and full gold episodes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from taskkit.sim.episode import Episode
from taskkit.sim.formats import Exchange, Parsed, hermes, react, xlam
from taskkit.sim.verify import ToolCall, Verifier

REPO = Path(__file__).resolve().parents[3]
FORMATS = [xlam, hermes, react]
FMT_IDS = [f.name for f in FORMATS]

TRICKY_ANSWERS = [
    "Done.",
    'She said "yes", then {left}.',
    "line one\nline two\n\n  indented",
    "Prix : 389 000 € — réservé ✓",
    "  leading and trailing spaces  ",
    "[1, 2, 3]",
]


@pytest.fixture(scope="module")
def tasks():
    from taskkit.compiler import compile_paths

    result = compile_paths([REPO / "task_library", REPO / "content_datasets"])
    assert result.ok, [d.text() for d in result.diagnostics]
    assert result.tasks
    return result.tasks


def _contents(agent_input) -> str:
    return "\n".join(m["content"] or "" for m in agent_input.messages)


def _gold_calls(task) -> list[ToolCall]:
    return [ToolCall(a.tool, a.args) for a in task.final.gold_actions]


# -- the module shape ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
def test_module_has_the_protocol(fmt):
    assert fmt.name in {"xlam", "hermes", "react"}
    assert fmt.__doc__ and len(fmt.__doc__) > 400
    for fn in ("render", "parse", "write"):
        assert callable(getattr(fmt, fn))


# -- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
def test_gold_calls_round_trip(fmt, tasks):
    for task in tasks:
        for call in _gold_calls(task):
            for thought in (None, "I should look this up."):
                parsed = fmt.parse(fmt.write(calls=[call], thought=thought))
                assert parsed.error is None, (task.id, parsed.error)
                assert parsed.answer is None
                assert [(c.name, c.arguments) for c in parsed.calls] == [
                    (call.name, call.arguments)
                ]
                assert parsed.thought == thought


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
def test_gold_answers_round_trip(fmt, tasks):
    # a task may have no gold answer (it ends with a terminal tool, or changes the state
    # and need say nothing): those have nothing to round-trip
    answered = [t for t in tasks if t.final.gold_answer]
    assert len(answered) > len(tasks) // 2
    for task in answered:
        answer = task.final.gold_answer
        assert fmt.parse(fmt.write(answer=answer)) == Parsed(answer=answer), task.id


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
@pytest.mark.parametrize("answer", TRICKY_ANSWERS)
def test_tricky_answers_round_trip(fmt, answer):
    assert fmt.parse(fmt.write(answer=answer)) == Parsed(answer=answer)


@pytest.mark.parametrize("fmt", [xlam, hermes], ids=["xlam", "hermes"])
def test_several_calls_round_trip(fmt, tasks):
    for task in tasks:
        calls = _gold_calls(task) * 2
        parsed = fmt.parse(fmt.write(calls=calls))
        assert [(c.name, c.arguments) for c in parsed.calls] == [
            (c.name, c.arguments) for c in calls
        ]


def test_react_writes_one_action_per_response():
    with pytest.raises(ValueError, match="one action"):
        react.write(calls=[ToolCall("a", {}), ToolCall("b", {})])


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
@pytest.mark.parametrize(
    ("arguments", "error_type"),
    [
        ('{"city": "Austin"}', None),
        ("[1, 2]", "args_not_object"),
        ([1, 2], "args_not_object"),
        ("Austin", "unparseable"),
        ("{city: Austin", "unparseable"),
        (None, "args_not_object"),
    ],
)
def test_arguments_pass_through_to_the_verifier(fmt, arguments, error_type):
    parsed = fmt.parse(fmt.write(calls=[ToolCall("search_homes", arguments)]))
    assert parsed.error is None
    assert [(c.name, c.arguments) for c in parsed.calls] == [("search_homes", arguments)]
    verdict = Verifier({"search_homes": {"type": "object"}}).verify(parsed.calls[0])
    assert verdict.error_type == error_type


# -- malformed and edge responses ---------------------------------------------------------

# (response, expected): an error substring, or a Parsed-like dict of calls/answer/thought.
XLAM_CASES: list[tuple[Any, Any]] = [
    ("", {"answer": ""}),
    ("  \n\t", {"answer": ""}),
    ("{not json", "invalid JSON"),
    ("hello", "invalid JSON"),
    ("[]", "must be a JSON object, got array"),
    ('"hi"', "must be a JSON object, got string"),
    ('Sure! {"tool_calls": []}', "unexpected text before the JSON object"),
    ('{"tool_calls": [], "final_answer": "x"} hope this helps', "unexpected text after"),
    ('```json\n{"tool_calls": [], "final_answer": "x"}\n``` ok', "unexpected text"),
    ('{"thought": "the answer is 4", "tool_calls": []}', 'no tool calls and no "final_answer"'),
    ("{}", 'no tool calls and no "final_answer"'),
    ('{"tool_calls": [{"arguments": {}}]}', 'tool_calls[0] lacks a "name"'),
    ('{"tool_calls": [{"name": ""}]}', 'lacks a "name"'),
    ('{"tool_calls": [{"name": 3, "arguments": {}}]}', 'lacks a "name"'),
    ('{"tool_calls": ["search_homes"]}', "tool_calls[0] must be an object"),
    ('{"tool_calls": {"name": "a", "arguments": {}}}', '"tool_calls" must be an array'),
    ('{"tool_calls": [{"name": "a", "args": {}}]}', 'unexpected key "args"'),
    ('{"tool_calls": [{"name": "a"}], "final_answer": "x"}', "not both"),
    ('{"tool_calls": [], "final_answer": 4}', '"final_answer" must be a string'),
    ('{"thought": ["x"], "tool_calls": []}', '"thought" must be a string'),
    ('{"answer": "x"}', 'unexpected key "answer"'),
    ({"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]}, "native tool_calls"),
    (42, "must be text"),
    (
        '```json\n{"tool_calls": [{"name": "a", "arguments": {"x": 1}}]}\n```',
        {"calls": [("a", {"x": 1})]},
    ),
    (
        '\n  {"thought": "", "tool_calls": [], "final_answer": "done"}  \n',
        {"answer": "done"},
    ),
    (
        '{"thought": "looked it up", "tool_calls": null, "final_answer": "done"}',
        {"answer": "done", "thought": "looked it up"},
    ),
    ('{"tool_calls": [], "final_answer": ""}', {"answer": ""}),
    ('{"tool_calls": [{"name": "a"}]}', {"calls": [("a", {})]}),
    ('{"tool_calls": [{"name": "a", "arguments": [1]}]}', {"calls": [("a", [1])]}),
    (
        '{"tool_calls": [{"name": "a", "arguments": "{\\"x\\": 1}"}]}',
        {"calls": [("a", '{"x": 1}')]},
    ),
    (
        '{"thought": "two", "tool_calls": [{"name": "a", "arguments": {}}, '
        '{"name": "b", "arguments": {"y": 2}}]}',
        {"calls": [("a", {}), ("b", {"y": 2})], "thought": "two"},
    ),
    (
        {"role": "assistant", "content": '{"tool_calls": [], "final_answer": "ok"}'},
        {"answer": "ok"},
    ),
]

HERMES_CASES: list[tuple[Any, Any]] = [
    ("", {"answer": ""}),
    (" \n ", {"answer": ""}),
    ('<tool_call>\n{"name": "a", "arguments": {}}', "unclosed <tool_call> tag"),
    ('{"name": "a", "arguments": {}}\n</tool_call>', "stray </tool_call> tag"),
    (
        '<tool_call>{"name": "a", "arguments": {}}</tool_call>\n<tool_call>{"name": "b"',
        "unclosed <tool_call> tag",
    ),
    ("<tool_call>{name: a}</tool_call>", "block 1 is not valid JSON"),
    ('<tool_call>{"name": "a", "arguments": {}}</tool_call><tool_call>{"x"</tool_call>', "block 2"),
    ('<tool_call>["a"]</tool_call>', "must hold a JSON object, got array"),
    ("<tool_call>  \n </tool_call>", "block 1 is empty"),
    ('<tool_call>{"arguments": {"x": 1}}</tool_call>', 'lacks a "name"'),
    ('<tool_call>{"name": "a", "parameters": {}}</tool_call>', 'unexpected key "parameters"'),
    ({"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]}, "native tool_calls"),
    (None, "must be text"),
    ("The cheapest home is h-103.", {"answer": "The cheapest home is h-103."}),
    ("  spaced answer \n", {"answer": "  spaced answer \n"}),
    (
        'Let me search.\n<tool_call>\n{"name": "a", "arguments": {"x": 1}}\n</tool_call>\n',
        {"calls": [("a", {"x": 1})], "thought": "Let me search."},
    ),
    (
        '<tool_call>{"name": "a", "arguments": {}}</tool_call>'
        '<tool_call>\n{"name": "b", "arguments": {"y": [1, 2]}}\n</tool_call>',
        {"calls": [("a", {}), ("b", {"y": [1, 2]})]},
    ),
    ('<tool_call>{"name": "a"}</tool_call>', {"calls": [("a", {})]}),
    ('<tool_call>{"name": "a", "arguments": 5}</tool_call>', {"calls": [("a", 5)]}),
    (
        '<tool_call>{"name": "a", "arguments": "{\\"x\\": 1}"}</tool_call>',
        {"calls": [("a", '{"x": 1}')]},
    ),
    ({"role": "assistant", "content": "All done."}, {"answer": "All done."}),
]

REACT_CASES: list[tuple[Any, Any]] = [
    ("", {"answer": ""}),
    ("\n\n", {"answer": ""}),
    ("Thought: I know it.\nThe answer is 4.", "missing 'Action:' line"),
    ('Thought: x\nAction Input: {"a": 1}', "missing 'Action:' line"),
    ("Thought: x\nAction: search_homes", "missing 'Action Input:' line"),
    ("Thought: x\nAction:\nAction Input: {}", "no tool name"),
    ("Action: a\nAction Input: {city: Austin}", "Action Input is not valid JSON"),
    ('Action: a\nAction Input: {\n  "x": 1,\n', "Action Input is not valid JSON"),
    (
        'Action: a\nAction Input: {"x": 1}\nObservation: []',
        "unexpected text after the Action Input",
    ),
    ("Action: a\nAction Input: {}\nAction: b\nAction Input: {}", "2 'Action:' lines"),
    ("Action: a\nthen\nAction Input: {}", "unexpected text between"),
    ("Action Input: {}\nAction: a\nAction Input: {}", "more than one 'Action Input:'"),
    ('Action: Finish\nAction Input: {"return_type": "give_answer"}', 'needs a "final_answer"'),
    ('Action: Finish\nAction Input: {"return_type": "done"}', "return_type must be one of"),
    ('Action: Finish\nAction Input: "done"', "Finish needs an object"),
    ("Action: Finish\nAction Input: [1]", "Finish needs an object"),
    ({"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]}, "native tool_calls"),
    (3.5, "must be text"),
    (
        'Thought: search first\nAction: a\nAction Input: {\n  "x": 1,\n  "y": [1, 2]\n}\n',
        {"calls": [("a", {"x": 1, "y": [1, 2]})], "thought": "search first"},
    ),
    (
        '  Thought :  spaced out  \n  Action :   a   \n  Action Input :   {"x": 1}  \n\n',
        {"calls": [("a", {"x": 1})], "thought": "spaced out"},
    ),
    (
        "Thought: several\nlines of\nthought\nAction: a\nAction Input: {}",
        {"calls": [("a", {})], "thought": "several\nlines of\nthought"},
    ),
    ("Action: a\nAction Input:", {"calls": [("a", {})]}),
    ('Action: a\nAction Input: ```json\n{"x": 1}\n```', {"calls": [("a", {"x": 1})]}),
    ("Action: a\nAction Input: [1]", {"calls": [("a", [1])]}),
    ('Action: a\nAction Input: "{\\"x\\": 1}"', {"calls": [("a", '{"x": 1}')]}),
    (
        'Thought: done\nAction: Finish\nAction Input: {"return_type": "give_answer", '
        '"final_answer": "h-103"}',
        {"answer": "h-103", "thought": "done"},
    ),
    (
        'Action: Finish\nAction Input: {\n  "return_type": "give_answer",\n'
        '  "final_answer": "two\\nlines"\n}',
        {"answer": "two\nlines"},
    ),
    (
        "Thought: cannot do it\nAction: Finish\nAction Input: "
        '{"return_type": "give_up_and_restart"}',
        {"answer": "", "thought": "cannot do it"},
    ),
    (
        'Action: Finish\nAction Input: "{\\"return_type\\": \\"give_answer\\", '
        '\\"final_answer\\": \\"ok\\"}"',
        {"answer": "ok"},
    ),
]


def _cases(fmt, cases):
    return [
        pytest.param(fmt, response, expected, id=f"{fmt.name}-{i}")
        for i, (response, expected) in enumerate(cases)
    ]


@pytest.mark.parametrize(
    ("fmt", "response", "expected"),
    _cases(xlam, XLAM_CASES) + _cases(hermes, HERMES_CASES) + _cases(react, REACT_CASES),
)
def test_parse_table(fmt, response, expected):
    parsed = fmt.parse(response)
    if isinstance(expected, str):
        assert parsed.error is not None, parsed
        assert expected in parsed.error
        assert parsed.calls == [] and parsed.answer is None
        return
    assert parsed.error is None, parsed.error
    assert [(c.name, c.arguments) for c in parsed.calls] == expected.get("calls", [])
    assert parsed.answer == expected.get("answer")
    assert parsed.thought == expected.get("thought")


# -- rendering ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
def test_render_offers_the_command_and_every_tool(fmt, tasks):
    for task in tasks:
        rendered = fmt.render(task, [])
        assert rendered.tools is None
        assert rendered.messages[0]["role"] == "system"
        text = _contents(rendered)
        assert task.user_command in text, task.id
        for tool in task.tools:
            assert tool["function"]["name"] in text, (task.id, tool["function"]["name"])
        assert fmt.render(task, []) == rendered


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
def test_the_prompt_built_once_per_task_is_the_prompt_built_afresh(fmt, tasks):
    """The tools' part of a prompt is built once per task object: the same text as a fresh
    build (a copy of the task is another object), and a task changed (a copy: tasks are
    frozen) gets its own."""
    for task in tasks[:: max(1, len(tasks) // 6)]:
        once, again = fmt.render(task, []), fmt.render(task, [])
        assert once == again == fmt.render(task.model_copy(deep=True), [])
        changed = task.model_copy(
            update={"system_prompt": "You book flights.", "user_command": "Book one."}
        )
        text = _contents(fmt.render(changed, []))
        assert "You book flights." in text and "Book one." in text
        assert _contents(fmt.render(task, [])) == _contents(once)


def _observation_shown(text: str, observation: str) -> bool:
    escaped = json.dumps(observation, ensure_ascii=False)[1:-1]
    return observation in text or escaped in text


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
def test_render_shows_the_history(fmt, tasks):
    for task in tasks[:: max(1, len(tasks) // 6)]:
        episode = Episode(task, fmt, faults=False)
        call = _gold_calls(task)[0]
        result = episode.step(fmt.write(calls=[call], thought="first step"))
        observation = episode.steps[-1].calls[0].observation
        text = _contents(result.observation)
        assert _observation_shown(text, observation), task.id
        assert "first step" in text
        assert call.name in text


def test_xlam_history_block_is_json(tasks):
    task = tasks[0]
    episode = Episode(task, xlam, faults=False)
    calls = _gold_calls(task)
    episode.step(xlam.write(calls=calls[:1], thought="look"))
    episode.step("not json")
    prompt = episode.observe().messages[1]["content"]
    for block in (
        "TASK INSTRUCTION",
        "AVAILABLE TOOLS",
        "FORMAT INSTRUCTION",
        "QUERY",
        "HISTORY STEPS",
    ):
        assert f"[BEGIN OF {block}]\n" in prompt and f"\n[END OF {block}]" in prompt
    history = re.search(r"\[BEGIN OF HISTORY STEPS\]\n(.*)\n\[END OF HISTORY STEPS\]", prompt)
    assert history
    steps = json.loads(history[1])
    first, second = steps
    assert first["step_id"] == 1 and first["thought"] == "look"
    assert first["tool_calls"] == [{"name": calls[0].name, "arguments": calls[0].arguments}]
    assert first["next_observation"] == episode.steps[0].calls[0].observation
    assert second["step_id"] == 2 and second["thought"] == "not json"
    assert second["tool_calls"] == []
    assert second["next_observation"].startswith("error: could not parse your response")
    tools = re.search(r"\[BEGIN OF AVAILABLE TOOLS\]\n(.*)\n\[END OF AVAILABLE TOOLS\]", prompt)
    assert tools
    offered = json.loads(tools[1])
    assert [t["name"] for t in offered] == [t["function"]["name"] for t in task.tools]
    for tool, spec in zip(offered, task.tools, strict=True):
        params = spec["function"]["parameters"]
        assert set(tool["parameters"]) == set(params.get("properties", {}))
        required = {p for p, s in tool["parameters"].items() if s.get("required") is True}
        assert required == set(params.get("required", []))


def test_xlam_history_block_is_the_steps_dumped_whole(tasks):
    """Each step's JSON text is kept by its exchange and position: the block is still what
    dumping the whole list gives, with the steps numbered where they stand."""
    task = tasks[0]
    episode = Episode(task, xlam, faults=False)
    for response in (xlam.write(calls=_gold_calls(task)[:1], thought="é"), "not json", "[]"):
        if not episode.done:
            episode.step(response)
    large = Exchange("x" * 20_000, Parsed(answer="x"), ["y" * 20_000])  # shown, not kept
    for history in (episode.history, episode.history[::-1], episode.history * 2, [large]):
        prompt = xlam.render(task, history).messages[1]["content"]
        whole = json.dumps([xlam._step(i, ex) for i, ex in enumerate(history)], ensure_ascii=False)
        assert f"[BEGIN OF HISTORY STEPS]\n{whole}\n[END OF HISTORY STEPS]" in prompt
    assert xlam._STEP_TEXTS.get(large, 0) is None


def test_xlam_format_instruction_examples_parse():
    examples = re.findall(r"```\n(.*?)\n```", xlam.FORMAT_INSTRUCTION, re.DOTALL)
    assert len(examples) == 2
    call, answer = (xlam.parse(e) for e in examples)
    assert [c.name for c in call.calls] == ["api_name1"]
    assert answer.answer == "the answer to the query"


def test_hermes_history_messages(tasks):
    task = tasks[0]
    episode = Episode(task, hermes, faults=False)
    calls = _gold_calls(task)
    written = hermes.write(calls=calls[:1])
    episode.step(written)
    episode.step("<tool_call>oops")
    messages = episode.observe().messages
    assert [m["role"] for m in messages] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    assert "<tools>\n" in messages[0]["content"] and "\n</tools>" in messages[0]["content"]
    tool_lines = messages[0]["content"].split("<tools>\n")[1].split("\n</tools>")[0].splitlines()
    assert [json.loads(line) for line in tool_lines] == task.tools
    assert messages[2]["content"] == written
    assert messages[3]["content"] == episode.steps[0].calls[0].observation
    assert "unclosed <tool_call> tag" in messages[5]["content"]


def test_react_history_messages(tasks):
    task = tasks[0]
    episode = Episode(task, react, faults=False)
    calls = _gold_calls(task)
    written = react.write(calls=calls[:1], thought="search")
    episode.step(written)
    episode.step("I will just answer.")
    messages = episode.observe().messages
    assert [m["role"] for m in messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert messages[1]["content"].endswith("\nBegin!")
    assert '"name": "Finish"' in messages[0]["content"]
    assert messages[2]["content"] == written
    assert messages[3]["content"] == "Observation: " + episode.steps[0].calls[0].observation
    assert messages[5]["content"].startswith("Observation: error: could not parse")


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
def test_render_of_a_handmade_error_exchange(fmt, tasks):
    bad = Exchange("???", Parsed(error="nope"), ["error: could not parse your response: nope"])
    text = _contents(fmt.render(tasks[0], [bad]))
    assert "could not parse your response: nope" in text


# -- full episodes ------------------------------------------------------------------------


def _say_gold_messages(task, fmt, episode: Episode, before: int) -> None:
    """A multi-turn task's gold messages to the user due before gold call ``before``."""
    for message in task.final.gold_messages:
        if message.before == before:
            episode.step(fmt.write(answer=message.text))
            assert not episode.done, f"{task.id}: the user stopped at a gold message"


def _run_gold(task, fmt) -> Episode:
    episode = Episode(task, fmt)
    for i, call in enumerate(_gold_calls(task)):
        _say_gold_messages(task, fmt, episode, i)
        while not episode.done:
            episode.step(fmt.write(calls=[call], thought=f"calling {call.name}"))
            record = episode.steps[-1].calls[-1]
            assert record.verified, (task.id, record.observation)
            if not (record.error_type or "").startswith("fault:"):
                break
    if (episode.ended_by or "").startswith("terminal:"):
        return episode  # the gold ends with a terminal tool: nothing more to say
    _say_gold_messages(task, fmt, episode, len(task.final.gold_actions))
    assert not episode.done, f"{task.id}: out of turns before the answer"
    episode.step(fmt.write(answer=task.final.gold_answer))
    return episode


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
def test_gold_episodes_score_one(fmt, tasks):
    for task in tasks:
        episode = _run_gold(task, fmt)
        assert episode.done
        assert episode.final is not None
        assert episode.final.score == 1, (task.id, episode.final.explain())
        assert (episode.answer or None) == task.final.gold_answer  # no gold answer: none or empty
        assert all(score == 1 for score in episode.action_scores), (task.id, episode.action_scores)
        assert episode.record()["format"] == fmt.name


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
# An empty response ("", {"content": None}) is an empty final answer instead: see
# tests/e2e/test_episode_semantics.py.
@pytest.mark.parametrize("response", [None, 42, ["not", "a", "message"]])
def test_unparseable_step_scores_zero_and_the_episode_goes_on(fmt, tasks, response):
    episode = Episode(tasks[0], fmt)
    result = episode.step(response)
    assert result.score == 0 and not result.done
    assert episode.steps[-1].error_types == ["unparseable"]
    assert "could not parse your response" in _contents(result.observation)


def test_xlam_tools_flag_required_parameters(tasks):
    nested = {
        "type": "object",
        "properties": {"street": {"type": "string"}},
        "required": ["street"],
    }
    tool = {
        "type": "function",
        "function": {
            "name": "ship",
            "description": "Ship a parcel.",
            "parameters": {
                "type": "object",
                "properties": {"to": nested, "weight": {"type": "number"}, "note": {}},
                "required": ["to", "weight"],
            },
        },
    }
    task = tasks[0].model_copy(update={"tools": [tool]})
    prompt = xlam.render(task, []).messages[1]["content"]
    block = re.search(r"\[BEGIN OF AVAILABLE TOOLS\]\n(.*)\n\[END OF AVAILABLE TOOLS\]", prompt)
    assert block
    assert json.loads(block[1]) == [
        {
            "name": "ship",
            "description": "Ship a parcel.",
            "parameters": {
                "to": nested,
                "weight": {"type": "number", "required": True},
                "note": {},
            },
        }
    ]


@pytest.mark.parametrize("fmt", FORMATS, ids=FMT_IDS)
def test_replay_agent_and_mutations_through_the_format(fmt, tasks):
    from taskkit.agents import MutantAgent, NoopAgent, ReplayAgent
    from taskkit.agents.mutant import applicable, caught_by
    from taskkit.runs.episodes import run_episode

    one_per_task = {(t.pack, t.task): t for t in tasks}.values()
    for task in one_per_task:
        replay = run_episode(task, ReplayAgent(), fmt)
        assert replay.final is not None and replay.final.score == 1, task.id
        noop = run_episode(task, NoopAgent(), fmt)
        if noop.final is not None and noop.final.score == 1:
            continue  # a declared no-op exception (testing.allow): doing less goes unseen
        first = task.final.gold_actions[0]
        for mutation in applicable(task, ToolCall(first.tool, dict(first.args))):
            if mutation == "wrong_value":  # a content question, not a format one
                continue
            episode = run_episode(task, MutantAgent(force=mutation), fmt, faults=False)
            assert episode.final is not None
            errors = {f.type for s in episode.steps for f in s.findings}
            errors |= {f.type for f in episode.final.findings}
            assert errors & caught_by(mutation), (task.id, mutation, errors)
