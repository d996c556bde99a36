"""Training rows in every response format, on a slice of the bundled library with the
offline mutant agent: a rejected sample the format parsed as tool calls is a tool call in
the DPO row whatever the verifier said of it, and only a response that is not a tool call
is text, as the model wrote it; ``--arguments string`` writes JSON-string arguments."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from taskkit.agents import MutantAgent
from taskkit.cli.main import cli
from taskkit.datagen import ExploreConfig, GenerateConfig, generate
from taskkit.datagen.export import dpo_lines, dpo_rows
from taskkit.datagen.messages import call_arguments, response_text
from taskkit.io import jsonlines
from taskkit.sim.formats import FORMATS, get_format


def rows(path: Path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def one_per_task(compiled):
    """One instance of every abstract task: every task shape, a fiftieth of the episodes."""
    seen, tasks = set(), []
    for t in compiled:
        if (t.pack, t.task) not in seen:
            seen.add((t.pack, t.task))
            tasks.append(t)
    return tasks


@pytest.fixture(scope="module", params=sorted(FORMATS))
def generated(request, compiled_library, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"rows-{request.param}")
    config = GenerateConfig(explore=ExploreConfig(samples=7, seed=3, format=request.param))
    generate(one_per_task(compiled_library), MutantAgent(), out, config)
    return request.param, out


def rejected_samples(out: Path):
    """Each DPO row with the trajectory sample it rejects."""
    steps = {r["task_id"]: r["steps"] for r in rows(out / "trajectories.jsonl")}
    for row in rows(out / "dpo.jsonl"):
        [sample] = [
            s
            for s in steps[row["task_id"]][row["step"]]["samples"]
            if not s["passed"] and s["temperature"] == row["rejected_temperature"]
        ]
        yield row, sample


def test_rejected_tool_calls_stay_tool_calls_in_every_format(generated):
    fmt, out = generated
    kinds: Counter[str] = Counter()
    as_text = 0
    for row, sample in rejected_samples(out):
        [message] = row["rejected"]
        raw = sample["step"]["response"]
        calls = sample["step"]["calls"]
        # trajectories.jsonl keeps the raw response, which is what the format parsed
        assert get_format(fmt).parse(raw).calls or not calls
        if calls:
            kinds.update(e["type"] for e in sample["step"]["errors"])
            if "tool_calls" not in message:
                as_text += 1
                continue
            assert [c["function"]["name"] for c in message["tool_calls"]] == [
                c["name"] for c in calls
            ]
            assert [c["function"]["arguments"] for c in message["tool_calls"]] == [
                call_arguments(c["arguments"]) for c in calls
            ]
        else:
            kinds["not a call"] += 1
            assert "tool_calls" not in message
            expected = sample["step"]["answer"]
            assert message["content"] == (expected if expected is not None else response_text(raw))
    assert as_text == 0
    # the slice holds every kind of bad call, so the check above is not vacuous
    assert {
        "unknown_tool",
        "unexpected_parameter",
        "type_error",
        "missing_required",
        "args_not_object",
        "unparseable",
        "not a call",
    } <= set(kinds), kinds


def test_sft_rows_hold_object_arguments_and_a_tool_reply_per_call(generated):
    _, out = generated
    sft = rows(out / "sft.jsonl")
    assert sft
    for row in sft:
        messages = row["messages"]
        for i, m in enumerate(messages):
            for c in m.get("tool_calls") or []:
                assert isinstance(c["function"]["arguments"], dict)
            if m.get("tool_calls"):
                replies = messages[i + 1 : i + 1 + len(m["tool_calls"])]
                assert [r["role"] for r in replies] == ["tool"] * len(m["tool_calls"])


@pytest.mark.parametrize("mode", ["object", "string"])
def test_dpo_lines_are_the_rows_byte_for_byte(generated, mode):
    _, out = generated
    for record in rows(out / "trajectories.jsonl"):
        assert dpo_lines(record, mode) == [jsonlines.line(r) for r in dpo_rows(record, mode)]


def cli_generate(out: Path, *extra: str):
    return CliRunner().invoke(
        cli,
        [
            "generate",
            str(REPO / "task_library" / "home"),
            str(REPO / "content_datasets" / "home"),
            "-o",
            str(out),
            "-k",
            "4",
            *extra,
        ],
        catch_exceptions=False,
    )


def all_tool_calls(out: Path):
    for row in rows(out / "sft.jsonl"):
        for m in row["messages"]:
            yield from m.get("tool_calls") or []
    for row in rows(out / "dpo.jsonl"):
        for m in row["prompt"] + row["chosen"] + row["rejected"]:
            yield from m.get("tool_calls") or []


def test_cli_arguments_string_writes_json_strings(tmp_path):
    out = tmp_path / "g"
    result = cli_generate(out, "--arguments", "string")
    assert result.exit_code == 0, result.output
    calls = list(all_tool_calls(out))
    assert calls and all(isinstance(c["function"]["arguments"], str) for c in calls)
    for row in rows(out / "sft.jsonl"):  # passing calls: strings holding JSON objects
        for m in row["messages"]:
            for c in m.get("tool_calls") or []:
                assert isinstance(json.loads(c["function"]["arguments"]), dict)
    assert json.loads((out / "run.json").read_text())["config"]["explore"]["arguments"] == "string"
    # the default writes objects; a resume with the other choice would mix both: refused
    again = cli_generate(out, "--arguments", "object")
    assert again.exit_code == 2 and "other settings" in again.output


def test_cli_default_arguments_are_objects_and_bad_choice_is_refused(tmp_path):
    out = tmp_path / "g"
    assert cli_generate(out).exit_code == 0
    calls = list(all_tool_calls(out))
    assert calls and any(isinstance(c["function"]["arguments"], dict) for c in calls)
    bad = cli_generate(tmp_path / "h", "--arguments", "yaml")
    assert bad.exit_code == 2 and "'yaml' is not one of 'object', 'string'" in bad.output


def test_a_run_recorded_before_the_option_existed_resumes(tmp_path):
    out = tmp_path / "g"
    assert cli_generate(out).exit_code == 0
    run = json.loads((out / "run.json").read_text())
    del run["config"]["explore"]["arguments"]  # what an older taskkit wrote
    (out / "run.json").write_text(json.dumps(run))
    before = (out / "trajectories.jsonl").read_text()
    again = cli_generate(out)
    assert again.exit_code == 0, again.output
    assert (out / "trajectories.jsonl").read_text() == before
