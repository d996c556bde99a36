"""Killing `taskkit generate` at random points and rerunning it gives exactly the episodes
and exports of an uninterrupted run with the same seed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import LIBRARY

from taskkit.compiler import compile_paths, write_compiled


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    path = tmp_path_factory.mktemp("c") / "tasks.jsonl"
    result = compile_paths(LIBRARY)
    assert result.ok
    write_compiled(result.tasks[:600], path)
    return path


def command(compiled: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "taskkit",
        "generate",
        str(compiled),
        "-o",
        str(out),
        "-k",
        "4",
        "--seed",
        "7",
        "--concurrency",
        "4",
    ]


def lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def by_task(out: Path) -> dict[str, str]:
    records = [json.loads(line) for line in (out / "trajectories.jsonl").read_text().splitlines()]
    return {r["task_id"]: json.dumps(r, sort_keys=True) for r in records}


@pytest.mark.parametrize("signals", [(signal.SIGKILL, signal.SIGINT, signal.SIGTERM)])
def test_killed_and_resumed_equals_uninterrupted(compiled, tmp_path, signals):
    whole = tmp_path / "whole"
    subprocess.run(command(compiled, whole), check=True, capture_output=True, timeout=600)

    broken = tmp_path / "broken"
    for i, sig in enumerate(signals):
        proc = subprocess.Popen(
            command(compiled, broken), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        target = lines(broken / "trajectories.jsonl") + 40 * (i + 1)
        deadline = time.monotonic() + 120
        while lines(broken / "trajectories.jsonl") < target and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err
    assert lines(broken / "trajectories.jsonl") < 600  # it really was interrupted
    subprocess.run(command(compiled, broken), check=True, capture_output=True, timeout=600)

    assert by_task(broken) == by_task(whole)
    for name in ("sft.jsonl", "dpo.jsonl", "report.json"):
        assert (broken / name).read_bytes() == (whole / name).read_bytes(), name
