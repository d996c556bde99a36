"""Copy-on-write at record level: an episode's write copies the written collection's
container and replaces the touched record; every other record stays shared with the compiled
task's initial state, which no episode (nor fork) ever changes, in either collection shape."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from one_tool import one_tool_task

from taskkit.models import Behavior, CompiledTask
from taskkit.sim.episode import Episode

PARAMS = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "zip": {"type": "string"}},
    "required": ["id", "zip"],
}
SET_ZIP = {"update": "users", "id": "{{ args.id }}", "set": {"address.zip": "{{ args.zip }}"}}
KEYED = {f"u{i}": {"address": {"zip": "00000"}, "n": i} for i in range(50)}
LISTED = [{"id": f"u{i}", "address": {"zip": "00000"}, "n": i} for i in range(50)]


def _task(initial: dict[str, Any]) -> CompiledTask:
    return one_tool_task("set_zip", Behavior.model_validate(SET_ZIP), PARAMS, initial)


def _call(rid: str, zip_code: str) -> dict[str, Any]:
    arguments = json.dumps({"id": rid, "zip": zip_code})
    call = {"id": "c1", "type": "function", "function": {"name": "set_zip", "arguments": arguments}}
    return {"role": "assistant", "content": None, "tool_calls": [call]}


def _record(users: Any, rid: str) -> dict[str, Any]:
    if isinstance(users, dict):
        return users[rid]
    return next(u for u in users if u["id"] == rid)


@pytest.mark.parametrize("users", [KEYED, LISTED], ids=["keyed", "list"])
def test_a_write_replaces_one_record_and_shares_the_rest(users):
    task = _task({"users": copy.deepcopy(users), "other": [{"id": "z"}]})
    shared = task.initial_state["users"]
    before = copy.deepcopy(task.initial_state)
    episode = Episode(task, "openai")
    result = episode.step(_call("u3", "12345"))
    assert result.info["step"]["calls"][0]["error_type"] is None
    mine = episode.state["users"]
    assert mine is not shared
    assert _record(mine, "u3")["address"]["zip"] == "12345"
    assert _record(mine, "u4") is _record(shared, "u4")  # untouched records are not copied
    assert episode.state["other"] is task.initial_state["other"]  # nor other collections
    assert task.initial_state == before


@pytest.mark.parametrize("users", [KEYED, LISTED], ids=["keyed", "list"])
def test_forks_and_later_episodes_never_see_each_others_writes(users):
    task = _task({"users": copy.deepcopy(users)})
    before = copy.deepcopy(task.initial_state)
    episode = Episode(task, "openai")
    episode.step(_call("u3", "11111"))
    fork = episode.fork()
    fork.step(_call("u3", "22222"))
    episode.step(_call("u5", "33333"))
    assert _record(episode.state["users"], "u3")["address"]["zip"] == "11111"
    assert _record(fork.state["users"], "u3")["address"]["zip"] == "22222"
    assert _record(fork.state["users"], "u5")["address"]["zip"] == "00000"
    fresh = Episode(task, "openai")
    assert fresh.state == before
    assert task.initial_state == before


GET = {"get": "users", "id": "{{ args.id }}"}


def _two_tools(initial: dict[str, Any]) -> CompiledTask:
    """``set_zip`` and ``get_user`` (a lone ``get``, shown as stored) over the same users."""
    task = _task(initial)
    getter = one_tool_task("get_user", Behavior.model_validate(GET), PARAMS, initial)
    return task.model_copy(update={"environment": [*task.environment, *getter.environment]})


def _get(rid: str) -> dict[str, Any]:
    arguments = json.dumps({"id": rid, "zip": "-"})
    call = {
        "id": "c1",
        "type": "function",
        "function": {"name": "get_user", "arguments": arguments},
    }
    return {"role": "assistant", "content": None, "tool_calls": [call]}


@pytest.mark.parametrize("users", [KEYED, LISTED], ids=["keyed", "list"])
def test_a_get_shows_the_record_as_it_is_now(users):
    """A lone ``get`` returns the stored record itself, and its text is kept by identity:
    after a write, the next read shows the new record, and nothing leaks between episodes."""
    task = _two_tools({"users": copy.deepcopy(users)})
    before = copy.deepcopy(task.initial_state)

    def shown(episode: Episode, rid: str) -> Any:
        observation = episode.step(_get(rid)).info["step"]["calls"][0]["observation"]
        return json.loads(observation)

    episode = Episode(task, "openai")
    assert shown(episode, "u3") == _record(before["users"], "u3")
    episode.step(_call("u3", "12345"))
    assert shown(episode, "u3")["address"]["zip"] == "12345"
    assert shown(Episode(task, "openai"), "u3") == _record(before["users"], "u3")
    assert task.initial_state == before
