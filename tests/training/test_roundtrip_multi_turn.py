"""The training round trip on conversations: SFT and DPO data that ``generate`` exports from
a multi-turn pack (a simulated user answering the agent) render through the chat templates
TRL ships, with the user's replies as user turns, and train a tiny random model for one
optimiser step with TRL's SFTTrainer and DPOTrainer."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from test_roundtrip import OBJECT_TEMPLATES, load, one_step, rows, train_args
from tiny import require_train_extra, tiny_model, tiny_tokenizer, trl_chat_template

require_train_extra()

from taskkit.agents import ReplayAgent  # noqa: E402
from taskkit.compiler import compile_paths  # noqa: E402
from taskkit.datagen import ExploreConfig, GenerateConfig, generate  # noqa: E402
from taskkit.sim.verify import ToolCall  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(
        r"ignore:`\w*gradient_checkpointing\w*` is deprecated:FutureWarning"
    ),
]

PACKS = Path(__file__).resolve().parents[1] / "users" / "packs"


class Sloppy(ReplayAgent):
    """The gold conversation at low temperatures; at high ones a call of a misspelt tool,
    so every agent turn has a rejected sample beside a passing one (the bundled multi-turn
    tasks go through the mutant agent in test_roundtrip.py)."""

    name = "sloppy"

    def act(self, view: Any) -> Any:
        if view.temperature >= 0.75:
            return view.format.write(calls=[ToolCall("get_ordr", {"order_id": "o-17"})])
        return super().act(view)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    compiled = compile_paths([PACKS])
    assert compiled.ok and all(t.user is not None for t in compiled.tasks)
    out = tmp_path_factory.mktemp("train-conversations")
    config = GenerateConfig(explore=ExploreConfig(samples=5, seed=4))
    generate(compiled.tasks, Sloppy(), out, config)
    return out


def conversations(out: Path):
    for row in rows(out / "sft.jsonl"):
        yield row["messages"], row["tools"]
    for row in rows(out / "dpo.jsonl"):
        yield row["prompt"] + row["chosen"], row["tools"]
        yield row["prompt"] + row["rejected"], row["tools"]


@pytest.mark.parametrize("template", OBJECT_TEMPLATES)
def test_every_conversation_renders_with_the_users_turns(exported: Path, template: str) -> None:
    tokenizer = tiny_tokenizer(["calls"], chat_template=trl_chat_template(template))
    replies = 0
    for messages, tools in conversations(exported):
        text = tokenizer.apply_chat_template(messages, tools=tools, tokenize=False)
        tail = text
        for m in messages[2:]:  # past the system prompt and the user command
            if m["role"] == "user":
                at = tail.find(m["content"])
                assert at >= 0, (template, m["content"])
                tail = tail[at + len(m["content"]) :]
                replies += 1
    assert replies > 0


def test_sft_and_dpo_trainers_take_one_step_on_conversations(
    exported: Path, tmp_path: Path
) -> None:
    from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer

    template = trl_chat_template("qwen2_5")
    plain = tiny_tokenizer(["x"], chat_template=template)
    texts = [
        plain.apply_chat_template(m, tools=t, tokenize=False) for m, t in conversations(exported)
    ]
    qwen = tiny_tokenizer(texts, chat_template=template)
    sft = load(exported / "sft.jsonl", tmp_path / "cache")
    assert len(sft) > 0
    one_step(
        SFTTrainer(
            model=tiny_model(qwen),
            args=train_args(SFTConfig, tmp_path / "sft"),
            train_dataset=sft,
            processing_class=qwen,
        )
    )
    dpo = load(exported / "dpo.jsonl", tmp_path / "cache")
    assert len(dpo) > 0
    assert any(json.dumps(p).count('"role": "user"') > 1 for p in dpo["prompt"])
    model = tiny_model(qwen)
    one_step(
        DPOTrainer(
            model=model,
            ref_model=copy.deepcopy(model),
            args=train_args(DPOConfig, tmp_path / "dpo"),
            train_dataset=dpo,
            processing_class=qwen,
        )
    )
