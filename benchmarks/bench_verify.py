#!/usr/bin/env python3
"""Syntax verification cost per call, with 10, 1,000 and 16,000 tools offered.

    python benchmarks/bench_verify.py [--runs 7] [--corpora ../shared/corpora]

Imports the BFCL corpora (simple_python, multiple), compiles them, and verifies every gold
call and every syntactic mutation of it (malformed JSON, arguments not an object, unknown
tool, missing / extra argument, wrong type) -- calls already parsed, as the verifier gets
them from a response format. The verifier is offered N tools: the real ones plus clones of
them under other names. Validators are compiled on first use (a warm-up pass), so the figure
is the steady state of an episode. Per-call time must stay flat in N; target <= 4 us median.
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


def corpora_calls(corpora: Path) -> tuple[dict[str, Any], list[Any], list[Any]]:
    from taskkit.agents.mutant import MUTATIONS
    from taskkit.compiler import compile_paths
    from taskkit.importers import IMPORTERS, write_result
    from taskkit.sim.verify import ToolCall

    tools: dict[str, Any] = {}
    gold: list[ToolCall] = []
    mutated: list[ToolCall] = []
    for name in ("BFCL_v4_simple_python.json", "BFCL_v4_multiple.json"):
        out = Path(tempfile.mkdtemp(prefix="bench-verify-")) / "bfcl"
        write_result(IMPORTERS["bfcl"].load(corpora / "bfcl" / name), out, pack_name="bfcl")
        for task in compile_paths([out]).tasks:
            envs = {e.name: e for e in task.environment}
            for e in task.environment:
                tools[f"{e.name}"] = e.parameters
            for action in task.final.gold_actions:
                call = ToolCall(action.tool, dict(action.args))
                gold.append(call)
                for key, (_, mutate) in MUTATIONS.items():
                    if key != "wrong_value" and (m := mutate(call, envs[action.tool])) is not None:
                        mutated.append(m)
    return tools, gold, mutated


def offered(tools: dict[str, Any], n: int, calls: list[Any]) -> dict[str, Any]:
    """N tools: every tool the calls use, padded with renamed clones of real ones."""
    table = {c.name: tools[c.name] for c in calls if c.name in tools}
    schemas = list(tools.values())
    i = 0
    while len(table) < n:
        table[f"clone_{i}_tool"] = schemas[i % len(schemas)]
        i += 1
    return table


def time_calls(pairs: list[tuple[Any, Any]], runs: int) -> float:
    """Median over runs of the mean time per call; each pair is (verifier, call)."""
    for verifier, call in pairs:  # warm-up: compile every validator once
        verifier.verify(call)
    per_call = []
    for _ in range(runs):
        start = time.perf_counter()
        for verifier, call in pairs:
            verifier.verify(call)
        per_call.append((time.perf_counter() - start) / len(pairs))
    return statistics.median(per_call)


def verifiers_for(tools: dict[str, Any], n: int, calls: list[Any]) -> list[tuple[Any, Any]]:
    """(verifier, call) in the calls' own order, each verifier offering ``n`` tools that
    include the call's tool: one shared verifier when n covers every tool, else one per tool."""
    from taskkit.sim.verify import Verifier

    if n >= len(tools):
        shared = Verifier(offered(tools, n, [c for c in calls if c.name in tools]))
        return [(shared, c) for c in calls]
    per_tool: dict[str, Any] = {}
    pairs = []
    for c in calls:
        home = c.name if c.name in tools else next(iter(tools))
        if home not in per_tool:
            per_tool[home] = Verifier(offered(tools, n, [type(c)(home, {})]))
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
    print(f"{len(tools)} distinct BFCL tools, {len(gold)} gold calls, {len(mutated)} mutated calls")
    results = {}
    for n in (10, 1_000, 16_000):
        row = {}
        for label, calls in (("gold", gold), ("mutated", mutated)):
            row[label] = time_calls(verifiers_for(tools, n, calls), args.runs)
        results[n] = row
        print(
            f"  {n:>6} tools offered: gold {row['gold'] * 1e6:5.2f} us/call, "
            f"mutated {row['mutated'] * 1e6:5.2f} us/call (median of {args.runs} runs)"
        )
    print("target: <= 4 us median per call, flat in the number of tools")
    print(
        json.dumps(
            {str(k): {kk: round(vv * 1e6, 3) for kk, vv in v.items()} for k, v in results.items()}
        )
    )


if __name__ == "__main__":
    main()
