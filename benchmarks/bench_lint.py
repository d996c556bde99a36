#!/usr/bin/env python3
"""Time ``taskkit lint`` on a synthetic library of realistic shape (see ``synth.py``).

    python benchmarks/bench_lint.py [--tasks 14000] [--runs 5] [--keep DIR] [--profile]

1. Generates the library once, into a temporary folder (removed afterwards) or into ``--keep
   DIR`` (kept, and reused by later runs with the same generator parameters).
2. Byte-compiles taskkit (as pip does on install), then runs ``python -m taskkit lint
   --strict -q --no-cache task_library content_datasets`` as a child process ``--runs``
   times (with ``--readers both``, that many times with each YAML reader, taking turns);
   for each run, the wall time (spawn to exit, so interpreter start-up and imports count,
   as a user sees them) and the child's peak RSS (``os.wait4`` rusage, so each run is
   measured alone, not the maximum over all children so far). These are the cold runs:
   every file is read.
3. With the lint cache (a fresh ``--cache-dir``): one run that fills it, then ``--runs``
   times a run over the unchanged library, one after an edit of one task file, one after an
   edit of the toolset most tasks name (its description: no name changes, so only the tasks
   that name it are linted again), and one after an edit of that toolset's pack manifest
   (its title: the pack's 140 tasks read it); the files are put back afterwards.
   ``--no-warm`` skips this.
4. Prints the median, min and max wall time and the peak RSS next to the targets (3.5 s wall,
   300 MiB), the library counts, and a one-line JSON summary as the last line.

``--profile`` adds, after the timed runs: a per-phase breakdown (load, entries, each lint
rule; measured in a fresh child process without a profiler) and one in-process run under
cProfile with the top 25 functions by cumulative time (and the top 15 by own time).

The machine matters: quote medians, and see the load average printed at the start and end
(other processes on a 2-core box inflate wall times; peak RSS is not affected).
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
TARGET_WALL_S = 3.5
TARGET_RSS_MIB = 300.0
SUBDIRS = ("task_library", "content_datasets")


def _synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("taskkit_bench_synth", HERE / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and multiprocessing look modules up by name
    dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ here
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = dont_write
    return module


def ensure_library(
    root: Path, synth: ModuleType, params: Any, jobs: int
) -> tuple[dict[str, Any], bool]:
    """The manifest of the library in ``root``, generating it unless an identical one is there."""
    manifest_path = root / synth.MANIFEST
    if manifest_path.is_file() and all((root / s).is_dir() for s in SUBDIRS):
        try:
            manifest = json.loads(manifest_path.read_text())
        except (OSError, ValueError):
            manifest = {}
        if manifest.get("params") == params.as_dict():
            return manifest, True
    return synth.build(root, params, jobs=jobs), False


def count_files(root: Path) -> dict[str, int]:
    counts = {"yaml": 0, "jsonl": 0, "bytes": 0}
    for sub in SUBDIRS:
        for folder, _dirs, files in os.walk(root / sub):
            for name in files:
                if name.endswith((".yaml", ".yml")):
                    counts["yaml"] += 1
                elif name.endswith(".jsonl"):
                    counts["jsonl"] += 1
                else:
                    continue
                counts["bytes"] += os.stat(os.path.join(folder, name)).st_size
    return counts


def run_child(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, int, str]:
    """Run ``argv``; return wall seconds, peak RSS in MiB, exit code and the output's tail.
    The child's CPU seconds (user + system, its worker processes included) are kept in
    :data:`LAST_CPU`: on a loaded machine they move far less than the wall time."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
        out.seek(0)
        tail = out.read()[-4000:].decode(errors="replace")
    rss_mib = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    return wall, rss_mib, proc.returncode, tail


LAST_CPU = [0.0]
"""The CPU seconds of the last :func:`run_child`."""


def _compile_bytecode(python: str) -> None:
    """Byte-compile the taskkit that ``python`` imports."""
    probe = "import os, taskkit; print(os.path.dirname(taskkit.__file__))"
    where = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    subprocess.run([python, "-m", "compileall", "-q", where.stdout.strip()], check=False)


def _fast_reader(python: str) -> bool:
    """Whether ``python`` has taskkit's fast YAML reader (the `fast` extra)."""
    probe = "import taskkit.io.fastyaml as f, sys; sys.exit(0 if f.available() else 1)"
    env = {**os.environ, "TASKKIT_YAML": ""}
    return subprocess.run([python, "-c", probe], env=env, check=False).returncode == 0


def _load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def _mark(value: float, target: float) -> str:
    return "OK" if value <= target else f"OVER by x{value / target:.1f}"


def busiest_toolset(root: Path) -> tuple[Path, int]:
    """The toolset file that the most tasks of its pack name, and how many name it."""
    best: tuple[int, str, Path] = (-1, "", root)
    for pack in sorted((root / "task_library").iterdir()):
        tasks = [p.read_text(encoding="utf-8") for p in sorted(pack.glob("tasks/*.yaml"))]
        for toolset in sorted(pack.glob("tools/*.yaml")):
            users = sum(1 for text in tasks if f"{toolset.stem}." in text)
            best = max(best, (users, str(toolset), toolset))
    return best[2], best[0]


def _edit_description(original: bytes, i: int, key: str = "description") -> bytes:
    """The document with its top-level ``key`` (a one-line text) changed: no name changes,
    so only the files that read the document need linting again."""
    lines = original.splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith(f"{key}: ".encode()))
    lines[at] = f"{key}: The edited document, take {i}.\n".encode()
    return b"".join(lines)


SCENARIOS = ("unchanged", "one task edited", "one toolset edited", "one manifest edited")


def cached_runs(args: argparse.Namespace, root: Path, reader: str) -> dict[str, float]:
    """Lint with the cache: fill it, then time runs over the unchanged library, runs after
    an edit of one task file, and runs after an edit of the description of the toolset most
    tasks use (each file put back afterwards). Returns the figures for the JSON summary."""
    cache_dir = tempfile.mkdtemp(prefix="taskkit-bench-cache-")
    pythons = _pythons(args)
    argvs = {
        label: [
            py,
            "-m",
            "taskkit",
            "lint",
            "--strict",
            "-q",
            "--cache-dir",
            f"{cache_dir}/{label}",
        ]
        for label, py in pythons.items()
    }
    argvs = {label: [*argv, *SUBDIRS] for label, argv in argvs.items()}
    env = {**os.environ, "TASKKIT_YAML": reader}
    edited = sorted((root / "task_library").rglob("tasks/*.yaml"))[0]
    original = edited.read_bytes()
    toolset, users = busiest_toolset(root)
    toolset_original = toolset.read_bytes()
    manifest = toolset.parents[1] / "pack.yaml"  # its pack's: every task of the pack reads it
    manifest_original = manifest.read_bytes()
    pack_tasks = len(list(manifest.parent.glob("tasks/*.yaml")))
    print(
        f"\nwith the lint cache ({cache_dir}); the edited task: {edited.relative_to(root)}; "
        f"the edited toolset: {toolset.relative_to(root)} ({users} tasks name it); the edited "
        f"manifest: {manifest.relative_to(root)} ({pack_tasks} tasks)"
    )
    times: dict[str, list[float]] = {what: [] for what in SCENARIOS}
    rsss: list[float] = []
    # with --baseline: each run of the baseline's right before the same run of this one's
    others: dict[str, dict[str, list[float]]] = {
        f"{label} {kind}": {what: [] for what in SCENARIOS}
        for label in pythons
        for kind in ("wall", "cpu")
        if label != "candidate" or kind == "cpu"
    }
    try:
        for label, argv in argvs.items():
            fill, fill_rss, code, tail = run_child(argv, root, env)
            print(f"  filling the cache ({label}): {fill:7.2f} s  {fill_rss:7.1f} MiB  exit {code}")
        for i in range(args.runs):
            for what, walls in times.items():
                if what == "one task edited":
                    edited.write_bytes(original + f"# edit {i}\n".encode())
                elif what == "one toolset edited":
                    toolset.write_bytes(_edit_description(toolset_original, i))
                elif what == "one manifest edited":
                    manifest.write_bytes(_edit_description(manifest_original, i, "title"))
                for label, argv in argvs.items():
                    wall, rss, code, tail = run_child(argv, root, env)
                    others[f"{label} cpu"][what].append(LAST_CPU[0])
                    if label == "candidate":
                        walls.append(wall)
                        rsss.append(rss)
                    else:
                        others[f"{label} wall"][what].append(wall)
                    print(
                        f"  run {i + 1}/{args.runs} ({what}{_tag(label, pythons)}): {wall:7.2f} s  "
                        f"{LAST_CPU[0]:6.2f} s CPU  {rss:7.1f} MiB  exit {code}  ({_load()})",
                        flush=True,
                    )
                    if code != 0:
                        print(f"lint exited {code}; last output:\n{tail}")
    finally:
        edited.write_bytes(original)
        toolset.write_bytes(toolset_original)
        manifest.write_bytes(manifest_original)
        shutil.rmtree(cache_dir, ignore_errors=True)
    for what, walls in times.items():
        print(
            f"cached, {what + ':':<20} median {statistics.median(walls):.2f} s   "
            f"min {min(walls):.2f} s   max {max(walls):.2f} s   CPU median "
            f"{statistics.median(others['candidate cpu'][what]):.2f} s"
        )
        if "baseline wall" in others:
            print(
                f"  baseline, {what + ':':<18} median "
                f"{statistics.median(others['baseline wall'][what]):.2f} s   CPU median "
                f"{statistics.median(others['baseline cpu'][what]):.2f} s (taking turns)"
            )
    print(f"cached, peak RSS {max(rsss):.1f} MiB; filling the cache took {fill:.2f} s")
    return {
        "cache_fill_s": round(fill, 3),
        "cache_fill_rss_mib": round(fill_rss, 1),
        "cached_unchanged_median_s": round(statistics.median(times["unchanged"]), 3),
        "cached_one_edit_median_s": round(statistics.median(times["one task edited"]), 3),
        "cached_toolset_edit_median_s": round(statistics.median(times["one toolset edited"]), 3),
        "toolset_edit_tasks": users,
        "cached_manifest_edit_median_s": round(statistics.median(times["one manifest edited"]), 3),
        "manifest_edit_tasks": pack_tasks,
        "cached_peak_rss_mib": round(max(rsss), 1),
        **{
            f"cached_{_key(what)}_{_key(series)}_median_s": round(statistics.median(values), 3)
            for series, by_what in others.items()
            for what, values in by_what.items()
        },
    }


def _pythons(args: argparse.Namespace) -> dict[str, str]:
    """The interpreters to time, baseline first (each run of it right before the same run of
    the candidate, so that a slow spell of the machine hits both)."""
    if args.baseline:
        return {"baseline": args.baseline, "candidate": args.python}
    return {"candidate": args.python}


def _tag(label: str, pythons: dict[str, str]) -> str:
    return f", {label}" if len(pythons) > 1 else ""


def _key(text: str) -> str:
    return text.replace(" ", "_")


# --------------------------------------------------------------------------------------------
# --profile: phases (child process) and cProfile (in process).

PHASES_CODE = r"""
import gc, json, os, resource, sys, time
os.environ["TASKKIT_JOBS"] = "1"  # CPU cost of each phase, in one process
gc.disable()  # as lint runs (taskkit.runtime.parallel.paused_gc)
t0 = time.perf_counter()
from taskkit.library import load_library
from taskkit.lint.context import LintContext
from taskkit.lint.registry import RULES
out = {"import": time.perf_counter() - t0}
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
paths = sys.argv[1:]
t = time.perf_counter(); lib = load_library(paths); out["load_library"] = time.perf_counter() - t
out["rss_after_load"] = rss()
t = time.perf_counter()
for ld in lib.docs:
    if ld.kind == "content" and ld.model is not None:
        lib.entries(ld)
out["read_entries"] = time.perf_counter() - t
ctx = LintContext(lib)
rules = {}
for rule_id, rule in RULES.items():
    t = time.perf_counter(); n = sum(1 for _ in rule.check(ctx))
    rules[rule_id] = [getattr(rule, "NAME", ""), time.perf_counter() - t, n]
out["rules"] = rules
out["rss_end"] = rss()
out["total"] = time.perf_counter() - t0
print(json.dumps(out))
"""


def phases(python: str, root: Path) -> None:
    print(
        "\nphases (CPU cost of each, in one fresh process without a profiler; `taskkit lint`"
        " spreads them over shards, see taskkit/lint/shards.py):"
    )
    proc = subprocess.run(
        [python, "-c", PHASES_CODE, *SUBDIRS], cwd=root, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        print(f"  unavailable (taskkit internals changed?): {proc.stderr.strip()[-600:]}")
        return
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    total = data["total"]

    def row(name: str, secs: float, extra: str = "") -> None:
        print(f"  {name:<34} {secs:8.2f} s  {100 * secs / total:5.1f} %  {extra}")

    row("import taskkit.lint", data["import"])
    row(
        "load_library (read+parse+validate)",
        data["load_library"],
        f"peak RSS so far {data['rss_after_load']:.0f} MiB",
    )
    row("entries (JSONL + inline locate)", data["read_entries"])
    for rule_id, (name, secs, n) in sorted(data["rules"].items(), key=lambda kv: -kv[1][1]):
        if secs >= 0.005 * total or n:
            row(f"{rule_id} {name}", secs, f"{n} findings" if n else "")
    rest = [r for r, (_, s, n) in data["rules"].items() if s < 0.005 * total and not n]
    if rest:
        print(f"  (under 0.5 % each: {', '.join(rest)})")
    print(f"  {'total':<34} {total:8.2f} s  peak RSS {data['rss_end']:.0f} MiB")


def _where(filename: str, line: int, func: str, roots: list[str]) -> str:
    for r in roots:
        if filename.startswith(r):
            filename = filename[len(r) :]
            break
    if filename == "~":
        return func  # a built-in
    return f"{filename}:{line}({func})"


def profile(root: Path, top: int = 25) -> None:
    import cProfile
    import pstats
    import sysconfig

    from taskkit.lint import lint

    print(
        "\ncProfile (one run, every shard in this process; the profiler adds overhead, compare"
        " shares not times):"
    )
    paths = [str(root / s) for s in SUBDIRS]
    prof = cProfile.Profile()
    jobs = os.environ.get("TASKKIT_JOBS")
    os.environ["TASKKIT_JOBS"] = "1"  # the shards in this process, where cProfile sees them
    t0 = time.perf_counter()
    prof.enable()
    try:
        result = lint(paths)
    finally:
        prof.disable()
        if jobs is None:
            del os.environ["TASKKIT_JOBS"]
        else:
            os.environ["TASKKIT_JOBS"] = jobs
    wall = time.perf_counter() - t0
    print(
        f"  lint under cProfile: {wall:.1f} s, {len(result.diagnostics)} diagnostics, "
        f"{result.files} files"
    )
    st = pstats.Stats(prof)
    raw: dict[Any, Any] = st.stats  # type: ignore[attr-defined]
    total = max((v[3] for v in raw.values()), default=1.0) or 1.0
    roots = sorted(
        {
            str(HERE.parent) + os.sep,
            sysconfig.get_paths()["purelib"] + os.sep,
            sysconfig.get_paths()["platlib"] + os.sep,
            sysconfig.get_paths()["stdlib"] + os.sep,
        },
        key=len,
        reverse=True,
    )

    def table(key: int, n: int, title: str) -> None:
        print(f"\n  top {n} by {title}:")
        print(f"  {'ncalls':>12} {'tottime':>8} {'cumtime':>8} {'cum%':>6}  function")
        for (fn, line, func), (cc, nc, tt, ct, _callers) in sorted(
            raw.items(), key=lambda kv: -kv[1][key]
        )[:n]:
            calls = f"{nc}/{cc}" if nc != cc else str(nc)
            print(
                f"  {calls:>12} {tt:8.2f} {ct:8.2f} {100 * ct / total:5.1f}%  "
                f"{_where(fn, line, func, roots)}"
            )

    table(3, top, "cumulative time")
    table(2, 15, "own time (tottime)")


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=14000)
    ap.add_argument("--packs", type=int, default=None, help="default: one per 140 tasks")
    ap.add_argument("--entries-per-dataset", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=0, help="untimed runs first (default 0)")
    ap.add_argument(
        "--keep",
        metavar="DIR",
        help="generate into DIR and keep it (reused if its "
        "parameters match); default: a temporary folder, removed afterwards",
    )
    ap.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes for generating the library"
    )
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs taskkit")
    ap.add_argument(
        "--baseline",
        metavar="PYTHON",
        help="also time this interpreter's taskkit (another checkout, say), each run right "
        "before the same run of --python's, and report both medians",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also: per-phase times, and one run under cProfile (top 25 cumulative)",
    )
    ap.add_argument("--no-warm", action="store_true", help="skip the runs with the lint cache")
    ap.add_argument(
        "--readers",
        choices=("installed", "both"),
        default="installed",
        help="'both': alternate runs with the fast YAML reader (the `fast` extra) and with "
        "the reference one (TASKKIT_YAML=pyyaml), and report each (default: as installed)",
    )
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    synth = _synth()
    params = synth.Params(
        tasks=args.tasks,
        packs=args.packs,
        entries_per_dataset=args.entries_per_dataset,
        seed=args.seed,
    )
    tmp = None
    if args.keep:
        root = Path(args.keep).resolve()
        root.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="taskkit-bench-")
        root = Path(tmp)
    try:
        return _bench(args, synth, params, root)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(args: argparse.Namespace, synth: ModuleType, params: Any, root: Path) -> int:
    print(f"machine: {os.cpu_count()} CPUs, {_load()}, python {sys.version.split()[0]}")
    t0 = time.perf_counter()
    manifest, reused = ensure_library(root, synth, params, args.jobs)
    gen_s = time.perf_counter() - t0
    s = manifest["stats"]
    files = count_files(root)
    how = "reused" if reused else f"generated in {gen_s:.2f} s"
    print(f"library: {root} ({how}; generation took {manifest['seconds']:.2f} s when written)")
    print(
        f"  {s['packs']} packs, {files['yaml'] + files['jsonl']} files ({files['yaml']} YAML, "
        f"{files['jsonl']} JSONL, {files['bytes'] / 2**20:.1f} MiB), {s['tasks']} tasks, "
        f"{s['toolsets']} toolsets / {s['tools']} tools, {s['datasets']} datasets / "
        f"{s['entries']} entries"
    )

    lint_argv = [args.python, "-m", "taskkit", "lint", "--strict", "-q", "--no-cache", *SUBDIRS]
    # As pip does on install: without it, an editable checkout run with
    # PYTHONDONTWRITEBYTECODE compiles every module on every start (0.2-0.3 s here).
    for py in _pythons(args).values():
        _compile_bytecode(py)
    wall0, rss0, code0, _ = run_child([args.python, "-m", "taskkit", "lint", "--help"], root)
    print(
        f"start-up baseline (`taskkit lint --help`: interpreter + imports): {wall0:.2f} s, "
        f"{rss0:.0f} MiB" + ("" if code0 == 0 else f" (exit {code0})")
    )
    print(f"command: {' '.join(lint_argv[1:])}  (cwd {root})")
    fast = _fast_reader(args.python)
    readers = (
        ["fast", "pyyaml"] if args.readers == "both" and fast else ["fast" if fast else "pyyaml"]
    )
    print(
        f"YAML reader: {' and '.join(readers)}" + ("" if fast else " (`fast` extra not installed)")
    )
    for i in range(args.warmup):
        wall, rss, code, _ = run_child(lint_argv, root)
        print(f"  warm-up {i + 1}: {wall:.2f} s, {rss:.0f} MiB, exit {code}")
    walls: dict[str, list[float]] = {r: [] for r in readers}
    rsss: list[float] = []
    failed = None
    pythons = _pythons(args)
    cpus: dict[str, list[float]] = {label: [] for label in pythons}
    base_walls: list[float] = []
    for i in range(args.runs):
        for reader in readers:  # taking turns: a slow spell of the machine hits both
            env = {**os.environ, "TASKKIT_YAML": reader}
            for label, py in pythons.items():
                wall, rss, code, tail = run_child([py, *lint_argv[1:]], root, env)
                if reader == readers[0]:
                    cpus[label].append(LAST_CPU[0])
                if label == "baseline":
                    if reader == readers[0]:
                        base_walls.append(wall)
                else:
                    walls[reader].append(wall)
                    if reader == readers[0]:
                        rsss.append(rss)
                print(
                    f"  run {i + 1}/{args.runs} ({reader}{_tag(label, pythons)}): {wall:7.2f} s  "
                    f"{LAST_CPU[0]:6.2f} s CPU  {rss:7.1f} MiB  exit {code}  ({_load()})",
                    flush=True,
                )
                if code != 0 and failed is None:
                    failed = (code, tail)
    if failed:
        print(f"lint exited {failed[0]} (findings or error); last output:\n{failed[1]}")
    if len(readers) == 2:
        ref = statistics.median(walls["pyyaml"])
        print(
            f"\nreference reader: median {ref:.2f} s; fast reader "
            f"x{ref / statistics.median(walls['fast']):.2f} faster (medians, same session)"
        )
    other = {f"wall_median_{r}_s": round(statistics.median(w), 3) for r, w in walls.items()}
    walls_main = walls[readers[0]]

    med, lo, hi = statistics.median(walls_main), min(walls_main), max(walls_main)
    peak = max(rsss)
    print(
        f"\nwall time  median {med:.2f} s   min {lo:.2f} s   max {hi:.2f} s   "
        f"target {TARGET_WALL_S} s   {_mark(med, TARGET_WALL_S)}   "
        f"CPU median {statistics.median(cpus['candidate']):.2f} s"
    )
    if base_walls:
        print(
            f"baseline   median {statistics.median(base_walls):.2f} s   CPU median "
            f"{statistics.median(cpus['baseline']):.2f} s (taking turns with the above)"
        )
    print(
        f"peak RSS   {peak:.1f} MiB (median {statistics.median(rsss):.1f})   "
        f"target {TARGET_RSS_MIB:.0f} MiB   {_mark(peak, TARGET_RSS_MIB)}"
    )
    print(
        f"per task: {1000 * med / max(1, s['tasks']):.2f} ms and "
        f"{1024 * peak / max(1, s['tasks']):.1f} KiB; {_load()}"
    )

    warm = {} if args.no_warm else cached_runs(args, root, readers[0])

    if args.profile:
        phases(args.python, root)
        profile(root)

    summary = {
        "tasks": s["tasks"],
        "files": files["yaml"] + files["jsonl"],
        "yaml_files": files["yaml"],
        "jsonl_files": files["jsonl"],
        "entries": s["entries"],
        "packs": s["packs"],
        "runs": len(walls_main),
        "yaml_reader": readers[0],
        **other,
        "wall_median_s": round(med, 3),
        "cpu_median_s": round(statistics.median(cpus["candidate"]), 3),
        **(
            {
                "baseline_wall_median_s": round(statistics.median(base_walls), 3),
                "baseline_cpu_median_s": round(statistics.median(cpus["baseline"]), 3),
            }
            if base_walls
            else {}
        ),
        "wall_min_s": round(lo, 3),
        "wall_max_s": round(hi, 3),
        "peak_rss_mib": round(peak, 1),
        "startup_s": round(wall0, 3),
        "target_wall_s": TARGET_WALL_S,
        "target_rss_mib": TARGET_RSS_MIB,
        "wall_ok": med <= TARGET_WALL_S,
        "rss_ok": peak <= TARGET_RSS_MIB,
        **warm,
        "lint_exit": failed[0] if failed else 0,
        "generation_s": manifest["seconds"],
        "cpus": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    print(json.dumps(summary, separators=(",", ":")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
