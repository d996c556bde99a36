"""One policy for a trajectories file that is not whole, whichever command reads it: a torn
last line (a run killed mid-write) is left out with a warning; a bad line in the middle is an
error at its file:line (or, for `generate` resuming its own folder, moved aside and run again)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.compiler import write_compiled

TORN = '{"task_id": "home/cut", "steps": [{"ind'
BAD = '{"task_id": "home/bad", "steps": [\n'


@pytest.fixture(scope="module")
def tasks(compiled_library, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tasks") / "tasks.jsonl"
    write_compiled([t for t in compiled_library if t.pack == "home"][:6], path)
    return path


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def generated(tasks, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "g"
    assert invoke("generate", str(tasks), "-o", str(out), "-k", "2").exit_code == 0
    return out


@pytest.fixture(scope="module")
def played(tasks, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "run.jsonl"
    invoke("run", str(tasks), "--agent", "mutant", "-o", str(out))
    return out


def torn(path: Path, to: Path) -> Path:
    to.write_text(path.read_text() + TORN)
    return to


def broken(path: Path, to: Path) -> Path:
    lines = path.read_text().splitlines(keepends=True)
    to.write_text("".join([*lines[:2], BAD, *lines[2:]]))
    return to


@pytest.mark.parametrize("source", ["played", "generated"])
def test_report_leaves_a_torn_last_line_out_with_a_warning(source, request, tmp_path):
    path = request.getfixturevalue(source)
    path = path / "trajectories.jsonl" if path.is_dir() else path
    whole = invoke("report", str(path), "--json")
    cut = invoke("report", str(torn(path, tmp_path / "t.jsonl")), "--json")
    assert whole.exit_code == cut.exit_code == 0
    n = len(path.read_text().splitlines())
    assert f"warning: {tmp_path / 't.jsonl'}:{n + 1}: the last line is cut off" in cut.output
    assert json.loads(cut.stdout) == json.loads(whole.stdout)


@pytest.mark.parametrize("source", ["played", "generated"])
def test_report_stops_at_a_bad_middle_line_and_says_where(source, request, tmp_path):
    path = request.getfixturevalue(source)
    path = path / "trajectories.jsonl" if path.is_dir() else path
    bad = broken(path, tmp_path / "b.jsonl")
    result = invoke("report", str(bad))
    assert result.exit_code == 2 and not result.stdout
    assert f"{bad}:3:" in result.stderr and "line 3 is not valid JSON" in result.stderr


def test_view_shows_what_is_before_a_torn_last_line_and_stops_at_a_bad_one(played, tmp_path):
    cut = invoke("view", str(torn(played, tmp_path / "t.jsonl")), "-o", str(tmp_path / "t.html"))
    assert cut.exit_code == 0
    assert f"{tmp_path / 't.jsonl'}:7: the last line is cut off" in cut.output
    bad = broken(played, tmp_path / "b.jsonl")
    result = invoke("view", str(bad), "-o", str(tmp_path / "b.html"))
    assert result.exit_code == 2 and f"{bad}:3:" in result.output
    assert "line 3 is not valid JSON" in result.output


def test_a_resume_cuts_a_torn_last_line_and_moves_a_bad_middle_line_aside(
    tasks, generated, tmp_path
):
    out = tmp_path / "g"
    shutil.copytree(generated, out)
    path = out / "trajectories.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    victim = json.loads(lines[1])["task_id"]
    path.write_text("".join([lines[0], BAD, *lines[2:]]) + TORN)
    result = invoke("generate", str(tasks), "-o", str(out), "-k", "2")
    assert result.exit_code == 0
    assert "moved 1 corrupt lines of trajectories.jsonl" in result.stderr
    assert (out / "trajectories.quarantine.jsonl").read_text() == BAD
    ids = [json.loads(line)["task_id"] for line in path.read_text().splitlines()]
    assert ids.count(victim) == 1 and len(ids) == len(lines)  # its episode ran again
    for name in ("sft.jsonl", "dpo.jsonl"):
        assert (out / name).read_bytes() == (generated / name).read_bytes(), name
