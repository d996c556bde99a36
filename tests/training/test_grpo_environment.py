"""One GRPO step with TRL over taskkit environments: a tiny random model, a few bundled
tasks, the environment's reward logged; and the reward TRL logged for each rollout equals
taskkit's own verdict on the same transcript, re-scored through run_episode."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tiny import require_train_extra, tiny_model, tiny_tokenizer, trl_chat_template

require_train_extra()

from taskkit.integrations.trl import TaskEnvironments  # noqa: E402
from taskkit.runs.episodes import run_episode  # noqa: E402
from taskkit.sim.formats import get_format  # noqa: E402
from taskkit.sim.verify import ToolCall  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(
        r"ignore:`\w*gradient_checkpointing\w*` is deprecated:FutureWarning"
    ),
    pytest.mark.filterwarnings(r"ignore:.*environment_factory.*experimental:UserWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]


class _Transcript:
    """Replays what one rollout did (its tool calls, then its final text) as an agent."""

    name = "transcript"

    def __init__(self, calls: list[tuple[str, dict[str, Any]]], answer: str | None) -> None:
        self.calls, self.answer = calls, answer
        self.i = 0

    def act(self, view: Any) -> Any:
        fmt = get_format("openai")
        if self.i < len(self.calls):
            name, args = self.calls[self.i]
            self.i += 1
            return fmt.write(calls=[ToolCall(name, args)])
        return fmt.write(answer=self.answer or "")


def test_one_grpo_step_scores_rollouts_as_taskkit_does(compiled_library, tmp_path) -> None:
    from trl import GRPOConfig, GRPOTrainer

    tasks = [t for t in compiled_library if t.final.gold_actions][:4]
    envs = TaskEnvironments(tasks)
    # Record each rollout: the environment's calls and the reward TRL got for it.
    seen: list[tuple[str, list[tuple[str, dict[str, Any]]], str | None, float]] = []
    reward_fn = envs.reward

    def logged_reward(completions: Any, environments: Any, **kwargs: Any) -> list[float]:
        rewards = reward_fn(completions, environments, **kwargs)
        for env, reward in zip(environments, rewards, strict=True):
            record = env.verdict
            calls = [
                (c["name"], c["arguments"])
                for step in record["steps"]
                for c in step["calls"]
                if isinstance(c["arguments"], dict)
            ]
            seen.append((record["task_id"], calls, record["answer"], reward))
        return rewards

    logged_reward.__name__ = "taskkit"
    texts = [json.dumps(r) for r in envs.rows()] + [json.dumps(t.tools) for t in tasks]
    template = trl_chat_template("qwen3")
    tokenizer = tiny_tokenizer(texts, chat_template=template)
    tokenizer.padding_side = "left"
    model = tiny_model(tokenizer)
    args = GRPOConfig(
        output_dir=str(tmp_path / "grpo"),
        per_device_train_batch_size=4,
        num_generations=2,
        max_completion_length=24,
        max_steps=1,
        learning_rate=1e-4,
        report_to="none",
        logging_steps=1,
        save_strategy="no",
        use_cpu=True,
        seed=0,
    )
    trainer = GRPOTrainer(
        model,
        reward_funcs=[logged_reward],
        args=args,
        train_dataset=envs.train_dataset(),
        processing_class=tokenizer,
        environment_factory=envs.environment_factory,
    )
    trainer.train()
    assert trainer.state.global_step == 1
    logged = [h for h in trainer.state.log_history if any("taskkit" in k for k in h)]
    assert logged, trainer.state.log_history
    assert seen
    by_id = {t.id: t for t in tasks}
    for task_id, calls, answer, reward in seen:
        episode = run_episode(by_id[task_id], _Transcript(calls, answer), "openai")
        assert episode.final is not None
        assert reward == episode.final.score, (task_id, calls, answer)
