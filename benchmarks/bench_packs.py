#!/usr/bin/env python3
"""Time ``taskkit packs`` over many installed-style packs, cold and with a warm index.

    python benchmarks/bench_packs.py [--tasks 14000] [--packs 100] [--runs 7] [--keep DIR]

1. Generates the library once with ``synth.py`` (14,000 tasks in 100 packs by default) and
   lays it out as installed packs are: one self-contained folder per pack, its content
   datasets moved inside it (``packs/<pack>/content/``). With ``--keep DIR`` the packs are
   kept and reused by later runs with the same parameters.
2. Points discovery at them through the search path (``TASKKIT_PATH=DIR/packs``) with a
   fresh index (``TASKKIT_CACHE_DIR``), and runs ``python -m taskkit packs`` as a child
   process: once cold (every pack read and indexed), then ``--runs`` times with nothing
   changed. Wall time is spawn to exit, interpreter start-up included, as a user sees it.
3. Two more cases, each timed ``--runs`` times: one file per run *touched* (new mtime, same
   bytes: the changed file is hashed, the summary kept) and one task file per run *edited*
   (a comment appended: that one pack is re-read).
4. Prints median, min and max per case next to the target (0.5 s for an unchanged listing),
   checks that the listing shows every pack and task, and ends with a one-line JSON summary.

Installed distributions' packs (entry point ``taskkit.packs``) are looked up as in real use,
so their scan is part of every timing. See benchmarks/README.md for the machine caveats.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_WARM_S = 0.5
LAYOUT_VERSION = 1
MARKER = "bench_packs.json"


def _synth() -> ModuleType:
    """``synth.py`` as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("taskkit_bench_synth", HERE / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and multiprocessing look modules up by name
    spec.loader.exec_module(module)
    return module


def _load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def ensure_packs(root: Path, synth: Any, params: Any, jobs: int) -> tuple[dict[str, Any], bool]:
    """``root/packs/<pack>/`` for every synthetic pack, reusing an identical earlier layout."""
    marker = root / MARKER
    wanted = {"layout": LAYOUT_VERSION, "params": params.as_dict()}
    if marker.is_file() and (root / "packs").is_dir():
        try:
            if json.loads(marker.read_text()).get("wanted") == wanted:
                return json.loads(marker.read_text())["stats"], True
        except (OSError, ValueError, KeyError):
            pass
    staging = root / "synth"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(root / "packs", ignore_errors=True)
    manifest = synth.build(staging, params, jobs=jobs, force=True)
    (root / "packs").mkdir(parents=True)
    for pack in sorted(os.listdir(staging / "task_library")):
        folder = root / "packs" / pack
        os.rename(staging / "task_library" / pack, folder)
        content = staging / "content_datasets" / pack
        if content.is_dir():
            os.rename(content, folder / "content")
    shutil.rmtree(staging)
    marker.write_text(json.dumps({"wanted": wanted, "stats": manifest["stats"]}))
    return manifest["stats"], False


def run(argv: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - t0, proc.returncode, proc.stdout + proc.stderr


def stats(times: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--tasks", type=int, default=14000)
    ap.add_argument("--packs", type=int, default=100)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="generate into (and reuse) this folder")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)

    synth = _synth()
    params = synth.Params(tasks=args.tasks, packs=args.packs)
    tmp = None if args.keep else tempfile.mkdtemp(prefix="taskkit-bench-packs-")
    root = args.keep or Path(str(tmp))
    root.mkdir(parents=True, exist_ok=True)
    try:
        return _bench(args, synth, params, root)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(args: argparse.Namespace, synth: Any, params: Any, root: Path) -> int:
    print(f"{_load()} at start")
    t0 = time.perf_counter()
    counts, reused = ensure_packs(root, synth, params, args.jobs)
    how = "reused" if reused else f"generated in {time.perf_counter() - t0:.1f} s"
    print(f"{counts['packs']} packs, {counts['tasks']} tasks, {counts['files']} files ({how})")

    cache = root / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "TASKKIT_PATH": str(root / "packs"), "TASKKIT_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "taskkit", "packs"]

    cold, code, out = run(cmd, env)
    if code != 0:
        print(f"taskkit packs failed (exit {code}):\n{out[-3000:]}")
        return 1
    print(f"cold (index built): {cold:.2f} s")

    _, _, listing = run([*cmd, "--format", "json"], env)
    doc = json.loads(listing[: listing.rindex("}") + 1])
    listed = [p for p in doc["packs"] if p["source"]["kind"] == "search path"]
    tasks = sum(p["tasks"] for p in listed)
    if len(listed) != counts["packs"] or tasks != counts["tasks"]:
        print(f"listing shows {len(listed)} packs, {tasks} tasks; expected {counts}")
        return 1

    warm = [run(cmd, env)[0] for _ in range(args.runs)]
    task_files = sorted((root / "packs").glob("*/tasks/*.yaml"))
    touched = []
    for i in range(args.runs):
        victim = task_files[(i * 37) % len(task_files)]
        os.utime(victim, ns=(time.time_ns(), time.time_ns()))
        touched.append(run(cmd, env)[0])
    edited = []
    originals: dict[Path, bytes] = {}
    try:
        for i in range(args.runs):
            victim = task_files[(i * 53) % len(task_files)]
            originals.setdefault(victim, victim.read_bytes())
            with victim.open("a", encoding="utf-8") as f:
                f.write(f"# edited by bench_packs run {i}\n")
            edited.append(run(cmd, env)[0])
    finally:  # a kept library stays as generated
        for victim, data in originals.items():
            victim.write_bytes(data)
    print(f"{_load()} at end")

    summary = {
        "packs": counts["packs"],
        "tasks": counts["tasks"],
        "cold_s": round(cold, 3),
        "unchanged": {k: round(v, 3) for k, v in stats(warm).items()},
        "one_file_touched": {k: round(v, 3) for k, v in stats(touched).items()},
        "one_task_edited": {k: round(v, 3) for k, v in stats(edited).items()},
        "target_unchanged_s": TARGET_WARM_S,
        "runs": args.runs,
    }
    for name in ("unchanged", "one_file_touched", "one_task_edited"):
        s = summary[name]
        assert isinstance(s, dict)
        print(f"{name:<18} median {s['median']:.3f} s  (min {s['min']:.3f}, max {s['max']:.3f})")
    verdict = summary["unchanged"]["median"] <= TARGET_WARM_S  # type: ignore[index]
    print(f"target: unchanged listing under {TARGET_WARM_S} s: {'OK' if verdict else 'OVER'}")
    print(json.dumps(summary))
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
