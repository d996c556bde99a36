"""Rerunning `taskkit generate` on a finished run: nothing is played or rewritten, the
output is what a full check of the run prints, and the answer comes from the run's indexes
without loading the simulator, the agents, the models or their libraries (issue 22: a
no-op resume of a finished 20,000-episode run within a second; benchmarks/bench_resume.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from taskkit.compiler import write_compiled

HEAVY = (
    "taskkit.models",
    "taskkit.sim",
    "taskkit.agents",
    "taskkit.lint",
    "taskkit.runs.episodes",
    "taskkit.executors.local",
    "pydantic",
    "jinja2",
    "jsonschema",
    "yaml",
    "openai",
    "rich",
    "hypothesis",
)
"""What a run loads and a rerun with nothing to do must not."""


@pytest.fixture(scope="module")
def compiled(compiled_library, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("noop") / "tasks.jsonl"
    write_compiled(compiled_library[:12], path)
    return path


def generate(compiled: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``taskkit generate`` in a fresh interpreter, with ``-X importtime`` (its list of
    imports goes to stderr, before what the command prints there)."""
    command = [sys.executable, "-X", "importtime", "-m", "taskkit", "generate", str(compiled)]
    command += ["-o", str(out), "-k", "2", "--repeats", "2", "--concurrency", "2", *extra]
    return subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)


def imported(done: subprocess.CompletedProcess[str]) -> set[str]:
    return set(re.findall(r"^import time:.*\| +(\S+)$", done.stderr, re.M))


def said(done: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    """Exit code, stdout, and stderr without the import times."""
    messages = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    return done.returncode, done.stdout, "\n".join(messages)


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY))


def written(out: Path) -> dict[str, int]:
    """When each output was last written (the lock file holds who holds OUTDIR: each
    command writes it)."""
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != ".taskkit.lock"}


@pytest.fixture(scope="module")
def finished(compiled, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    first = generate(compiled, out)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "taskkit.sim.episode" in imported(first)  # the list is what the run loaded
    return out


def test_a_rerun_of_a_finished_run_plays_nothing_and_loads_no_simulator(compiled, finished):
    before = written(finished)
    again = generate(compiled, finished)
    code, _, stderr = said(again)
    assert code == 0, stderr
    assert "resuming: 24 episodes already done, 0 to go" in stderr
    assert heavy(imported(again)) == []
    assert written(finished) == before  # the exports, the index, run.json: all untouched
    assert json.loads((finished / "report.json").read_text())["counts"]["episodes"] == 24


def test_it_prints_what_a_full_check_of_the_run_prints(compiled, finished):
    fast = said(generate(compiled, finished))
    # Without the tasks' index the rerun checks every task of the file (loading everything).
    (finished / ".tasks.idx").unlink()
    full = generate(compiled, finished)
    assert "taskkit.sim.episode" in imported(full)
    assert said(full) == fast
    assert heavy(imported(generate(compiled, finished))) == []  # the index is back


def test_a_rerun_with_more_to_do_runs_it(compiled, finished, tmp_path):
    out = tmp_path / "out"
    subprocess.run(["cp", "-r", str(finished), str(out)], check=True)
    more = generate(compiled, out, "--repeats", "3")
    code, _, stderr = said(more)
    assert code == 0, stderr
    assert "resuming: 24 episodes already done, 12 to go" in stderr
    assert json.loads((out / "report.json").read_text())["counts"]["episodes"] == 36


def test_a_rerun_with_other_settings_is_refused_as_before(compiled, finished):
    other = generate(compiled, finished, "--seed", "1")
    code, _, stderr = said(other)
    assert code == 2
    assert "holds a run with other settings" in stderr


def test_a_rerun_after_a_changed_trajectory_file_rebuilds_the_exports(compiled, finished, tmp_path):
    out = tmp_path / "out"
    subprocess.run(["cp", "-r", "--preserve=timestamps", str(finished), str(out)], check=True)
    # One line corrupted in place: the exports no longer match, and the line is quarantined.
    lines = (out / "trajectories.jsonl").read_text().splitlines(keepends=True)
    lines[3] = "{not json\n"
    (out / "trajectories.jsonl").write_text("".join(lines))
    rerun = generate(compiled, out)
    code, _, stderr = said(rerun)
    assert code == 0, stderr
    assert "moved 1 corrupt lines of trajectories.jsonl" in stderr
    assert json.loads((out / "report.json").read_text())["counts"]["episodes"] == 24
