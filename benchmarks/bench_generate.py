#!/usr/bin/env python3
"""Data-generation throughput and concurrency.

    python benchmarks/bench_generate.py [--runs 3] [--samples 7]

(a) Episodes per second of ``taskkit generate`` with an instant in-process agent (``mutant``,
    k samples per step) on the bundled library: target >= 300 episodes/s on 2 cores.
(b) Utilisation of ``--concurrency`` against a loopback OpenAI-compatible server that answers
    after 50 ms: the average number of requests in flight divided by the limit, measured by
    the server; target >= 90 %.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def bench_instant(tasks, samples: int, runs: int) -> float:
    from taskkit.agents import MutantAgent
    from taskkit.datagen import ExploreConfig, GenerateConfig, generate

    rates = []
    for run in range(runs):
        out = Path(tempfile.mkdtemp(prefix="bench-gen-"))
        start = time.perf_counter()
        generate(
            tasks,
            MutantAgent(),
            out,
            GenerateConfig(explore=ExploreConfig(samples=samples, seed=run)),
        )
        rates.append(len(tasks) / (time.perf_counter() - start))
        print(f"  run {run + 1}: {rates[-1]:,.0f} episodes/s")
    return statistics.median(rates)


def bench_concurrency(tasks, concurrency: int, latency: float) -> float:
    from fake_openai import FakeOpenAI, tool_call

    from taskkit.agents import make_agent
    from taskkit.datagen import ExploreConfig, GenerateConfig, generate

    by_command = {t.user_command: t for t in tasks}
    in_flight = 0
    lock = threading.Lock()
    area = 0.0
    last = time.perf_counter()

    def account(delta: int) -> None:
        nonlocal in_flight, area, last
        with lock:
            now = time.perf_counter()
            area += in_flight * (now - last)
            last = now
            in_flight += delta

    def reply(request):
        account(+1)
        try:
            time.sleep(latency)
            task = by_command[request["messages"][1]["content"]]
            step = sum(1 for m in request["messages"] if m["role"] == "assistant")
            gold = task.final.gold_actions
            if step < len(gold):
                return tool_call(gold[step].tool, json.dumps(gold[step].args))
            return {"content": task.final.gold_answer or "done"}
        finally:
            account(-1)

    with FakeOpenAI(reply) as server:
        agent = make_agent("openai", model="m", base_url=server.url, max_retries=2)
        config = GenerateConfig(
            explore=ExploreConfig(samples=1, faults=False), concurrency=concurrency
        )
        start = time.perf_counter()
        account(0)
        area = 0.0
        generate(tasks, agent, tempfile.mkdtemp(prefix="bench-conc-"), config)
        account(0)
        elapsed = time.perf_counter() - start
    return area / elapsed / concurrency


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()

    from taskkit.compiler import compile_paths

    tasks = compile_paths([HERE.parent / "task_library", HERE.parent / "content_datasets"]).tasks
    print(f"(a) {len(tasks)} episodes, k={args.samples}, mutant agent")
    rate = bench_instant(tasks, args.samples, args.runs)
    print(f"    median {rate:,.0f} episodes/s (target >= 300)")
    commands = [t.user_command for t in tasks]
    unique = [t for t in tasks if commands.count(t.user_command) == 1][:400]
    util = bench_concurrency(unique, args.concurrency, args.latency)
    print(
        f"(b) {len(unique)} episodes against a {args.latency * 1000:.0f} ms server, "
        f"--concurrency {args.concurrency}: {util:.1%} of the limit busy (target >= 90%)"
    )
    print(json.dumps({"episodes_per_s": round(rate), "utilisation": round(util, 3)}))


if __name__ == "__main__":
    main()
