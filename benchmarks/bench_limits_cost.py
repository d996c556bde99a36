#!/usr/bin/env python3
"""What the limits on model output cost: ``bench_step`` and ``bench_verify`` on this tree
against a baseline tree without them, taking turns.

    python benchmarks/bench_limits_cost.py --baseline-rev dba18a5 [--rounds 3]
    python benchmarks/bench_limits_cost.py --baseline DIR [--rounds 3]
    python benchmarks/bench_limits_cost.py --baseline-rev dba18a5 --baseline-library

``--baseline-rev`` exports that commit's ``taskkit/`` (and its ``task_library/`` and
``content_datasets/``) with ``git archive`` into a temporary folder; the benchmark scripts
(and the library they load) are this tree's, only the package imported differs
(``PYTHONPATH``). Once the bundled library uses what the baseline cannot compile (shared
worlds, say), ``--baseline-library`` has both trees step through the baseline's library.
Each round runs both benchmarks on both trees in alternating order, on the CPU clock; the
medians over rounds are compared. Target: the limits cost <= 5 % on each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TREES = ("taskkit", "task_library", "content_datasets")
"""What ``--baseline-rev`` exports: the package and the bundled library it compiled."""


def export(rev: str) -> Path:
    out = Path(tempfile.mkdtemp(prefix="taskkit-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent), "archive", rev, *TREES],
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryFile() as f:
        f.write(archive)
        f.seek(0)
        with tarfile.open(fileobj=f) as tar:
            tar.extractall(out, filter="data")
    return out


def run(script: str, args: list[str], tree: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    proc = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--baseline", type=Path, help="a folder holding a taskkit/ package")
    where.add_argument("--baseline-rev", help="a git revision of this repository")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpora", type=Path, default=HERE.parents[1] / "shared" / "corpora")
    parser.add_argument(
        "--baseline-library",
        action="store_true",
        help="bench_step on the baseline's bundled library (with --baseline: DIR's), both trees",
    )
    args = parser.parse_args()
    base = args.baseline or export(args.baseline_rev)
    library = ["--library", str(base)] if args.baseline_library else []

    benches = {
        "bench_step (us per step)": (
            "bench_step.py",
            ["--only", "step", "--clock", "cpu", "--runs", "3", *library],
            lambda r: r["us_per_step"],
        ),
        "bench_verify gold (us per call)": (
            "bench_verify.py",
            ["--only", "calls", "--clock", "cpu", "--corpora", str(args.corpora)],
            lambda r: r["16000"]["gold"]["median_us"],
        ),
    }
    samples: dict[tuple[str, str], list[float]] = {}
    mutated: dict[str, list[float]] = {"baseline": [], "limits": []}
    for i in range(args.rounds):
        order = [("baseline", base), ("limits", None)]
        if i % 2:
            order.reverse()
        for label, (script, bench_args, pick) in benches.items():
            for tree_label, tree in order:
                result = run(script, bench_args, tree)
                samples.setdefault((label, tree_label), []).append(pick(result))
                if script == "bench_verify.py":
                    mutated[tree_label].append(result["16000"]["mutated"]["median_us"])
                print(f"round {i + 1}: {label} {tree_label}: {pick(result)}", flush=True)
    report: dict[str, Any] = {}
    for label in benches:
        before = statistics.median(samples[label, "baseline"])
        after = statistics.median(samples[label, "limits"])
        report[label] = {"baseline": before, "limits": after, "ratio": round(after / before, 3)}
    before, after = statistics.median(mutated["baseline"]), statistics.median(mutated["limits"])
    report["bench_verify mutated (us per call)"] = {
        "baseline": before,
        "limits": after,
        "ratio": round(after / before, 3),
    }
    for label, row in report.items():
        print(
            f"  {label}: baseline {row['baseline']:.2f}, with limits {row['limits']:.2f} "
            f"({(row['ratio'] - 1) * 100:+.1f} %)"
        )
    print("target: <= +5 % (medians over rounds, CPU clock)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
