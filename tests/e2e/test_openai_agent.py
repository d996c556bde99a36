"""The openai agent against a loopback OpenAI-compatible server: the verdicts for canned
well-formed and malformed tool calls."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
from fake_openai import FakeOpenAI, tool_call

from taskkit.agents import make_agent
from taskkit.agents.base import AgentView
from taskkit.runs.episodes import run_episode
from taskkit.sim.formats import get_format

pytest.importorskip("openai")


def scripted(*replies):
    queue = list(replies)
    return lambda request: queue.pop(0)


@pytest.fixture
def task(compiled_library):
    return next(t for t in compiled_library if t.task == "book_cheapest_viewing")


def test_gold_tool_calls_from_the_server_pass(task):
    gold = task.final.gold_actions
    replies = [tool_call(a.tool, json.dumps(a.args), f"c{i}") for i, a in enumerate(gold)]
    replies.append({"content": task.final.gold_answer})
    with FakeOpenAI(scripted(*replies)) as server:
        agent = make_agent("openai", model="fake-model", base_url=server.url, max_retries=0)
        episode = run_episode(task, agent, "openai", faults=False)
        agent.close()
    assert episode.final.score == 1 and episode.action_scores == [1, 1, 1]
    first = server.requests[0]
    assert first["model"] == "fake-model" and {t["function"]["name"] for t in first["tools"]} >= {
        "search_homes"
    }
    # the second request carries the first call and its observation back to the model
    roles = [m["role"] for m in server.requests[1]["messages"]]
    assert roles == ["system", "user", "assistant", "tool"]


@pytest.mark.parametrize(
    ("reply", "error_type"),
    [
        (tool_call("search_homes", '{"city": "Austin"'), "unparseable"),
        (tool_call("search_homes", '["Austin"]'), "args_not_object"),
        (tool_call("find_homes", '{"city": "Austin"}'), "unknown_tool"),
        (tool_call("search_homes", "{}"), "missing_required"),
        (tool_call("search_homes", '{"city": "Austin", "pool": true}'), "unexpected_parameter"),
        (tool_call("search_homes", '{"city": 5}'), "type_error"),
        (tool_call("search_homes", '{"city": "Austin", "limit": 500}'), "range_error"),
        (
            tool_call("schedule_viewing", '{"home_id": "h-1", "date": "next friday"}'),
            "format_error",
        ),
        # no "arguments" at all: null is not an object
        (
            {
                "content": None,
                "tool_calls": [
                    {"id": "x", "type": "function", "function": {"name": "search_homes"}}
                ],
            },
            "args_not_object",
        ),
    ],
)
def test_malformed_calls_get_their_error_type(task, reply, error_type):
    with FakeOpenAI(scripted(reply, {"content": "done"})) as server:
        agent = make_agent("openai", model="m", base_url=server.url, max_retries=0)
        episode = run_episode(task, agent, "openai", faults=False)
        agent.close()
    step = episode.record()["steps"][0]
    assert [e["type"] for e in step["errors"]] == [error_type]
    assert step["score"] == 0 and episode.final.score == 0


def test_rate_limits_are_retried(task):
    gold = task.final.gold_actions
    replies = [tool_call(a.tool, json.dumps(a.args), f"c{i}") for i, a in enumerate(gold)]
    replies.append({"content": task.final.gold_answer})
    queue = list(replies)
    with FakeOpenAI(lambda r: queue.pop(0), fail_every=2) as server:
        agent = make_agent("openai", model="m", base_url=server.url, max_retries=5)
        episode = run_episode(task, agent, "openai", faults=False)
        agent.close()
    assert episode.final.score == 1
    assert len(server.requests) > len(replies)  # 429s were answered and retried


def test_a_new_request_limit_takes_effect_and_every_client_is_closed(task):
    """limit_in_flight between requests gives the next ones a pool of the new size; aclose
    closes the client made before the change as well as the current one."""
    fmt = get_format("openai")
    view = AgentView(task, fmt, fmt.render(task, []), [], 0.0, random.Random(0))

    async def scenario(agent):
        await agent.act_async(view)
        first = agent._async_client
        agent.limit_in_flight(3)
        await agent.act_async(view)
        second = agent._async_client
        await agent.aclose()
        return first, second

    with FakeOpenAI(scripted({"content": "a"}, {"content": "b"})) as server:
        agent = make_agent("openai", model="m", base_url=server.url, max_retries=0)
        first, second = asyncio.run(scenario(agent))
        agent.close()
    assert first is not second
    assert first.is_closed() and second.is_closed()
    assert len(server.requests) == 2
