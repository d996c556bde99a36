"""A conversation as an episode: the agent's message without calls goes to the user, whose
reply is the next observation, in every format; the episode ends when the user stops; the
final evaluator also asks whether the agent got the facts only the user knows; the action
checks ``confirm_before_write`` and ``forbidden_text``; the trajectory records both sides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from users_helpers import PACKS, call, compiled, heard, say

from taskkit.agents import make_agent
from taskkit.cli.main import cli
from taskkit.runs.episodes import run_episode
from taskkit.sim.episode import Episode
from taskkit.sim.formats import FORMATS

NEW = "9 Oak Ave"


def finding_types(findings) -> list[str]:
    return [f.type for f in findings]


def the_gold_conversation(ep: Episode) -> None:
    say(ep, "What is the new address?")
    call(ep, "get_order", order_id="o-17")
    say(ep, f"I will ship o-17 to {NEW}. Shall I proceed?")
    call(ep, "update_address", order_id="o-17", address=NEW)
    say(ep, f"Done: order o-17 now ships to {NEW}.")


def test_the_gold_conversation_passes_and_the_user_ends_it():
    ep = Episode(compiled(), "openai")
    the_gold_conversation(ep)
    assert ep.done and ep.ended_by == "user_stop"
    assert ep.final is not None and ep.final.score == 1, ep.final.explain()
    assert ep.action_scores == [1, 1, 1, 1, 1]
    assert ep.revealed == {"address"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_replay_plays_the_gold_conversation_and_noop_fails_in_every_format(fmt: str):
    replayed = run_episode(compiled(), make_agent("replay"), fmt, seed=0)
    assert replayed.final is not None and replayed.final.score == 1, replayed.final.explain()
    assert [heard(s) for s in replayed.steps if s.user is not None] == [
        f"Please send it to {NEW}.",
        "Yes, go ahead.",
        None,  # the gold answer: the user stops
    ]
    nothing = run_episode(compiled(), make_agent("noop"), fmt, seed=0)
    assert nothing.final is not None and nothing.final.score == 0
    assert "hidden_not_asked" in finding_types(nothing.final.findings)


def test_an_agent_that_never_asks_fails_with_hidden_not_asked():
    ep = Episode(compiled(), "openai")
    call(ep, "get_order", order_id="o-17")
    say(ep, "Shall I proceed?")
    call(ep, "update_address", order_id="o-17", address=NEW)  # guessed right, never asked
    say(ep, f"Done: order o-17 now ships to {NEW}.")
    assert ep.final is not None and ep.final.score == 0
    assert finding_types(ep.final.findings) == ["hidden_not_asked"]
    assert "'address'" in ep.final.findings[0].message


def test_a_write_before_the_user_confirmed_is_write_without_confirmation():
    ep = Episode(compiled(), "openai")
    say(ep, "What is the new address?")
    step = call(ep, "update_address", order_id="o-17", address=NEW)
    assert step.score == 0
    assert finding_types(step.findings) == ["write_without_confirmation"]
    assert call(ep, "get_order", order_id="o-17").score == 1  # reads need no confirmation
    say(ep, "Shall I proceed?")  # the confirm turn fires
    assert call(ep, "update_address", order_id="o-17", address=NEW).score == 1


def test_a_message_with_forbidden_text_is_forbidden_disclosure():
    ep = Episode(compiled(), "openai")
    step = say(ep, "What is the new address? And your PASSWORD, please.")
    assert finding_types(step.findings) == ["forbidden_disclosure"]
    step = say(ep, "Should I charge card 4111111111111111?")  # the check's regex
    assert finding_types(step.findings) == ["forbidden_disclosure"]
    # the text sent with calls is a message too
    with_calls = {
        "role": "assistant",
        "content": "my password is hunter2",
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "get_order", "arguments": '{"order_id": "o-17"}'},
            }
        ],
    }
    assert "forbidden_disclosure" in finding_types(ep.advance(with_calls).findings)


def test_the_episode_ends_at_max_turns_when_the_user_keeps_replying():
    task = compiled()
    assert task.user is not None
    chatty = task.model_copy(
        update={"user": task.user.model_copy(update={"otherwise": "Go on."}), "max_turns": 3}
    )
    ep = Episode(chatty, "openai")
    for _ in range(3):
        say(ep, "Hello.")
    assert ep.done and ep.ended_by == "max_turns"
    assert ep.final is not None and ep.final.score == 0


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_the_users_reply_as_a_user_turn(fmt: str):
    ep = Episode(compiled(), fmt)
    say(ep, "What is the new address?")
    rendered = json.dumps(ep.observe().messages)
    assert f"Please send it to {NEW}." in rendered
    assert "What is the new address?" in rendered
    if fmt != "xlam":  # xlam keeps the history in one prompt (its `user_input`)
        last = ep.observe().messages[-1]
        assert last == {"role": "user", "content": f"Please send it to {NEW}."}


def test_the_trajectory_records_each_reply_and_the_users_settings():
    ep = Episode(compiled(), "openai")
    the_gold_conversation(ep)
    record = json.loads(json.dumps(ep.record()))
    assert record["user"] == {"kind": "scripted"}
    assert record["ended_by"] == "user_stop"
    assert record["steps"][0]["user"] == {
        "text": f"Please send it to {NEW}.",
        "turn": "give_address",
        "reveals": ["address"],
        "stop": False,
    }
    assert "user" not in record["steps"][1]  # a step with calls: the user was not asked
    assert record["steps"][4]["user"] == {"text": None, "turn": None, "reveals": [], "stop": True}


def test_a_fork_has_its_own_user_and_conversation():
    ep = Episode(compiled(), "openai")
    call(ep, "get_order", order_id="o-17")
    fork = ep.fork()
    assert heard(say(ep, "What is the new address?")) == f"Please send it to {NEW}."
    assert ep.revealed == {"address"} and fork.revealed == set()
    # the fork's user had not fired `give_address`: it answers the same question anew
    assert heard(say(fork, "Where should it go?")) == f"Please send it to {NEW}."
    assert heard(say(ep, "The address again?")) is None  # fired once; otherwise: stop
    assert ep.done and not fork.done
    assert len(ep.transcript) == 4 and len(fork.transcript) == 3


def test_reset_starts_a_new_conversation():
    ep = Episode(compiled(), "openai")
    say(ep, "What is the new address?")
    ep.reset()
    assert ep.revealed == set() and ep.transcript == [("user", compiled().user_command)]
    assert heard(say(ep, "What is the new address?")) == f"Please send it to {NEW}."


def test_taskkit_run_and_taskkit_test_work_on_a_task_with_a_user(tmp_path: Path):
    out = tmp_path / "runs.jsonl"
    runner = CliRunner()
    result = runner.invoke(cli, ["run", str(PACKS), "--agent", "replay", "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2 and all(r["task_score"] == 1 for r in records)
    assert all(r["user"] == {"kind": "scripted"} for r in records)
    result = runner.invoke(cli, ["test", str(PACKS)])
    assert result.exit_code == 0, result.output
    assert "gold_replay" in result.output and "0 failed" in result.output
