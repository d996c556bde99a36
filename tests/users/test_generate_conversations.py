"""``generate`` on a multi-turn task: exploration at every agent turn, each sample's copy of
the episode with its own copy of the user; SFT rows are whole conversations, DPO pairs come
from any agent turn."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from users_helpers import compiled

from taskkit.agents import ReplayAgent
from taskkit.datagen import ExploreConfig, GenerateConfig, generate
from taskkit.datagen.explore import explore_episode
from taskkit.sim.verify import ToolCall

ASK = "What is the new address?"
PROPOSE = "I will ship o-17 to 9 Oak Ave. Shall I proceed?"


class Asker:
    """Asks for the address at temperature 0 and for a go-ahead at any other at its first
    turn, then plays the gold conversation; remembers what every sample was shown."""

    name = "asker"

    def __init__(self) -> None:
        self.seen: list[tuple[int, float, str]] = []

    def act(self, view: Any) -> Any:
        turn = len(view.steps)
        self.seen.append((turn, view.temperature, json.dumps(view.input.messages)))
        script = [
            {"answer": ASK if view.temperature == 0 else "Shall I go ahead with that?"},
            {"calls": [ToolCall("get_order", {"order_id": "o-17"})]},
            {"answer": PROPOSE},
            {"calls": [ToolCall("update_address", {"order_id": "o-17", "address": "9 Oak Ave"})]},
            {"answer": "Done: order o-17 now ships to 9 Oak Ave."},
        ]
        return view.format.write(**script[min(turn, len(script) - 1)])


class Sloppy(ReplayAgent):
    """The gold conversation at low temperatures; a misspelt tool at high ones, so that
    every agent turn has rejected samples."""

    name = "sloppy"

    def act(self, view: Any) -> Any:
        if view.temperature >= 0.75:
            return view.format.write(calls=[ToolCall("get_ordr", {"order_id": "o-17"})])
        return super().act(view)


def test_every_sample_meets_its_own_user_and_all_see_the_same_history() -> None:
    agent = Asker()
    record = asyncio.run(explore_episode(compiled(), agent, ExploreConfig(samples=2)))
    first = [s["step"]["user"]["turn"] for s in record["steps"][0]["samples"]]
    assert first == ["give_address", "confirm"]  # each sample's user reacted to it alone
    assert record["steps"][0]["chosen"] == 0
    # The samples of every later turn were shown one conversation: the chosen one's.
    for turn in range(1, len(record["steps"])):
        shown = {messages for t, _, messages in agent.seen if t == turn}
        assert len(shown) == 1, turn
    (later,) = {messages for t, _, messages in agent.seen if t == 1}
    assert "Please send it to 9 Oak Ave." in later
    assert record["passed"] and record["ended_by"] == "user_stop"
    assert record["user"] == {"kind": "scripted"}


def test_sft_rows_are_whole_conversations_and_dpo_pairs_come_from_any_turn(
    tmp_path: Path,
) -> None:
    tasks = [compiled(entry="move-1"), compiled(entry="move-2")]
    config = GenerateConfig(explore=ExploreConfig(samples=5, seed=3))
    generate(tasks, Sloppy(), tmp_path, config)
    sft = [json.loads(line) for line in (tmp_path / "sft.jsonl").read_text().splitlines()]
    dpo = [json.loads(line) for line in (tmp_path / "dpo.jsonl").read_text().splitlines()]
    assert len(sft) == 2
    for row in sft:
        roles = [m["role"] for m in row["messages"]]
        # the user's replies are user turns, each right after an assistant message to it
        replies = [i for i, r in enumerate(roles) if r == "user" and i > 1]
        assert replies and all(roles[i - 1] == "assistant" for i in replies)
        assert roles[-1] == "assistant"
    # Two rejected samples at every agent turn, each after the conversation so far.
    turns = len(sft[0]["messages"]) - 2 - sum(m["role"] == "tool" for m in sft[0]["messages"])
    turns -= sum(m["role"] == "user" for m in sft[0]["messages"][2:])
    assert len(dpo) == 2 * 2 * turns
    later = [row for row in dpo if any(m["role"] == "user" for m in row["prompt"][2:])]
    assert later and all(row["rejected_error_types"] == ["unknown_tool"] for row in dpo)
