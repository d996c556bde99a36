#!/usr/bin/env python3
"""The Ray executor against the local one, on one machine.

    python benchmarks/bench_ray.py [--runs 3] [--repeats 2] [--samples 3]

(a) Instant agent (``mutant``): episodes per second of ``generate`` on the bundled library
    with the local executor and with the Ray executor at 1 and 2 workers (actors), run in
    turn, ``--runs`` rounds; target: Ray >= 70 % of local. Ray's time includes starting
    its actors (each imports taskkit and reads the tasks from the object store); the rate
    from its first result to its last is printed beside it.
(b) A loopback OpenAI-compatible server answering after 50 ms, ``--concurrency 64`` over 2
    Ray workers: the average number of requests in flight (measured by the server) divided
    by 64, from the first request to the end of the run (actor start-up excluded, and
    printed); target >= 90 %.

Every measurement runs in a process of its own (the local executor forks, which a process
holding Ray's threads should not), against one Ray cluster started here for the whole
benchmark (one node, this machine's CPUs). Medians are over rounds of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


# -- one measurement, in a child process -------------------------------------------------


def _measure_instant(args: argparse.Namespace) -> dict[str, float]:
    from taskkit.agents import MutantAgent
    from taskkit.compiler import load_compiled
    from taskkit.datagen import ExploreConfig, GenerateConfig, generate
    from taskkit.executors import make_executor

    tasks = list(load_compiled(args.compiled))
    executor = make_executor(args.one, workers=args.workers, address=args.address)
    times: list[float] = []
    start = time.perf_counter()
    generate(
        tasks,
        MutantAgent(),
        tempfile.mkdtemp(prefix="bench-ray-"),
        GenerateConfig(explore=ExploreConfig(samples=args.samples)),
        repeats=args.repeats,
        executor=executor,
        on_done=lambda _: times.append(time.perf_counter()),
    )
    elapsed = time.perf_counter() - start
    steady = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {"rate": len(times) / elapsed, "steady": steady, "first": times[0] - start}


def _measure_server(args: argparse.Namespace) -> dict[str, float]:
    import threading
    import urllib.request

    from taskkit.agents import make_agent
    from taskkit.compiler import load_compiled
    from taskkit.datagen import ExploreConfig, GenerateConfig, generate
    from taskkit.executors import LocalExecutor
    from taskkit.executors.ray import RayExecutor

    tasks = list(load_compiled(args.compiled))
    url = args.server

    def stats() -> dict[str, float]:
        with urllib.request.urlopen(url.removesuffix("/v1") + "/stats") as reply:
            return json.loads(reply.read())  # type: ignore[no-any-return]

    first: list[tuple[float, float]] = []
    stop = threading.Event()

    def watch() -> None:  # when the first request arrived, and how busy the server was then
        while not stop.is_set() and not first:
            s = stats()
            if s["requests"] > args.before:
                first.append((time.perf_counter(), s["busy"]))
            time.sleep(0.005)

    factory = _agent_factory(url)
    executor = (
        RayExecutor(address=args.address, workers=args.workers, agent_factory=factory)
        if args.address
        else LocalExecutor(workers=args.workers)
    )
    config = GenerateConfig(
        explore=ExploreConfig(samples=1, faults=False), concurrency=args.concurrency
    )
    watcher = threading.Thread(target=watch, daemon=True)
    start = time.perf_counter()
    watcher.start()
    generate(
        tasks,
        make_agent("openai", model="m", base_url=url),
        tempfile.mkdtemp(),
        config,
        executor=executor,
    )
    end = time.perf_counter()
    stop.set()
    watcher.join()
    t0, busy0 = first[0]
    busy = stats()["busy"] - busy0
    return {"busy": busy / (end - t0) / args.concurrency, "startup": t0 - start}


def _agent_factory(url: str):  # type: ignore[no-untyped-def]
    import functools

    from taskkit.agents import make_agent

    return functools.partial(make_agent, "openai", model="m", base_url=url, max_retries=2)


# -- the benchmark ----------------------------------------------------------------------


def _child(*extra: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, *extra], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _serve(tasks_path: str, latency: float, port_out) -> None:  # type: ignore[no-untyped-def]
    """The fake server, in its own process: it must not share a GIL with the client."""
    from fake_openai import FakeOpenAI, tool_call

    from taskkit.compiler import load_compiled

    by_command = {t.user_command: t for t in load_compiled(tasks_path)}

    def reply(request):  # type: ignore[no-untyped-def]
        task = by_command[request["messages"][1]["content"]]
        step = sum(1 for m in request["messages"] if m["role"] == "assistant")
        gold = task.final.gold_actions
        if step < len(gold):
            return tool_call(gold[step].tool, json.dumps(gold[step].args))
        return {"content": task.final.gold_answer or "done"}

    server = FakeOpenAI(reply, latency=latency)
    port_out.send(server.url)
    server.httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--server-episodes", type=int, default=1500)
    parser.add_argument("--only", choices=["a", "b"], help="Run one part only.")
    # a child's measurement
    parser.add_argument("--one", choices=["local", "ray", "server"], help=argparse.SUPPRESS)
    parser.add_argument("--compiled", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--address", help=argparse.SUPPRESS)
    parser.add_argument("--server", help=argparse.SUPPRESS)
    parser.add_argument("--before", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one == "server":
        print(json.dumps(_measure_server(args)))
        return
    if args.one:
        print(json.dumps(_measure_instant(args)))
        return

    import ray
    from ray.cluster_utils import Cluster

    from taskkit.compiler import compile_paths, write_compiled

    tasks = compile_paths([HERE.parent / "task_library", HERE.parent / "content_datasets"]).tasks
    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    compiled = work / "tasks.jsonl"
    write_compiled(tasks, compiled)
    commands = [t.user_command for t in tasks]
    unique = [t for t in tasks if commands.count(t.user_command) == 1][: args.server_episodes]
    served = work / "served.jsonl"
    write_compiled(unique, served)

    cpus = len(os.sched_getaffinity(0))
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": cpus})
    address = cluster.address
    common = ["--compiled", str(compiled), "--repeats", str(args.repeats)]
    common += ["--samples", str(args.samples)]
    summary: dict[str, object] = {}
    try:
        if args.only != "b":
            summary.update(_part_a(args, common, address, len(tasks) * args.repeats, cpus))
        if args.only != "a":
            summary.update(_part_b(args, served, len(unique), address))
    finally:
        ray.shutdown()
        cluster.shutdown()
    print(json.dumps(summary))


def _part_a(
    args: argparse.Namespace, common: list[str], address: str, episodes: int, cpus: int
) -> dict[str, object]:
    print(f"(a) {episodes} episodes, k={args.samples}, mutant agent, {cpus} CPUs (box shared)")
    rows: dict[str, list[dict[str, float]]] = {"local": [], "ray 1": [], "ray 2": []}
    for run in range(args.runs):
        for name, results in rows.items():  # in turn: the box's load falls on all alike
            kind, _, n = name.partition(" ")
            extra = ["--workers", n, "--address", address] if n else []
            results.append(_child("--one", kind, *common, *extra))
            r = results[-1]
            print(
                f"  run {run + 1} {name:6} {r['rate']:7,.0f} episodes/s "
                f"(first result after {r['first']:.1f} s; then {r['steady']:,.0f}/s)"
            )
    med = {name: statistics.median(r["rate"] for r in rs) for name, rs in rows.items()}
    steady = {name: statistics.median(r["steady"] for r in rs) for name, rs in rows.items()}
    for name in rows:
        print(
            f"    {name:6} median {med[name]:7,.0f}/s = {med[name] / med['local']:.0%} "
            f"of local (steady {steady[name]:,.0f}/s = {steady[name] / steady['local']:.0%})"
        )
    print(
        f"    scaling 1 -> 2 ray workers: x{med['ray 2'] / med['ray 1']:.2f} "
        f"(steady x{steady['ray 2'] / steady['ray 1']:.2f})"
    )
    return {
        "episodes": episodes,
        "episodes_per_s": {k: round(v) for k, v in med.items()},
        "ray_vs_local": {k: round(v / med["local"], 3) for k, v in med.items()},
        "steady_per_s": {k: round(v) for k, v in steady.items()},
        "scaling_1_to_2": round(med["ray 2"] / med["ray 1"], 3),
    }


def _part_b(
    args: argparse.Namespace, served: Path, episodes: int, address: str
) -> dict[str, object]:
    import multiprocessing
    import urllib.request

    here, there = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(str(served), args.latency, there), daemon=True
    )
    server.start()
    url = here.recv()
    rows: dict[str, list[float]] = {"local": [], "ray 2": []}
    try:
        for run in range(args.runs):
            for name, results in rows.items():  # in turn, as in (a)
                with urllib.request.urlopen(url.removesuffix("/v1") + "/stats") as reply:
                    before = json.loads(reply.read())["requests"]
                where = ["--workers", "2", "--address", address] if name != "local" else []
                u = _child(
                    "--one",
                    "server",
                    "--compiled",
                    str(served),
                    "--server",
                    url,
                    "--before",
                    str(before),
                    "--concurrency",
                    str(args.concurrency),
                    *where,
                )
                results.append(u["busy"])
                print(
                    f"(b) run {run + 1} {name:6}: {episodes} episodes, "
                    f"{args.latency * 1000:.0f} ms server, --concurrency {args.concurrency}: "
                    f"{u['busy']:.1%} busy (first request after {u['startup']:.1f} s)"
                )
    finally:
        server.terminate()
    med = {name: statistics.median(rs) for name, rs in rows.items()}
    for name, value in med.items():
        print(f"    {name:6} median {value:.1%} busy (target >= 90%)")
    return {"server_busy": {k: round(v, 3) for k, v in med.items()}}


if __name__ == "__main__":
    main()
