#!/usr/bin/env python3
"""One simulator step -- parse + verify + execute + evaluate -- on declared tools.

    python benchmarks/bench_step.py [--runs 7] [--format openai]

Compiles the bundled library, pre-writes every gold call of every instance as the agent's
response in the chosen format, and times ``Episode.step`` on each (a fresh episode per
instance, built outside the timing). Target: <= 200 us median per step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--format", default="openai")
    args = parser.parse_args()

    from taskkit.compiler import compile_paths
    from taskkit.sim.episode import Episode
    from taskkit.sim.formats import get_format
    from taskkit.sim.verify import ToolCall

    tasks = compile_paths([HERE.parent / "task_library", HERE.parent / "content_datasets"]).tasks
    fmt = get_format(args.format)
    work = []
    for task in tasks:
        responses = [
            fmt.write(calls=[ToolCall(a.tool, dict(a.args))]) for a in task.final.gold_actions
        ]
        responses.append(fmt.write(answer=task.final.gold_answer or "done"))
        work.append((task, responses))

    per_step = []
    for _ in range(args.runs):
        episodes = [(Episode(t, fmt, faults=False), rs) for t, rs in work]
        steps = 0
        start = time.perf_counter()
        for episode, responses in episodes:
            for response in responses:
                episode.step(response)
                steps += 1
        per_step.append((time.perf_counter() - start) / steps)
    median = statistics.median(per_step)
    print(f"{len(tasks)} episodes, {steps} steps per run ({args.format} format), {args.runs} runs")
    print(
        f"  median {median * 1e6:.1f} us per step (min {min(per_step) * 1e6:.1f}, "
        f"max {max(per_step) * 1e6:.1f}); target <= 200 us"
    )
    print(json.dumps({"us_per_step": round(median * 1e6, 1), "steps": steps}))


if __name__ == "__main__":
    main()
