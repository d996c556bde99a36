"""Self-exploration on the bundled library with the offline mutant agent: the exports are
what TRL reads, SFT holds only passing episodes, and every DPO pair is a passing over a
failing response to one prompt."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from taskkit.agents import MutantAgent
from taskkit.cli.main import cli
from taskkit.datagen import ExploreConfig, GenerateConfig, generate
from tests.conftest import REPO


def validator(name):
    return jsonschema.Draft202012Validator(json.loads((REPO / "schemas" / name).read_text()))


def rows(path: Path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def generated(compiled_library, tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    # one instance per abstract task keeps this fast while covering every task shape
    seen, tasks = set(), []
    for t in compiled_library:
        if t.task not in seen:
            seen.add(t.task)
            tasks.append(t)
    report = generate(
        tasks, MutantAgent(), out, GenerateConfig(explore=ExploreConfig(samples=5, seed=1))
    )
    return out, tasks, report


def test_sft_rows_are_passing_episodes_in_trl_shape(generated):
    out, _, report = generated
    trajectories = {r["task_id"]: r for r in rows(out / "trajectories.jsonl")}
    sft = rows(out / "sft.jsonl")
    check = validator("sft-row.schema.json")
    assert 0 < len(sft) == report["counts"]["sft_rows"]
    for row in sft:
        check.validate(row)
        record = trajectories[row["task_id"]]
        assert record["passed"] and record["final"]["score"] == 1
        roles = [m["role"] for m in row["messages"]]
        assert roles[:2] == ["system", "user"]
        # an episode ends with the answer, or with a terminal tool's observation
        ended_by_terminal = (record.get("ended_by") or "").startswith("terminal:")
        assert roles[-1] == ("tool" if ended_by_terminal else "assistant"), record.get("ended_by")
        calls = [c for m in row["messages"] for c in m.get("tool_calls") or []]
        assert all(isinstance(c["function"]["arguments"], dict) for c in calls)
    failed = [r for r in trajectories.values() if not r["passed"]]
    assert not {r["task_id"] for r in failed} & {row["task_id"] for row in sft}


def test_dpo_pairs_are_passing_over_failing_at_one_prompt(generated):
    out, _, _ = generated
    trajectories = {r["task_id"]: r for r in rows(out / "trajectories.jsonl")}
    dpo = rows(out / "dpo.jsonl")
    check = validator("dpo-row.schema.json")
    assert dpo
    for row in dpo:
        check.validate(row)
        step = trajectories[row["task_id"]]["steps"][row["step"]]
        by_message = {json.dumps(s_msg(s), sort_keys=True): s for s in step["samples"]}
        chosen = by_message[json.dumps(row["chosen"][0], sort_keys=True)]
        rejected = by_message[json.dumps(row["rejected"][0], sort_keys=True)]
        assert chosen["passed"] and not rejected["passed"]
        assert row["rejected_error_types"]
        assert row["chosen"] != row["rejected"]


def s_msg(sample):
    from taskkit.datagen.messages import assistant_message

    return assistant_message(sample["step"])


def test_no_valid_alternative_is_ever_rejected(generated):
    out, _, _ = generated
    for record in rows(out / "trajectories.jsonl"):
        for step in record["steps"]:
            for s in step["samples"]:
                failed_evaluator = s["step"]["score"] == 0 or (
                    s["final"] and s["final"]["score"] == 0
                )
                assert s["passed"] == (not failed_evaluator)


def test_report_can_be_rebuilt_from_trajectories(generated):
    out, _, report = generated
    result = CliRunner().invoke(
        cli, ["report", str(out / "trajectories.jsonl"), "--json"], catch_exceptions=False
    )
    rebuilt = json.loads(result.output)
    assert rebuilt["overall"] == report["overall"] and rebuilt["by_task"] == report["by_task"]
    assert 0 < report["overall"]["action_pass_rate"] < 1


def test_files_load_with_the_datasets_library(generated):
    datasets = pytest.importorskip("datasets")
    out, _, _ = generated
    sft = datasets.load_dataset("json", data_files=str(out / "sft.jsonl"), split="train")
    dpo = datasets.load_dataset("json", data_files=str(out / "dpo.jsonl"), split="train")
    assert len(sft) > 0 and {"messages", "tools"} <= set(sft.column_names)
    assert {"prompt", "chosen", "rejected"} <= set(dpo.column_names)


def test_rerun_resumes_and_refuses_other_settings(generated, tmp_path):
    out, tasks, _ = generated
    before = (out / "trajectories.jsonl").read_text()
    report = generate(
        tasks, MutantAgent(), out, GenerateConfig(explore=ExploreConfig(samples=5, seed=1))
    )
    assert (out / "trajectories.jsonl").read_text() == before  # nothing re-explored
    assert report["counts"]["episodes"] == len(tasks)
    from taskkit.datagen.run import ConfigMismatch

    with pytest.raises(ConfigMismatch):
        generate(
            tasks, MutantAgent(), out, GenerateConfig(explore=ExploreConfig(samples=3, seed=1))
        )


def test_cli_generate_writes_everything(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            str(REPO / "task_library" / "home"),
            str(REPO / "content_datasets" / "home"),
            "-o",
            str(tmp_path / "g"),
            "-k",
            "3",
            "--seed",
            "2",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    for name in ("trajectories.jsonl", "sft.jsonl", "dpo.jsonl", "report.json", "run.json"):
        assert (tmp_path / "g" / name).is_file()
    assert "task pass" in result.output


def test_dpo_lines_are_the_rows_byte_for_byte(generated):
    from taskkit.datagen.export import dpo_lines, dpo_rows
    from taskkit.io import jsonlines

    out, _, _ = generated
    for record in rows(out / "trajectories.jsonl"):
        assert dpo_lines(record) == [jsonlines.line(r) for r in dpo_rows(record)]
