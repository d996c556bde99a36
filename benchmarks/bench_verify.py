#!/usr/bin/env python3
"""Syntax verification cost per call, with 10, 1,000 and 16,000 tools offered.

    python benchmarks/bench_verify.py [--rounds 3] [--runs 3] [--corpora ../shared/corpora]
                                      [--clock wall|cpu]

Imports the BFCL corpora (simple_python, multiple), compiles them, and verifies every gold
call and every syntactic mutation of it (malformed JSON, arguments not an object, unknown
tool, missing / extra argument, wrong type) -- calls already parsed, as the verifier gets
them from a response format. The verifier is offered N tools: the real ones plus clones of
them under other names. Validators are compiled on first use (a warm-up pass), so the figure
is the steady state of an episode. Configurations take turns, round after round, so a slow
spell of the machine hits all of them alike. Per-call time must stay flat in N; target
<= 4 us median per call. Also prints the mean, which weighs the rare slow classes (an
unknown tool's nearest-name search) fully.

Then the unknown-tool verdict on its own, with 10 and 16,000 tools offered: every gold
call's tool name misspelt by one edit (as the mutant agent does) and replaced by a far name
(its words reversed), each verifier having met unknown names before (the shared index is
built once per toolset, as in a run). Target: <= 20 us median per verdict at both sizes.

``--clock cpu`` times with this thread's CPU clock instead of the wall clock: on a machine
shared with other work, wall time mostly measures the others.
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


CLOCKS = {"wall": time.perf_counter_ns, "cpu": time.thread_time_ns}
CLOCK = [time.perf_counter_ns]
"""The clock in use (chosen by --clock), in a list so main() can set it."""


def timer_overhead() -> float:
    """Seconds that timing one call adds: two clock reads, median of many."""
    clock = CLOCK[0]
    samples = []
    for _ in range(20_001):
        start = clock()
        samples.append(clock() - start)
    return statistics.median(samples) / 1e9


class Timing:
    """One configuration's calls and what the timed runs saw of them."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.pairs = pairs
        self.samples: list[list[int]] = [[] for _ in pairs]
        self.means: list[float] = []

    def warm_up(self) -> None:
        for verifier, call in self.pairs:
            verifier.verify(call)

    def run(self) -> None:
        """One batch pass (for the mean), then every call timed on its own."""
        clock = CLOCK[0]
        start = clock()
        for verifier, call in self.pairs:
            verifier.verify(call)
        self.means.append((clock() - start) / 1e9 / len(self.pairs))
        for (verifier, call), mine in zip(self.pairs, self.samples, strict=True):
            t0 = clock()
            verifier.verify(call)
            mine.append(clock() - t0)

    def result(self, overhead: float) -> tuple[float, float]:
        """(median per call, mean per call), in seconds.

        The median takes, per call, its median over the runs (minus the clock's own cost),
        then the median over calls: the target's statistic. The mean is a batch's wall time
        over its size, so the slow classes (an unknown tool's nearest-name search) weigh in
        it at their full cost.
        """
        per_call = statistics.median(statistics.median(s) for s in self.samples) / 1e9
        return per_call - overhead, statistics.median(self.means)


WARM_UP_PASSES = 5


def time_all(timings: list[Timing], rounds: int, runs: int) -> None:
    """In each of ``rounds`` rounds, each configuration in turn gets warm-up passes (the
    first ever compiles its validators; later ones bring its working set back: per-pass
    time keeps falling for a few passes) and then ``runs`` timed runs back to back. Spreading each configuration over the whole session
    lets a slow spell of the machine hit all of them alike, and the medians drop it."""
    for _ in range(rounds):
        for timing in timings:
            for _ in range(WARM_UP_PASSES):
                timing.warm_up()
            for _ in range(runs):
                timing.run()


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


def unknown_calls(gold: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """For each gold call, its tool name misspelt by one edit and a far name (the name's
    words reversed), each paired with the tool it was meant for."""
    from taskkit.agents.mutant import MUTATIONS
    from taskkit.sim.verify import ToolCall

    _, wrong_tool = MUTATIONS["wrong_tool"]
    out = []
    for home, call in gold:
        typo = wrong_tool(call, None)
        if typo is not None:
            out.append((home, typo))
        words = call.name.split("_")
        if len(words) > 1:
            out.append((home, ToolCall("_".join(reversed(words)), call.arguments)))
    return out


def bench_unknown(
    tools: dict[str, Any], gold: list[tuple[str, Any]], rounds: int, runs: int, overhead: float
) -> dict[int, dict[str, float]]:
    calls = [(h, c) for h, c in unknown_calls(gold) if c.name not in tools]
    timings = {n: Timing(verifiers_for(tools, n, calls)) for n in (10, 16_000)}
    time_all(list(timings.values()), rounds, runs)
    out = {}
    for n, timing in timings.items():
        for verifier, call in timing.pairs[:50]:
            assert verifier.verify(call).error_type == "unknown_tool"
        median, mean = timing.result(overhead)
        out[n] = {"median_us": round(median * 1e6, 3), "mean_us": round(mean * 1e6, 3)}
        print(
            f"  unknown tool, {n:>6} tools offered: median {median * 1e6:5.2f} us "
            f"(mean {mean * 1e6:5.2f}) over {len(calls)} misspelt and far names"
        )
    print("target: <= 20 us median per unknown-tool verdict, with 10 and with 16,000 tools")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per round")
    parser.add_argument("--corpora", type=Path, default=HERE.parents[1] / "shared" / "corpora")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    parser.add_argument("--only", default="calls,unknown", help="calls, unknown (comma-separated)")
    args = parser.parse_args()
    CLOCK[0] = CLOCKS[args.clock]
    parts = set(args.only.split(","))
    if not args.corpora.is_dir():
        sys.exit(f"corpora not found at {args.corpora}")

    tools, gold, mutated = corpora_calls(args.corpora)
    overhead = timer_overhead()
    print(f"{len(tools)} distinct BFCL tools, {len(gold)} gold calls, {len(mutated)} mutated calls")
    print(f"clock overhead per timed call: {overhead * 1e9:.0f} ns (subtracted from the median)")
    results: dict[str, Any] = {"clock": args.clock}
    if "calls" in parts:
        results.update(
            bench_calls(tools, gold, mutated, rounds=args.rounds, runs=args.runs, overhead=overhead)
        )
    if "unknown" in parts:
        results["unknown_tool"] = {
            str(k): v
            for k, v in bench_unknown(tools, gold, args.rounds, args.runs, overhead).items()
        }
    print(json.dumps(results))


def bench_calls(
    tools: dict[str, Any],
    gold: list[tuple[str, Any]],
    mutated: list[tuple[str, Any]],
    *,
    rounds: int,
    runs: int,
    overhead: float,
) -> dict[str, Any]:
    sizes = (10, 1_000, 16_000)
    labels = (("gold", gold), ("mutated", mutated))
    timings = {
        (n, label): Timing(verifiers_for(tools, n, calls)) for n in sizes for label, calls in labels
    }
    time_all(list(timings.values()), rounds, runs)
    results: dict[str, Any] = {}
    for n in sizes:
        row = {}
        for label, _ in labels:
            median, mean = timings[n, label].result(overhead)
            row[label] = {"median_us": round(median * 1e6, 3), "mean_us": round(mean * 1e6, 3)}
        results[str(n)] = row
        print(
            f"  {n:>6} tools offered: "
            + ", ".join(
                f"{label} median {r['median_us']:5.2f} us (mean {r['mean_us']:5.2f})"
                for label, r in row.items()
            )
        )
    print(
        "target: <= 4 us median per call, flat in the number of tools "
        f"({rounds} rounds of {runs} runs)"
    )
    return results


if __name__ == "__main__":
    main()
