"""Every way a model server fails, against a loopback server, through the command line:
no traceback, the documented exit code (4), one line naming the URL and what happened, no
finished episode lost, and a rerun that completes the run once the server is back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner
from fake_openai import FakeOpenAI, tool_call

from taskkit.cli.exit_codes import SERVER, USAGE
from taskkit.cli.main import cli
from taskkit.compiler import write_compiled

pytest.importorskip("openai")

N = 6


@pytest.fixture(scope="module")
def tasks(compiled_library):
    commands = [t.user_command for t in compiled_library]
    return [
        t for t in compiled_library if t.faults is None and commands.count(t.user_command) == 1
    ][:N]


@pytest.fixture(scope="module")
def compiled(tasks, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("c") / "tasks.jsonl"
    write_compiled(tasks, path)
    return path


def gold(tasks):
    by_command = {t.user_command: t for t in tasks}

    def reply(request):
        task = by_command[request["messages"][1]["content"]]
        step = sum(1 for m in request["messages"] if m["role"] == "assistant")
        actions = task.final.gold_actions
        if step >= len(actions):
            return {"content": task.final.gold_answer or "done"}
        return tool_call(actions[step].tool, json.dumps(actions[step].args))

    return reply


class Result(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def taskkit(*args: str) -> Result:
    """The command line, in this process (a subprocess per command would double the time
    of these tests); an exception that escaped the command is a failed test."""
    result = CliRunner().invoke(cli, list(args), env={"OPENAI_API_KEY": "k", "TASKKIT_MODEL": None})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def generate(compiled: Path, out: Path, url: str, *extra: str) -> Result:
    return taskkit(
        "generate",
        str(compiled),
        "-o",
        str(out),
        "-k",
        "1",
        "--agent",
        "openai",
        "--base-url",
        url,
        "--model",
        "m",
        "--retries",
        "1",
        "--timeout",
        "1",
        "--concurrency",
        "1",
        *extra,
    )


@pytest.fixture(params=["lean", "sdk"])
def http(request, monkeypatch) -> str:
    """The openai agent's way of sending concurrent requests (`generate` sends them so):
    both fail alike."""
    monkeypatch.setenv("TASKKIT_OPENAI_HTTP", request.param)
    return request.param


def records(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "trajectories.jsonl").read_text().splitlines()]


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def completes(compiled: Path, out: Path, url: str, tasks) -> None:
    """A rerun against a healthy server finishes the run: every task once, all passed."""
    result = generate(compiled, out, url, "--timeout", "30")  # however loaded the box is
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["overall"]["episodes"] == N and report["overall"]["failed"] == 0
    assert report["overall"]["task_pass_rate"] == 1.0
    assert report["settings"]["model"] == "m" and report["settings"]["base_url"] == url


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        ("401", "401 invalid api key (check OPENAI_API_KEY)"),
        ("404", "404 model not found (unknown model 'm'"),
    ],
)
def test_a_refused_key_or_model_stops_the_run_keeping_what_finished(
    tasks, compiled, tmp_path, failure, said, http
):
    out = tmp_path / "g"
    with FakeOpenAI(gold(tasks)) as server:
        server.failure, server.fail_after = failure, 5  # a few episodes finish first
        result = generate(compiled, out, server.url)
        no_traceback(result)
        assert result.returncode == SERVER
        assert f"error: model server {server.url}: {said}" in result.stderr
        assert "finished episodes are kept" in result.stderr
        finished = records(out)
        assert 0 < len(finished) < N and not any("failed" in r for r in finished)
        server.failure = None
        completes(compiled, out, server.url, tasks)
        assert records(out)[: len(finished)] == finished  # kept as they were


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        ("500", "500 down after 1 retries"),
        ("503", "503 down after 1 retries"),
        ("429", "429 rate limited after 1 retries"),
        ("slow", "no reply within 1 s after 1 retries"),
        ("non_json", "the reply is not JSON"),
        ("truncated", "the connection broke before a full reply"),
        ("close", "the connection broke before a full reply"),
        ("not_a_completion", "the reply is not a chat completion"),
    ],
)
def test_a_failing_server_fails_episodes_and_a_rerun_completes_them(
    tasks, compiled, tmp_path, failure, said, http
):
    out = tmp_path / "g"
    with FakeOpenAI(gold(tasks)) as server:
        server.failure, server.fail_after, server.slow_for = failure, 5, 2.5
        result = generate(compiled, out, server.url)
        no_traceback(result)
        assert result.returncode == SERVER, result.stderr
        got = records(out)
        assert len(got) == N  # the run went on to the end
        failed = [r for r in got if "failed" in r]
        assert failed and all(r["failed"]["kind"] == "server" for r in failed)
        assert any(said in r["failed"]["reason"] for r in failed), failed[0]["failed"]
        assert all(server.url in r["failed"]["reason"] for r in failed)
        assert "server" in result.stderr and "failed episodes" in result.stderr
        server.failure = None
        completes(compiled, out, server.url, tasks)  # a plain rerun retries the server's


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://127.0.0.1:9/v1", "connection refused (is the server running?)"),
        ("http://no-such-host.invalid/v1", "host not found (DNS lookup failed)"),
    ],
)
@pytest.mark.parametrize("command", ["run", "generate"])
def test_an_unreachable_server_is_one_line_and_exit_4(
    tasks, compiled, tmp_path, url, said, command, http
):
    out = tmp_path / ("r.jsonl" if command == "run" else "g")
    if command == "run":
        result = taskkit(
            "run",
            str(compiled),
            "-o",
            str(out),
            "--agent",
            "openai",
            "--base-url",
            url,
            "--model",
            "m",
            "--retries",
            "0",
        )
    else:
        result = generate(compiled, out, url)
    no_traceback(result)
    assert result.returncode == SERVER
    assert f"error: model server {url}: {said}" in result.stderr
    if command == "generate":
        with FakeOpenAI(gold(tasks)) as server:  # the server comes up: the rerun completes
            completes(compiled, out, server.url, tasks)


def test_run_records_server_failures_and_keeps_going(tasks, compiled, tmp_path):
    out = tmp_path / "r.jsonl"
    with FakeOpenAI(gold(tasks)) as server:
        server.failure, server.fail_after = "500", 4
        result = taskkit(
            "run",
            str(compiled),
            "-o",
            str(out),
            "--agent",
            "openai",
            "--base-url",
            server.url,
            "--model",
            "m",
            "--retries",
            "0",
            "--report",
            str(tmp_path / "report.json"),
        )
    no_traceback(result)
    assert result.returncode == SERVER
    got = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(got) == N and any("failed" in r for r in got)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["failures"]["server"] == report["overall"]["failed"] > 0
    assert report["settings"]["model"] == "m"


def test_the_model_comes_from_the_server_when_it_lists_one(tasks, compiled, tmp_path):
    with FakeOpenAI(gold(tasks), models=("only-model",)) as server:
        result = taskkit(
            "run",
            str(compiled),
            "--agent",
            "openai",
            "--base-url",
            server.url,
            "-o",
            str(tmp_path / "r.jsonl"),
        )
        assert result.returncode == 0, result.stderr
        assert {r["model"] for r in server.requests} == {"only-model"}
        assert "model: only-model (the only one the server lists)" in result.stderr
    record = json.loads((tmp_path / "r.jsonl").read_text().splitlines()[0])
    assert record["settings"]["model"] == "only-model"
    assert set(record["settings"]) >= {
        "model",
        "base_url",
        "agent",
        "format",
        "seed",
        "temperature",
        "samples",
        "taskkit_version",
        "created",
    }
    with FakeOpenAI(gold(tasks), models=("a", "b")) as server:
        result = taskkit("run", str(compiled), "--agent", "openai", "--base-url", server.url)
    no_traceback(result)
    assert result.returncode == USAGE
    assert "--model is required" in result.stderr and "2 models: a, b" in result.stderr


def test_generate_records_its_settings_in_run_json_records_and_report(tasks, compiled, tmp_path):
    out = tmp_path / "g"
    with FakeOpenAI(gold(tasks)) as server:
        assert generate(compiled, out, server.url, "--seed", "3").returncode == 0
    settings = json.loads((out / "run.json").read_text())["settings"]
    assert settings["model"] == "m" and settings["base_url"] == server.url
    assert settings["agent"] == "openai" and settings["seed"] == 3 and settings["samples"] == 1
    assert all(r["settings"] == settings for r in records(out))
    assert json.loads((out / "report.json").read_text())["settings"] == settings
