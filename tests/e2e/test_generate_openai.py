"""`generate` with the openai agent against a loopback OpenAI-compatible server that
honours `temperature`, adds latency and injects 429s."""

from __future__ import annotations

import json
import time

import pytest
from fake_openai import FakeOpenAI, tool_call

from taskkit.agents import make_agent
from taskkit.datagen import ExploreConfig, GenerateConfig, generate

pytest.importorskip("openai")


def policy_for(tasks):
    by_command = {t.user_command: t for t in tasks}

    def reply(request):
        task = by_command[request["messages"][1]["content"]]
        step = sum(1 for m in request["messages"] if m["role"] == "assistant")
        if request["temperature"] >= 0.5:  # a "hot" sample hallucinates a tool
            return tool_call("lookup_everything", "{}")
        gold = task.final.gold_actions
        if step < len(gold):
            return tool_call(gold[step].tool, json.dumps(gold[step].args), f"c{step}")
        return {"content": task.final.gold_answer}

    return reply


def test_generate_over_http(compiled_library, tmp_path):
    # the fake server tells tasks apart by their user command, so keep those unique
    commands = [t.user_command for t in compiled_library]
    tasks = [
        t for t in compiled_library if t.faults is None and commands.count(t.user_command) == 1
    ][:6]
    with FakeOpenAI(policy_for(tasks), latency=0.02, fail_every=5) as server:
        agent = make_agent("openai", model="m", base_url=server.url, max_retries=8)
        config = GenerateConfig(explore=ExploreConfig(samples=4, seed=3), concurrency=3)
        report = generate(tasks, agent, tmp_path, config)
        agent.close()
    temps = sorted({r["temperature"] for r in server.requests})
    assert temps == [0.0, 0.3333, 0.6667, 1.0]
    assert report["counts"]["episodes"] == 6 and report["counts"]["sft_rows"] == 6
    assert report["counts"]["dpo_pairs"] > 0
    assert report["error_types"].get("unknown_tool", 0) > 0
    records = [json.loads(x) for x in (tmp_path / "trajectories.jsonl").read_text().splitlines()]
    for record in records:
        for step in record["steps"]:
            hot = [s for s in step["samples"] if s["temperature"] >= 0.5]
            assert all(not s["passed"] for s in hot)
    n_calls = sum(len(r["steps"]) * 4 for r in records)
    assert len(server.requests) > n_calls  # every 5th request was a 429, retried


def _unique(compiled_library, n):
    commands = [t.user_command for t in compiled_library]
    tasks = [
        t for t in compiled_library if t.faults is None and commands.count(t.user_command) == 1
    ]
    return tasks[:n]


@pytest.mark.parametrize("jobs", ["1", "2"], ids=["one-loop", "two-workers"])
def test_concurrency_bounds_the_requests_on_the_wire(compiled_library, tmp_path, monkeypatch, jobs):
    """--concurrency 12 keeps 12 requests at the server and never more, whether one event
    loop holds them or the limit is split over forked workers; the episodes are the same."""
    monkeypatch.setenv("TASKKIT_JOBS", jobs)
    tasks = _unique(compiled_library, 40)
    policy = policy_for(tasks)
    server = FakeOpenAI(lambda request: _hold_until_full(server, request, policy), latency=0.03)
    with server:
        agent = make_agent("openai", model="m", base_url=server.url)
        config = GenerateConfig(explore=ExploreConfig(samples=2, seed=1), concurrency=12)
        report = generate(tasks, agent, tmp_path / jobs, config)
        agent.close()
    # The bound is exact: the server holds the first requests until 12 are in flight, so on
    # a loaded machine a slow worker still gets there, and a 13th would have been counted.
    assert server.max_in_flight == 12
    assert report["counts"]["episodes"] == 40
    lines = sorted((tmp_path / jobs / "trajectories.jsonl").read_text().splitlines())
    assert [json.loads(x)["task_id"] for x in lines] == sorted(t.id for t in tasks)
    for name in ("sft.jsonl", "dpo.jsonl"):
        text = (tmp_path / jobs / name).read_text()
        assert text == _reference(compiled_library, tmp_path, name)


_FULL = 12


def _hold_until_full(server, request, policy):
    """Answer only once the server has held ``_FULL`` requests at the same time (or after 20 s,
    which fails the test's bound check): the test then measures the client's limit, not how
    fast two processes on a busy machine got their first requests out."""
    deadline = time.monotonic() + 20
    while server.max_in_flight < _FULL and time.monotonic() < deadline:
        time.sleep(0.002)
    return policy(request)


_REFERENCE: dict[str, str] = {}


def _reference(compiled_library, tmp_path, name):
    """The exports of the same run in one process, one request at a time."""
    if not _REFERENCE:
        tasks = _unique(compiled_library, 40)
        with FakeOpenAI(policy_for(tasks)) as server:
            agent = make_agent("openai", model="m", base_url=server.url)
            config = GenerateConfig(explore=ExploreConfig(samples=2, seed=1), concurrency=12)
            generate(tasks, agent, tmp_path / "ref", config)
            agent.close()
        for n in ("sft.jsonl", "dpo.jsonl"):
            _REFERENCE[n] = (tmp_path / "ref" / n).read_text()
    return _REFERENCE[name]


class _Broken:
    """A server agent with a bug on some tasks: those episodes fail, the others finish."""

    name = "broken"

    def act(self, view):  # pragma: no cover - only act_async is used
        raise NotImplementedError

    async def act_async(self, view):
        if view.task.id.endswith("3"):
            raise ValueError(f"agent bug on {view.task.id}")
        return {"role": "assistant", "content": "done"}


@pytest.mark.parametrize("jobs", ["1", "2"], ids=["one-loop", "two-workers"])
def test_an_agent_error_fails_its_episode_and_the_run_goes_on(
    compiled_library, tmp_path, monkeypatch, jobs
):
    monkeypatch.setenv("TASKKIT_JOBS", jobs)
    broken = [t for t in compiled_library if t.id.endswith("3")][:2]
    tasks = broken + [t for t in compiled_library[:30] if not t.id.endswith("3")]
    report = generate(tasks, _Broken(), tmp_path, GenerateConfig(concurrency=16))
    records = [json.loads(x) for x in (tmp_path / "trajectories.jsonl").read_text().splitlines()]
    failed = {r["task_id"]: r["failed"] for r in records if "failed" in r}
    assert set(failed) == {t.id for t in broken}
    for task_id, failure in failed.items():
        assert failure["kind"] == "internal" and f"agent bug on {task_id}" in failure["reason"]
    assert report["overall"]["failed"] == 2 and report["failures"] == {"internal": 2}
    assert report["overall"]["episodes"] == len(tasks) - 2
