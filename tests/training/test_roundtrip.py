"""The training round trip: SFT and DPO data exported from the bundled library train a
tiny random model for one optimiser step with TRL's SFTTrainer and DPOTrainer, and every
row renders through the chat templates TRL ships, tool calls and all.

TRL ships the templates as ``trl/chat_templates/*.jinja``. Its ``llama3.jinja`` is Llama
3.0's, which has no tool calling (it renders ``content`` only), so the rows also render
through ``llama3_1.jinja``, the first Llama template with tools. DeepSeek-V3's template
concatenates arguments as text: it gets the rows of ``--arguments string``.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest
from tiny import require_train_extra, tiny_model, tiny_tokenizer, trl_chat_template

require_train_extra()

from taskkit.agents import MutantAgent  # noqa: E402
from taskkit.datagen import ExploreConfig, GenerateConfig, generate  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    # transformers 5 deprecates gradient_checkpointing names that TRL 1 still reads and sets
    pytest.mark.filterwarnings(
        r"ignore:`\w*gradient_checkpointing\w*` is deprecated:FutureWarning"
    ),
]

OBJECT_TEMPLATES = ["qwen2_5", "qwen3", "llama3_1", "gpt-oss"]
STRING_TEMPLATES = ["deepseek-v3"]


def rows(path: Path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def one_per_task(compiled):
    seen, tasks = set(), []
    for t in compiled:
        if (t.pack, t.task) not in seen:
            seen.add((t.pack, t.task))
            tasks.append(t)
    return tasks


@pytest.fixture(scope="module")
def exported(compiled_library, tmp_path_factory):
    """The same slice exported with object and with string arguments."""
    tasks = one_per_task(compiled_library)
    outs = {}
    for mode in ("object", "string"):
        out = tmp_path_factory.mktemp(f"train-{mode}")
        config = GenerateConfig(explore=ExploreConfig(samples=5, seed=4, arguments=mode))
        generate(tasks, MutantAgent(), out, config)
        outs[mode] = out
    return outs


def conversations(out: Path):
    """Every exported row as the conversations a trainer renders: an SFT row's messages,
    and a DPO row's prompt followed by its chosen and by its rejected answer."""
    for row in rows(out / "sft.jsonl"):
        yield row["messages"], row["tools"]
    for row in rows(out / "dpo.jsonl"):
        yield row["prompt"] + row["chosen"], row["tools"]
        yield row["prompt"] + row["rejected"], row["tools"]


def test_the_slice_holds_conversations_with_a_simulated_user(exported) -> None:
    """The bundled multi-turn tasks are in the slice: their rows carry the user's replies
    as user turns after the command, so the round trip below trains on conversations too."""
    for out in exported.values():
        assert any(
            sum(m["role"] == "user" for m in messages) > 1 for messages, _ in conversations(out)
        )


def rendered_arguments(arguments) -> list[str]:
    """How a template may print a call's arguments: JSON, or a string as it is."""
    forms = [json.dumps(arguments, ensure_ascii=False)]
    if isinstance(arguments, str):
        forms.append(arguments)
    return forms


@pytest.mark.parametrize(
    ("template", "mode"),
    [(t, "object") for t in OBJECT_TEMPLATES] + [(t, "string") for t in STRING_TEMPLATES],
)
def test_every_row_renders_through_the_chat_template_with_its_tool_calls(exported, template, mode):
    tokenizer = tiny_tokenizer(["calls"], chat_template=trl_chat_template(template))
    rendered = calls = 0
    for messages, tools in conversations(exported[mode]):
        text = tokenizer.apply_chat_template(messages, tools=tools, tokenize=False)
        rendered += 1
        # every call made in the conversation, valid or rejected, is in the text
        tail = text
        for m in messages:
            for c in m.get("tool_calls") or []:
                fn = c["function"]
                at = tail.find(fn["name"])
                assert at >= 0, (template, fn["name"])
                tail = tail[at + len(fn["name"]) :]
                hits = [tail.find(f) for f in rendered_arguments(fn["arguments"]) if f in tail]
                assert hits, (template, fn["arguments"])
                tail = tail[min(hits) :]
                calls += 1
    assert rendered > 100 and calls > rendered


def test_llama3_without_tool_support_still_renders_every_row(exported):
    tokenizer = tiny_tokenizer(["calls"], chat_template=trl_chat_template("llama3"))
    for messages, tools in conversations(exported["object"]):
        text = tokenizer.apply_chat_template(messages, tools=tools, tokenize=False)
        assert messages[1]["content"].strip() in text


@pytest.fixture(scope="module")
def qwen(exported):
    """A tiny tokenizer trained on the slice's rendered SFT rows, with Qwen2.5's template."""
    template = trl_chat_template("qwen2_5")
    plain = tiny_tokenizer(["x"], chat_template=template)
    texts = [
        plain.apply_chat_template(m, tools=t, tokenize=False)
        for m, t in conversations(exported["object"])
    ]
    return tiny_tokenizer(texts[:200], chat_template=template)


def load(path: Path, cache: Path):
    import datasets

    return datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(cache))


def one_step(trainer) -> float:
    before = [p.detach().clone() for p in trainer.model.parameters()]
    result = trainer.train()
    assert trainer.state.global_step == 1
    assert math.isfinite(result.training_loss)
    changed = [
        not (a == b.detach()).all() for a, b in zip(before, trainer.model.parameters(), strict=True)
    ]
    assert any(changed), "the optimiser step changed no weight"
    return float(result.training_loss)


def train_args(config_cls, out: Path):
    return config_cls(
        output_dir=str(out),
        max_steps=1,
        per_device_train_batch_size=2,
        learning_rate=1e-3,
        max_length=None,
        report_to="none",
        save_strategy="no",
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
        seed=0,
    )


def test_sft_trainer_takes_one_step_on_the_exported_rows(exported, qwen, tmp_path):
    from trl import SFTConfig, SFTTrainer

    dataset = load(exported["object"] / "sft.jsonl", tmp_path / "cache")
    assert len(dataset) > 0 and {"messages", "tools"} <= set(dataset.column_names)
    trainer = SFTTrainer(
        model=tiny_model(qwen),
        args=train_args(SFTConfig, tmp_path / "sft"),
        train_dataset=dataset,
        processing_class=qwen,
    )
    one_step(trainer)


def test_dpo_trainer_takes_one_step_on_the_exported_pairs(exported, qwen, tmp_path):
    from trl import DPOConfig, DPOTrainer

    dataset = load(exported["object"] / "dpo.jsonl", tmp_path / "cache")
    kinds = {t for ts in dataset["rejected_error_types"] for t in ts}
    assert {"unknown_tool", "args_not_object", "unparseable"} <= kinds
    model = tiny_model(qwen)
    trainer = DPOTrainer(
        model=model,
        ref_model=copy.deepcopy(model),  # no hub id to load a reference model from
        args=train_args(DPOConfig, tmp_path / "dpo"),
        train_dataset=dataset,
        processing_class=qwen,
    )
    one_step(trainer)


def test_qwen2_5_renders_each_call_as_the_hermes_format_writes_it(exported):
    from taskkit.sim.formats import hermes
    from taskkit.sim.verify import ToolCall

    tokenizer = tiny_tokenizer(["calls"], chat_template=trl_chat_template("qwen2_5"))
    checked = 0
    for messages, tools in conversations(exported["object"]):
        text = tokenizer.apply_chat_template(messages, tools=tools, tokenize=False)
        for m in messages:
            if m.get("tool_calls"):
                calls = [
                    ToolCall(c["function"]["name"], c["function"]["arguments"])
                    for c in m["tool_calls"]
                ]
                written = hermes.write(calls=calls, thought=m["content"] or None)
                assert f"<|im_start|>assistant\n{written}<|im_end|>" in text
                checked += 1
    assert checked > 100
