"""The openai agent's two ways of sending concurrent requests, the lean aiohttp pool (the
default) and the SDK's client, are interchangeable: against the same loopback server (with
latency, injected 429s to retry, hot samples that call unknown tools) they write the same
files, byte for byte."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
from fake_openai import FakeOpenAI

from taskkit.agents import AgentView, make_agent
from taskkit.agents.lean_http import LeanClient
from taskkit.datagen import ExploreConfig, GenerateConfig, generate
from taskkit.sim.formats import get_format
from tests.e2e.test_generate_openai import policy_for  # hot samples call unknown tools

pytest.importorskip("openai")

SETTINGS = {"agent": "openai", "created": "fixed"}  # one start time: the files compare whole
FILES = ("trajectories.jsonl", "sft.jsonl", "dpo.jsonl")


@pytest.fixture(scope="module")
def tasks(compiled_library):
    commands = [t.user_command for t in compiled_library]
    unique = [t for t in compiled_library if commands.count(t.user_command) == 1]
    return unique[:12]  # faults included: the episodes differ more than the gold path


def run(tasks, out, http, monkeypatch):
    monkeypatch.setenv("TASKKIT_OPENAI_HTTP", http)
    with FakeOpenAI(policy_for(tasks), latency=0.005, fail_every=4) as server:
        agent = make_agent("openai", model="m", base_url=server.url, max_retries=8)
        assert agent.http == http
        config = GenerateConfig(explore=ExploreConfig(samples=3, seed=5), concurrency=6)
        generate(tasks, agent, out, config, settings=SETTINGS)
        agent.close()
        return server.requests


def sorted_lines(path):
    return sorted(path.read_bytes().splitlines(keepends=True))


def test_lean_and_sdk_requests_write_the_same_files(tasks, tmp_path, monkeypatch):
    monkeypatch.setenv("TASKKIT_JOBS", "1")  # one event loop: both runs order alike
    lean = run(tasks, tmp_path / "lean", "lean", monkeypatch)
    sdk = run(tasks, tmp_path / "sdk", "sdk", monkeypatch)
    for name in FILES:
        assert sorted_lines(tmp_path / "lean" / name) == sorted_lines(tmp_path / "sdk" / name)
    assert (tmp_path / "lean" / "trajectories.jsonl").stat().st_size > 0
    # the server saw the same requests, some twice or more: every 4th was a 429, retried
    assert {json.dumps(r, sort_keys=True) for r in lean} == {
        json.dumps(r, sort_keys=True) for r in sdk
    }
    assert len(lean) > len({json.dumps(r, sort_keys=True) for r in lean})


def test_the_lean_client_backs_off_as_the_server_asks_and_then_gives_up(tasks):
    """A 503 with ``retry-after-ms`` is retried after that wait, ``max_retries`` times,
    then raised with the status and the server's message, as the SDK's error carries."""
    fmt = get_format("openai")
    view = AgentView(tasks[0], fmt, fmt.render(tasks[0], []), [], 0.0, random.Random(0))
    with FakeOpenAI(policy_for(tasks)) as server:
        server.failure = "503"
        agent = make_agent("openai", model="m", base_url=server.url, max_retries=3)
        client = LeanClient(server.url, "k", timeout=5, max_retries=3, in_flight=2)

        async def scenario():
            try:
                await client.post("/chat/completions", agent.request(view))
            finally:
                await client.close()

        with pytest.raises(Exception) as caught:
            asyncio.run(scenario())
        agent.close()
    assert caught.value.status_code == 503
    assert caught.value.body == {"message": "down"}
    assert caught.value.message == "Error code: 503 - down"
    assert len(server.requests) == 4  # one try and three retries
    assert client.is_closed()


def test_a_request_waiting_for_a_connection_goes_out_before_the_reply_that_freed_it_is_used():
    """When every connection is taken, a request waits for one; the reply that frees one
    lets that request go out before its own caller goes on (scoring a reply holds the
    event loop a while, and the server's slot would stay empty all that time)."""
    import time

    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    with FakeOpenAI(lambda _: {"choices": [{"message": {"content": "ok"}}]}) as server:
        client = LeanClient(server.url, "k", timeout=5, max_retries=0, in_flight=1)

        async def step():
            await client.post("/chat/completions", body)
            time.sleep(0.5)  # the episode's step: the loop is this coroutine's meanwhile
            return len(server.requests)

        async def scenario():
            try:
                first = asyncio.ensure_future(step())
                await asyncio.sleep(0)  # the first request takes the one connection
                waiting = asyncio.ensure_future(client.post("/chat/completions", body))
                return await first, await waiting
            finally:
                await client.close()

        seen, _ = asyncio.run(scenario())
    assert seen == 2  # the waiting request reached the server while the first was scored
