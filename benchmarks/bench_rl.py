#!/usr/bin/env python3
"""The RL adapters' overhead: a tool call through TRL's environment against a direct
``Episode.step``, and the cost of a fresh environment instance (one per rollout).

    python benchmarks/bench_rl.py [--runs 7]

Every gold call of every bundled instance is made both ways, alternating run by run, on
episodes built outside the timing. Targets (issue "Online RL"): a call through the adapter
<= 2x a direct step; creating an environment instance (construct + reset) <= 1 ms.
Needs the ``rl`` extra (transformers and datasets are not imported here; the adapter is).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from taskkit.compiler import compile_paths
    from taskkit.integrations.trl import TaskEnvironments
    from taskkit.sim.episode import Episode
    from taskkit.sim.formats import get_format
    from taskkit.sim.verify import ToolCall

    tasks = compile_paths([HERE.parent / "task_library", HERE.parent / "content_datasets"]).tasks
    tasks = [t for t in tasks if t.final.gold_actions]
    envs = TaskEnvironments(tasks, seed=0)
    fmt = get_format("openai")
    rows = {r["task_id"]: r for r in envs.rows()}
    classes = envs.environment_factory
    calls = sum(len(t.final.gold_actions) for t in tasks)

    direct, adapter, create = [], [], []
    for _ in range(args.runs):
        # direct: Episode.step on the openai message of each gold call
        work = [
            (
                Episode(t, fmt),
                [fmt.write(calls=[ToolCall(a.tool, dict(a.args))]) for a in t.final.gold_actions],
            )
            for t in tasks
        ]
        start = time.perf_counter()
        for episode, responses in work:
            for response in responses:
                episode.step(response)
        direct.append((time.perf_counter() - start) / calls)

        # adapter: the same calls as TRL makes them, method calls with keyword arguments
        instances = []
        start = time.perf_counter()
        for t in tasks:
            env = classes[rows[t.id]["environment"]]()
            env.reset(**rows[t.id])
            instances.append(env)
        create.append((time.perf_counter() - start) / len(tasks))
        bound = [
            [(getattr(env, a.tool), dict(a.args)) for a in t.final.gold_actions]
            for env, t in zip(instances, tasks, strict=True)
        ]
        start = time.perf_counter()
        for methods in bound:
            for method, kwargs in methods:
                method(**kwargs)
        adapter.append((time.perf_counter() - start) / calls)

    d, a, c = (statistics.median(x) for x in (direct, adapter, create))
    print(f"{len(tasks)} episodes, {calls} calls per run, {args.runs} runs (medians)")
    print(f"  Episode.step, direct        {d * 1e6:8.1f} us per call")
    print(
        f"  TRL environment method      {a * 1e6:8.1f} us per call   ({a / d:.2f}x; target <= 2x)"
    )
    print(f"  new environment + reset     {c * 1e6:8.1f} us            (target <= 1000 us)")


if __name__ == "__main__":
    main()
