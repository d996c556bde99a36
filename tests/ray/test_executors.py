"""The executors' registry and the CLI's options over it; none of these needs a cluster
(the ray extra missing is itself one of the cases)."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from taskkit.agents import MutantAgent
from taskkit.cli.main import cli
from taskkit.executors import EXECUTORS, LocalExecutor, make_executor
from taskkit.runs.episodes import run_tasks
from tests.conftest import LIBRARY

PATHS = [str(p) for p in LIBRARY]


def test_the_cli_offers_every_executor_and_only_those():
    for command in ("run", "generate"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "[local|ray]" in result.output
        for name, (_, about) in EXECUTORS.items():
            assert about.split(":")[0] in " ".join(result.output.split()), name
    assert list(EXECUTORS) == ["local", "ray"]


def test_an_unknown_executor_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match="unknown executor 'slurm'; one of local, ray"):
        make_executor("slurm")


def test_an_address_is_for_ray_only(tmp_path):
    result = CliRunner().invoke(cli, ["run", *PATHS, "--limit", "1", "--address", "h:1"])
    assert result.exit_code == 2
    assert "--address 'h:1' is for --executor ray" in result.output


def test_without_the_extra_ray_is_a_usage_error_saying_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(RuntimeError, match=r"pip install 'taskkit-llm\[ray\]'"):
        make_executor("ray")
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            *PATHS,
            "--limit",
            "2",
            "-o",
            str(tmp_path / "out"),
            "--executor",
            "ray",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "needs the ray extra" in result.output
    assert "Traceback" not in result.output


def test_local_workers_give_the_in_order_records(compiled_library):
    tasks = compiled_library[:40]
    kwargs = {"seed": 2, "repeats": 2, "settings": {"created": "fixed"}}
    here = list(run_tasks(tasks, MutantAgent(), **kwargs))
    forked = list(run_tasks(tasks, MutantAgent(), executor=LocalExecutor(workers=2), **kwargs))
    key = lambda r: (r["task_id"], r["repeat"])  # noqa: E731
    assert [key(r) for r in here] == [(t.id, r) for t in tasks for r in range(2)]
    assert sorted(forked, key=key) == here


def test_the_library_is_frozen_while_episodes_are_played_and_thawed_after(compiled_library):
    """What the driver holds when a run starts (the compiled tasks) is kept out of the
    garbage collector's walks while the episodes are played, in forked workers too, and
    the youngest objects are collected less often; both are set back when the run ends."""
    import gc

    jobs = [(task, 0) for task in compiled_library[:6]]
    seen: list[tuple[int, int]] = []

    async def play(job, agent, requests):
        return gc.get_freeze_count(), gc.get_threshold()[0]

    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    for workers in (1, 2):
        LocalExecutor(workers=workers).episodes(
            jobs, play, MutantAgent(), concurrency=None, emit=seen.append
        )
    assert len(seen) == 12
    frozen, young = zip(*seen, strict=True)
    assert min(frozen) > 1000  # the tasks, the modules: everything alive at the start
    assert min(young) > before[0]  # an episode's objects die young, by reference counting
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_run_with_workers_writes_every_record_once(tmp_path):
    out = tmp_path / "t.jsonl"
    args = ["run", *PATHS, "--limit", "30", "--agent", "mutant"]
    result = CliRunner().invoke(cli, [*args, "--workers", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len({(r["task_id"], r["repeat"]) for r in records}) == len(records) == 30


def test_an_address_nobody_listens_on_is_a_usage_error_at_once(tmp_path):
    pytest.importorskip("ray")
    import socket
    import time

    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            *PATHS,
            "--limit",
            "2",
            "-o",
            str(tmp_path / "out"),
            "--executor",
            "ray",
            "--address",
            f"127.0.0.1:{port}",
        ],
    )
    assert result.exit_code == 2, result.output
    assert f"no ray cluster at '127.0.0.1:{port}'" in result.output
    assert "Traceback" not in result.output
    assert time.monotonic() - start < 60  # Ray alone would retry for minutes


class _Waiting:
    """A server agent in name only: the play below does the waiting."""

    name = "waiting"

    def act(self, view):  # pragma: no cover - only act_async is used
        raise AssertionError

    async def act_async(self, view):  # pragma: no cover - the play does not call it
        raise AssertionError


def test_a_ray_actor_plays_its_batches_first_come_first_served():
    """An actor holding two batches plays twice its share of requests in episodes at once,
    the first batch's first: that batch ends while the second still fills the slots, so
    the driver's next batch arrives before the actor runs dry (started all at once, both
    batches would end together and the slots would empty at every batch boundary)."""
    import asyncio
    import gc
    import pickle

    from taskkit.executors.ray import EpisodeActor

    running = most = 0

    async def play(job, agent, requests):
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.02)
        running -= 1
        return job

    actor = EpisodeActor(play, _Waiting(), build=False, concurrency=2)
    threshold = gc.get_threshold()

    async def scenario():
        await actor.load(pickle.dumps(["a", "b"]))
        first = asyncio.ensure_future(actor.play_batch([(0, r) for r in range(4)]))
        second = asyncio.ensure_future(actor.play_batch([(1, r) for r in range(4)]))
        played = await first
        assert not second.done()
        return played, await second

    try:
        first, second = asyncio.run(scenario())
        # the tasks, read, are out of the collector's walks for the actor's life
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test's process is not an actor's
        gc.set_threshold(*threshold)
    assert most == 4
    assert first == [("a", r) for r in range(4)]
    assert second == [("b", r) for r in range(4)]
