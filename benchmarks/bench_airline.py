#!/usr/bin/env python3
"""The airline pack (τ-bench's airline domain, declared) against τ-bench itself.

    python benchmarks/bench_airline.py [--runs 5] [--clock wall|cpu]

``step``: every gold call of the 50 airline tasks, played in order per task, timed call by
call: taskkit's ``Episode.advance`` on the compiled task (the shared world of 300 flights,
2,000 reservations and 500 users) against τ-bench's own ``env.step`` on the same calls (its
tools on its data, run as ``tests/airline/tau.py`` runs it, with no model). Medians per call,
side by side, and per tool (``by_tool``). Target: taskkit no slower than τ-bench.

``size``: the compiled airline JSONL (plus its ``worlds/`` file) against the world files it
starts from. Target: the JSONL <= 2x the world files.

Needs ``shared/corpora/taubench-airline`` beside the checkout (as the tests do).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACK = HERE.parent / "task_library" / "airline"
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
sys.path.insert(0, str(HERE.parent / "tests" / "airline"))


def bench_step(tasks: dict[int, Any], oracle: Any, runs: int, clock: Any) -> dict[str, Any]:
    """Each run plays every task's calls on taskkit, then on τ-bench: each side in a phase
    of its own. Interleaved task by task, taskkit's calls ran just after τ-bench had loaded
    (and dropped) a fresh 5 MB world for the previous task, in memory the allocator had just
    handed back, and measured twice as slow as in a phase of their own (τ-bench's calls run
    right after their own load either way)."""
    from taskkit.sim.episode import Episode
    from taskkit.sim.verify import ToolCall

    ours: list[float] = []
    theirs: list[float] = []
    ours_by_tool: dict[str, list[float]] = {}
    theirs_by_tool: dict[str, list[float]] = {}
    sequences = {
        index: [(a.name, a.kwargs) for a in oracle.tasks[index].actions] for index in sorted(tasks)
    }
    sequences = {index: calls for index, calls in sequences.items() if calls}
    for _ in range(runs):
        for index, calls in sequences.items():  # the tasks the pack has
            episode = Episode(tasks[index], "openai", faults=False)
            responses = [episode.format.write(calls=[ToolCall(n, dict(k))]) for n, k in calls]
            for (name, _), response in zip(calls, responses, strict=True):
                start = clock()
                episode.advance(response)
                ours.append(clock() - start)
                ours_by_tool.setdefault(name, []).append(ours[-1])
                if episode.done:
                    break
        for index, calls in sequences.items():
            env = oracle.env(index)
            env.data = env.data_load_func()  # τ-bench's own load, outside the timing
            actions = [oracle.action(n, k) for n, k in calls]
            for action in actions:
                if action.name in env.terminate_tools:
                    break  # it would score the episode: replay the gold, hash twice
                start = clock()
                env.step(action)
                theirs.append(clock() - start)
                theirs_by_tool.setdefault(action.name, []).append(theirs[-1])
    return {
        "calls": len(ours),
        "taskkit_median_us": round(statistics.median(ours) * 1e6, 1),
        "tau_bench_median_us": round(statistics.median(theirs) * 1e6, 1),
        "taskkit_p90_us": round(statistics.quantiles(ours, n=10)[-1] * 1e6, 1),
        "tau_bench_p90_us": round(statistics.quantiles(theirs, n=10)[-1] * 1e6, 1),
        # where the medians come from: each tool's calls, most frequent first
        "by_tool": {
            name: {
                "calls": len(times),
                "taskkit_median_us": _median_us(times),
                "tau_bench_median_us": _median_us(theirs_by_tool.get(name, [])),
            }
            for name, times in sorted(ours_by_tool.items(), key=lambda kv: -len(kv[1]))
        },
    }


def _median_us(times: list[float]) -> float | None:
    return round(statistics.median(times) * 1e6, 1) if times else None


def bench_size(tasks: list[Any]) -> dict[str, Any]:
    from taskkit.compiler import write_compiled

    world = sum(
        (PACK / "world" / f"{n}.json").stat().st_size for n in ("flights", "reservations", "users")
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "airline.jsonl"
        write_compiled(tasks, out)
        jsonl = out.stat().st_size
        stored_world = sum(p.stat().st_size for p in (Path(tmp) / "worlds").iterdir())
    return {
        "world_files_bytes": world,
        "jsonl_bytes": jsonl,
        "worlds_dir_bytes": stored_world,
        "jsonl_over_world": round(jsonl / world, 3),
        "jsonl_and_worlds_over_world": round((jsonl + stored_world) / world, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = parser.parse_args()

    import tau

    from taskkit.compiler import compile_paths

    root = tau.corpus()
    if root is None:
        sys.exit("shared/corpora/taubench-airline not found beside the checkout")
    oracle = tau.Oracle(root, fast=False)  # τ-bench exactly as shipped
    start = time.perf_counter()
    compiled = compile_paths([PACK]).tasks
    compile_s = time.perf_counter() - start
    tasks = {int(t.task.removeprefix("test_")): t for t in compiled}
    result = {
        "compile_s": round(compile_s, 2),
        "step": bench_step(tasks, oracle, args.runs, CLOCKS[args.clock]),
        "size": bench_size(compiled),
        "clock": args.clock,
        "runs": args.runs,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
