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

from taskkit.compiler import compile_paths, write_compiled
from tests.conftest import LIBRARY


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    path = tmp_path_factory.mktemp("c") / "tasks.jsonl"
    result = compile_paths(LIBRARY)
    assert result.ok
    write_compiled(result.tasks[:600], path)
    return path


def command(compiled: Path, out: Path, *agent: str, concurrency: int = 4) -> list[str]:
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
        str(concurrency),
        *agent,
    ]


def lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def by_task(out: Path) -> dict[str, str]:
    records = [json.loads(line) for line in (out / "trajectories.jsonl").read_text().splitlines()]
    for r in records:
        del r["settings"]["created"]  # when each run started: the one thing that differs
    return {r["task_id"]: json.dumps(r, sort_keys=True) for r in records}


SIGNALS = (signal.SIGKILL, signal.SIGINT, signal.SIGTERM)


@pytest.fixture
def server_agent(compiled, monkeypatch):
    """The openai agent against a loopback server, its concurrency split over two forked
    event loops (the episodes in flight are in the workers, not in the killed process)."""
    pytest.importorskip("openai")
    from fake_openai import FakeOpenAI, tool_call

    from taskkit.compiler import load_compiled

    by_command = {t.user_command: t for t in load_compiled(compiled)}

    def reply(request):
        task = by_command[request["messages"][1]["content"]]
        step = sum(1 for m in request["messages"] if m["role"] == "assistant")
        gold = task.final.gold_actions
        if request["temperature"] >= 0.5 or step >= len(gold):
            return {"content": task.final.gold_answer or "done"}
        return tool_call(gold[step].tool, json.dumps(gold[step].args))

    monkeypatch.setenv("TASKKIT_JOBS", "2")
    with FakeOpenAI(reply, latency=0.002) as server:
        yield ("--agent", "openai", "--model", "m", "--base-url", server.url)


@pytest.mark.parametrize("signals", [SIGNALS])
def test_killed_and_resumed_equals_uninterrupted(compiled, tmp_path, signals):
    killed_and_resumed(compiled, tmp_path, signals)


def test_a_server_agent_killed_and_resumed_equals_uninterrupted(compiled, tmp_path, server_agent):
    killed_and_resumed(compiled, tmp_path, SIGNALS, *server_agent, concurrency=16)


def killed_and_resumed(compiled, tmp_path, signals, *agent, concurrency=4):
    whole = tmp_path / "whole"
    subprocess.run(
        command(compiled, whole, *agent, concurrency=concurrency),
        check=True,
        capture_output=True,
        timeout=600,
    )

    broken = tmp_path / "broken"
    for i, sig in enumerate(signals):
        proc = subprocess.Popen(
            command(compiled, broken, *agent, concurrency=concurrency),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
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
    subprocess.run(
        command(compiled, broken, *agent, concurrency=concurrency),
        check=True,
        capture_output=True,
        timeout=600,
    )

    assert by_task(broken) == by_task(whole)
    assert not _left_running(broken)  # no worker outlives its killed parent for long
    for name in ("sft.jsonl", "dpo.jsonl"):
        assert (broken / name).read_bytes() == (whole / name).read_bytes(), name
    reports = [json.loads((out / "report.json").read_text()) for out in (broken, whole)]
    for report in reports:
        del report["settings"]["created"]
    assert reports[0] == reports[1]


def _left_running(out: Path, grace: float = 10.0) -> list[int]:
    """Processes (the run's forked workers share its command line) still working on ``out``
    after ``grace`` seconds."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    deadline = time.monotonic() + grace
    while True:
        alive = []
        for entry in proc.iterdir():
            try:
                if entry.name.isdigit() and str(out).encode() in (entry / "cmdline").read_bytes():
                    alive.append(int(entry.name))
            except OSError:
                continue
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)
