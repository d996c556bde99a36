#!/usr/bin/env python3
"""Syntax verification cost per call, with 10, 1,000 and 16,000 tools offered.

    python benchmarks/bench_verify.py [--runs 7] [--corpora ../shared/corpora]

Imports the BFCL corpora (simple_python, multiple), compiles them, and verifies every gold
call and every syntactic mutation of it (malformed JSON, arguments not an object, unknown
tool, missing / extra argument, wrong type) -- calls already parsed, as the verifier gets
them from a response format. The verifier is offered N tools: the real ones plus clones of
them under other names. Validators are compiled on first use (a warm-up pass), so the figure
is the steady state of an episode. Per-call time must stay flat in N; target <= 4 us median per call. Also prints the
mean, which weighs the rare slow classes (an unknown tool's nearest-name search) fully.
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


def corpora_calls(
    corpora: Path,
) -> tuple[dict[str, Any], list[tuple[str, Any]], list[tuple[str, Any]]]:
    """The tools' schemas, and the gold and mutated calls, each with the tool it is for."""
    from taskkit.agents.mutant import MUTATIONS
    from taskkit.compiler import compile_paths
    from taskkit.importers import IMPORTERS, write_result
    from taskkit.sim.verify import ToolCall

    tools: dict[str, Any] = {}
    gold: list[tuple[str, ToolCall]] = []
    mutated: list[tuple[str, ToolCall]] = []
    for name in ("BFCL_v4_simple_python.json", "BFCL_v4_multiple.json"):
        out = Path(tempfile.mkdtemp(prefix="bench-verify-")) / "bfcl"
        write_result(IMPORTERS["bfcl"].load(corpora / "bfcl" / name), out, pack_name="bfcl")
        for task in compile_paths([out]).tasks:
            envs = {e.name: e for e in task.environment}
            # The two files share some tool names with different schemas: keep each one
            # under a name of its own, so every gold call meets the schema it was written for.
            names = {}
            for e in task.environment:
                names[e.name] = e.name
                if tools.setdefault(e.name, e.parameters) != e.parameters:
                    names[e.name] = f"{e.name}_{len(tools)}"
                    tools[names[e.name]] = e.parameters
            for action in task.final.gold_actions:
                tool = names[action.tool]
                call = ToolCall(tool, dict(action.args))
                gold.append((tool, call))
                for key, (_, mutate) in MUTATIONS.items():
                    if key != "wrong_value" and (m := mutate(call, envs[action.tool])) is not None:
                        mutated.append((tool, m))
    return tools, gold, mutated


def offered(tools: dict[str, Any], n: int, homes: list[str]) -> dict[str, Any]:
    """N tools: every tool in ``homes``, padded with renamed clones of real ones."""
    table = {name: tools[name] for name in homes}
    schemas = list(tools.values())
    i = 0
    while len(table) < n:
        table[f"clone_{i}_tool"] = schemas[i % len(schemas)]
        i += 1
    return table


def timer_overhead() -> float:
    """Seconds that timing one call adds: two clock reads, median of many."""
    clock = time.perf_counter_ns
    samples = []
    for _ in range(20_001):
        start = clock()
        samples.append(clock() - start)
    return statistics.median(samples) / 1e9


def time_calls(pairs: list[tuple[Any, Any]], runs: int, overhead: float) -> tuple[float, float]:
    """(median per call, mean per call), in seconds; each pair is (verifier, call).

    The median times every call on its own (minus the clock's own cost) and takes, per
    call, its median over the runs, then the median over calls: the target's statistic.
    The mean is a batch's wall time over its size, so the slow classes (an unknown tool's
    nearest-name search) weigh in it at their full cost. Both follow warm-up passes that
    compile every validator and let the interpreter specialise, as in a running episode.
    """
    for _ in range(3):
        for verifier, call in pairs:
            verifier.verify(call)
    clock = time.perf_counter_ns
    samples: list[list[int]] = [[] for _ in pairs]
    means = []
    for _ in range(runs):
        start = time.perf_counter()
        for verifier, call in pairs:
            verifier.verify(call)
        means.append((time.perf_counter() - start) / len(pairs))
        for (verifier, call), mine in zip(pairs, samples, strict=True):
            t0 = clock()
            verifier.verify(call)
            mine.append(clock() - t0)
    per_call = statistics.median(statistics.median(s) for s in samples) / 1e9 - overhead
    return per_call, statistics.median(means)


def verifiers_for(
    tools: dict[str, Any], n: int, calls: list[tuple[str, Any]]
) -> list[tuple[Any, Any]]:
    """(verifier, call) in the calls' own order, each verifier offering ``n`` tools that
    include the tool the call is for (a misspelt call's intended tool too, as in an episode):
    one shared verifier when n covers every tool, else one per tool."""
    from taskkit.sim.verify import Verifier

    if n >= len(tools):
        shared = Verifier(offered(tools, n, [home for home, _ in calls]))
        return [(shared, c) for _, c in calls]
    per_tool: dict[str, Any] = {}
    pairs = []
    for home, c in calls:
        if home not in per_tool:
            per_tool[home] = Verifier(offered(tools, n, [home]))
        pairs.append((per_tool[home], c))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpora", type=Path, default=HERE.parents[1] / "shared" / "corpora")
    args = parser.parse_args()
    if not args.corpora.is_dir():
        sys.exit(f"corpora not found at {args.corpora}")

    tools, gold, mutated = corpora_calls(args.corpora)
    overhead = timer_overhead()
    print(f"{len(tools)} distinct BFCL tools, {len(gold)} gold calls, {len(mutated)} mutated calls")
    print(f"clock overhead per timed call: {overhead * 1e9:.0f} ns (subtracted from the median)")
    results: dict[int, dict[str, dict[str, float]]] = {}
    for n in (10, 1_000, 16_000):
        row = {}
        for label, calls in (("gold", gold), ("mutated", mutated)):
            median, mean = time_calls(verifiers_for(tools, n, calls), args.runs, overhead)
            row[label] = {"median_us": round(median * 1e6, 3), "mean_us": round(mean * 1e6, 3)}
        results[n] = row
        print(
            f"  {n:>6} tools offered: "
            + ", ".join(
                f"{label} median {r['median_us']:5.2f} us (mean {r['mean_us']:5.2f})"
                for label, r in row.items()
            )
        )
    print(f"target: <= 4 us median per call, flat in the number of tools ({args.runs} runs)")
    print(json.dumps({str(k): v for k, v in results.items()}))


if __name__ == "__main__":
    main()
