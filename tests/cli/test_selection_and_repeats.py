"""`run`, `generate` and `ls` take compile's filters (one options module) and keep the
tasks compile would; `--repeats N` runs each task N times and reports pass^1..pass^N with
intervals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.compiler import write_compiled
from tests.conftest import LIBRARY

FILTERS = [
    ["--pack", "home", "--limit", "7"],
    ["--category", "data", "--task", "*cheapest*"],
    ["--split", "test", "--test-fraction", "0.3"],
]


@pytest.fixture(scope="module")
def compiled(compiled_library, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("c") / "all.jsonl"
    write_compiled(sorted(compiled_library, key=lambda t: t.pack), path)  # compile's order
    return path


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def ids_of(path: Path) -> list[str]:
    return [json.loads(line)["task_id"] for line in path.read_text().splitlines()]


@pytest.mark.parametrize("filters", FILTERS, ids=["pack-limit", "category-task", "split"])
def test_run_generate_and_ls_keep_what_compile_keeps(compiled, tmp_path, filters):
    compiled_out = tmp_path / "selected.jsonl"
    result = invoke("compile", *map(str, LIBRARY), "-o", str(compiled_out), *filters)
    assert result.exit_code == 0, result.output
    want = [json.loads(line)["id"] for line in compiled_out.read_text().splitlines()]
    assert 0 < len(want) < 2602

    assert invoke("run", str(compiled), "-o", str(tmp_path / "r.jsonl"), *filters).exit_code == 0
    assert ids_of(tmp_path / "r.jsonl") == want

    listed = invoke("ls", str(compiled), "--format", "json", *filters)
    assert listed.exit_code == 0
    assert [row["id"] for row in json.loads(listed.stdout)] == want

    out = tmp_path / "g"
    assert invoke("generate", str(compiled), "-o", str(out), "-k", "1", *filters).exit_code == 0
    assert sorted(ids_of(out / "trajectories.jsonl")) == sorted(want)


def test_run_on_a_library_takes_the_filters_too(tmp_path):
    result = invoke(
        "run", *map(str, LIBRARY), "--pack", "home", "--limit", "3", "-o", str(tmp_path / "r.jsonl")
    )
    assert result.exit_code == 0
    ids = ids_of(tmp_path / "r.jsonl")
    assert len(ids) == 3 and all(i.startswith("home/") for i in ids)


def test_ls_shows_id_category_difficulty_steps_and_tools(compiled):
    result = invoke("ls", str(compiled), "--task", "book_cheapest_viewing", "--limit", "1")
    assert result.exit_code == 0
    head, row = result.stdout.splitlines()
    assert head.split() == ["id", "category", "difficulty", "steps", "tools"]
    assert row.split()[:4] == ["home/book_cheapest_viewing@2#austin-2br-1", "data", "medium", "2"]
    assert "search_homes, schedule_viewing" in row
    rows = json.loads(invoke("ls", str(compiled), "--format", "json", "--limit", "2").stdout)
    assert set(rows[0]) == {"id", "pack", "category", "difficulty", "steps", "tools"}


def test_ls_reads_a_library(tmp_path):
    result = invoke("ls", *map(str, LIBRARY), "--pack", "sqlshop", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows and all(r["pack"] == "sqlshop" and r["steps"] >= 0 for r in rows)


@pytest.mark.parametrize("command", ["run", "generate"])
def test_repeats_4_prints_pass_hat_1_to_4_with_intervals(compiled, tmp_path, command):
    args = [command, str(compiled), "--agent", "mutant", "--repeats", "4", "--pack", "home"]
    args += ["--limit", "12", "--seed", "5"]
    if command == "run":
        args += ["--report", str(tmp_path / "report.json"), "-o", str(tmp_path / "r.jsonl")]
        path, trajectories = tmp_path / "report.json", tmp_path / "r.jsonl"
    else:
        args += ["-o", str(tmp_path / "g"), "-k", "2"]
        path, trajectories = tmp_path / "g" / "report.json", tmp_path / "g" / "trajectories.jsonl"
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    head = result.stdout.splitlines()[0]
    for k in range(1, 5):
        assert f"pass^{k} [95% CI]" in head
    report = json.loads(path.read_text())
    hats = report["overall"]["pass_hat_k"]
    assert sorted(hats) == ["1", "2", "3", "4"]
    assert all(h["tasks"] == 12 and h["low"] <= h["estimate"] <= h["high"] for h in hats.values())
    estimates = [hats[k]["estimate"] for k in "1234"]
    assert estimates == sorted(estimates, reverse=True)  # all k pass is never likelier than k-1
    assert "pass_hat_k" in next(iter(report["by_task"].values()))
    records = [json.loads(x) for x in trajectories.read_text().splitlines()]
    assert len(records) == 48
    assert sorted({r["repeat"] for r in records}) == [0, 1, 2, 3]
    seeds = {r.get("seed", r.get("run_seed")) for r in records}
    assert len(seeds) == 4  # a different seed per repeat


def test_generate_resumes_on_task_and_repeat(compiled, tmp_path):
    out = tmp_path / "g"
    base = ["generate", str(compiled), "-o", str(out), "-k", "1", "--pack", "home", "--limit", "5"]
    assert invoke(*base, "--repeats", "2").exit_code == 0
    more = invoke(*base, "--repeats", "3")  # one more repeat of each: only those run
    assert more.exit_code == 0
    assert "resuming: 10 episodes already done, 5 to go" in more.stderr
    records = [json.loads(x) for x in (out / "trajectories.jsonl").read_text().splitlines()]
    assert sorted((r["task_id"], r["repeat"]) for r in records) == sorted(
        {(r["task_id"], i) for r in records for i in range(3)}
    )
