#!/usr/bin/env python3
"""Resuming a finished ``generate`` run that holds 20,000 episodes.

    python benchmarks/bench_resume.py [--episodes 20000] [--runs 5] [--samples 2] [--keep DIR]

Builds a finished run folder of realistic records (real explored episodes of the bundled
library, copied to one per task and repeat until there are ``--episodes``), then times:

(a) a no-op resume through the library (``generate()`` with every episode done): the
    index read, the settings check and the freshness check of the exports; target <= 1 s;
(b) the same from the command line (``taskkit generate ... --repeats R``), process start,
    the ids of the compiled tasks (from ``OUTDIR/.tasks.idx`` once a first command has
    checked the unchanged file) and the lock included; target <= 1 s. Wall and CPU time
    (CPU is the fair figure on a loaded machine), and what it imports (``-X importtime``):
    how many modules, and how long they took, and that none of the simulator, the agents,
    the models or their libraries is among them;
(c) for reference, what a resume cost before there was an index: reading every record of
    ``trajectories.jsonl`` (``Store.records()``).

Medians of ``--runs``. Building the run takes a minute or two; ``--keep DIR`` builds it into
DIR and reuses it when DIR holds one of the same ``--episodes`` and ``--samples``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = {"pydantic", "jinja2", "jsonschema", "yaml", "openai", "rich", "hypothesis"}
"""Libraries a run loads and a no-op resume should not (nor taskkit.sim, taskkit.models)."""

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def build(out: Path, episodes: int, samples: int):
    """A finished run of ``episodes`` in ``out/run``, its compiled tasks in ``out/tasks.jsonl``
    (reused when ``out/bench.json`` says they were built with the same parameters)."""
    from taskkit.agents import MutantAgent
    from taskkit.compiler import compile_paths, write_compiled
    from taskkit.datagen import ExploreConfig, GenerateConfig, generate
    from taskkit.io import jsonlines

    config = GenerateConfig(explore=ExploreConfig(samples=samples), agent="mutant")
    compiled, run, params = out / "tasks.jsonl", out / "run", out / "bench.json"
    wanted = {"episodes": episodes, "samples": samples}
    if params.exists() and json.loads(params.read_text())["wanted"] == wanted:
        from taskkit.compiler import load_compiled

        repeats = json.loads(params.read_text())["repeats"]
        tasks = load_compiled(compiled)
        report = generate(tasks, MutantAgent(), run, config, repeats=repeats)
        return tasks, config, repeats, compiled, run, report, None
    tasks = compile_paths([REPO / "task_library", REPO / "content_datasets"]).tasks
    repeats = math.ceil(episodes / len(tasks))
    per_repeat = -(-episodes // repeats)
    tasks = tasks[:per_repeat]
    write_compiled(tasks, compiled)
    # Real episodes of 50 tasks, then one copy per (task, repeat): every line a full record.
    seed_dir = out / "seed-run"
    generate(tasks[:50], MutantAgent(), seed_dir, config)
    templates = [json.loads(x) for x in (seed_dir / "trajectories.jsonl").read_text().splitlines()]
    run.mkdir()
    (run / "run.json").write_text((seed_dir / "run.json").read_text())
    with (run / "trajectories.jsonl").open("w", encoding="utf-8") as f:
        for i, task in enumerate(tasks):
            for repeat in range(repeats):
                record = dict(templates[i % len(templates)])
                record.update(
                    task_id=task.id,
                    pack=task.pack,
                    category=task.category,
                    task=task.task,
                    repeat=repeat,
                )
                f.write(jsonlines.line(record))
    # The first call finds no index (as after an upgrade), builds it and the exports.
    start = time.perf_counter()
    report = generate(tasks, MutantAgent(), run, config, repeats=repeats)
    first = time.perf_counter() - start
    params.write_text(json.dumps({"wanted": wanted, "repeats": repeats}) + "\n")
    return tasks, config, repeats, compiled, run, report, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--samples", type=int, default=2)
    parser.add_argument("--keep", metavar="DIR", help="build the run into DIR and reuse it")
    args = parser.parse_args()

    from taskkit.agents import MutantAgent
    from taskkit.datagen import generate
    from taskkit.datagen.store import Store

    with tempfile.TemporaryDirectory(prefix="bench-resume-") as tmp:
        out = Path(args.keep) if args.keep else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        tasks, config, repeats, compiled, run, report, first = build(
            out, args.episodes, args.samples
        )
        held = report["counts"]["episodes"]
        size = (run / "trajectories.jsonl").stat().st_size
        opened = (
            "reused"
            if first is None
            else f"first open (no index: full scan, exports) {first:.2f} s"
        )
        print(
            f"finished run: {held} episodes ({len(tasks)} tasks x {repeats} repeats), "
            f"trajectories {size / 2**20:.0f} MiB; {opened}"
        )

        api = []
        for _ in range(args.runs):
            start = time.perf_counter()
            again = generate(tasks, MutantAgent(), run, config, repeats=repeats)
            api.append(time.perf_counter() - start)
            assert again["counts"]["episodes"] == held
        print(
            f"(a) no-op resume, library call: median {statistics.median(api) * 1000:.0f} ms "
            f"(runs: {', '.join(f'{t * 1000:.0f}' for t in api)})"
        )

        cli, cpu = [], []
        command = [
            sys.executable,
            "-m",
            "taskkit",
            "generate",
            str(compiled),
            "-o",
            str(run),
            "-k",
            str(args.samples),
            "--repeats",
            str(repeats),
        ]
        # The first command checks every line of the compiled file and keeps what it found
        # in OUTDIR/.tasks.idx; the reruns on the unchanged file read that instead.
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, text=True)
        print(
            f"    first command on the run (checks the compiled file and writes its index, "
            f"unless a kept run has it): "
            f"{time.perf_counter() - start:.2f} s"
        )
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            cli.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            assert f"{held} episodes already done, 0 to go" in done.stderr, done.stderr
        print(
            f"(b) no-op resume, command line: median {statistics.median(cli):.2f} s wall, "
            f"{statistics.median(cpu):.2f} s CPU (runs: {', '.join(f'{t:.2f}' for t in cli)}); "
            f"the {compiled.stat().st_size / 2**20:.0f} MiB compiled file is not parsed again"
        )
        timed = subprocess.run(
            [command[0], "-X", "importtime", *command[1:]],
            check=True,
            capture_output=True,
            text=True,
        )
        imports = re.findall(r"^import time: +(\d+) \| +\d+ \| +(\S+)$", timed.stderr, re.M)
        heavy = sorted({name.split(".")[0] for _, name in imports} & HEAVY)
        heavy += sorted(
            name for _, name in imports if name.startswith(("taskkit.sim", "taskkit.models"))
        )
        print(
            f"    it imports {len(imports)} modules in "
            f"{sum(int(us) for us, _ in imports) / 1000:.0f} ms (self times); of the heavy ones: "
            f"{', '.join(heavy) or 'none'}"
        )

        full = []
        for _ in range(min(args.runs, 3)):
            start = time.perf_counter()
            records = Store(run).records()
            full.append(time.perf_counter() - start)
            assert len(records) == held
        print(
            f"(c) reading every record instead (the resume before the index): median "
            f"{statistics.median(full):.2f} s"
        )


if __name__ == "__main__":
    main()
