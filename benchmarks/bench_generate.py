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


def _serve(tasks, latency: float, port_out) -> None:
    """The fake server, in its own process: it must not share a GIL with the client."""
    from fake_openai import FakeOpenAI, tool_call

    by_command = {t.user_command: t for t in tasks}

    def reply(request):
        task = by_command[request["messages"][1]["content"]]
        step = sum(1 for m in request["messages"] if m["role"] == "assistant")
        gold = task.final.gold_actions
        if step < len(gold):
            return tool_call(gold[step].tool, json.dumps(gold[step].args))
        return {"content": task.final.gold_answer or "done"}

    server = FakeOpenAI(reply, latency=latency)
    port_out.send(server.url)
    server.httpd.serve_forever()


def bench_concurrency(tasks, concurrency: int, latency: float) -> float:
    import multiprocessing
    import urllib.request

    from taskkit.agents import make_agent
    from taskkit.datagen import ExploreConfig, GenerateConfig, generate

    here, there = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=(tasks, latency, there), daemon=True
    )
    server.start()
    url = here.recv()
    try:
        agent = make_agent("openai", model="m", base_url=url, max_retries=2)
        config = GenerateConfig(
            explore=ExploreConfig(samples=1, faults=False), concurrency=concurrency
        )

        def stats():
            return json.loads(urllib.request.urlopen(url.removesuffix("/v1") + "/stats").read())

        before = stats()["busy"]
        start = time.perf_counter()
        generate(tasks, agent, tempfile.mkdtemp(prefix="bench-conc-"), config)
        elapsed = time.perf_counter() - start
        busy = stats()["busy"] - before
    finally:
        server.terminate()
    return busy / elapsed / concurrency


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()

    from taskkit.compiler import compile_paths

    tasks = compile_paths([HERE.parent / "task_library", HERE.parent / "content_datasets"]).tasks
    print(f"(a) {len(tasks)} episodes, k={args.samples}, mutant agent")
    rate = bench_instant(tasks, args.samples, args.runs)
    print(f"    median {rate:,.0f} episodes/s (target >= 300)")
    commands = [t.user_command for t in tasks]
    unique = [t for t in tasks if commands.count(t.user_command) == 1][:400]
    utilisation = {}
    for c in args.concurrency:
        utilisation[c] = bench_concurrency(unique, c, args.latency)
        print(
            f"(b) {len(unique)} episodes against a {args.latency * 1000:.0f} ms server, "
            f"--concurrency {c}: {utilisation[c]:.1%} of the limit busy (target >= 90%)"
        )
    summary = {
        "episodes_per_s": round(rate),
        "utilisation": {str(k): round(v, 3) for k, v in utilisation.items()},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
