"""The records `run` and `generate` write are what their published schemas say, key for key:
every line of a run's trajectories, of a generate folder's trajectories, and what the reports
count of each, on a slice of the bundled library that holds a conversation with a simulated
user and an airline task. The schemas are closed, so a writer that adds a key fails here until
the key is declared in taskkit/models/records.py."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.compiler import write_compiled
from taskkit.runs.pass_rates import summary_of
from tests.conftest import REPO


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((REPO / "schemas" / name).read_text()))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def tasks_file(compiled_library, tmp_path_factory):
    """One instance of every abstract task of the starter packs with a user block, and the
    first instances of the other starter tasks and of the airline port."""
    seen: set[str] = set()
    chosen = []
    for task in compiled_library:
        key = f"{task.pack}/{task.task}"
        if key in seen:
            continue
        seen.add(key)
        if task.user is not None or len(chosen) < 12 or task.pack == "airline":
            chosen.append(task)
        if sum(t.pack == "airline" for t in chosen) == 2:
            break
    assert any(t.user is not None for t in chosen)
    assert any(t.pack == "airline" for t in chosen)
    path = tmp_path_factory.mktemp("slice") / "tasks.jsonl"
    write_compiled(chosen, path)
    return path


def invoke(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def run_records(tasks_file, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("run") / "run.jsonl"
    invoke("run", str(tasks_file), "--agent", "mutant", "--repeats", "2", "-o", str(out))
    return lines(out)


@pytest.fixture(scope="module")
def explored_records(tasks_file, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("gen")
    invoke("generate", str(tasks_file), "--agent", "mutant", "-k", "3", "-o", str(out))
    return lines(out / "trajectories.jsonl")


def test_every_line_of_a_run_is_a_trajectory_record(run_records):
    check = validator("trajectory.schema.json")
    for record in run_records:
        check.validate(record)
    steps = [s for r in run_records for s in r["steps"]]
    assert any("user" in s for s in steps), "the slice's conversations reached the user"
    assert any(c["findings"] for s in steps for c in s["calls"]), "some call was faulted"


def test_every_line_of_a_generate_folder_is_an_explored_record(explored_records):
    check = validator("explored.schema.json")
    for record in explored_records:
        check.validate(record)
    samples = [s for r in explored_records for st in r["steps"] for s in st["samples"]]
    assert any("user" in s["step"] for s in samples)
    assert any(s["final"] is not None for s in samples)


def test_what_a_report_counts_of_each_episode_is_an_episode_summary(run_records, explored_records):
    check = validator("episode-summary.schema.json")
    for record in run_records + explored_records:
        summary = summary_of(record)
        check.validate(summary)
        assert summary["settings"] == record["settings"]


def test_a_failed_episode_is_a_record_of_its_kind(run_records):
    failed = {
        **{k: run_records[0][k] for k in ("task_id", "pack", "category", "task", "format")},
        "repeat": 0,
        "run_seed": 0,
        "failed": {"kind": "agent", "reason": "RuntimeError: boom"},
        "action_scores": [],
        "task_score": 0,
        "passed": False,
    }
    validator("trajectory.schema.json").validate(failed)


@pytest.mark.parametrize(
    ("schema", "where"),
    [
        ("trajectory.schema.json", lambda r: r),
        ("trajectory.schema.json", lambda r: r["steps"][0]),
        ("trajectory.schema.json", lambda r: r["steps"][0]["calls"][0]),
        ("trajectory.schema.json", lambda r: r["settings"]),
    ],
)
def test_a_key_no_schema_declares_is_refused(run_records, schema, where):
    record = json.loads(json.dumps(next(r for r in run_records if r["steps"][0]["calls"])))
    where(record)["undeclared"] = 1
    with pytest.raises(jsonschema.ValidationError, match="undeclared"):
        validator(schema).validate(record)
