#!/usr/bin/env python3
"""Train a small instruct model with GRPO on taskkit's bundled library, with TRL and vLLM.

    pip install -e '.[rl,train]' vllm
    python examples/grpo_train.py --model Qwen/Qwen3-0.6B --output runs/grpo-qwen3

Written to run as it is on one GPU where the model can be loaded; the CPU smoke version of
the same wiring is tests/training/test_grpo_environment.py (a tiny random model, one step).

Every rollout is one compiled task: the model is offered the task's tools as functions, each
call runs through taskkit's verifier and simulated tools, and the reward is taskkit's final
evaluator (the gold state and answer checks), blended with the step scores by
``--step-weight``. Held-out tasks (``--split``) are for evaluating the trained model with
``taskkit run --agent openai`` against a vLLM server.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from trl import GRPOConfig, GRPOTrainer

from taskkit.compiler import compile_paths
from taskkit.integrations.trl import TaskEnvironments

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="Qwen/Qwen3-0.6B")
    parser.add_argument("--output", default="runs/grpo")
    parser.add_argument(
        "--library",
        nargs="*",
        default=[str(HERE.parent / "task_library"), str(HERE.parent / "content_datasets")],
    )
    parser.add_argument("--limit", type=int, default=512, help="tasks to train on")
    parser.add_argument("--step-weight", type=float, default=0.1)
    parser.add_argument("--num-generations", type=int, default=8)
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--no-vllm", action="store_true", help="generate with transformers instead")
    args = parser.parse_args()

    result = compile_paths(args.library)
    if not result.ok:
        raise SystemExit("the library does not compile: run `taskkit lint` on it first")
    # One instance per abstract task first, so a small --limit still covers every task kind.
    seen, first, rest = set(), [], []
    for task in result.tasks:
        kind = (task.pack, task.task)
        (rest if kind in seen else first).append(task)
        seen.add(kind)
    tasks = first + rest
    envs = TaskEnvironments(tasks[: args.limit], step_weight=args.step_weight)

    config = GRPOConfig(
        output_dir=args.output,
        num_generations=args.num_generations,
        per_device_train_batch_size=args.num_generations,
        max_completion_length=1024,
        max_steps=args.max_steps,
        learning_rate=1e-6,
        logging_steps=1,
        bf16=True,
        use_vllm=not args.no_vllm,
        vllm_mode="colocate",
        report_to="none",
    )
    trainer = GRPOTrainer(
        args.model,
        reward_funcs=envs.reward_funcs,
        args=config,
        train_dataset=envs.train_dataset(),
        environment_factory=envs.environment_factory,
    )
    trainer.train()
    trainer.save_model(args.output)


if __name__ == "__main__":
    main()
