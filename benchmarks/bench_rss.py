#!/usr/bin/env python3
"""Peak memory (RSS) against the number of episodes: 1,000 and 20,000.

    python benchmarks/bench_rss.py [--tasks 1000] [--sizes 1000,20000] [--samples 2]
                                   [--work DIR] [--only stream,generate]

Writes a synthetic library with ``benchmarks/synth.py`` (``--tasks`` abstract tasks, 20
entries each: 20,000 instances for 1,000) and compiles it once. Then, for each size:

``stream``: in a fresh process, reads that many compiled tasks one at a time (each freshly
loaded, as a long run meets them) and plays every gold call and the answer through an
``Episode``, keeping nothing: what grows here is the simulator's own state (validators,
verifiers, nearest-name indexes: memo tables). Target: flat (within 10 %).

``generate``: ``taskkit generate`` on the first N compiled tasks with the instant mutant
agent, in a fresh process; its peak RSS (and that of its workers) as the kernel counts it.
This also holds the tasks it was given and what it exports, which grow with N.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _peak_kib(cmd: list[str]) -> int:
    """Run ``cmd``; its peak RSS in KiB (the largest of it and its waited-for children)."""
    # stderr to a file, not a pipe: nobody reads a pipe while waiting, and a long run's
    # progress line fills one (the run then blocks for good).
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"{cmd[:3]} failed: {err.read().decode()[-2000:]}")
    return int(usage.ru_maxrss)


def _first_lines(source: Path, n: int, out: Path) -> Path:
    """The first ``n`` lines of ``source`` in ``out``, a line at a time, renamed into place
    (a run still reading an older ``out`` keeps its file)."""
    tmp = out.with_name(out.name + ".tmp")
    with source.open("rb") as src, tmp.open("wb") as dst:
        for i, line in enumerate(src):
            if i >= n:
                break
            dst.write(line)
    os.replace(tmp, out)
    return out


def stream(compiled: Path, n: int) -> None:
    """(child) n episodes, one freshly loaded task at a time."""
    from taskkit.models import CompiledTask
    from taskkit.sim.episode import Episode
    from taskkit.sim.formats import get_format
    from taskkit.sim.verify import ToolCall

    fmt = get_format("openai")
    with compiled.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            task = CompiledTask.model_validate_json(line)
            episode = Episode(task, fmt, faults=False)
            for action in task.final.gold_actions:
                if episode.done:
                    break
                episode.advance(fmt.write(calls=[ToolCall(action.tool, dict(action.args))]))
                # and a misspelt tool, so the nearest-name index is built too
                if not episode.done:
                    episode.advance(fmt.write(calls=[ToolCall(action.tool + "x", {})]))
            if not episode.done:
                episode.advance(fmt.write(answer=task.final.gold_answer or "done"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=1_000)
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--samples", type=int, default=2)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--only", default="stream,generate")
    parser.add_argument("--stream-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stream_child:
        stream(Path(args.stream_child[0]), int(args.stream_child[1]))
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-rss-"))
    work.mkdir(parents=True, exist_ok=True)
    compiled = work / "all.jsonl"
    sizes = [int(s) for s in args.sizes.split(",")]
    if not compiled.is_file():
        lib = work / "lib"
        subprocess.run(
            [sys.executable, str(HERE / "synth.py"), str(lib), "--tasks", str(args.tasks)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        sources = [str(lib / "task_library"), str(lib / "content_datasets")]
        subprocess.run(
            ["taskkit", "compile", *sources, "-o", str(compiled)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    # This process stays small: a child's peak RSS as the kernel counts it includes what
    # its parent held when it was spawned, so holding the compiled lines here (or a joined
    # copy of them) was measured as the child's.
    with compiled.open("rb") as f:
        count = sum(1 for _ in f)
    if count < max(sizes):
        sys.exit(f"{compiled} has {count} tasks; raise --tasks")
    report: dict[str, Any] = {}
    parts = set(args.only.split(","))
    for n in sizes:
        row: dict[str, Any] = {}
        if "stream" in parts:
            row["stream_mib"] = round(
                _peak_kib([sys.executable, __file__, "--stream-child", str(compiled), str(n)])
                / 1024,
                1,
            )
        if "generate" in parts:
            subset = _first_lines(compiled, n, work / f"tasks-{n}.jsonl")
            out = Path(tempfile.mkdtemp(prefix=f"gen-{n}-", dir=work))
            cmd = ["taskkit", "generate", str(subset), "-o", str(out), "--agent", "mutant"]
            row["generate_mib"] = round(
                _peak_kib([*cmd, "-k", str(args.samples), "--no-faults"]) / 1024, 1
            )
        report[str(n)] = row
        print(f"  {n:>6} episodes: " + ", ".join(f"{k} {v}" for k, v in row.items()), flush=True)
    first, last = report[str(sizes[0])], report[str(sizes[-1])]
    for key in first:
        print(f"  {key}: {last[key] / first[key]:.2f}x from {sizes[0]:,} to {sizes[-1]:,}")
    print("target: flat (within 10 %)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
