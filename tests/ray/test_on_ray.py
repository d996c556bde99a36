"""generate and run on a local Ray cluster of two simulated nodes (one CPU each): the
outputs are the local executor's, byte for byte after sorting; a worker killed mid-run
loses and duplicates nothing; a driver killed and rerun resumes; Ctrl-C exits 130 and
leaves no actor running. One cluster serves the whole module (it takes seconds to start)."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

from taskkit.agents import MutantAgent, make_agent  # noqa: E402
from taskkit.compiler import compile_paths, write_compiled  # noqa: E402
from taskkit.datagen import ExploreConfig, GenerateConfig, generate  # noqa: E402
from taskkit.executors import LocalExecutor, make_executor  # noqa: E402
from taskkit.executors.ray import RayExecutor  # noqa: E402
from taskkit.runs.episodes import run_tasks  # noqa: E402
from tests.conftest import LIBRARY  # noqa: E402

N_TASKS = 240
N_AIRLINE = 24
SETTINGS = {"agent": "mutant", "created": "fixed"}  # one start time: the files compare whole
CONFIG = GenerateConfig(explore=ExploreConfig(samples=3, seed=5))
EXPORTS = ("trajectories.jsonl", "sft.jsonl", "dpo.jsonl")


@pytest.fixture(scope="module")
def tasks():
    result = compile_paths(LIBRARY)
    assert result.ok
    # The starter packs and some airline tasks (a shared world: the killed driver's rerun
    # reads them back from a compiled file, the local run plays them as compiled).
    airline = [t for t in result.tasks if t.pack == "airline"][:N_AIRLINE]
    return [t for t in result.tasks if t.pack != "airline"][: N_TASKS - len(airline)] + airline


@pytest.fixture(scope="module")
def compiled(tasks, tmp_path_factory):
    path = tmp_path_factory.mktemp("lib") / "tasks.jsonl"
    write_compiled(tasks, path)
    return path


@pytest.fixture(scope="module")
def local_out(tasks, tmp_path_factory):
    """The local executor's outputs, made before this process joins the cluster (forking
    a process that holds Ray's threads is not safe)."""
    out = tmp_path_factory.mktemp("local")
    generate(tasks, MutantAgent(), out, CONFIG, repeats=2, settings=SETTINGS)
    return out


@pytest.fixture(scope="module")
def cluster(local_out):
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    ray.init(address=cluster.address, log_to_driver=False)
    try:
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


def sorted_lines(path: Path) -> list[bytes]:
    return sorted(path.read_bytes().splitlines(keepends=True))


def same_outputs(out: Path, other: Path) -> None:
    for name in EXPORTS:
        assert sorted_lines(out / name) == sorted_lines(other / name), name


@pytest.mark.parametrize("workers", [1, 2])
def test_generate_on_ray_is_the_local_run_byte_for_byte(
    cluster, tasks, local_out, tmp_path, workers
):
    executor = RayExecutor(workers=workers)
    generate(
        tasks, MutantAgent(), tmp_path, CONFIG, repeats=2, settings=SETTINGS, executor=executor
    )
    assert len(executor.pids) == workers
    same_outputs(tmp_path, local_out)
    # sft and dpo are rebuilt in task order: identical without sorting
    for name in ("sft.jsonl", "dpo.jsonl"):
        assert (tmp_path / name).read_bytes() == (local_out / name).read_bytes()


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(cluster, tasks, local_out, tmp_path):
    executor = RayExecutor(workers=2, batch_size=8)
    seen: list[str] = []

    def on_done(output):
        seen.append(output.task_id)
        if len(seen) == 40:  # mid-run: kill one actor's process, batches in flight on it
            os.kill(executor.pids[0], signal.SIGKILL)

    generate(
        tasks,
        MutantAgent(),
        tmp_path,
        CONFIG,
        repeats=2,
        settings=SETTINGS,
        executor=executor,
        on_done=on_done,
    )
    # A stand-in is launched at once, but its pid is recorded only once it has loaded the
    # tasks: when the surviving actor drains the queue first (2 busy cores in CI), the run
    # ends without it. What must hold either way: every episode exactly once, as local.
    assert len(executor.pids) in (2, 3)
    lines = (tmp_path / "trajectories.jsonl").read_bytes().splitlines()
    keys = [(r["task_id"], r["repeat"]) for r in map(json.loads, lines)]
    assert len(keys) == len(set(keys)) == 2 * N_TASKS  # none lost, none written twice
    same_outputs(tmp_path, local_out)


def test_run_on_ray_gives_the_in_order_records(cluster, tasks):
    kwargs = {"seed": 3, "repeats": 2, "settings": SETTINGS}
    here = list(run_tasks(tasks[:60], MutantAgent(), **kwargs))
    there = list(run_tasks(tasks[:60], MutantAgent(), executor=RayExecutor(), **kwargs))
    key = lambda r: (r["task_id"], r["repeat"])  # noqa: E731
    assert sorted(there, key=key) == sorted(here, key=key)


def test_a_server_agent_keeps_the_global_bound(cluster, tasks, tmp_path):
    """--concurrency is the cluster's bound: 2 actors share 6 requests in flight."""
    from fake_openai import FakeOpenAI, tool_call

    by_command = {t.user_command: t for t in tasks}

    def reply(request):
        task = by_command[request["messages"][1]["content"]]
        step = sum(1 for m in request["messages"] if m["role"] == "assistant")
        gold = task.final.gold_actions
        if request["temperature"] >= 0.5 or step >= len(gold):
            return {"content": task.final.gold_answer or "done"}
        return tool_call(gold[step].tool, json.dumps(gold[step].args))

    pytest.importorskip("openai")
    config = GenerateConfig(explore=ExploreConfig(samples=2), concurrency=6, agent="openai")
    with FakeOpenAI(reply, latency=0.02) as server:
        factory = functools.partial(make_agent, "openai", model="m", base_url=server.url)
        executor = RayExecutor(workers=2, agent_factory=factory)
        report = generate(
            tasks[:40], factory(), tmp_path, config, settings=SETTINGS, executor=executor
        )
        assert 1 < server.max_in_flight <= 6
    assert report["counts"]["episodes"] == 40
    records = [
        json.loads(line) for line in (tmp_path / "trajectories.jsonl").read_text().splitlines()
    ]
    assert not [r for r in records if "failed" in r]


def cli(compiled: Path, out: Path, address: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "taskkit",
        "generate",
        str(compiled),
        "-o",
        str(out),
        "-k",
        "3",
        "--seed",
        "5",
        "--repeats",
        "2",
        "--executor",
        "ray",
        "--address",
        address,
    ]


def lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def without_settings(out: Path) -> list[str]:
    """The records, less how the run was made (the CLI records more than the library)."""
    records = [json.loads(line) for line in (out / "trajectories.jsonl").read_text().splitlines()]
    for r in records:
        del r["settings"]
    return sorted(json.dumps(r, sort_keys=True) for r in records)


def interrupted(command: list[str], out: Path, sig: signal.Signals) -> tuple[int, bytes]:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while lines(out / "trajectories.jsonl") < 60 and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def test_a_killed_driver_reruns_to_the_same_outputs(cluster, compiled, local_out, tmp_path):
    command = cli(compiled, tmp_path, cluster.address)
    code, _ = interrupted(command, tmp_path, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert lines(tmp_path / "trajectories.jsonl") < 2 * N_TASKS  # it really was cut short
    done = subprocess.run(command, check=False, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    assert b"resuming:" in done.stderr
    assert without_settings(tmp_path) == without_settings(local_out)
    for name in ("sft.jsonl", "dpo.jsonl"):
        assert (tmp_path / name).read_bytes() == (local_out / name).read_bytes()


def test_ctrl_c_stops_the_actors_and_exits_130(cluster, compiled, tmp_path):
    code, err = interrupted(cli(compiled, tmp_path, cluster.address), tmp_path, signal.SIGINT)
    assert code == 130, err.decode()
    assert b"interrupted" in err and b"Traceback" not in err
    deadline = time.monotonic() + 30
    while _episode_actors() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _episode_actors()


def _episode_actors() -> list[int]:
    """Processes Ray titled after an episode actor (``ray::EpisodeActor...``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if title.startswith(b"ray::EpisodeActor"):
                found.append(int(entry.name))
    return found


def test_the_registry_makes_a_ray_executor(cluster):
    executor = make_executor("ray", workers=2)
    assert isinstance(executor, RayExecutor) and executor.workers == 2
    assert isinstance(make_executor("local"), LocalExecutor)


def gold_reply(tasks):
    """A model that answers with the task's gold actions, then its gold answer."""
    from fake_openai import tool_call

    by_command = {t.user_command: t for t in tasks}

    def reply(request):
        task = by_command[request["messages"][1]["content"]]
        step = sum(1 for m in request["messages"] if m["role"] == "assistant")
        gold = task.final.gold_actions
        if step >= len(gold):
            return {"content": task.final.gold_answer or "done"}
        return tool_call(gold[step].tool, json.dumps(gold[step].args))

    return reply


def complete(url: str, observation: dict) -> dict:
    """One chat completion from the loopback server, as a trainer's engine would ask."""
    import urllib.request

    body = {"model": "m", "messages": observation["messages"], "temperature": 0.0}
    if observation["tools"]:
        body["tools"] = observation["tools"]
    request = urllib.request.Request(
        url.rstrip("/") + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


def rollout(env, url: str, task_id: str, get=lambda x: x) -> dict:
    """A verl/OpenRLHF-style loop: reset, then model and environment in turn to the end."""
    first = get(env.reset(task_id, seed=1))
    observation, done, rewards = first["observation"], False, []
    while not done:
        result = get(env.step(first["episode"], complete(url, observation)))
        observation, done = result["observation"], result["done"]
        rewards.append(result["reward"])
    score = get(env.score(first["episode"]))
    assert score["done"] and score["task_score"] == rewards[-1]
    return score["record"]


class _Remote:
    """Calls an actor's methods as if they were local ones."""

    def __init__(self, actor):
        self.actor = actor

    def __getattr__(self, name):
        return lambda *a, **k: getattr(self.actor, name).remote(*a, **k)


def test_an_environment_actor_plays_episodes_for_a_rollout_loop(cluster, tasks):
    from fake_openai import FakeOpenAI

    from taskkit.integrations.ray_env import EnvironmentActor, environment_actor

    chosen = tasks[:12]
    here = EnvironmentActor(chosen)
    there = _Remote(environment_actor(num_cpus=0).remote(chosen))
    with FakeOpenAI(gold_reply(chosen)) as server:
        for task in chosen:
            record = rollout(there, server.url, task.id, get=ray.get)
            assert record == rollout(here, server.url, task.id)  # the actor is the episode
        scores = [rollout(there, server.url, t.id, get=ray.get)["task_score"] for t in chosen]
    assert sum(scores) >= len(chosen) // 2  # the gold answers pass
    with pytest.raises(ValueError, match="no task 'nope'"):
        ray.get(there.reset("nope"))
    with pytest.raises(ValueError, match="no episode 'x#9'"):
        ray.get(there.step("x#9", "hi"))


def test_cli_run_on_ray_writes_the_in_order_records(cluster, compiled, tmp_path):
    from click.testing import CliRunner

    from taskkit.cli.main import cli

    args = ["run", str(compiled), "--agent", "mutant", "--limit", "50", "--repeats", "2"]
    here = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "here.jsonl")])
    there = CliRunner().invoke(
        cli, [*args, "--executor", "ray", "--workers", "2", "-o", str(tmp_path / "there.jsonl")]
    )
    assert here.exit_code == there.exit_code == 0, there.output
    assert without_settings_file(tmp_path / "there.jsonl") == without_settings_file(
        tmp_path / "here.jsonl"
    )
    assert len(without_settings_file(tmp_path / "there.jsonl")) == 100


def without_settings_file(path: Path) -> list[str]:
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for r in records:
        del r["settings"]
    return sorted(json.dumps(r, sort_keys=True) for r in records)
