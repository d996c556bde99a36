"""``taskkit run --user model``: a full episode against loopback OpenAI-compatible servers,
one playing the agent and one the user, each with canned replies; the trajectory records both
sides with their settings; the user's server fails as the agent's does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_openai import FakeOpenAI, tool_call
from users_helpers import PACKS

from taskkit.agents.user_model import STOP_TOKEN
from taskkit.cli.main import cli

pytest.importorskip("openai")


def canned(*replies):
    queue = list(replies)
    return lambda request: queue.pop(0)


def agent_replies():
    """The gold conversation of change_address/move-1, as the agent's server sends it."""
    return canned(
        {"content": "What is the new address?"},
        tool_call("get_order", json.dumps({"order_id": "o-17"}), "c1"),
        {"content": "I will ship o-17 to 9 Oak Ave. Shall I proceed?"},
        tool_call("update_address", json.dumps({"order_id": "o-17", "address": "9 Oak Ave"}), "c2"),
        {"content": "Done: order o-17 now ships to 9 Oak Ave."},
    )


def user_replies():
    return canned(
        {"content": "Please send it to 9 Oak Ave."},
        {"content": "Yes, go ahead."},
        {"content": f"Thanks! {STOP_TOKEN}"},
    )


def run(args, tmp_path: Path):
    out = tmp_path / "traj.jsonl"
    result = CliRunner().invoke(
        cli, ["run", str(PACKS), "--task", "change_address", "-o", str(out), *args]
    )
    records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return result, records


def test_a_model_user_plays_a_full_episode_and_both_sides_are_recorded(tmp_path: Path) -> None:
    with FakeOpenAI(agent_replies()) as agent, FakeOpenAI(user_replies()) as user:
        result, records = run(
            [
                "--limit", "1",
                "--agent", "openai", "--model", "agent-model", "--base-url", agent.url,
                "--user", "model", "--user-model", "user-model", "--user-base-url", user.url,
                "--user-seed", "7", "--user-temperature", "0.5",
            ],
            tmp_path,
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    (record,) = records
    assert record["task_score"] == 1 and record["ended_by"] == "user_stop"
    user_settings = {
        "kind": "model",
        "model": "user-model",
        "base_url": user.url,
        "seed": 7,
        "temperature": 0.5,
    }
    assert record["user"] == user_settings
    assert record["settings"]["model"] == "agent-model"
    assert record["settings"]["base_url"] == agent.url
    assert record["settings"]["user"]["model"] == "user-model"
    said = [s["user"] for s in record["steps"] if s.get("user")]
    assert [u["text"] for u in said] == [
        "Please send it to 9 Oak Ave.",
        "Yes, go ahead.",
        "Thanks!",
    ]
    assert said[0]["reveals"] == ["address"] and said[-1]["stop"]
    # Its answer to the proposal is the confirmation the write needs.
    assert said[1]["turn"] == "confirm" and set(record["action_scores"]) == {1}
    # What the user's model was sent: its instructions, the conversation from its side.
    first = user.requests[0]
    assert (first["model"], first["seed"], first["temperature"]) == ("user-model", 7, 0.5)
    system = first["messages"][0]["content"]
    assert "Ship order o-17 to the new address." in system and "9 Oak Ave" in system
    assert STOP_TOKEN in system and "A busy customer" in system
    roles = [(m["role"], m["content"]) for m in first["messages"][1:]]
    assert roles[1:] == [
        ("assistant", "I need to change where my order o-17 goes."),
        ("user", "What is the new address?"),
    ]
    # The agent saw the user's replies as user turns.
    agent_turns = [m for m in agent.requests[1]["messages"] if m["role"] == "user"]
    assert agent_turns[-1]["content"] == "Please send it to 9 Oak Ave."


def test_the_scripted_user_is_the_default_and_recorded_as_such(tmp_path: Path) -> None:
    result, records = run(["--limit", "1"], tmp_path)
    assert result.exit_code == 0, result.output
    assert records[0]["task_score"] == 1 and records[0]["settings"]["user"] == {"kind": "scripted"}
    assert records[0]["user"]["kind"] == "scripted"


def test_a_model_user_without_a_model_is_a_usage_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TASKKIT_USER_MODEL", raising=False)
    with FakeOpenAI(user_replies(), models=("a", "b")) as user:
        result, _ = run(["--user", "model", "--user-base-url", user.url], tmp_path)
    assert result.exit_code == 2
    assert "--user-model is required" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("failure", ["401", "500"])
def test_user_server_failures_are_reported_like_the_agents(tmp_path: Path, failure: str) -> None:
    """A bad key stops the run with one line; a server error fails the episode (recorded)
    and the run goes on; either way exit 4, as for the agent's server, and no traceback."""
    with FakeOpenAI(user_replies()) as user:
        user.failure = failure
        result, records = run(
            ["--limit", "1", "--user", "model", "--user-model", "u", "--user-base-url", user.url,
             "--retries", "0"],
            tmp_path,
        )  # fmt: skip
    assert result.exit_code == 4 and "Traceback" not in result.output
    if failure == "401":
        assert user.url in result.output and "check OPENAI_API_KEY" in result.output
    else:
        (record,) = records
        assert record["failed"]["kind"] == "server" and user.url in record["failed"]["reason"]


def answers_to(request):
    """A user model that answers by what the agent last said."""
    said = request["messages"][-1]["content"]
    if "address" in said:
        return {"content": "Please send it to 9 Oak Ave."}
    if "proceed" in said.lower():
        return {"content": "Yes, go ahead."}
    return {"content": STOP_TOKEN}


def test_generate_with_a_model_user_records_it_and_asks_it_once_a_sample(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    with FakeOpenAI(answers_to, latency=0.3) as user:
        result = CliRunner().invoke(
            cli,
            ["generate", str(PACKS), "-o", str(out), "--agent", "replay", "-k", "2",
             "--limit", "1", "--user", "model", "--user-model", "u", "--user-base-url", user.url],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    config = json.loads((out / "run.json").read_text())
    assert config["config"]["explore"]["user"]["kind"] == "model"
    assert config["settings"]["user"]["model"] == "u"
    (record,) = [json.loads(line) for line in (out / "trajectories.jsonl").read_text().splitlines()]
    assert record["passed"] and record["user"]["base_url"] == user.url
    # Every sample of every message to the user met its own copy of the user.
    messages = sum(1 for st in record["chosen_steps"] if not st["calls"])
    assert len(user.requests) == 2 * messages
    assert user.max_in_flight == 2  # the samples' users asked at once
    sft = (out / "sft.jsonl").read_text()
    assert "Please send it to 9 Oak Ave." in sft
