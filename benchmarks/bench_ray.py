#!/usr/bin/env python3
"""The Ray executor against the local one, on one machine.

    python benchmarks/bench_ray.py [--runs 3] [--repeats 2] [--samples 3]

(a) Instant agent (``mutant``): episodes per second of ``generate`` on the bundled library
    with the local executor and with the Ray executor at 1 and 2 workers (actors), run in
    turn, ``--runs`` rounds; target: Ray >= 70 % of local. Ray's time includes starting
    its actors (each imports taskkit and reads the tasks from the object store); the rate
    from its first result to its last is printed beside it.
(b) A loopback OpenAI-compatible server answering 50 ms after each request came,
    ``--concurrency 64``, with the local executor and the Ray executor, each over 1 and 2
    workers (``TASKKIT_OPENAI_HTTP=sdk`` measures the SDK's request path): the request
    slots busy, i.e. the requests in flight (recorded by the server: when each request
    came, when its reply left) divided by 64, target >= 90 %. Two figures: over the run,
    from the first request's arrival to the last reply (so neither the workers' start-up
    before it, printed beside, nor the exports written after it are counted), and in
    steady state, between the arrivals of the requests at the 10th and 90th percentiles
    (no ramp, and no tail where fewer episodes remain than slots). Also printed: the CPU
    a request costs the client (every process of it, from its 10th to its 90th percentile
    of episodes done) and the server, and the busy
    fraction that cost allows on this machine's cores at most, were they all ours. The
    server (:class:`_Served`) runs in its own process, one asyncio loop, and speaks real
    HTTP/1.1 to the same client (the ``openai`` agent) a user runs.

Every measurement runs in a process of its own (the local executor forks, which a process
holding Ray's threads should not), against one Ray cluster started here for the whole
benchmark (one node, this machine's CPUs). Medians are over rounds of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

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
    from taskkit.agents import make_agent
    from taskkit.compiler import load_compiled
    from taskkit.datagen import ExploreConfig, GenerateConfig, generate
    from taskkit.executors import LocalExecutor
    from taskkit.executors.ray import RayExecutor

    tasks = list(load_compiled(args.compiled))
    executor = (
        RayExecutor(
            address=args.address, workers=args.workers, agent_factory=_agent_factory(args.server)
        )
        if args.address
        else LocalExecutor(workers=args.workers)
    )
    config = GenerateConfig(
        explore=ExploreConfig(samples=1, faults=False), concurrency=args.concurrency
    )
    # The client's CPU (this process, its forks, the actors) between the 10th and 90th
    # percentile of episodes done: the steady state, without the start-up or the exports.
    marks = {len(tasks) // 10, len(tasks) * 9 // 10}
    cpu: list[float] = []
    done = 0

    def on_done(_: object) -> None:
        nonlocal done
        done += 1
        if done in marks:
            pids = executor.pids if isinstance(executor, RayExecutor) else _forks()
            cpu.extend([time.monotonic(), sum(_cpu_of(p) for p in [os.getpid(), *pids])])

    start = time.monotonic()
    generate(
        tasks,
        make_agent("openai", model="m", base_url=args.server),
        tempfile.mkdtemp(),
        config,
        executor=executor,
        on_done=on_done,
    )
    window = {"cpu_from": cpu[0], "cpu_to": cpu[2], "cpu": cpu[3] - cpu[1]}
    return {"start": start, "end": time.monotonic(), **window}


def _forks() -> list[int]:
    """This process's children (the local executor's workers)."""
    me, pids = str(os.getpid()), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if stat.read().rpartition(")")[2].split()[1] == me:
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def _cpu_of(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


class _Served:
    """The benchmark's loopback server: OpenAI-compatible chat completions over real HTTP/1.1
    (keep-alive, as a model server), answered ``latency`` seconds after each request came.

    It runs in a process of its own, one asyncio loop, and costs a fraction of a
    millisecond of CPU a request (``cpu_ms`` in /stats), against about 0.6 ms for
    ``tests/fake_openai.py``'s thread per connection: on this 2-core box the server's CPU
    is taken from the client being measured. It records when each request came and when
    its reply left (``/intervals``), from which the busy request slots are computed."""

    def __init__(self, tasks_path: str, latency: float) -> None:
        from taskkit.compiler import load_compiled

        self.by_command = {t.user_command: t for t in load_compiled(tasks_path)}
        self.latency = latency
        self.intervals: list[tuple[float, float]] = []

    def reply(self, request: dict[str, Any]) -> dict[str, Any]:
        """The gold action of the step the conversation is at, then the gold answer."""
        task = self.by_command[request["messages"][1]["content"]]
        step = sum(1 for m in request["messages"] if m["role"] == "assistant")
        gold = task.final.gold_actions
        if step < len(gold):
            call = {"name": gold[step].tool, "arguments": json.dumps(gold[step].args)}
            message: dict[str, Any] = {
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": call}],
            }
        else:
            message = {"content": task.final.gold_answer or "done"}
        return {
            "id": f"chatcmpl-{len(self.intervals)}",
            "object": "chat.completion",
            "created": 0,
            "model": request["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", **message},
                    "finish_reason": "tool_calls" if "tool_calls" in message else "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def get(self, path: str) -> dict[str, Any]:
        if path.startswith("/intervals"):
            since = int(path.partition("=")[2] or 0)
            return {"intervals": self.intervals[since:]}
        cpu = time.process_time() * 1000
        return {"requests": len(self.intervals), "cpu_ms": cpu}

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                came = time.monotonic()
                text = head.decode("latin-1")
                request_line, *lines = text.split("\r\n")
                method, path, _ = request_line.split(" ", 2)
                headers = {}
                for line in lines:
                    key, _, value = line.partition(":")
                    headers[key.strip().lower()] = value.strip()
                body = await _body(reader, headers)
                if method == "POST":
                    doc = self.reply(json.loads(body))
                    await asyncio.sleep(self.latency - (time.monotonic() - came))
                else:
                    doc = self.get(path)
                data = json.dumps(doc).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(data), data)
                )
                if method == "POST":
                    self.intervals.append((came, time.monotonic()))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed its connection
        finally:
            writer.close()

    async def serve(self, port_out: Any) -> None:
        server = await asyncio.start_server(self.connection, "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        port_out.send(f"http://127.0.0.1:{port}/v1")
        await server.serve_forever()


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")
        return b"".join(chunks)
    return await reader.readexactly(int(headers.get("content-length", 0)))


def _serve(tasks_path: str, latency: float, port_out: Any) -> None:
    """The server's process (spawned: it must not share a GIL with the client)."""
    asyncio.run(_Served(tasks_path, latency).serve(port_out))


def _get(url: str, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(url.removesuffix("/v1") + path) as reply:
        return json.loads(reply.read())  # type: ignore[no-any-return]


def _busy(intervals: list[tuple[float, float]], start: float, end: float) -> float:
    """Request-seconds in flight between ``start`` and ``end``."""
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in intervals)


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

    here, there = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(str(served), args.latency, there), daemon=True
    )
    server.start()
    url = here.recv()
    rows: dict[str, list[dict[str, float]]] = {
        "local 1": [],
        "local 2": [],
        "ray 1": [],
        "ray 2": [],
    }
    try:
        for run in range(args.runs):
            for name, results in rows.items():  # in turn, as in (a)
                before = _get(url, "/stats")
                kind, _, n = name.partition(" ")
                where = ["--workers", n] + (["--address", address] if kind == "ray" else [])
                u = _child(
                    "--one",
                    "server",
                    "--compiled",
                    str(served),
                    "--server",
                    url,
                    "--concurrency",
                    str(args.concurrency),
                    *where,
                )
                after = _get(url, "/stats")
                spans = [
                    tuple(i)
                    for i in _get(url, f"/intervals?from={before['requests']}")["intervals"]
                ]
                r = _slots(spans, args.concurrency)
                requests = len(spans)
                r["startup"] = spans[0][0] - u["start"]
                # CPU a request: the client's over its steady window, the server's overall
                inside = sum(1 for a, _ in spans if u["cpu_from"] <= a < u["cpu_to"])
                r["client_ms"] = 1000 * u["cpu"] / max(1, inside)
                r["server_ms"] = (after["cpu_ms"] - before["cpu_ms"]) / requests
                results.append(r)
                print(
                    f"(b) run {run + 1} {name:6}: {episodes} episodes, {requests} requests, "
                    f"{args.latency * 1000:.0f} ms server, --concurrency {args.concurrency}: "
                    f"{r['busy']:.1%} busy over the run, {r['steady']:.1%} in steady state; "
                    f"{r['rate']:,.0f} requests/s; CPU a request: client {r['client_ms']:.2f} ms, "
                    f"server {r['server_ms']:.2f} ms (first request after {r['startup']:.1f} s)"
                )
    finally:
        server.terminate()
    med = {
        name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in rows.items()
    }
    ideal = args.concurrency / args.latency
    for name, m in med.items():
        print(
            f"    {name:6} median {m['busy']:.1%} busy over the run, {m['steady']:.1%} in "
            f"steady state (target >= 90%); {m['rate']:,.0f} requests/s of {ideal:,.0f} "
            f"possible; client {m['client_ms']:.2f} + server {m['server_ms']:.2f} ms CPU a "
            f"request: at most {_ceiling(m, ideal):.0%} busy on {_cores()} free cores"
        )
    return {
        "server_busy": {k: round(m["busy"], 3) for k, m in med.items()},
        "server_busy_steady": {k: round(m["steady"], 3) for k, m in med.items()},
        "cpu_ms_per_request": {
            k: round(m["client_ms"] + m["server_ms"], 2) for k, m in med.items()
        },
    }


def _slots(spans: list[tuple[float, ...]], concurrency: int) -> dict[str, float]:
    """How busy the request slots were: over the run (from the first request's arrival to
    the last reply) and in steady state (from the arrival of the request at the 10th
    percentile to that of the one at the 90th: no ramp while the workers start, no tail
    when fewer episodes remain than slots)."""
    first, last = spans[0][0], max(b for _, b in spans)
    arrivals = sorted(a for a, _ in spans)
    lo, hi = arrivals[len(arrivals) // 10], arrivals[len(arrivals) * 9 // 10]
    whole = _busy(spans, first, last) / (last - first) / concurrency  # type: ignore[arg-type]
    steady = _busy(spans, lo, hi) / (hi - lo) / concurrency  # type: ignore[arg-type]
    return {"busy": whole, "steady": steady, "rate": len(spans) / (last - first)}


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _ceiling(m: dict[str, float], ideal: float) -> float:
    """The busy fraction the cores allow at this CPU cost a request, were they all ours."""
    return min(1.0, _cores() * 1000 / (m["client_ms"] + m["server_ms"]) / ideal)


if __name__ == "__main__":
    main()
