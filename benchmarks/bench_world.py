#!/usr/bin/env python3
"""The world model at scale: indexed lookups and copy-on-write writes.

    python benchmarks/bench_world.py [--runs 7] [--calls 2000] [--clock wall|cpu]

``get``: a ``get`` by id (``run_behavior``, rendering included) on a collection of 100 and
of 100,000 records, as a list of records with ids and as an object keyed by id. Target: the
100k one costs <= 2x the 100 one.

``select``: an equality ``select`` (``where: {city: ...}``, a handful of matches) on 100 and
100,000 records. Target: <= 2x.

``write``: one episode step that updates a nested field of one record of a 2,000-record
collection (a fresh episode each time: the step includes making the collection the episode's
own), before (the collection deep-copied and scanned, as taskkit did) and after (the
container copied shallowly, the record found by index and replaced), in the same run.

Medians over ``--runs``; each run times ``--calls`` calls with ids drawn at random (seed 0).
``--clock cpu`` measures this process's CPU time (on a shared machine wall time mostly
measures the others).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
CITIES = [f"city-{i}" for i in range(20_000)]


def _records(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"r{i}",
            "city": CITIES[i % min(n // 5 or 1, len(CITIES))],
            "address": {"zip": f"{i:05d}", "street": "Main St"},
            "price": i % 997,
        }
        for i in range(n)
    ]


def _state(n: int, shape: str) -> dict[str, Any]:
    recs = _records(n)
    if shape == "keyed":
        return {"things": {r["id"]: {k: v for k, v in r.items() if k != "id"} for r in recs}}
    return {"things": recs}


def _time(fn: Callable[[], None], runs: int, calls: int, clock: Any) -> float:
    """Median seconds per call of ``fn``."""
    fn()  # warm up: builds the lazy indexes, as the first call of an episode does
    per_call = []
    for _ in range(runs):
        start = clock()
        for _ in range(calls):
            fn()
        per_call.append((clock() - start) / calls)
    return statistics.median(per_call)


def _runner(behavior: dict[str, Any], state: dict[str, Any], args: Iterator[dict[str, Any]]):
    from taskkit.models import Behavior
    from taskkit.sim.behaviors import run_behavior

    model = Behavior.model_validate(behavior)
    return lambda: run_behavior(model, next(args), state)


def _ids(n: int, key: str, rng: random.Random) -> Iterator[dict[str, Any]]:
    while True:
        yield {key: f"r{rng.randrange(n)}"}


def _cities(n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    while True:
        yield {"city": CITIES[rng.randrange(min(n // 5 or 1, len(CITIES)))]}


def bench_reads(runs: int, calls: int, clock: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    get = {"get": "things", "id": "{{ args.id }}"}
    select = {"select": "things", "where": {"city": "{{ args.city }}"}}
    for shape in ("list", "keyed"):
        times = {}
        for n in (100, 100_000):
            rng = random.Random(0)
            times[n] = _time(_runner(get, _state(n, shape), _ids(n, "id", rng)), runs, calls, clock)
        ratio = times[100_000] / times[100]
        print(
            f"get ({shape}): {times[100] * 1e6:.1f} us on 100 records, "
            f"{times[100_000] * 1e6:.1f} us on 100,000: {ratio:.2f}x (target <= 2x)"
        )
        out[f"get_{shape}"] = {"us_100": times[100] * 1e6, "us_100k": times[100_000] * 1e6}
    times = {}
    for n in (100, 100_000):
        rng = random.Random(0)
        times[n] = _time(_runner(select, _state(n, "list"), _cities(n, rng)), runs, calls, clock)
    ratio = times[100_000] / times[100]
    print(
        f"equality select (list, 5 matches): {times[100] * 1e6:.1f} us on 100 records, "
        f"{times[100_000] * 1e6:.1f} us on 100,000: {ratio:.2f}x (target <= 2x)"
    )
    out["select"] = {"us_100": times[100] * 1e6, "us_100k": times[100_000] * 1e6}
    return out


def _task(state: dict[str, Any]) -> Any:
    from taskkit.models import Behavior, CompiledTask, ToolEnv

    behavior = {"update": "things", "id": "{{ args.id }}", "set": {"address.zip": "{{ args.z }}"}}
    params = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "z": {"type": "string"}},
        "required": ["id", "z"],
    }
    env = ToolEnv(
        name="set_zip",
        ref="w.set_zip",
        effect="write",
        parameters=params,
        behavior=Behavior.model_validate(behavior),
    )
    return CompiledTask.model_validate(
        {
            "id": "w/write@1#e",
            "pack": "w",
            "pack_version": "1.0.0",
            "task": "write",
            "task_version": 1,
            "entry": "e",
            "category": "data",
            "difficulty": "easy",
            "source": {},
            "user_command": "move",
            "tools": [],
            "environment": [env],
            "initial_state": state,
            "max_turns": 3,
            "action_checks": [],
            "final": {
                "gold_actions": [],
                "expect": {"state": "ignore", "answer": {"contains": ["done"]}},
                "gold_state": state,
                "gold_observations": [],
            },
            "content_hash": "0",
        }
    )


@contextmanager
def _as_before() -> Iterator[None]:
    """taskkit before record-level copy-on-write and indexes: the written collection
    deep-copied on an episode's first write, and every id looked up by a scan."""
    from taskkit.sim import collections, episode

    saved = (collections.SCAN_BELOW, episode.copies_records)
    collections.SCAN_BELOW = 10**12
    episode.copies_records = lambda operation: False  # so each tool's plan copies deeply
    try:
        yield
    finally:
        collections.SCAN_BELOW, episode.copies_records = saved


def bench_write(runs: int, calls: int, clock: Any) -> dict[str, Any]:
    from taskkit.sim.episode import Episode

    n = 2_000
    out = {}
    for label in ("before", "after"):
        for shape in ("list", "keyed"):
            task = _task(_state(n, shape))
            rng = random.Random(0)
            per_call = []
            with _as_before() if label == "before" else _nothing():
                Episode(task, "openai", faults=False)  # warm up
                for _ in range(runs):
                    work = []
                    for _ in range(max(1, calls // 10)):
                        args = json.dumps({"id": f"r{rng.randrange(n)}", "z": "99999"})
                        call = {"id": "c", "type": "function"}
                        call["function"] = {"name": "set_zip", "arguments": args}
                        response = {"role": "assistant", "content": None, "tool_calls": [call]}
                        work.append((Episode(task, "openai", faults=False), response))
                    start = clock()
                    for ep, response in work:
                        ep.step(response)
                    per_call.append((clock() - start) / len(work))
            median = statistics.median(per_call)
            out[f"{label}_{shape}"] = median * 1e6
            print(f"write step on {n:,} records ({shape}, {label}): {median * 1e6:.1f} us")
    return out


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    opts = parser.parse_args()
    clock = CLOCKS[opts.clock]
    figures = {
        "reads": bench_reads(opts.runs, opts.calls, clock),
        "write": bench_write(opts.runs, opts.calls, clock),
    }
    if opts.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
