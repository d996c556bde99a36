#!/usr/bin/env python3
"""Compile throughput with gold replay, in compiled instances per second on one core.

    python benchmarks/bench_compile.py [--tasks 500] [--entries 20] [--runs 5] [--profile]

Generates a synthetic library with ``synth.py`` (reused between runs), loads and lints it
once, then times the compile step alone -- rendering every task x entry in the Jinja sandbox,
replaying its gold actions through the simulator's execution engine and checking the
expectations -- in this one process. Target: >= 2,000 instances/s per core.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ensure_library(root: Path, tasks: int, entries: int) -> list[Path]:
    meta = root / "synth.json"
    if not meta.is_file():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "synth.py"),
                str(root),
                "--tasks",
                str(tasks),
                "--packs",
                str(max(1, tasks // 140)),
                "--entries-per-dataset",
                str(entries),
            ],
            check=True,
        )
    return [root / "task_library", root / "content_datasets"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="library folder to (re)use")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from taskkit.compiler import compile_library
    from taskkit.library import load_library

    root = (
        args.keep
        or Path(tempfile.mkdtemp(prefix="taskkit-bench-")) / f"lib-{args.tasks}-{args.entries}"
    )
    paths = ensure_library(root, args.tasks, args.entries)
    lib = load_library(paths)
    first = compile_library(lib, lint_first=True)  # lint once; also warms template caches
    if first.diagnostics:
        print(
            f"warning: {len(first.diagnostics)} instances fail to compile (still timed):",
            file=sys.stderr,
        )
        for d in first.diagnostics[:3]:
            print("  " + d.text(), file=sys.stderr)
    count = len(first.tasks) + len(first.diagnostics)

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        result = compile_library(lib, lint_first=False)
        times.append(time.perf_counter() - start)
        assert len(result.tasks) + len(result.diagnostics) == count
    median = statistics.median(times)
    rate = count / median
    print(f"library: {args.tasks} tasks, {count} instances ({root})")
    print(f"compile (render + gold replay + expectations), {args.runs} runs:")
    print(f"  median {median:.3f} s  min {min(times):.3f}  max {max(times):.3f}")
    print(
        f"  {rate:,.0f} instances/s on one core (target >= 2,000), {1e6 / rate:.0f} us per instance"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        compile_library(lib, lint_first=False)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    print(
        json.dumps(
            {"instances": count, "median_s": round(median, 4), "instances_per_s": round(rate)}
        )
    )


if __name__ == "__main__":
    main()
