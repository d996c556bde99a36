"""Runs that fail well: an agent that raises, blocks or returns nonsense fails its own
episode (recorded, counted) and the run goes on; reruns leave or retry failed episodes;
corrupt lines are quarantined; outputs are locked; every way a run stops has its exit
code and one line, never a traceback."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from taskkit.compiler import write_compiled

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small(compiled_library, tmp_path_factory) -> Path:
    """30 tasks, three of which the hostile agents fail (ids ending in 3)."""
    tasks = [t for t in compiled_library if t.id.endswith("3")][:3]
    tasks += [t for t in compiled_library if not t.id.endswith(("3", "7"))][:27]
    path = tmp_path_factory.mktemp("small") / "tasks.jsonl"
    write_compiled(tasks, path)
    return path


def taskkit(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "taskkit", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(env),
    )


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    env.update(extra or {})
    return env


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def clean(result) -> None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_an_agent_that_raises_fails_its_episodes_and_the_run_goes_on(small, tmp_path):
    out = tmp_path / "g"
    result = taskkit(
        "generate", str(small), "-o", str(out), "-k", "2", "--agent", "hostile_agents:raises"
    )
    clean(result)
    assert result.returncode == 0, result.stderr
    failed = [r for r in records(out / "trajectories.jsonl") if "failed" in r]
    assert len(failed) == 3
    assert all(r["failed"]["kind"] == "agent" for r in failed)
    assert all("RuntimeError: agent bug on" in r["failed"]["reason"] for r in failed)
    report = json.loads((out / "report.json").read_text())
    assert report["overall"]["failed"] == 3 and report["overall"]["episodes"] == 27
    assert "failed episodes: 3 agent" in result.stderr

    # A rerun leaves the agent's failures as they are: they are its results.
    again = taskkit(
        "generate",
        str(small),
        "-o",
        str(out),
        "-k",
        "2",
        "--agent",
        "hostile_agents:raises",
        env={"HOSTILE_HEALED": "1"},
    )
    assert again.returncode == 0 and len(records(out / "trajectories.jsonl")) == 30

    # --retry-failed runs exactly those again.
    retried = taskkit(
        "generate",
        str(small),
        "-o",
        str(out),
        "-k",
        "2",
        "--agent",
        "hostile_agents:raises",
        "--retry-failed",
        env={"HOSTILE_HEALED": "1"},
    )
    clean(retried)
    assert retried.returncode == 0
    assert "resuming: 27 episodes already done, 3 to go" in retried.stderr
    assert len(records(out / "trajectories.jsonl")) == 33
    report = json.loads((out / "report.json").read_text())
    assert report["overall"]["failed"] == 0 and report["overall"]["episodes"] == 30
    assert report["overall"]["task_pass_rate"] == 1.0
    sft = (out / "sft.jsonl").read_text().splitlines()
    assert len(sft) == 30  # each episode once: the rerun's record replaced the failure


@pytest.mark.parametrize("command", ["run", "generate"])
def test_a_blocking_callable_times_out_and_the_run_goes_on(small, tmp_path, command):
    out = tmp_path / ("r.jsonl" if command == "run" else "g")
    start = time.monotonic()
    args = [
        command,
        str(small),
        "-o",
        str(out),
        "--agent",
        "hostile_agents:blocks",
        "--timeout",
        "0.5",
    ]
    if command == "generate":
        args += ["-k", "1"]
    result = taskkit(*args, timeout=90)
    clean(result)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - start < 60
    path = out if command == "run" else out / "trajectories.jsonl"
    failed = [r for r in records(path) if "failed" in r]
    assert len(failed) == 3 and {r["failed"]["kind"] for r in failed} == {"timeout"}
    assert "no response within 0.5 s" in failed[0]["failed"]["reason"]


def test_non_json_values_from_a_callable_are_unparseable_steps(compiled_library, tmp_path):
    tasks = [t for t in compiled_library if t.id.endswith(("3", "7"))][:6]
    path = tmp_path / "t.jsonl"
    write_compiled(tasks, path)
    out = tmp_path / "r.jsonl"
    result = taskkit("run", str(path), "-o", str(out), "--agent", "hostile_agents:non_json")
    clean(result)
    assert result.returncode == 0, result.stderr
    got = records(out)
    assert not any("failed" in r for r in got)
    assert all(r["steps"][0]["errors"][0]["type"] == "unparseable" for r in got)


def test_a_corrupt_middle_line_is_quarantined_and_costs_only_its_episode(small, tmp_path):
    out = tmp_path / "g"
    assert taskkit("generate", str(small), "-o", str(out), "-k", "2").returncode == 0
    path = out / "trajectories.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    victim = json.loads(lines[10])["task_id"]
    lines[10] = '{"task_id": "cut short", "steps": [\n'
    path.write_text("".join(lines))
    result = taskkit("generate", str(small), "-o", str(out), "-k", "2")
    clean(result)
    assert result.returncode == 0, result.stderr
    assert "moved 1 corrupt lines" in result.stderr
    assert (
        out / "trajectories.quarantine.jsonl"
    ).read_text() == '{"task_id": "cut short", "steps": [\n'
    got = records(path)
    assert len(got) == 30 and sorted(r["task_id"] for r in got).count(victim) == 1
    assert json.loads((out / "report.json").read_text())["overall"]["episodes"] == 30
    # and `report` on a file with a bad line says where it is, not a report without it
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines))
    shown = taskkit("report", str(bad), "--json")
    assert shown.returncode == 2 and not shown.stdout
    assert f"{bad}:11:" in shown.stderr and "line 11 is not valid JSON" in shown.stderr


def test_a_no_op_resume_reads_the_index_not_the_trajectories(small, tmp_path):
    out = tmp_path / "g"
    assert taskkit("generate", str(small), "-o", str(out), "-k", "2").returncode == 0
    before = (out / "report.json").stat().st_mtime_ns
    result = taskkit("generate", str(small), "-o", str(out), "-k", "2")
    assert result.returncode == 0 and "30 episodes already done, 0 to go" in result.stderr
    assert (out / "report.json").stat().st_mtime_ns == before  # nothing rebuilt
    (out / "done.idx").unlink()  # an index lost (or a folder from before there was one)
    result = taskkit("generate", str(small), "-o", str(out), "-k", "2")
    assert result.returncode == 0 and "30 episodes already done, 0 to go" in result.stderr
    assert len((out / "done.idx").read_text().splitlines()) == 30


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_one_writer_per_output_and_a_killed_writers_lock_is_taken_over(small, tmp_path):
    out = tmp_path / "g"
    slow = ["generate", str(small), "-o", str(out), "-k", "1", "--agent", "hostile_agents:slow"]
    first = subprocess.Popen(
        [sys.executable, "-m", "taskkit", *slow],
        env=_env({"HOSTILE_DELAY": "0.3"}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: _lines(out / "trajectories.jsonl") >= 1)
        second = taskkit(*slow)
        clean(second)
        assert second.returncode == 2
        assert f"is being written by process {first.pid}" in second.stderr
        run_out = tmp_path / "r.jsonl"
        runner = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "taskkit",
                "run",
                str(small),
                "-o",
                str(run_out),
                "--agent",
                "hostile_agents:slow",
            ],
            env=_env({"HOSTILE_DELAY": "0.3"}),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(lambda: _lines(run_out) >= 1)
        other = taskkit("run", str(small), "-o", str(run_out))
        assert other.returncode == 2 and "is being written by process" in other.stderr
        runner.kill()
        runner.wait()
    finally:
        first.kill()  # SIGKILL: the lock file stays behind
        first.wait()
    assert (out / ".taskkit.lock").exists()
    third = taskkit(*slow, env={"HOSTILE_DELAY": "0"})
    clean(third)
    assert third.returncode == 0, third.stderr
    assert len({r["task_id"] for r in records(out / "trajectories.jsonl")}) == 30


def test_sigint_during_run_keeps_the_finished_episodes_and_exits_130(small, tmp_path):
    out = tmp_path / "r.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "taskkit",
            "run",
            str(small),
            "-o",
            str(out),
            "--agent",
            "hostile_agents:slow",
        ],
        env=_env({"HOSTILE_DELAY": "0.1"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: _lines(out) >= 3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Traceback" not in err and f"finished episodes are kept in {out}" in err
    kept = records(out)
    assert 3 <= len(kept) < 30 and all(r["task_score"] == 1 for r in kept)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_their_parent_even_inside_a_blocking_agent_call(
    compiled_library, tmp_path
):
    path = tmp_path / "t.jsonl"
    write_compiled(compiled_library[:200], path)  # enough for forked workers
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "taskkit",
            "generate",
            str(path),
            "-o",
            str(tmp_path / "g"),
            "-k",
            "1",
            "--agent",
            "hostile_agents:blocks_always",
            "--timeout",
            "3600",
        ],
        env=_env({"TASKKIT_JOBS": "2"}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: len(_children(proc.pid)) >= 2)
        workers = _children(proc.pid)
        time.sleep(0.5)  # inside the agent call by now
    finally:
        proc.kill()
        proc.wait()
    _wait_for(lambda: not any(_alive(w) for w in workers), timeout=10)


def test_a_killed_worker_is_exit_1_with_a_message(compiled_library, tmp_path):
    path = tmp_path / "t.jsonl"
    write_compiled(compiled_library[:200], path)
    out = tmp_path / "g"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "taskkit",
            "generate",
            str(path),
            "-o",
            str(out),
            "-k",
            "1",
            "--agent",
            "hostile_agents:slow",
        ],
        env=_env({"TASKKIT_JOBS": "2", "HOSTILE_DELAY": "0.05"}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: len(_children(proc.pid)) >= 2 and _lines(out / "trajectories.jsonl") >= 2)
    os.kill(_children(proc.pid)[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "a generate worker died (signal SIGKILL)" in err


def test_an_unwritable_output_is_a_usage_error(small, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    for command in (
        ["generate", str(small), "-o", str(blocker / "out")],
        ["run", str(small), "-o", str(blocker / "r.jsonl")],
    ):
        result = taskkit(*command)
        clean(result)
        assert result.returncode == 2, result.stderr
        assert "cannot write" in result.stderr and str(blocker) in result.stderr


def _small_files() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_a_full_disk_is_exit_1_keeping_what_finished(small, tmp_path):
    out = tmp_path / "g"
    proc = subprocess.run(
        [sys.executable, "-m", "taskkit", "generate", str(small), "-o", str(out), "-k", "2"],
        env=_env(),
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_small_files,
    )
    clean(proc)
    assert proc.returncode == 1, proc.stderr
    assert "failed" in proc.stderr and "finished episodes are kept" in proc.stderr
    kept = _lines(out / "trajectories.jsonl")
    assert 0 < kept < 30
    resumed = taskkit("generate", str(small), "-o", str(out), "-k", "2")
    assert resumed.returncode == 0 and f"{kept} episodes already done" in resumed.stderr
