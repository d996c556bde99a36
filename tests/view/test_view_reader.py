"""The viewer's one reader: both record shapes, and every kind of bad input as one
diagnostic."""

from __future__ import annotations

import json

import pytest
from view_records import record, write

from taskkit.rule_ids import JSONL_SYNTAX
from taskkit.view import ViewInputError, episode_key, read_run, read_runs


def test_reads_run_records_and_drops_final_state(tmp_path):
    run = read_run(write(tmp_path / "a.jsonl", [record(agent="mutant"), record("p/t@1#e-2", 0)]))
    assert run.kind == "run"
    assert [episode_key(r) for r in run.records] == ["p/t@1#e-1", "p/t@1#e-2"]
    assert all("final_state" not in r for r in run.records)
    assert run.settings == {"agent": "mutant", "format": "openai", "seed": 0}
    assert run.warnings == []


def test_recorded_settings_and_repeats_are_read(tmp_path):
    settings = {"model": "m-1", "agent": "openai", "seed": 3, "taskkit_version": "0.1.0"}
    records = [record(settings=settings, repeat=i) for i in range(3)]
    run = read_run(write(tmp_path / "a.jsonl", records))
    assert run.settings == settings
    joined = [record(settings={**settings, "seed": i}) for i in range(2)]
    assert read_run(write(tmp_path / "b.jsonl", joined)).settings["seed"] == "varies (2)"
    assert [episode_key(r) for r in run.records] == ["p/t@1#e-1", "p/t@1#e-1~1", "p/t@1#e-1~2"]


def test_generate_folder(tmp_path):
    explored = record()
    explored["steps"] = [
        {"index": 0, "chosen": 1, "samples": [{"index": 0, "passed": False, "step": {}}]}
    ]
    folder = tmp_path / "gen"
    folder.mkdir()
    write(folder / "trajectories.jsonl", [explored])
    config = {"explore": {"samples": 7, "seed": 5, "format": "react", "t_min": 0, "t_max": 1}}
    (folder / "run.json").write_text(json.dumps({"config": {**config, "agent": "mutant"}}))
    run = read_run(folder)
    assert run.kind == "generate"
    assert run.settings["samples"] == 7 and run.settings["format"] == "react"


def test_torn_last_line_is_a_warning(tmp_path):
    path = write(tmp_path / "a.jsonl", [record(), record("p/t@1#e-2")], tail='{"task_id": "p/t')
    run = read_run(path)
    assert len(run.records) == 2
    assert run.warnings and "a.jsonl:3: the last line is cut off" in run.warnings[0]


@pytest.mark.parametrize(
    ("content", "rule", "line", "words"),
    [
        ("", "view-empty", 1, "holds no complete trajectory record"),
        ('{"task_id": "x"', "view-empty", 1, "holds no complete trajectory record"),
        ("not json at all\n", JSONL_SYNTAX, 1, "line 1 is not valid JSON"),
        (json.dumps(record()) + "\n{oops\n", JSONL_SYNTAX, 2, "line 2 is not valid JSON"),
        ('{"id": "x", "gold_actions": [], "initial_state": {}}\n', "view-input", 1, "compiled"),
        ('{"messages": [], "tools": []}\n', "view-input", 1, "SFT data file"),
        ('{"name": "x"}\n', "view-input", 1, "not a taskkit trajectory record"),
        ("[1, 2]\n", "view-input", 1, "is a JSON list"),
        ("a,b,c\n1,2,3\n", JSONL_SYNTAX, 1, "not valid JSON"),
    ],
)
def test_bad_input_is_one_diagnostic(tmp_path, content, rule, line, words):
    path = tmp_path / "x.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ViewInputError) as caught:
        read_run(path)
    d = caught.value.diagnostic
    assert (d.rule, d.line) == (rule, line)
    assert words in d.message
    assert d.path.endswith("x.jsonl")


def test_missing_path_and_folder_without_trajectories(tmp_path):
    with pytest.raises(ViewInputError, match="does not exist"):
        read_run(tmp_path / "nope.jsonl")
    with pytest.raises(ViewInputError, match=r"has no trajectories\.jsonl"):
        read_run(tmp_path)


def test_runs_with_one_name_are_told_apart(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    a = write(tmp_path / "x" / "t.jsonl", [record()])
    b = write(tmp_path / "y" / "t.jsonl", [record()])
    names = [r.name for r in read_runs([str(a), str(b)])]
    assert names[0] != names[1]


def test_an_episode_that_failed_to_run_may_have_no_steps(tmp_path):
    failed = {k: v for k, v in record("p/t@1#e-2", 0).items() if k != "steps"}
    failed["failed"] = {"reason": "server_error", "message": "502 from the model server"}
    run = read_run(write(tmp_path / "a.jsonl", [record(), failed]))
    assert [episode_key(r) for r in run.records] == ["p/t@1#e-1", "p/t@1#e-2"]
